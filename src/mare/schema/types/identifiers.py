"""Identifiers: e-mail, social handles, plates, ship numbers, IBAN, documents, gender."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from stdnum import iban as _iban
from stdnum import numdb as _numdb
from stdnum.exceptions import ValidationError as _StdnumError

from mare.schema.types.phones import normalise_phone
from mare.schema.types.result import EMPTY_CONTEXT, NormaliseContext, Normalised, failed
from mare.schema.types.simple import ascii_digits

__all__ = [
    "imo_check_digit",
    "mid_country",
    "normalise_document_number",
    "normalise_email",
    "normalise_gender",
    "normalise_handle",
    "normalise_iban",
    "normalise_imo",
    "normalise_mmsi",
    "normalise_plate",
]

_Cached = tuple[str | None, str | None, tuple[str, ...], tuple[tuple[str, Any], ...]]


def _result(text: str, cached: _Cached) -> Normalised:
    value, reason, flags, extra = cached
    if value is None:
        return Normalised(text, None, reason or "could not normalise", flags, dict(extra))
    return Normalised(text, value, None, flags, dict(extra))


def _idna(domain: str) -> str | None:
    """Domain to lowercase ASCII (punycode for IDN); None when not encodable."""
    domain = domain.lower().rstrip(".")
    if domain.isascii():
        return domain
    try:
        import idna

        return str(idna.encode(domain, uts46=True).decode("ascii"))
    except Exception:
        try:
            return domain.encode("idna").decode("ascii")
        except Exception:
            return None


# --------------------------------------------------------------------------- e-mail

_DOMAIN_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_TLD = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")
_ATEXT = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-.")
_OBFUSCATED_AT = re.compile(r"\s*[\[({<]\s*(?:at|@)\s*[\])}>]\s*|\s+at\s+", re.I)
_OBFUSCATED_DOT = re.compile(r"\s*[\[({<]\s*(?:dot|\.)\s*[\])}>]\s*|\s+dot\s+", re.I)
_ANGLE = re.compile(r"<([^<>]*@[^<>]*)>")


@lru_cache(maxsize=65536)
def _email(text: str) -> _Cached:
    s = text.strip()
    if not s:
        return None, "empty e-mail address", (), ()
    if len(s) > 320:
        return None, "too long for an e-mail address (over 320 characters)", (), ()
    flags: list[str] = []
    m = _ANGLE.search(s)
    if m:  # "Name <user@example.com>"
        s = m.group(1).strip()
    if s.lower().startswith("mailto:"):
        s = unquote(s[7:]).split("?", 1)[0].strip()
    if "@" not in s:
        deob = _OBFUSCATED_DOT.sub(".", _OBFUSCATED_AT.sub("@", s, count=1))
        if deob.count("@") == 1:
            s = deob
            flags.append("deobfuscated")
    elif _OBFUSCATED_DOT.search(s):
        s = _OBFUSCATED_DOT.sub(".", s)
        flags.append("deobfuscated")
    if s.count("@") != 1:
        return None, "an e-mail address needs exactly one '@'", (), ()
    local, domain = s.split("@")
    if not local:
        return None, "nothing before the '@'", (), ()
    if not domain:
        return None, "nothing after the '@': add the domain", (), ()
    if local.startswith('"'):
        return None, "quoted local parts are not supported", (), ()
    if len(local) > 64:
        return None, "the part before '@' is longer than 64 characters", (), ()
    if local[0] == "." or local[-1] == "." or ".." in local:
        return None, "misplaced dot before the '@'", (), ()
    bad = sorted({c for c in local if c not in _ATEXT and not c.isalnum()})
    if bad:
        return None, f"characters not allowed in an e-mail address: {''.join(bad)[:10]!r}", (), ()
    if domain.startswith("["):
        return None, "IP-address domains are not supported", (), ()
    ascii_domain = _idna(domain)
    if ascii_domain is None:
        return None, f"invalid domain {domain[:60]!r}", (), ()
    labels = ascii_domain.split(".")
    if len(labels) < 2:
        return None, f"domain {domain[:60]!r} has no top-level part (e.g. .com)", (), ()
    if not all(_DOMAIN_LABEL.fullmatch(label) for label in labels) or len(ascii_domain) > 253:
        return None, f"invalid domain {domain[:60]!r}", (), ()
    if not _TLD.fullmatch(labels[-1]):
        return None, f"invalid top-level domain {labels[-1]!r}", (), ()
    if ascii_domain != domain.lower().rstrip("."):
        flags.append("idn")
    local = local.lower()
    if not local.isascii():
        local = unicodedata.normalize("NFC", local)
        flags.append("non_ascii_local_part")
    value = f"{local}@{ascii_domain}"
    return value, None, tuple(flags), (("local", local), ("domain", ascii_domain))


def normalise_email(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise an e-mail address: trim, lowercase, check syntax, punycode IDN domains.

    The local part is lowercased too: RFC 5321 lets it be case-sensitive but no
    large provider treats it so, and matching needs one spelling.
    """
    return _result(text, _email(text))


