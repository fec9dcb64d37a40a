"""Normalisers for free text, numbers, coordinates and URLs.

Also home of :func:`ascii_digits`, shared by the other normalisers: every
Unicode decimal digit (Arabic-Indic, Persian, Devanagari, full-width...) becomes
its ASCII counterpart.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache
from urllib.parse import quote, urlsplit, urlunsplit

from mare.schema.types.result import EMPTY_CONTEXT, NormaliseContext, Normalised, failed

__all__ = [
    "MAX_TEXT_LENGTH",
    "ascii_digits",
    "normalise_coordinate",
    "normalise_latlon",
    "normalise_number",
    "normalise_text",
    "normalise_url",
]

MAX_TEXT_LENGTH = 10_000
"""Longest text kept by :func:`normalise_text`; longer text is cut and flagged."""

# --------------------------------------------------------------------------- digits

_UNICODE_DIGIT = re.compile(r"\d")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _digit(m: re.Match[str]) -> str:
    return str(unicodedata.digit(m.group(), 0))


def ascii_digits(text: str) -> str:
    """Replace every Unicode decimal digit (e.g. Arabic-Indic ٣) with its ASCII digit."""
    if text.isascii():
        return text
    return _UNICODE_DIGIT.sub(_digit, text)


def _clean_surrogates(text: str) -> str:
    """Drop lone surrogates, which cannot be encoded and break downstream tools."""
    return _SURROGATE.sub("", text)


# --------------------------------------------------------------------------- text

# C0/C1 controls except tab and newline; plus DEL.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[^\S\t\n]+")  # any whitespace except tab and newline
_LINE_EDGE = re.compile(r" *\n *")


def normalise_text(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """NFC, drop control characters (keeping newline and tab), collapse spaces, trim."""
    flags: list[str] = []
    extra: dict[str, object] = {}
    s = text
    if len(s) > MAX_TEXT_LENGTH * 4:  # bound the work before cleaning
        s = s[: MAX_TEXT_LENGTH * 4]
    if not s.isascii():
        cleaned = _clean_surrogates(s)
        if cleaned != s:
            flags.append("invalid_unicode")
            s = cleaned
        s = unicodedata.normalize("NFC", s)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _CONTROL.sub("", s)
    s = _SPACES.sub(" ", s)
    s = _LINE_EDGE.sub("\n", s).strip()
    if not s:
        return failed(text, "empty text")
    if len(s) > MAX_TEXT_LENGTH:
        extra["original_length"] = len(text)
        s = s[:MAX_TEXT_LENGTH].rstrip()
        flags.append("truncated")
    return Normalised(text, s, None, tuple(flags), extra)


# --------------------------------------------------------------------------- numbers

_COMMA_DECIMAL_LANGS = frozenset(
    str.split(
        "de fr it es pt nl pl cs sk sl hr sr bs ro hu tr ru uk bg el da sv nb nn no fi et lv "
        "lt is id vi az ka kk uz"
    )
)
_POINT_DECIMAL_REGIONS = frozenset(
    str.split(
        "US GB IE AU NZ CA IN PK BD LK NG GH KE UG TZ ZA PH MY SG HK JP CN KR TW TH IL "
        "EG SA AE QA KW BH OM JO IQ LY SD MX"
    )
)
_NUM_JUNK = str.maketrans(
    {
        "\u066b": ".",  # Arabic decimal separator
        "\u066c": ",",  # Arabic thousands separator
        "\u2212": "-",  # minus sign
        "\u2013": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "'": " ",
        "’": " ",
        "_": " ",
    }
)
_NUMBER_SHAPE = re.compile(r"[+-]?\.?[0-9][0-9., ]*(?:[eE][+-]?[0-9]+)?")
_GROUPED = re.compile(r"[0-9]{1,3}(?:[ ,.][0-9]{3})+")


def _comma_is_decimal(ctx: NormaliseContext) -> bool | None:
    if ctx.language and ctx.language.lower()[:2] in _COMMA_DECIMAL_LANGS:
        return True
    if ctx.default_region:
        region = ctx.default_region.upper()
        return region not in _POINT_DECIMAL_REGIONS
    return None


def normalise_number(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Parse an integer or decimal written with '.' or ',' decimals and thousands separators."""
    if len(text) > 100:
        return failed(text, "too long to be a number")
    s = ascii_digits(text).translate(_NUM_JUNK).strip()
    if not s:
        return failed(text, "empty number")
    if not _NUMBER_SHAPE.fullmatch(s):
        return failed(text, f"not a number: {text.strip()[:40]!r}; send digits only, e.g. 1234.5")
    sign = ""
    if s[0] in "+-":
        sign, s = ("-" if s[0] == "-" else ""), s[1:].strip()
    exp = ""
    m = re.search(r"[eE][+-]?[0-9]+$", s)
    if m:
        exp, s = m.group(), s[: m.start()]
    flags: list[str] = []
    has_dot, has_comma = "." in s, "," in s
    if has_dot and has_comma:
        decimal = "." if s.rfind(".") > s.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        int_part, _, frac = s.rpartition(decimal)
        if not _GROUPED.fullmatch(int_part.replace(" ", thousands)) and thousands in int_part:
            return failed(text, "inconsistent thousands separators")
        s = int_part.replace(thousands, "").replace(" ", "") + "." + frac
    elif has_dot or has_comma:
        sep = "." if has_dot else ","
        parts = s.split(sep)
        if len(parts) > 2:  # only thousands separators, e.g. 1.234.567
            if not _GROUPED.fullmatch(s.replace(" ", sep)):
                return failed(text, "inconsistent thousands separators")
            s = s.replace(sep, "").replace(" ", "")
        else:
            int_part, frac = parts
            if len(frac) == 3 and int_part.replace(" ", "") not in ("", "0"):
                # 1,234 or 1.234: thousands or decimal? Decide by locale.
                comma_dec = _comma_is_decimal(ctx)
                as_decimal = (sep == "," and comma_dec is True) or (sep == "." and comma_dec is not True)
                flags.append("ambiguous_separator")
                s = int_part.replace(" ", "") + ("." if as_decimal else "") + frac
            else:
                s = int_part.replace(" ", "") + "." + frac
    else:
        if " " in s and not _GROUPED.fullmatch(s):
            return failed(text, "digits separated by spaces are not a single number")
        s = s.replace(" ", "")
    if s.startswith("."):
        s = "0" + s
    if s.endswith("."):
        s = s[:-1]
    try:
        if "." in s or exp:
            f = float(sign + s + exp)
            if math.isinf(f) or math.isnan(f):
                return failed(text, "number out of range")
            if f.is_integer() and abs(f) < 1e15 and not exp:
                number: int | float = int(f)
            else:
                number = f
        else:
            number = int(sign + s)
    except ValueError:
        return failed(text, f"not a number: {text.strip()[:40]!r}")
    kind = "int" if isinstance(number, int) else "float"
    return Normalised(text, repr(number), None, tuple(flags), {"type": kind, "number": number})


