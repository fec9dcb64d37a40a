"""Birth dates and event timestamps.

Birth dates keep the precision they were given with: the value is ``YYYY``,
``YYYY-MM`` or ``YYYY-MM-DD``. Numeric dates are read day-first unless the
agency's region writes month-first (the US and its territories); a date whose
first two parts could be either way round is flagged ``ambiguous_day_month``
with the swapped reading in ``extra["alternative"]``.

Event times (calls, sightings, messages) become ISO 8601 in UTC.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

from mare.schema.types.result import EMPTY_CONTEXT, NormaliseContext, Normalised, failed
from mare.schema.types.simple import ascii_digits

__all__ = ["normalise_birth_date", "normalise_datetime", "parse_timestamp"]

MAX_AGE = 120
_PLACEHOLDER_YEARS = frozenset({1900, 1901})
MONTH_FIRST_REGIONS = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM"})
"""Regions whose numeric dates are written month first (03/14/1985)."""

_MONTH_NAMES_EN = [
    "january february march april may june july august september october november december",
    "jan feb mar apr may jun jul aug sep oct nov dec",
]
_MONTH_WORDS: dict[int, str] = {
    1: "janvier janv gennaio gen enero ene januar jaenner jänner ocak يناير",
    2: "fevrier fevr fev febbraio febrero februar feber subat şubat فبراير",
    3: "mars marzo marz mär mrz mart مارس",
    4: "avril avr aprile abril abr nisan أبريل ابريل",
    5: "mai maggio mag mayo mayis mayıs مايو",
    6: "juin giugno giu junio juni haziran يونيو يونيه",
    7: "juillet juil luglio lug julio juli temmuz يوليو يوليه",
    8: "aout agosto ago august agustos ağustos أغسطس اغسطس",
    9: "septembre sept settembre set septiembre setiembre september eylul eylül سبتمبر",
    10: "octobre oct ottobre ott octubre oktober okt ekim أكتوبر اكتوبر",
    11: "novembre nov noviembre november kasim kasım نوفمبر",
    12: "decembre dec dicembre dic diciembre dezember dez aralik aralık ديسمبر",
}
_MONTH_EN = ["", *_MONTH_NAMES_EN[0].split()]
_IGNORED_WORDS = frozenset(
    str.split(
        "st nd rd th er eme e o a de del di of the le am den el im in on y et und and "
        "mon tue wed thu fri sat sun monday tuesday wednesday thursday friday saturday sunday "
        "lundi mardi mercredi jeudi vendredi samedi dimanche "
        "montag dienstag mittwoch donnerstag freitag samstag sonntag"
    )
)
_UNKNOWN = frozenset(
    [
        *str.split(
            "unknown unk unkn na none null nil nan unbekannt unbek ka inconnu inconnue nc "
            "sconosciuto sconosciuta ignoto desconocido desconocida nd مجهول неизвестно "
            "bilinmiyor bilinmeyen نامعلوم x xx xxx xxxx"
        ),
        *str.split(
            "|n a|not known|not available|not stated|not given|k a|keine angabe|non connu|"
            "non noto|no consta|n d|s d|غير معروف|не известно|نا معلوم",
            "|",
        ),
    ]
)


def _fold(s: str) -> str:
    """Casefold and strip accents (März -> marz)."""
    s = s.casefold()
    if s.isascii():
        return s
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


_MONTHS: dict[str, int] = {}
for _names in _MONTH_NAMES_EN:
    for _i, _name in enumerate(_names.split(), start=1):
        _MONTHS[_name] = _i
for _i, _words in _MONTH_WORDS.items():
    for _name in _words.split():
        _MONTHS[_fold(_name)] = _i
_MONTHS["sept"] = 9

_TRANS = str.maketrans(
    {
        "\u060c": ",",  # Arabic comma
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "年": "-",
        "月": "-",
        "日": " ",
    }
)
_APPROX = re.compile(
    r"^(?:ca\b\.?|circa\b|approx\b\.?|approximately\b|about\b|around\b|env\b\.?|environ\b|"
    r"etwa\b|ungef(?:a|ae)hr\b|um\b|c\.|~|vers\b|hacia\b|cerca de\b|intorno al\b|"
    r"verso il\b|yaklasik\b)\s*"
)
_PREFIX = re.compile(r"^(?:geb\.|geboren am|born( on)?|nee? le|nacido el|nato il|dob:?|b\.)\s*")
_TIME_SUFFIX = re.compile(r"(?:t|\s)+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:z|utc|[+-]\d{2}:?\d{2})?$")
_FAST_NUMERIC = re.compile(r"\s*(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})\s*", re.ASCII)
_NON_WORD = re.compile(r"[\W_]+")
_TOKEN = re.compile(r"\d+|[^\W\d_]+|\?+")
_LEFTOVER = re.compile(r"[\s./\-,'’°()]*")
_PLACEHOLDER_TOKEN = frozenset({"x", "xx", "xxxx", "xxx"})

# A parsed date: year, month (0 = unknown), day (0 = unknown), flags, alternative.
_Parts = tuple[int, int, int, tuple[str, ...], str | None]


def _iso(y: int, m: int, d: int) -> str:
    if not m:
        return f"{y:04d}"
    if not d:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def _valid(y: int, m: int, d: int) -> bool:
    if not 1 <= m <= 12:
        return False
    return 1 <= d <= calendar.monthrange(y, m)[1] if d else True


def _century(yy: int, m: int, d: int, today: date) -> int:
    """Resolve a two-digit year so that the date is not in the future and within 100 years."""
    y = 2000 + yy
    if (y, m or 1, d or 1) > (today.year, today.month, today.day):
        y -= 100
    return y


def _impossible(y: int, m: int, d: int) -> str:
    if not 1 <= m <= 12:
        return f"no month {m}: months run 1-12"
    last = calendar.monthrange(y, m)[1]
    return f"no such date: {_MONTH_EN[m].title()} {y} has {last} days, not {d}"


def _order(a: int, b: int, y: int | None, yy: int | None, month_first: bool, today: date) -> _Parts | str:
    """Resolve the order of two numeric parts (day and month) next to a year."""
    flags: list[str] = []
    day, month = (b, a) if month_first else (a, b)
    if month > 12 and day <= 12:
        day, month = month, day
        flags.append("day_month_swapped")
    if y is None:
        assert yy is not None
        y = _century(yy, month if month <= 12 else 0, day, today)
        flags.append("two_digit_year")
    if month == 0:
        day = 0
    if month and not _valid(y, month, day):
        return _impossible(y, month, day)
    alternative = None
    if day and month and day != month and day <= 12 and "day_month_swapped" not in flags:
        flags.append("ambiguous_day_month")
        alternative = _iso(y, day, month)
    return y, month, day, tuple(flags), alternative


def _num(tok: str) -> int:
    return 0 if tok[0] in "x?" else int(tok)


def _parse_numeric(nums: Sequence[str], month_first: bool, today: date) -> _Parts | str:
    if len(nums) == 1:
        t = nums[0]
        if len(t) == 4:
            return _num(t), 0, 0, (), None
        if len(t) == 8 and t.isdigit():
            y, m, d = int(t[:4]), int(t[4:6]), int(t[6:])
            if 1800 <= y <= today.year and (m == 0 or _valid(y, m, d)):
                return y, m, d if m else 0, (), None
            return _order(int(t[:2]), int(t[2:4]), int(t[4:]), None, month_first, today)
        if len(t) == 6 and t.isdigit():
            candidates: list[_Parts] = []
            y4, m4 = int(t[:4]), int(t[4:])
            if 1800 <= y4 <= today.year and 1 <= m4 <= 12:
                candidates.append((y4, m4, 0, (), None))
            yy, mm, dd = int(t[:2]), int(t[2:4]), int(t[4:])
            if _valid(2000, mm, dd):
                y = _century(yy, mm, dd, today)
                if _valid(y, mm, dd):
                    candidates.append((y, mm, dd, ("two_digit_year",), None))
            a, b, yy2 = int(t[:2]), int(t[2:4]), int(t[4:])
            d2, m2 = (b, a) if month_first else (a, b)
            if _valid(2000, m2, d2):
                y = _century(yy2, m2, d2, today)
                if _valid(y, m2, d2):
                    candidates.append((y, m2, d2, ("two_digit_year",), None))
            if len({c[:3] for c in candidates}) == 1:
                return candidates[0]
            return "six digits could be YYMMDD, DDMMYY or YYYYMM: send it as DD.MM.YYYY"
        if len(t) <= 2:
            return "a day or month alone is not a date: add the year"
        return f"cannot read {t!r} as a date: send it as DD.MM.YYYY or YYYY-MM-DD"
    if len(nums) == 2:
        p, q = nums
        if len(p) == 4 and len(q) <= 2:
            return _num(p), _num(q), 0, (), None
        if len(q) == 4 and len(p) <= 2:
            return _num(q), _num(p), 0, (), None
        return "no four-digit year: send it as MM/YYYY or DD.MM.YYYY"
    if len(nums) == 3:
        p, q, r = nums
        if len(p) == 4 and len(q) <= 2 and len(r) <= 2:
            y, m, d = _num(p), _num(q), _num(r)
            if m == 0:
                d = 0
            if m and not _valid(y, m, d):
                return _impossible(y, m, d)
            return y, m, d, (), None
        if len(p) <= 2 and len(q) <= 2:
            if len(r) == 4:
                return _order(_num(p), _num(q), _num(r), None, month_first, today)
            if len(r) == 2:
                if r[0] in "x?":
                    return "unknown birth date"
                return _order(_num(p), _num(q), None, int(r), month_first, today)
        return "cannot tell day, month and year apart: send it as DD.MM.YYYY or YYYY-MM-DD"
    return "too many numbers for a date: send it as DD.MM.YYYY or YYYY-MM-DD"


def _parse_named(month: int, nums: list[str], today: date) -> _Parts | str:
    years = [n for n in nums if len(n) == 4]
    others = [n for n in nums if len(n) != 4]
    flags: tuple[str, ...] = ()
    if len(nums) > 2 or len(years) > 1 or any(len(n) > 4 for n in nums):
        return "too many numbers next to the month name"
    if years:
        y = _num(years[0])
        day = _num(others[0]) if others else 0
    elif len(nums) == 2:  # "14 Mar 85"
        day = _num(nums[0])
        y = _century(_num(nums[1]) % 100, month, day, today)
        flags = ("two_digit_year",)
    elif _num(nums[0]) > 31:  # "March 85"
        y, day = _century(_num(nums[0]) % 100, month, 0, today), 0
        flags = ("two_digit_year",)
    else:
        return "no year next to the month name: add the year"
    if day and not _valid(y, month, day):
        return _impossible(y, month, day)
    return y, month, day, flags, None


@lru_cache(maxsize=131072)
def _parse_date(s: str, month_first: bool, today: date) -> _Parts | str:
    """Parse a folded, trimmed date string into parts, or return a reason."""
    tokens = _TOKEN.findall(s)
    if _LEFTOVER.fullmatch(_TOKEN.sub("", s)) is None:
        return f"unexpected characters in date {s[:40]!r}"
    nums: list[str] = []
    month = 0
    for tok in tokens:
        if tok[0].isdigit() or tok in _PLACEHOLDER_TOKEN or tok[0] == "?":
            nums.append(tok)
        elif tok in _MONTHS:
            if month:
                return "two month names in one date"
            month = _MONTHS[tok]
        elif tok.rstrip(".") in _IGNORED_WORDS:
            continue
        else:
            return f"unrecognised word {tok!r} in date: use digits, e.g. 14.03.1985"
    if not nums:
        return "no year in date" if month else "no date found"
    if any(len(n) > 8 for n in nums):
        return "numbers too long for a date"
    if month:
        return _parse_named(month, nums, today)
    return _parse_numeric(nums, month_first, today)


def _prepare(text: str) -> str:
    s = ascii_digits(text) if not text.isascii() else text
    s = _fold(s.translate(_TRANS)).strip()
    return s


@lru_cache(maxsize=131072)
def _birth(
    text: str, region: str | None, today: date
) -> tuple[str | None, str | None, tuple[str, ...], tuple[tuple[str, Any], ...]]:
    if len(text) > 80:
        return None, "too long to be a date (over 80 characters)", (), ()
    month_first = (region or "").upper() in MONTH_FIRST_REGIONS
    flags: list[str] = []
    fast = _FAST_NUMERIC.fullmatch(text)
    if fast:  # the common numeric forms skip the general tokeniser
        parsed = _parse_numeric(fast.group(1, 3, 4), month_first, today)
    else:
        s = _prepare(text)
        key = " ".join(_NON_WORD.sub(" ", s).split())
        if key in _UNKNOWN:
            return None, "unknown birth date", ("unknown",), ()
        m = _APPROX.match(s)
        if m:
            s = s[m.end() :]
            flags.append("approximate")
        s = _PREFIX.sub("", s)
        if s.endswith("?"):
            s = s.rstrip("? ")
            if "approximate" not in flags:
                flags.append("approximate")
        s = _TIME_SUFFIX.sub("", s).strip(" ,.")
        parsed = _parse_date(s, month_first, today)
    if isinstance(parsed, str):
        if parsed == "unknown birth date":
            return None, parsed, ("unknown",), ()
        return None, parsed, (), ()
    y, mo, d, pflags, alternative = parsed
    if y == 0:
        return None, "unknown birth date", ("unknown",), ()
    flags.extend(pflags)
    if (y, mo, d) > (today.year, today.month if mo else 0, today.day if d else 0):
        return None, f"birth date {_iso(y, mo, d)} is in the future", (), ()
    # Oldest reading of a partial date is its earliest day; youngest its latest.
    ly, lm = y, mo or 12
    ld = d or calendar.monthrange(ly, lm)[1]
    age = today.year - ly - ((today.month, today.day) < (lm, ld))
    placeholder = y in _PLACEHOLDER_YEARS or (mo == 1 and d == 1)
    if age > MAX_AGE and y not in _PLACEHOLDER_YEARS:
        if 1300 <= y <= 1450:
            return (
                None,
                (
                    f"year {y} looks like a Hijri calendar year (Solar Hijri {y} is about "
                    f"{y + 621}, Lunar Hijri {y} about {round(y * 0.970229 + 621.57)}): "
                    "convert it to the Gregorian calendar"
                ),
                (),
                (),
            )
        return None, f"birth date {_iso(y, mo, d)} implies an age of {age} (over {MAX_AGE})", (), ()
    if placeholder:
        flags.append("placeholder")
    precision = "day" if d else "month" if mo else "year"
    extra: list[tuple[str, Any]] = [
        ("year", y),
        ("month", mo or None),
        ("day", d or None),
        ("precision", precision),
    ]
    if alternative is not None:
        extra.append(("alternative", alternative))
    return _iso(y, mo, d), None, tuple(flags), tuple(extra)


def _today() -> date:
    return datetime.now(UTC).date()


def normalise_birth_date(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise a birth date to YYYY, YYYY-MM or YYYY-MM-DD, keeping its precision."""
    value, reason, flags, extra = _birth(text, ctx.default_region, _today())
    return Normalised(text, value, reason, flags, dict(extra))