# --------------------------------------------------------------------------- handles

_PLATFORM_ALIASES = {
    "telegram": "telegram",
    "tg": "telegram",
    "whatsapp": "whatsapp",
    "wa": "whatsapp",
    "viber": "viber",
    "signal": "signal",
    "instagram": "instagram",
    "ig": "instagram",
    "insta": "instagram",
    "facebook": "facebook",
    "fb": "facebook",
    "messenger": "facebook",
    "tiktok": "tiktok",
    "twitter": "twitter",
    "x": "twitter",
    "snapchat": "snapchat",
    "snap": "snapchat",
    "skype": "skype",
    "imo": "imo",
    "line": "line",
    "wechat": "wechat",
    "youtube": "youtube",
    "yt": "youtube",
    "vk": "vk",
    "vkontakte": "vk",
    "threads": "threads",
    "linkedin": "linkedin",
    "botim": "botim",
    "discord": "discord",
    "reddit": "reddit",
}
_HOSTS = {
    "t.me": "telegram",
    "telegram.me": "telegram",
    "telegram.dog": "telegram",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "fb.me": "facebook",
    "m.me": "facebook",
    "messenger.com": "facebook",
    "instagram.com": "instagram",
    "instagr.am": "instagram",
    "tiktok.com": "tiktok",
    "twitter.com": "twitter",
    "x.com": "twitter",
    "wa.me": "whatsapp",
    "api.whatsapp.com": "whatsapp",
    "whatsapp.com": "whatsapp",
    "chat.whatsapp.com": "whatsapp",
    "viber.com": "viber",
    "invite.viber.com": "viber",
    "signal.me": "signal",
    "snapchat.com": "snapchat",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "vk.com": "vk",
    "threads.net": "threads",
    "linkedin.com": "linkedin",
    "reddit.com": "reddit",
}
_PHONE_PLATFORMS = frozenset({"whatsapp", "viber", "signal", "imo", "botim"})
_PLATFORM_PREFIX = re.compile(r"^([a-z]+)\s*(?::(?://)?|：)\s*(.*)$", re.S)
_URLISH = re.compile(
    r"^(?:https?://)?(?:www\.|m\.|mobile\.|web\.|mbasic\.)?([a-z0-9.-]+\.[a-z]{2,})(/.*)?$", re.I
)
_PHONEISH = re.compile(r"^\+?[\d\s().\-]{6,24}$")
_HANDLE_OK = re.compile(r"[\w.\-]{1,100}")
_RESERVED = {
    "instagram": {"p", "reel", "reels", "tv", "explore", "accounts", "direct"},
    "twitter": {"i", "intent", "home", "search", "hashtag", "share", "explore", "settings"},
    "facebook": {
        "share",
        "sharer",
        "sharer.php",
        "watch",
        "events",
        "photo.php",
        "story.php",
        "permalink.php",
        "login",
        "hashtag",
        "marketplace",
    },
    "tiktok": {"t", "tag", "music", "video", "discover"},
    "youtube": {"watch", "shorts", "results", "playlist", "embed"},
}