# --------------------------------------------------------------------------- coordinates

_COORD_TRANS = str.maketrans(
    {
        "º": "°",
        "˚": "°",
        "′": "'",
        "’": "'",
        "‘": "'",
        "´": "'",
        "`": "'",
        "″": '"',
        "”": '"',
        "“": '"',
        "\u2212": "-",
        "\u2013": "-",
        ",": ".",
        "\u066b": ".",  # Arabic decimal separator
    }
)
_COORD = re.compile(
    r"""
    ^(?P<h1>[NSEW])?\s*
    (?P<sign>[+-])?\s*
    (?P<deg>\d+(?:\.\d+)?)\s*(?:°|D|DEG|\s|(?=['"]|$)|(?=[NSEW]$))\s*
    (?:(?P<min>\d+(?:\.\d+)?)\s*(?:'|M|MIN|\s|(?=["]|$)|(?=[NSEW]$))\s*)?
    (?:(?P<sec>\d+(?:\.\d+)?)\s*(?:"|''|SEC|S(?=\s*[NSEW]$))?\s*)?
    (?P<h2>[NSEW])?$
    """,
    re.VERBOSE,
)


def _parse_coordinate(s: str) -> tuple[float, str | None] | str:
    """Return (decimal degrees, axis) or a reason string."""
    s = ascii_digits(s).upper().translate(_COORD_TRANS).strip()
    if not s:
        return "empty coordinate"
    if len(s) > 60:
        return "too long to be a coordinate"
    m = _COORD.match(s)
    if not m:
        return (
            f"not a coordinate: {s[:40]!r}; use decimal degrees (36.903) "
            "or degrees-minutes-seconds (36°54'12\"N)"
        )
    h1, h2 = m.group("h1"), m.group("h2")
    if h1 and h2:
        return "hemisphere given twice"
    hemi = h1 or h2
    deg = float(m.group("deg"))
    minutes = float(m.group("min")) if m.group("min") else 0.0
    seconds = float(m.group("sec")) if m.group("sec") else 0.0
    if m.group("min") and "." in m.group("deg"):
        return "decimal degrees cannot be followed by minutes"
    if m.group("sec") and m.group("min") and "." in m.group("min"):
        return "decimal minutes cannot be followed by seconds"
    if minutes >= 60 or seconds >= 60:
        return "minutes and seconds must be below 60"
    value = deg + minutes / 60 + seconds / 3600
    if m.group("sign") == "-":
        if hemi:
            return "both a minus sign and a hemisphere letter: give one"
        value = -value
    axis: str | None = None
    if hemi in ("S", "W"):
        value = -value
    if hemi in ("N", "S"):
        axis = "lat"
        if abs(value) > 90:
            return f"latitude {value:g} is beyond ±90"
    elif hemi in ("E", "W"):
        axis = "lon"
    if abs(value) > 180:
        return f"{value:g} is beyond ±180 degrees"
    return value, axis


