"""ICAO Doc 9303 machine-readable zones (MRZ): parse, validate check digits, normalise.

Our own implementation of Doc 9303 (7th/8th edition) parts 3-7; the GPL ``mrz`` package is
deliberately not used. Layouts, as lines x characters:

* TD1   3 x 30  identity cards and other TD1-size documents (part 5)
* TD2   2 x 36  TD2-size documents (part 6)
* TD3   2 x 44  passports (part 4)
* MRV-A 2 x 44  visas, document code ``V`` (part 7)
* MRV-B 2 x 36  visas, document code ``V`` (part 7)

Nothing is silently corrected: a character that OCR probably misread stays as read, the check
digit that it breaks is reported, and a human-readable hint may appear in ``suggestions``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from mare.schema.types.result import (
    EMPTY_CONTEXT,
    NormaliseContext,
    Normalised,
    failed,
)

__all__ = [
    "EXPIRY_YEARS_AHEAD",
    "CheckResult",
    "MrzError",
    "MrzFormat",
    "MrzResult",
    "check_digit",
    "normalise_mrz",
    "parse_mrz",
]

MrzFormat = Literal["TD1", "TD2", "TD3", "MRV-A", "MRV-B"]

# An expiry year YY resolves to the year ending in YY within (today - 100 + N, today + N].
EXPIRY_YEARS_AHEAD = 50

_DIGITS = "0123456789"
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ALPHABET = frozenset(_DIGITS + _LETTERS + "<")
_VALUES: dict[str, int] = {c: i for i, c in enumerate(_DIGITS + _LETTERS)} | {"<": 0}
_WEIGHTS = (7, 3, 1)
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", _LETTERS)

_EXPECTED_LAYOUTS = (
    "expected TD1 (3 lines of 30 characters), TD2 or MRV-B (2 lines of 36), "
    "TD3 or MRV-A (2 lines of 44), or one run of 90, 72 or 88 characters"
)
_LINE_SHAPES: dict[tuple[int, ...], str] = {(30, 30, 30): "TD1", (36, 36): "TD2", (44, 44): "TD3"}
_RUN_LENGTHS: dict[int, tuple[int, int]] = {90: (3, 30), 72: (2, 36), 88: (2, 44)}

# Document codes each layout normally carries (first character); others are flagged, not refused.
_USUAL_CODES: dict[str, frozenset[str]] = {
    "TD1": frozenset("IAC"),
    "TD2": frozenset("IACP"),
    "TD3": frozenset("P"),
    "MRV-A": frozenset("V"),
    "MRV-B": frozenset("V"),
}

# Characters OCR engines commonly confuse with one another (for suggestions only).
_CONFUSABLE: dict[str, str] = {
    "0": "OQD",
    "O": "0",
    "Q": "0",
    "D": "0",
    "1": "IL",
    "I": "1",
    "L": "1",
    "2": "Z",
    "Z": "2",
    "5": "S",
    "S": "5",
    "6": "G",
    "G": "6",
    "8": "B",
    "B": "8",
    "4": "A",
    "A": "4",
    "<": "K",
    "K": "<",
}
# Non-MRZ characters that are probably a misread filler or letter (for suggestions only).
_LOOKALIKES: dict[str, str] = {
    "«": "<",
    "‹": "<",
    "(": "<",
    "[": "<",
    "{": "<",
    "≤": "<",
    " ": "<",
    "\t": "<",
    "_": "<",
    "-": "<",
}
_MAX_SUGGESTIONS_PER_FIELD = 5


class MrzError(ValueError):
    """The text cannot be read as an MRZ at all; `suggestions` may say what to look at."""

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions


class CheckResult(NamedTuple):
    """One check digit: the field it guards, the computed digit, the character read, agreement."""

    field: str
    expected: str
    found: str
    ok: bool


@dataclass(frozen=True, slots=True)
class MrzResult:
    """A parsed MRZ; fields are as printed except where noted, dates resolved to a century."""

    format: MrzFormat
    lines: tuple[str, ...]  # canonical (uppercase, no whitespace) lines
    document_code: str  # e.g. "P", "I", "ID", "V" (trailing filler removed)
    issuing_state: str  # 3 characters as printed, e.g. "UTO", "D<<"
    primary_identifier: str  # surname(s), '<' read as space
    secondary_identifier: str  # given name(s), '<' read as space, "" when absent
    document_number: str  # full number (TD1/TD2 extended numbers joined), fillers trimmed
    nationality: str  # 3 characters as printed
    birth_date_raw: str  # YYMMDD as printed, '<' for unknown parts
    birth_date: datetime.date | None  # None when unknown or impossible
    sex: str | None  # "M", "F", "X" (printed '<' or 'X'); None when unreadable
    expiry_date_raw: str
    expiry_date: datetime.date | None
    optional_data_1: str  # TD1 upper line / TD2, TD3 (personal number), MRV lower line
    optional_data_2: str | None  # TD1 middle line only; None for other layouts
    checks: tuple[CheckResult, ...]
    warnings: tuple[str, ...] = ()  # doubts that are not check-digit failures
    suggestions: tuple[str, ...] = ()  # hints at likely OCR misreads; never applied

    @property
    def valid(self) -> bool:
        """True when every check digit of the layout agrees with its field."""
        return all(c.ok for c in self.checks)

    @property
    def surname(self) -> str:
        """Alias of `primary_identifier`."""
        return self.primary_identifier

    @property
    def given_names(self) -> str:
        """Alias of `secondary_identifier`."""
        return self.secondary_identifier

    @property
    def failed_checks(self) -> tuple[str, ...]:
        """Names of the fields whose check digit disagrees."""
        return tuple(c.field for c in self.checks if not c.ok)

    def to_dict(self) -> dict[str, Any]:
        """The parsed fields as plain JSON-able values."""
        return {
            "format": self.format,
            "document_code": self.document_code,
            "document_number": self.document_number,
            "issuing_state": self.issuing_state,
            "nationality": self.nationality,
            "surname": self.primary_identifier,
            "given_names": self.secondary_identifier,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "birth_date_raw": self.birth_date_raw,
            "sex": self.sex,
            "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
            "expiry_date_raw": self.expiry_date_raw,
            "optional_data_1": self.optional_data_1,
            "optional_data_2": self.optional_data_2,
            "checks": [c._asdict() for c in self.checks],
            "valid": self.valid,
            "warnings": list(self.warnings),
            "suggestions": list(self.suggestions),
        }


def check_digit(s: str) -> str:
    """ICAO 9303 check digit of `s` (weights 7, 3, 1; 0-9 as is, A=10..Z=35, '<'=0)."""
    total = 0
    for i, c in enumerate(s):
        value = _VALUES.get(c)
        if value is None:
            raise ValueError(
                f"character {c!r} at position {i + 1} is not in the MRZ alphabet (A-Z, 0-9, '<')"
            )
        total += value * _WEIGHTS[i % 3]
    return str(total % 10)


# --- layout -------------------------------------------------------------------------------

Segment = tuple[int, int, int]  # line index, start, end (0-based, end exclusive)


@dataclass(frozen=True, slots=True)
class _CheckSpec:
    field: str
    segments: tuple[Segment, ...]
    at: tuple[int, int]  # line index, column of the check digit
    numeric: bool = False  # the guarded data is digits (or '<') only
    optional: bool = False  # skipped when data and check digit are all filler


def _split_lines(text: str) -> tuple[str, ...]:
    """Cut the text into MRZ lines, uppercased; raise MrzError when no layout fits."""
    stripped = text.strip().translate(_ASCII_UPPER)
    if not stripped:
        raise MrzError(f"empty MRZ: {_EXPECTED_LAYOUTS}")
    lines = [ln.strip() for ln in stripped.splitlines() if ln.strip()]
    if tuple(len(ln) for ln in lines) in _LINE_SHAPES:
        return tuple(lines)
    tokens = stripped.split()
    if tuple(len(t) for t in tokens) in _LINE_SHAPES:
        return tuple(tokens)
    if len(lines) == 1 and len(lines[0]) in _RUN_LENGTHS:
        count, width = _RUN_LENGTHS[len(lines[0])]
        return tuple(lines[0][i * width : (i + 1) * width] for i in range(count))
    lengths = [len(ln) for ln in lines]
    shown = ", ".join(str(n) for n in lengths[:6]) + (", ..." if len(lengths) > 6 else "")
    noun = "line" if len(lines) == 1 else "lines"
    suggestions: list[str] = []
    compact = "".join(stripped.split())
    if len(compact) in _RUN_LENGTHS:
        suggestions.append(
            f"without whitespace the text has {len(compact)} characters, the length of a whole "
            "MRZ: a space may have been read inside a line"
        )
    for shape in _LINE_SHAPES:
        if len(shape) == len(lengths) and sum(abs(a - b) for a, b in zip(shape, lengths, strict=True)) == 1:
            suggestions.append(
                f"one character more or less would give {len(shape)} lines of {shape[0]}: "
                "a character may have been dropped or added by OCR"
            )
    raise MrzError(
        f"not an MRZ layout: {len(lines)} {noun} of length {shown}; {_EXPECTED_LAYOUTS}",
        tuple(suggestions),
    )


def _check_alphabet(lines: tuple[str, ...]) -> None:
    for li, line in enumerate(lines):
        for ci, c in enumerate(line):
            if c not in _ALPHABET:
                hint = _LOOKALIKES.get(c)
                suggestions = (f"{c!r} may be a misread {hint!r}",) if hint else ()
                raise MrzError(
                    f"illegal character {c!r} at line {li + 1}, column {ci + 1}: "
                    "an MRZ holds only A-Z, 0-9 and '<'",
                    suggestions,
                )


def _detect_format(lines: tuple[str, ...]) -> MrzFormat:
    code0 = lines[0][0]
    if code0 not in _LETTERS:
        raise MrzError(
            f"document code must start with a letter (P, I, A, C or V), found {code0!r} at line 1, column 1"
        )
    shape = _LINE_SHAPES[tuple(len(ln) for ln in lines)]
    if shape == "TD3" and code0 == "V":
        return "MRV-A"
    if shape == "TD2" and code0 == "V":
        return "MRV-B"
    if shape == "TD1":
        return "TD1"
    return "TD2" if shape == "TD2" else "TD3"


# --- fields -------------------------------------------------------------------------------


def _names(field: str) -> tuple[str, str, bool]:
    """Primary and secondary identifiers, and whether the field looks truncated."""
    primary, _, secondary = field.partition("<<")
    return (
        " ".join(primary.replace("<", " ").split()),
        " ".join(secondary.replace("<", " ").split()),
        not field.endswith("<"),
    )


def _date_parts(raw: str) -> tuple[int, int, int] | Literal["unknown"] | None:
    """(YY, MM, DD) from YYMMDD; "unknown" when any part is filler; None when malformed."""
    parts = (raw[0:2], raw[2:4], raw[4:6])
    if any(p == "<<" for p in parts):
        known = (p for p in parts if p != "<<")
        return "unknown" if all(p[0] in _DIGITS and p[1] in _DIGITS for p in known) else None
    if not all(p[0] in _DIGITS and p[1] in _DIGITS for p in parts):
        return None
    return int(parts[0]), int(parts[1]), int(parts[2])


def _make_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _birth_date(raw: str, today: datetime.date, warnings: list[str]) -> datetime.date | None:
    """Resolve YYMMDD to the latest century that does not put the birth after `today`."""
    parts = _date_parts(raw)
    if parts == "unknown":
        warnings.append("birth_date_unknown")
        return None
    if parts is None:
        warnings.append("birth_date_invalid")
        return None
    yy, mm, dd = parts
    year = today.year - ((today.year - yy) % 100)
    if (year, mm, dd) > (today.year, today.month, today.day):
        year -= 100
    result = _make_date(year, mm, dd) if year >= 1 else None
    if result is None:
        warnings.append("birth_date_invalid")
    return result


def _expiry_date(raw: str, today: datetime.date, warnings: list[str]) -> datetime.date | None:
    """Resolve YYMMDD to the year ending in YY within EXPIRY_YEARS_AHEAD of `today`, ahead."""
    parts = _date_parts(raw)
    if parts == "unknown":
        warnings.append("expiry_date_unknown")
        return None
    if parts is None:
        warnings.append("expiry_date_invalid")
        return None
    yy, mm, dd = parts
    horizon = today.year + EXPIRY_YEARS_AHEAD
    year = horizon - ((horizon - yy) % 100)
    result = _make_date(year, mm, dd) if 1 <= year <= 9999 else None
    if result is None:
        warnings.append("expiry_date_invalid")
    return result


def _sex(c: str, warnings: list[str]) -> str | None:
    if c in "MF":
        return c
    if c in "<X":
        return "X"
    warnings.append("sex_invalid")
    return None


def _document_number(
    lines: tuple[str, ...], line: int, start: int, opt: tuple[int, int], extendable: bool
) -> tuple[str, _CheckSpec, int]:
    """Document number, its check spec, and where the optional data begins.

    TD1/TD2 (Doc 9303 parts 5 and 6, "document number more than 9 characters"): a filler in
    the check-digit position means the number continues at the start of the optional data
    field, ended by its check digit and a filler.
    """
    text = lines[line]
    principal = text[start : start + 9]
    check_at = start + 9
    opt_start, opt_end = opt
    if extendable and text[check_at] == "<" and text[opt_start] != "<":
        run_end = text.find("<", opt_start, opt_end)
        if run_end == -1:
            run_end = opt_end
        extension = text[opt_start : run_end - 1]
        spec = _CheckSpec(
            "document_number",
            ((line, start, check_at), (line, opt_start, run_end - 1)),
            (line, run_end - 1),
        )
        return principal + extension, spec, min(run_end + 1, opt_end)
    spec = _CheckSpec("document_number", ((line, start, check_at),), (line, check_at))
    return principal.rstrip("<"), spec, opt_start


# --- checks and suggestions ---------------------------------------------------------------


def _positions(spec: _CheckSpec) -> Iterator[tuple[int, int]]:
    for li, s, e in spec.segments:
        for ci in range(s, e):
            yield li, ci


def _run_checks(
    lines: tuple[str, ...], specs: list[_CheckSpec]
) -> tuple[tuple[CheckResult, ...], tuple[str, ...]]:
    checks: list[CheckResult] = []
    suggestions: list[str] = []
    for spec in specs:
        data = "".join(lines[li][s:e] for li, s, e in spec.segments)
        found = lines[spec.at[0]][spec.at[1]]
        if spec.optional and found == "<" and set(data) <= {"<"}:
            continue
        expected = check_digit(data)
        ok = expected == found
        checks.append(CheckResult(spec.field, expected, found, ok))
        if not ok and spec.field != "composite":
            suggestions.extend(_suggest(spec, data, expected, found))
    return tuple(checks), tuple(suggestions)


def _suggest(spec: _CheckSpec, data: str, expected: str, found: str) -> list[str]:
    """Single OCR-confusable substitutions that would reconcile a field and its check digit."""
    out: list[str] = []
    cl, cc = spec.at
    if expected in _CONFUSABLE.get(found, ""):
        out.append(
            f"{spec.field}: check digit at line {cl + 1}, column {cc + 1} reads {found!r}; "
            f"{expected!r} is the computed value"
        )
    for i, (li, ci) in enumerate(_positions(spec)):
        c = data[i]
        for alt in _CONFUSABLE.get(c, ""):
            if spec.numeric and alt not in _DIGITS + "<":
                continue
            if check_digit(data[:i] + alt + data[i + 1 :]) == found:
                out.append(
                    f"{spec.field}: line {li + 1}, column {ci + 1} reads {c!r}; "
                    f"{alt!r} would satisfy the check digit"
                )
    return out[:_MAX_SUGGESTIONS_PER_FIELD]


# --- parsing ------------------------------------------------------------------------------


def parse_mrz(text: str, today: datetime.date | None = None) -> MrzResult:
    """Parse and check an ICAO 9303 MRZ (TD1/TD2/TD3/MRV-A/MRV-B); raise MrzError if unreadable."""
    today = today or datetime.date.today()
    lines = _split_lines(text)
    _check_alphabet(lines)
    fmt = _detect_format(lines)
    warnings: list[str] = []
    l0, l1 = lines[0], lines[1]
    code = l0[0:2].rstrip("<")
    if code[0] not in _USUAL_CODES[fmt] or l0[1] in _DIGITS:
        warnings.append("unusual_document_code")
    specs: list[_CheckSpec]

    if fmt == "TD1":
        l2 = lines[2]
        number, doc_spec, opt_start = _document_number(lines, 0, 5, (15, 30), extendable=True)
        name_field = l2
        birth_raw, sex_c, expiry_raw = l1[0:6], l1[7], l1[8:14]
        nationality = l1[15:18]
        optional_1 = l0[opt_start:30].rstrip("<")
        optional_2: str | None = l1[18:29].rstrip("<")
        specs = [
            doc_spec,
            _CheckSpec("birth_date", ((1, 0, 6),), (1, 6), numeric=True),
            _CheckSpec("expiry_date", ((1, 8, 14),), (1, 14), numeric=True),
            _CheckSpec("composite", ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)), (1, 29)),
        ]
    else:
        width = len(l0)
        opt_end = {"TD2": 35, "TD3": 42, "MRV-A": 44, "MRV-B": 36}[fmt]
        number, doc_spec, opt_start = _document_number(lines, 1, 0, (28, opt_end), extendable=fmt == "TD2")
        name_field = l0[5:width]
        birth_raw, sex_c, expiry_raw = l1[13:19], l1[20], l1[21:27]
        nationality = l1[10:13]
        optional_1 = l1[opt_start:opt_end].rstrip("<")
        optional_2 = None
        specs = [
            doc_spec,
            _CheckSpec("birth_date", ((1, 13, 19),), (1, 19), numeric=True),
            _CheckSpec("expiry_date", ((1, 21, 27),), (1, 27), numeric=True),
        ]
        if fmt == "TD3":
            specs.append(_CheckSpec("optional_data", ((1, 28, 42),), (1, 42), optional=True))
            specs.append(_CheckSpec("composite", ((1, 0, 10), (1, 13, 20), (1, 21, 43)), (1, 43)))
        elif fmt == "TD2":
            specs.append(_CheckSpec("composite", ((1, 0, 10), (1, 13, 20), (1, 21, 35)), (1, 35)))

    primary, secondary, truncated = _names(name_field)
    if truncated:
        warnings.append("name_possibly_truncated")
    if any(c in _DIGITS for c in name_field):
        warnings.append("name_contains_digits")
    if not primary:
        warnings.append("surname_missing")
    birth = _birth_date(birth_raw, today, warnings)
    expiry = _expiry_date(expiry_raw, today, warnings)
    sex = _sex(sex_c, warnings)
    checks, suggestions = _run_checks(lines, specs)
    return MrzResult(
        format=fmt,
        lines=lines,
        document_code=code,
        issuing_state=l0[2:5],
        primary_identifier=primary,
        secondary_identifier=secondary,
        document_number=number,
        nationality=nationality,
        birth_date_raw=birth_raw,
        birth_date=birth,
        sex=sex,
        expiry_date_raw=expiry_raw,
        expiry_date=expiry,
        optional_data_1=optional_1,
        optional_data_2=optional_2,
        checks=checks,
        warnings=tuple(warnings),
        suggestions=suggestions,
    )


def normalise_mrz(
    text: str,
    ctx: NormaliseContext = EMPTY_CONTEXT,
    *,
    today: datetime.date | None = None,
) -> Normalised:
    """Normalise an MRZ to canonical uppercase lines joined by newlines; never raises."""
    try:
        parsed = parse_mrz(text, today=today)
    except MrzError as err:
        return failed(text, str(err), suggestions=list(err.suggestions))
    flags = tuple(f"check_digit_failed:{c.field}" for c in parsed.checks if not c.ok)
    return Normalised(
        original=text,
        value="\n".join(parsed.lines),
        flags=flags + parsed.warnings,
        extra=parsed.to_dict(),
    )