def _handle_from_url(platform: str, path: str, query: str, fragment: str) -> str | tuple[str, str]:
    """Extract the handle from a profile URL: str handle, or (kind, raw) for invites."""
    segs = [unquote(p) for p in path.split("/") if p]
    q = parse_qs(query)
    if platform == "whatsapp":
        if "phone" in q:
            return "+" + q["phone"][0].lstrip("+ ")
        if segs and segs[0] == "send" and "phone" in q:
            return "+" + q["phone"][0]
        if segs and segs[0] not in ("send", "message", "channel"):
            if segs[0].lstrip("+").isdigit():
                return "+" + segs[0].lstrip("+")
            return ("invite", segs[0])
        return ""
    if platform == "signal":
        frag = unquote(fragment)
        return frag[2:] if frag.startswith("p/") else frag
    if platform == "viber":
        if "number" in q:
            return q["number"][0]
        return segs[-1] if segs else ""
    if not segs:
        return ""
    first = segs[0]
    if platform == "telegram":
        if first == "joinchat" and len(segs) > 1:
            return ("invite", segs[1])
        if first.startswith("+") and not first[1:].isdigit():
            return ("invite", first[1:])
        if first == "s" and len(segs) > 1:
            return segs[1]
        return first
    if platform == "facebook":
        if first == "profile.php":
            return q.get("id", [""])[0]
        if first == "people" and len(segs) > 2:
            return segs[2]
        if first in ("groups", "pages") and len(segs) > 1:
            return segs[-1] if first == "pages" else segs[1]
    if platform == "instagram" and first == "stories" and len(segs) > 1:
        return segs[1]
    if platform in ("youtube",) and first in ("c", "user", "channel") and len(segs) > 1:
        return segs[1]
    if platform == "snapchat" and first == "add" and len(segs) > 1:
        return segs[1]
    if platform == "linkedin" and first in ("in", "company") and len(segs) > 1:
        return segs[1]
    if platform == "reddit" and first in ("u", "user") and len(segs) > 1:
        return segs[1]
    if first.lower() in _RESERVED.get(platform, ()):
        return ("post", first)
    return first


