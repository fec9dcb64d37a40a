"""One verdict per check of a document's MRZ: check digits, dates, and the visual zone.

The MRZ itself is parsed by `mare.schema.types.mrz` (ICAO Doc 9303 TD1, TD2, TD3 and visas, our
own implementation: 7-3-1 weights, '<' = 0, A = 10 ... Z = 35). On top of it this module checks
that the dates are real and in order, and that the fields contributed beside the MRZ (the visual
zone: number, issuing country, nationality, holder, birth and expiry dates, sex) say the same.
A document is `valid` when every check that could be made passed.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mare.analyse.documents.names import SAME_NAME, name_containment, name_key, name_similarity
from mare.schema.types.countries import normalise_country
from mare.schema.types.identifiers import normalise_document_number
from mare.schema.types.mrz import MrzError, MrzResult, parse_mrz
from mare.schema.types.registry import normalise_value

#: ICAO codes that are not ISO 3166 alpha-3 (Doc 9303 part 3), as ISO alpha-2.
_ICAO_ONLY = {"D": "DE", "GBD": "GB", "GBN": "GB", "GBO": "GB", "GBP": "GB", "GBS": "GB", "RKS": "XK"}
#: A passport is valid for at most this many years (with a margin for extended documents).
MAX_VALIDITY_YEARS = 15
VISUAL_FIELDS = (
    "number",
    "issuing_country",
    "nationality",
    "holder_name",
    "birth_date",
    "expiry_date",
    "sex",
)


@dataclass(frozen=True)
class Check:
    """One check: what was checked, whether it passed, and what was found."""

    check: str  # check_digit, date, visual
    field: str
    ok: bool
    detail: str
    expected: str | None = None
    found: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class MrzVerdict:
    """The verdict on one document's MRZ; `error` when it could not be read at all."""

    checks: list[Check] = field(default_factory=list)
    parsed: MrzResult | None = None
    error: str | None = None
    suggestions: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        """True when the MRZ was read and every check passed."""
        return self.error is None and all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        """The checks that failed."""
        return [c for c in self.checks if not c.ok]

    def reasons(self) -> list[str]:
        """Why the document is not valid, one line per failed check."""
        if self.error is not None:
            return [self.error]
        return [f"{c.check} {c.field}: {c.detail}" for c in self.failed]

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form with the top-level boolean `valid`."""
        p = self.parsed
        return {
            "valid": self.valid,
            "error": self.error,
            "format": p.format if p else None,
            "fields": _fields(p) if p else None,
            "checks": [c.as_dict() for c in self.checks],
            "warnings": list(p.warnings) if p else [],
            "suggestions": list(self.suggestions),
        }


def _fields(p: MrzResult) -> dict[str, Any]:
    return {
        "document_code": p.document_code,
        "document_number": p.document_number,
        "issuing_state": p.issuing_state,
        "nationality": p.nationality,
        "surname": p.primary_identifier,
        "given_names": p.secondary_identifier,
        "birth_date": p.birth_date.isoformat() if p.birth_date else None,
        "sex": p.sex,
        "expiry_date": p.expiry_date.isoformat() if p.expiry_date else None,
        "optional_data": p.optional_data_1,
    }


def icao_country(code: str) -> str | None:
    """ISO alpha-2 of an ICAO state code as printed in an MRZ ('SWE', 'D<<'), or None."""
    code = code.replace("<", "")
    if code in _ICAO_ONLY:
        return _ICAO_ONLY[code]
    return normalise_country(code).value if code else None


def mrz_holder(p: MrzResult) -> str:
    """The holder's name as the MRZ writes it (given names first)."""
    return " ".join(x for x in (p.secondary_identifier, p.primary_identifier) if x)


def check_mrz(
    text: str, visual: Mapping[str, str | None] | None = None, today: datetime.date | None = None
) -> MrzVerdict:
    """Check one MRZ: every check digit, the dates, and each visual-zone field given."""
    today = today or datetime.date.today()
    try:
        p = parse_mrz(text, today=today)
    except MrzError as err:
        return MrzVerdict(error=str(err), suggestions=err.suggestions)
    verdict = MrzVerdict(parsed=p, suggestions=p.suggestions)
    for c in p.checks:
        detail = "agrees" if c.ok else f"reads {c.found!r}, computed {c.expected!r}"
        verdict.checks.append(Check("check_digit", c.field, c.ok, detail, c.expected, c.found))
    verdict.checks.extend(_date_checks(p, today))
    verdict.checks.extend(_visual_checks(p, visual or {}))
    return verdict


def _date_checks(p: MrzResult, today: datetime.date) -> list[Check]:
    out: list[Check] = []
    if p.birth_date is None:
        unknown = "birth_date_unknown" in p.warnings
        out.append(
            Check(
                "date",
                "birth_date",
                unknown,
                f"{p.birth_date_raw!r} is {'unknown (fillers)' if unknown else 'not a date'}",
            )
        )
    else:
        out.append(
            Check(
                "date",
                "birth_date",
                p.birth_date <= today,
                f"{p.birth_date.isoformat()}" + ("" if p.birth_date <= today else " is in the future"),
            )
        )
    if p.expiry_date is None:
        out.append(Check("date", "expiry_date", False, f"{p.expiry_date_raw!r} is not a date"))
        return out
    ok, detail = True, p.expiry_date.isoformat()
    if p.birth_date is not None and p.expiry_date <= p.birth_date:
        ok, detail = False, f"{detail} is not after the birth date {p.birth_date.isoformat()}"
    elif p.expiry_date > today.replace(year=today.year + MAX_VALIDITY_YEARS, day=min(today.day, 28)):
        ok, detail = False, f"{detail} is more than {MAX_VALIDITY_YEARS} years ahead"
    out.append(Check("date", "expiry_date", ok, detail))
    return out


def _visual_checks(p: MrzResult, visual: Mapping[str, str | None]) -> list[Check]:
    out: list[Check] = []
    number = visual.get("number")
    if number:
        given = normalise_document_number(number).value or number
        ok = given.replace("<", "") == p.document_number.replace("<", "")
        out.append(Check("visual", "number", ok, "agrees" if ok else "differs", p.document_number, number))
    for fld, code in (("issuing_country", p.issuing_state), ("nationality", p.nationality)):
        written = visual.get(fld)
        if written:
            mine, theirs = icao_country(code), normalise_country(written).value
            if mine is not None and theirs is not None:
                ok = mine == theirs
                out.append(Check("visual", fld, ok, "agrees" if ok else "differs", code, written))
    for fld, date in (("birth_date", p.birth_date), ("expiry_date", p.expiry_date)):
        written = visual.get(fld)
        iso = normalise_value("date", written).value if written else None
        if iso and date is not None and len(iso) == 10:
            ok = iso == date.isoformat()
            out.append(Check("visual", fld, ok, "agrees" if ok else "differs", date.isoformat(), written))
    holder = visual.get("holder_name")
    mk, hk = name_key(mrz_holder(p)), name_key(holder) if holder else None
    if holder and mk is not None and hk is not None:
        score = max(name_similarity(mk, hk), name_containment(mk, hk))
        ok = score >= SAME_NAME
        out.append(Check("visual", "holder_name", ok, f"similarity {score:.2f}", mrz_holder(p), holder))
    written_sex = visual.get("sex")
    sex = (normalise_value("gender", written_sex).value or "").upper() if written_sex else ""
    if sex in ("M", "F") and p.sex in ("M", "F"):
        ok = sex == p.sex
        out.append(Check("visual", "sex", ok, "agrees" if ok else "differs", p.sex, visual.get("sex")))
    return out