# --------------------------------------------------------------------------- timestamps

_DATETIME = re.compile(
    r"^(?P<date>.+?)(?:[\s,]+|(?<=\d)t|t)"
    r"(?P<h>\d{1,2})[:h](?P<mi>\d{2})(?:[:.](?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?\s*"
    r"(?P<ampm>am|pm|a\.m\.|p\.m\.)?\s*"
    r"(?P<tz>z|utc|gmt|(?:utc|gmt)?\s*[+-]\d{1,2}(?::?\d{2})?)?$"
)
_TZ = re.compile(r"(?:utc|gmt)?\s*([+-])(\d{1,2}):?(\d{2})?")
_EPOCH = re.compile(r"\d{9,10}(?:\.\d+)?|\d{12,13}")
_ONE_DAY = timedelta(days=1)
_Stamp = tuple[datetime, bool, bool, tuple[str, ...], str | None]


def _offset(tz: str | None) -> timezone | str | None:
    if not tz:
        return None
    if tz in ("z", "utc", "gmt"):
        return UTC
    m = _TZ.fullmatch(tz)
    if not m:
        return f"unreadable time zone {tz!r}"
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes >= 60:
        return f"time zone offset {tz!r} out of range"
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if m.group(1) == "-" else delta)


def _stamp(text: str, today: date, month_first: bool = False) -> _Stamp | str:
    """Parse to (aware UTC datetime, was_naive, date_only, flags, alternative) or a reason."""
    s = text.strip()
    if not s:
        return "empty timestamp"
    if len(s) > 64:
        return "too long to be a timestamp"
    if not s.isascii():
        s = ascii_digits(s)
    # Fast path: ISO 8601.
    if len(s) >= 10 and s[4:5] == "-" and s[:4].isdigit():
        try:
            dt = datetime.fromisoformat(s)
        except ValueError:
            pass
        else:
            date_only = len(s) == 10
            if dt.tzinfo is None:
                return dt.replace(tzinfo=UTC), True, date_only, (), None
            return dt.astimezone(UTC), False, False, (), None
    if s.isdigit() or _EPOCH.fullmatch(s):
        n = len(s.partition(".")[0])
        try:
            if n == 14:
                dt = datetime.strptime(s, "%Y%m%d%H%M%S")
                return dt.replace(tzinfo=UTC), True, False, (), None
            if n == 12 and s[:2] in ("19", "20"):
                dt = datetime.strptime(s, "%Y%m%d%H%M")
                return dt.replace(tzinfo=UTC), True, False, (), None
            if n in (9, 10, 12, 13):
                secs = float(s) / (1000 if n >= 12 else 1)
                return datetime.fromtimestamp(secs, UTC), False, False, ("epoch",), None
        except (ValueError, OverflowError, OSError):
            return f"cannot read {s[:20]!r} as a timestamp"
    f = _fold(s.translate(_TRANS))
    m = _DATETIME.match(f)
    if m is None:
        parsed = _parse_date(f.strip(" ,."), month_first, today)
        if isinstance(parsed, str):
            try:  # RFC 2822, e.g. "Thu, 14 Mar 2024 14:30:00 +0000"
                dt = parsedate_to_datetime(s)
            except (TypeError, ValueError, IndexError, OverflowError):
                return parsed
            if dt.tzinfo is None:
                return dt.replace(tzinfo=UTC), True, False, (), None
            return dt.astimezone(UTC), False, False, (), None
        y, mo, d, flags, alt = parsed
        if not (y and mo and d):
            return "needs a full date (day, month and year)"
        return datetime(y, mo, d, tzinfo=UTC), True, True, flags, alt
    parsed = _parse_date(m.group("date").strip(" ,."), month_first, today)
    if isinstance(parsed, str):
        return parsed
    y, mo, d, flags, alt = parsed
    if not (y and mo and d):
        return "needs a full date (day, month and year)"
    hour, minute = int(m.group("h")), int(m.group("mi"))
    second = int(m.group("s") or 0)
    micro = int((m.group("f") or "0")[:6].ljust(6, "0"))
    ampm = m.group("ampm")
    if ampm:
        if not 1 <= hour <= 12:
            return f"hour {hour} with am/pm"
        hour = hour % 12 + (12 if ampm[0] == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return f"no such time {hour:02d}:{minute:02d}:{second:02d}"
    tz = _offset(m.group("tz"))
    if isinstance(tz, str):
        return tz
    dt = datetime(y, mo, d, hour, minute, second, micro, tzinfo=tz or UTC)
    if tz is None:
        return dt, True, False, flags, alt
    return dt.astimezone(UTC), False, False, flags, alt


def parse_timestamp(text: str) -> datetime | None:
    """Parse a timestamp to an aware UTC datetime (naive taken as UTC); None if unreadable."""
    try:
        r = _stamp(text, _today())
    except (ValueError, OverflowError, OSError):
        return None
    return None if isinstance(r, str) else r[0]


def normalise_datetime(text: str, ctx: NormaliseContext = EMPTY_CONTEXT) -> Normalised:
    """Normalise an event time to "YYYY-MM-DDTHH:MM:SSZ" (or "YYYY-MM-DD" for a date alone)."""
    now = datetime.now(UTC)
    today = now.date()
    month_first = (ctx.default_region or "").upper() in MONTH_FIRST_REGIONS
    try:
        r = _stamp(text, today, month_first)
    except (ValueError, OverflowError, OSError) as exc:
        return failed(text, f"cannot read timestamp: {exc}")
    if isinstance(r, str):
        return failed(text, r)
    dt, naive, date_only, pflags, alternative = r
    if not 1900 <= dt.year <= today.year + 1:
        return failed(text, f"year {dt.year} is implausible for an event")
    flags = list(pflags)
    extra: dict[str, Any] = {}
    if alternative is not None:
        extra["alternative"] = alternative
    if date_only:
        extra["precision"] = "day"
        value = f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}"
    else:
        extra["precision"] = "second"
        if naive:
            flags.append("assumed_utc")
        if dt > now + _ONE_DAY:
            flags.append("future")
        value = f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}Z"
    return Normalised(text, value, None, tuple(flags), extra)