@lru_cache(maxsize=65536)
def _handle(text: str, region: str | None) -> _Cached:
    s = unicodedata.normalize("NFKC", text).strip().strip("<>\"'").strip()
    if not s:
        return None, "empty handle", (), ()
    if len(s) > 300:
        return None, "too long for a handle (over 300 characters)", (), ()
    flags: list[str] = []
    platform = "unknown"
    handle: str | tuple[str, str]
    low = s.lower()
    prefix = _PLATFORM_PREFIX.match(low)
    if prefix and prefix.group(1) in ("http", "https"):
        prefix = None
    url = _URLISH.match(s)
    if prefix and prefix.group(1) in _PLATFORM_ALIASES:
        platform = _PLATFORM_ALIASES[prefix.group(1)]
        rest = s[prefix.start(2) :].strip()
        if platform == "telegram" and rest.lower().startswith("resolve?"):
            rest = parse_qs(rest.split("?", 1)[1]).get("domain", [""])[0]
        elif platform == "viber" and "number=" in rest:
            rest = parse_qs(rest.split("?", 1)[-1]).get("number", [""])[0]
        elif _URLISH.match(rest) and "/" in rest:
            url = _URLISH.match(rest)
            rest = ""
        handle = rest
        if not url or rest:
            url = None
    elif prefix and not url:
        return (
            None,
            (f"unknown platform {prefix.group(1)!r}: use e.g. telegram:, whatsapp:, instagram:"),
            (),
            (),
        )
    else:
        handle = s
    if url is not None:
        host = url.group(1).lower()
        host = host[4:] if host.startswith("www.") else host
        found = _HOSTS.get(host) or _HOSTS.get(host.split(".", 1)[-1])
        if found is None:
            return None, f"{host} is not a known social platform: send it as a URL", (), ()
        platform = found
        try:
            parts = urlsplit("https://" + url.group(0).split("://", 1)[-1])
        except ValueError:
            return None, "malformed profile URL", (), ()
        handle = _handle_from_url(platform, parts.path, parts.query, parts.fragment)
    if isinstance(handle, tuple):
        kind, raw = handle
        if kind == "post":
            return None, f"a link to a {platform} post, not a profile: send the profile", (), ()
        if not _HANDLE_OK.fullmatch(raw):
            return None, "invalid invite link", (), ()
        # Invite hashes are case-sensitive: keep their case.
        value = f"{platform}:invite/{raw}"
        return value, None, ("invite_link",), (("platform", platform), ("handle", f"invite/{raw}"))
    handle = handle.strip().lstrip("@").strip()
    if not handle:
        return None, f"no handle found in {text.strip()[:60]!r}", (), ()
    if platform in _PHONE_PLATFORMS or (_PHONEISH.match(handle) and handle.startswith("+")):
        if not _PHONEISH.match(handle):
            return None, f"{platform} accounts are phone numbers: send it in +CC form", (), ()
        phone = normalise_phone(handle, NormaliseContext(default_region=region))
        if phone.value is None:
            return None, f"{platform} number: {phone.reason}", (), ()
        flags.append("phone")
        handle = phone.value
    elif not _HANDLE_OK.fullmatch(handle):
        bad = sorted({c for c in handle if not (c.isalnum() or c in "._-")})
        shown = "".join(bad)[:10]
        return None, f"handle contains characters not allowed in user names: {shown!r}", (), ()
    handle = handle.lower()
    return (
        f"{platform}:{handle}",
        None,
        tuple(flags),
        (("platform", platform), ("handle", handle)),
    )