def normalise_coordinate(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise a single latitude or longitude (decimal or DMS) to 6-decimal degrees."""
    parsed = _parse_coordinate(text)
    if isinstance(parsed, str):
        return failed(text, parsed)
    value, axis = parsed
    return Normalised(text, f"{value:.6f}", None, (), {"axis": axis, "degrees": value})


_PAIR_SEPARATORS = (
    re.compile(r"\s*[;|/]\s*"),
    re.compile(r"\s*,\s+"),
    re.compile(r"\s+"),
    re.compile(r","),
)
# Between two halves marked by hemisphere letters: after "N"/"E"... or before one.
_HEMI_BOUNDARY = re.compile(r"(?<=[NSEW\"'])\s*,?\s*(?=[NSEW+\-]?\s*\d)|\s*,?\s*(?=[NSEW]\s*\d)")
_DECIMAL_PAIR = re.compile(r"([+-]?\d+(?:\.\d+)?)\s*[\s,;]\s*([+-]?\d+(?:\.\d+)?)")

_Parsed = tuple[float, str | None]


def _split_pair(s: str) -> tuple[_Parsed | str, _Parsed | str] | None:
    """Split a pair into two parsed halves; None when no split gives two halves."""
    m = _DECIMAL_PAIR.fullmatch(s)
    if m:
        return _parse_coordinate(m.group(1)), _parse_coordinate(m.group(2))
    first: tuple[_Parsed | str, _Parsed | str] | None = None
    for sep in _PAIR_SEPARATORS:
        parts = sep.split(s)
        if len(parts) == 2 and parts[0] and parts[1]:
            a, b = _parse_coordinate(parts[0]), _parse_coordinate(parts[1])
            if not isinstance(a, str) and not isinstance(b, str):
                return a, b
            first = first or (a, b)
    for m2 in _HEMI_BOUNDARY.finditer(s):
        left, right = s[: m2.start()].strip(), s[m2.end() :].strip()
        if left and right:
            a, b = _parse_coordinate(left), _parse_coordinate(right)
            if not isinstance(a, str) and not isinstance(b, str):
                return a, b
    return first


def normalise_latlon(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise a "lat, lon" pair (decimal or DMS) to "lat,lon" with 6 decimals each."""
    if len(text) > 120:
        return failed(text, "too long to be a coordinate pair")
    s = ascii_digits(text).upper().strip().strip("()[]{}").strip()
    if not s:
        return failed(text, "empty coordinate pair")
    for ch, rep in (("º", "°"), ("″", '"'), ("′", "'"), ("\u2212", "-")):
        s = s.replace(ch, rep)
    pair = _split_pair(s)
    if pair is None:
        return failed(text, 'cannot split into latitude and longitude: send "36.903, 12.501"')
    a, b = pair
    if isinstance(a, str):
        return failed(text, f"latitude: {a}")
    if isinstance(b, str):
        return failed(text, f"longitude: {b}")
    flags: list[str] = []
    (lat, lat_axis), (lon, lon_axis) = a, b
    if lat_axis == "lon" or lon_axis == "lat":
        if lat_axis == "lon" and lon_axis == "lon":
            return failed(text, "both values are longitudes (E/W)")
        if lat_axis == "lat" and lon_axis == "lat":
            return failed(text, "both values are latitudes (N/S)")
        lat, lon = lon, lat
        flags.append("swapped")
    if abs(lat) > 90:
        hint = "; if it is lon,lat send it as lat,lon" if abs(lon) <= 90 else ""
        return failed(text, f"latitude {lat:g} is beyond ±90{hint}")
    if abs(lon) > 180:
        return failed(text, f"longitude {lon:g} is beyond ±180")
    if lat == 0 and lon == 0:
        flags.append("null_island")
    return Normalised(text, f"{lat:.6f},{lon:.6f}", None, tuple(flags), {"lat": lat, "lon": lon})


# --------------------------------------------------------------------------- URLs

_DEFANG = (
    (re.compile(r"^hxxp", re.I), "http"),
    (re.compile(r"^fxp", re.I), "ftp"),
    (re.compile(r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)", re.I), "."),
    (re.compile(r"\[:\]"), ":"),
    (re.compile(r"\[/\]"), "/"),
)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://")
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
_URL_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _URL_SAFE + "?"


def _idna_host(host: str) -> str | None:
    """Lowercase and punycode a host name; None when it is not a valid host."""
    host = host.rstrip(".").lower()
    if not host:
        return None
    if host.startswith("[") and host.endswith("]"):
        return host
    if _IPV4.fullmatch(host):
        return host if all(int(p) < 256 for p in host.split(".")) else None
    if not host.isascii():
        try:
            import idna

            host = idna.encode(host, uts46=True).decode("ascii")
        except Exception:
            try:
                host = host.encode("idna").decode("ascii")
            except Exception:
                return None
    labels = host.split(".")
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return None
    if host != "localhost" and (len(labels) < 2 or labels[-1].isdigit()):
        return None
    return host


@lru_cache(maxsize=65536)
def _normalise_url(text: str) -> tuple[str | None, str | None, tuple[str, ...], tuple[str, ...]]:
    flags: list[str] = []
    s = _clean_surrogates(text).strip().strip("<>\"'").strip()
    if not s:
        return None, "empty URL", (), ()
    if len(s) > 4096:
        return None, "URL longer than 4096 characters", (), ()
    before = s
    for pat, rep in _DEFANG:
        s = pat.sub(rep, s)
    if s != before:
        flags.append("defanged")
    if any(c.isspace() for c in s):
        return None, "URL contains spaces: send it without line breaks or spaces", (), ()
    if not _SCHEME.match(s):
        if s.lower().startswith(("mailto:", "tel:", "javascript:", "data:")):
            return None, "not a web URL (mailto/tel/data): use the e-mail or phone field", (), ()
        s = "http://" + s.lstrip("/")
        flags.append("scheme_added")
    try:
        parts = urlsplit(s)
        port = parts.port
    except ValueError as exc:
        return None, f"malformed URL: {exc}", (), ()
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https", "ftp", "ftps", "ws", "wss"):
        return None, f"unsupported URL scheme {scheme!r}", (), ()
    host = _idna_host(parts.hostname or "")
    if host is None:
        return None, f"no valid host name in URL: {parts.netloc[:60]!r}", (), ()
    if host.startswith("xn--") or ".xn--" in host:
        flags.append("idn")
    netloc = host
    if parts.username:
        netloc = quote(parts.username, safe="") + "@" + netloc
        flags.append("has_credentials")
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        netloc += f":{port}"
    path = quote(parts.path, safe=_URL_SAFE) or "/"
    query = quote(parts.query, safe=_QUERY_SAFE)
    fragment = quote(parts.fragment, safe=_QUERY_SAFE)
    value = urlunsplit((scheme, netloc, path, query, fragment))
    return value, None, tuple(flags), (scheme, host, path)


def normalise_url(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise a web URL: re-fang, add missing scheme, lowercase and punycode the host."""
    value, reason, flags, parts = _normalise_url(text)
    if value is None:
        return failed(text, reason or "not a URL")
    scheme, host, path = parts
    return Normalised(text, value, None, flags, {"scheme": scheme, "host": host, "path": path})