def normalise_handle(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise a social or messenger handle or profile URL to "platform:handle"."""
    return _result(text, _handle(text, ctx.default_region))


# --------------------------------------------------------------------------- plates

_CYRILLIC_LOOKALIKES = str.maketrans("АВЕКМНОРСТХУ", "ABEKMHOPCTXY")
_PLATE_SEPARATORS = re.compile(r"[\s\-.·•_/]+")
# Vienna Convention distinguishing signs (and common alternatives) -> ISO alpha-2.
_SIGNS = {
    "A": "AT",
    "AFG": "AF",
    "AL": "AL",
    "AND": "AD",
    "ARM": "AM",
    "AZ": "AZ",
    "B": "BE",
    "BG": "BG",
    "BIH": "BA",
    "BY": "BY",
    "CH": "CH",
    "CY": "CY",
    "CZ": "CZ",
    "D": "DE",
    "DK": "DK",
    "DZ": "DZ",
    "E": "ES",
    "ER": "ER",
    "EST": "EE",
    "ET": "EG",
    "ETH": "ET",
    "F": "FR",
    "FIN": "FI",
    "FL": "LI",
    "GB": "GB",
    "UK": "GB",
    "GBZ": "GI",
    "GE": "GE",
    "GH": "GH",
    "GR": "GR",
    "H": "HU",
    "HKJ": "JO",
    "HR": "HR",
    "I": "IT",
    "IR": "IR",
    "IRL": "IE",
    "IRQ": "IQ",
    "IS": "IS",
    "KSA": "SA",
    "L": "LU",
    "LAR": "LY",
    "LT": "LT",
    "LV": "LV",
    "M": "MT",
    "MA": "MA",
    "MC": "MC",
    "MD": "MD",
    "MK": "MK",
    "NMK": "MK",
    "MNE": "ME",
    "N": "NO",
    "NIG": "NE",
    "NL": "NL",
    "P": "PT",
    "PK": "PK",
    "PL": "PL",
    "RIM": "MR",
    "RKS": "XK",
    "RL": "LB",
    "RO": "RO",
    "RSM": "SM",
    "RUS": "RU",
    "S": "SE",
    "SK": "SK",
    "SLO": "SI",
    "SN": "SN",
    "SRB": "RS",
    "SUD": "SD",
    "SYR": "SY",
    "TN": "TN",
    "TR": "TR",
    "UA": "UA",
    "V": "VA",
    "WAN": "NG",
}
_PLATE_PAREN = re.compile(r"^[(\[]\s*([A-Z]{1,3})\s*[)\]]\s*(.+)$")
_PLATE_COLON = re.compile(r"^([A-Z]{1,3})\s*:\s*(.+)$")
_PLATE_HYPHEN = re.compile(r"^([A-Z]{1,3})\s*-\s*(\S+[\s-].+)$")


@lru_cache(maxsize=512)
def _country_code(code: str) -> str | None:
    if code in _SIGNS:
        return _SIGNS[code]
    if len(code) == 2:
        import pycountry

        if pycountry.countries.get(alpha_2=code) is not None:
            return code
    return None


@lru_cache(maxsize=65536)
def _plate(text: str, region: str | None) -> _Cached:
    if len(text) > 40:
        return None, "too long for a number plate (over 40 characters)", (), ()
    s = ascii_digits(unicodedata.normalize("NFKC", text)).upper().translate(_CYRILLIC_LOOKALIKES)
    s = s.strip()
    flags: list[str] = []
    country: str | None = None
    source: str | None = None
    as_written: str | None = None
    for pattern, how in (
        (_PLATE_PAREN, "prefix"),
        (_PLATE_COLON, "prefix"),
        (_PLATE_HYPHEN, "hyphen"),
    ):
        m = pattern.match(s)
        if m and _country_code(m.group(1)):
            country = _country_code(m.group(1))
            source = "prefix"
            if how == "hyphen":
                # "D-AB 1234" is also how a Düsseldorf plate is written: keep both readings.
                flags.append("country_prefix_ambiguous")
                as_written = _PLATE_SEPARATORS.sub("", s)
            s = m.group(2)
            break
    compact = _PLATE_SEPARATORS.sub("", s)
    if not compact:
        return None, "empty number plate", (), ()
    bad = sorted({c for c in compact if not c.isalnum()})
    if bad:
        return None, f"characters not found on plates: {''.join(bad)[:10]!r}", (), ()
    if len(compact) < 2:
        return None, "too short for a number plate (under 2 characters)", (), ()
    if len(compact) > 12:
        return None, "too long for a number plate (over 12 characters)", (), ()
    if not compact.isascii():
        flags.append("non_latin")
    if country is None and region:
        country, source = region.upper(), "context"
    extra: list[tuple[str, Any]] = []
    if country:
        extra += [("country", country), ("country_source", source)]
    if as_written:
        extra.append(("as_written", as_written))
    return compact, None, tuple(flags), tuple(extra)


def normalise_plate(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise a vehicle plate to uppercase alphanumerics; a country prefix goes to extra."""
    return _result(text, _plate(text, ctx.default_region))


# --------------------------------------------------------------------------- IMO

_IMO_PREFIX = re.compile(r"^\s*IMO\s*(?:NO\.?|NR\.?|NUMBER|#)?\s*[:.]?\s*", re.I)
_IMO_WEIGHTS = (7, 6, 5, 4, 3, 2)


def imo_check_digit(first_six: str) -> int:
    """IMO ship number check digit for the first six digits (weights 7..2, mod 10)."""
    return sum(int(d) * w for d, w in zip(first_six, _IMO_WEIGHTS, strict=True)) % 10


def normalise_imo(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise an IMO ship number to "IMO1234567" after checking its check digit."""
    if len(text) > 40:
        return failed(text, "too long for an IMO number")
    s = _IMO_PREFIX.sub("", ascii_digits(text)).replace(" ", "").replace("-", "")
    if not s:
        return failed(text, "empty IMO number")
    if not (s.isdigit() and s.isascii()):
        return failed(text, "an IMO number is 7 digits, optionally after 'IMO'")
    if len(s) != 7:
        return failed(text, f"an IMO number has 7 digits, not {len(s)}")
    expected = imo_check_digit(s[:6])
    if int(s[6]) != expected:
        return failed(
            text,
            f"IMO check digit should be {expected}, not {s[6]}: check for a mistyped digit",
            expected_check_digit=expected,
        )
    return Normalised(text, "IMO" + s, None, (), {"number": int(s)})


# --------------------------------------------------------------------------- MMSI


@lru_cache(maxsize=1)
def _mid_table() -> dict[str, str]:
    raw = resources.files("mare.schema.types").joinpath("data/mid.csv").read_text("utf-8")
    return {row["mid"]: row["alpha2"] for row in csv.DictReader(io.StringIO(raw))}


def mid_country(mid: str) -> str | None:
    """ITU Maritime Identification Digits (e.g. "211") to ISO alpha-2, None if unallocated."""
    return _mid_table().get(mid)


_MMSI_PREFIX = re.compile(r"^\s*MMSI\s*(?:NO\.?|#)?\s*[:.]?\s*", re.I)
_MMSI_PLACEHOLDERS = frozenset({"000000000", "111111111", "123456789", "987654321", "999999999", "100000000"})


def _mmsi_kind(s: str) -> tuple[str, str | None]:
    """Return (kind, MID or None) for a 9-digit MMSI (ITU-R M.585)."""
    if s.startswith("00"):
        return "coast_station", s[2:5]
    if s[0] == "0":
        return "group", s[1:4]
    if s.startswith("111"):
        return "sar_aircraft", s[3:6]
    if s.startswith("970"):
        return "sart", None
    if s.startswith("972"):
        return "mob", None
    if s.startswith("974"):
        return "epirb", None
    if s.startswith("98"):
        return "craft_associated", s[2:5]
    if s.startswith("99"):
        return "aid_to_navigation", s[2:5]
    if s[0] == "8":
        return "handheld", s[1:4]
    if s[0] in "234567":
        return "ship", s[:3]
    return "unknown", None


def normalise_mmsi(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise a 9-digit MMSI; its MID gives the flag state and its prefix the kind."""
    if len(text) > 40:
        return failed(text, "too long for an MMSI")
    s = _MMSI_PREFIX.sub("", ascii_digits(text)).replace(" ", "").replace("-", "")
    if not s:
        return failed(text, "empty MMSI")
    if not (s.isdigit() and s.isascii()):
        return failed(text, "an MMSI is 9 digits")
    if len(s) != 9:
        return failed(text, f"an MMSI has 9 digits, not {len(s)}")
    kind, mid = _mmsi_kind(s)
    flags: list[str] = []
    extra: dict[str, Any] = {"kind": kind, "mid": mid, "flag": None}
    if s in _MMSI_PLACEHOLDERS:
        flags.append("placeholder")
    if kind == "unknown":
        flags.append("unknown_format")
    elif mid is not None:
        country = mid_country(mid)
        if country is None:
            flags.append("unknown_mid")
        extra["flag"] = country
    return Normalised(text, s, None, tuple(flags), extra)


# --------------------------------------------------------------------------- IBAN

# Positions of the bank (and branch) code inside the BBAN, from the SWIFT IBAN registry.
_BANK_CODE: dict[str, tuple[int, int]] = {
    "AT": (0, 5),
    "BE": (0, 3),
    "BG": (0, 4),
    "CH": (0, 5),
    "CY": (0, 3),
    "CZ": (0, 4),
    "DE": (0, 8),
    "DK": (0, 4),
    "EE": (0, 2),
    "ES": (0, 4),
    "FI": (0, 3),
    "FR": (0, 5),
    "GB": (0, 4),
    "GR": (0, 3),
    "HR": (0, 7),
    "HU": (0, 3),
    "IE": (0, 4),
    "IT": (1, 6),
    "LI": (0, 5),
    "LT": (0, 5),
    "LU": (0, 3),
    "LV": (0, 4),
    "MC": (0, 5),
    "MT": (0, 4),
    "NL": (0, 4),
    "NO": (0, 4),
    "PL": (0, 8),
    "PT": (0, 4),
    "RO": (0, 4),
    "SE": (0, 3),
    "SI": (0, 5),
    "SK": (0, 4),
    "SM": (1, 6),
    "TR": (0, 5),
}
_BRANCH_CODE: dict[str, tuple[int, int]] = {
    "ES": (4, 8),
    "FR": (5, 10),
    "GB": (4, 10),
    "IE": (4, 10),
    "IT": (6, 11),
    "SM": (6, 11),
}
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}")
_IBAN_DB = _numdb.get("iban")


@lru_cache(maxsize=256)
def _iban_length(cc: str) -> int | None:
    info = _IBAN_DB.info(cc)
    props = info[0][1] if info else {}
    bban = props.get("bban")
    if not bban:
        return None
    return 4 + sum(int(n) for n in re.findall(r"(\d+)!", bban))


@lru_cache(maxsize=65536)
def _iban_normalise(text: str) -> _Cached:
    if len(text) > 80:
        return None, "too long for an IBAN", (), ()
    s = ascii_digits(text).upper()
    s = re.sub(r"^\s*IBAN\s*:?\s*", "", s)
    s = re.sub(r"[\s\-.]+", "", s)
    if not s:
        return None, "empty IBAN", (), ()
    if not _IBAN_SHAPE.fullmatch(s):
        return None, "an IBAN is two letters, two check digits and up to 30 letters/digits", (), ()
    cc = s[:2]
    length = _iban_length(cc)
    if length is None:
        return None, f"{cc} does not use IBANs (or is not a country code)", (), ()
    if len(s) != length:
        return None, f"a {cc} IBAN has {length} characters, not {len(s)}", (), ()
    try:
        expected = _iban.calc_check_digits(s)
    except (_StdnumError, ValueError):
        expected = "??"
    if expected != s[2:4]:
        return (
            None,
            (
                f"IBAN checksum fails: the check digits would be {expected} if the rest is right; "
                "check for a mistyped character"
            ),
            (),
            (),
        )
    try:
        _iban.validate(s)
    except _StdnumError as exc:
        return None, f"invalid {cc} IBAN: {str(exc).lower().rstrip('.')}", (), ()
    except Exception:
        return None, f"invalid {cc} IBAN", (), ()
    bban = s[4:]
    extra: list[tuple[str, Any]] = [("country", cc)]
    if cc in _BANK_CODE:
        a, b = _BANK_CODE[cc]
        extra.append(("bank_code", bban[a:b]))
    if cc in _BRANCH_CODE:
        a, b = _BRANCH_CODE[cc]
        extra.append(("branch_code", bban[a:b]))
    return s, None, (), tuple(extra)


def normalise_iban(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise an IBAN to its compact uppercase form after length and mod-97 checks."""
    return _result(text, _iban_normalise(text))


# --------------------------------------------------------------------------- documents

_DOC_SEPARATORS = re.compile(r"[\s\-<./]+")
_DOC_KEY = str.maketrans("OI", "01")
_DIGIT_LIKE = frozenset("OI")


def normalise_document_number(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise a passport/ID document number to uppercase alphanumerics.

    ``extra["key"]`` maps O->0 and I->1 so OCR and typing variants match; the
    flag ``letter_digit_ambiguity`` marks numbers mixing digits with O or I.
    """
    if len(text) > 80:
        return failed(text, "too long for a document number")
    s = _DOC_SEPARATORS.sub("", ascii_digits(unicodedata.normalize("NFKC", text)).upper())
    s = s.translate(_CYRILLIC_LOOKALIKES)
    if not s:
        return failed(text, "empty document number")
    if not (s.isalnum() and s.isascii()):
        bad = sorted({c for c in s if not (c.isascii() and c.isalnum())})
        return failed(text, f"characters not used in document numbers: {''.join(bad)[:10]!r}")
    if len(s) < 3:
        return failed(text, "too short for a document number (under 3 characters)")
    if len(s) > 30:
        return failed(text, "too long for a document number (over 30 characters)")
    flags: tuple[str, ...] = ()
    if any(c in _DIGIT_LIKE for c in s) and any(c.isdigit() for c in s):
        flags = ("letter_digit_ambiguity",)
    return Normalised(text, s, None, flags, {"key": s.translate(_DOC_KEY)})


# --------------------------------------------------------------------------- gender

_GENDER_WORDS = {
    "m": (
        "m male man men boy masculine masc mann männlich maennlich mannlich herr junge homme "
        "masculin garcon garçon h maschio maschile uomo ragazzo hombre masculino varon varón "
        "nino niño ذكر رجل ولد мужской муж м мужчина erkek bay mr e "
        # Hungarian, Greek, Polish, Czech/Slovak, Serbian/Croatian/Bosnian, Bulgarian, Romanian,
        # Dutch, Swedish/Danish/Norwegian, Portuguese, Persian, Amharic/Tigrinya (Latin forms)
        "férfi ferfi fiú fiu άνδρας ανδρας άρρεν αρρεν α mężczyzna mezczyzna męski meski muž muz "
        "mužský muzsky muški muski мушки мъж мъжки bărbat barbat masculin man mannelijk jongen "
        "mand hankøn hankjønn mann masculino homem مرد پسر"
    ),
    "f": (
        "f female woman women girl feminine fem w weiblich frau mädchen maedchen femme feminin "
        "féminin fille donna femmina femminile ragazza mujer femenino nina niña أنثى انثى امرأة "
        "بنت женский жен ж женщина kadın kadin bayan mrs ms miss mme mlle k "
        "nő no női noi lány lany γυναίκα γυναικα θήλυ θηλυ θ kobieta żeński zenski žena zena "
        "ženský zensky ženski женски жена женски femeie feminin vrouw vrouwelijk meisje kvinde "
        "kvinna hunkøn hunkjønn kvinne feminino mulher زن دختر ž z"
    ),
    "x": (
        "x d diverse divers other non-binary nonbinary non binary intersex inter andere autre "
        "altro otro nb enby third genderqueer"
    ),
}
_GENDERS: dict[str, str] = {
    word.casefold(): code for code, words in _GENDER_WORDS.items() for word in words.split()
}
_GENDERS.update({"non binary": "x", "nicht binär": "x", "non binaire": "x"})
_GENDER_UNKNOWN = frozenset(
    [
        *str.split(
            "u unknown unk unbekannt inconnu inconnue sconosciuto desconocido n/a na none null "
            "? - -- < unspecified مجهول неизвестно"
        ),
        *["not specified", "not known", "keine angabe", "", "غير معروف"],
    ]
)


@lru_cache(maxsize=4096)
def _gender(text: str) -> _Cached:
    if len(text) > 40:
        return None, "too long for a gender", (), ()
    s = " ".join(text.casefold().split()).strip(" .:;,()[]")
    if s in _GENDER_UNKNOWN:
        return None, "gender unknown", ("unknown",), ()
    code = _GENDERS.get(s) or _GENDERS.get(s.replace(".", ""))
    if code is None:
        return None, f"unrecognised gender {text.strip()[:30]!r}: use m, f or x", (), ()
    return code, None, (), ()


def normalise_gender(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise a gender word or letter in several languages to "m", "f" or "x"."""
    return _result(text, _gender(text))
