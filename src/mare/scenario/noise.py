"""Agency conventions and noise on written values, with a log of every change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import phonenumbers
import pycountry

from mare.scenario.agencies import Agency
from mare.scenario.countries import ADJ, ADJ_EN, MOBILE, TRUNK
from mare.scenario.params import NoiseParams
from mare.scenario.world import Person

_NEIGHBOUR = {
    "SY": "IQ",
    "IQ": "SY",
    "AF": "IR",
    "IR": "AF",
    "ER": "SD",
    "SD": "ER",
    "GN": "ML",
    "ML": "SN",
    "SN": "GN",
    "MA": "DZ",
    "DZ": "MA",
    "EG": "SD",
    "TN": "DZ",
    "PK": "AF",
}


@dataclass(slots=True)
class NoiseLog:
    """Every deliberate change, and how often each kind of noise could and did happen."""

    rows: list[tuple[str, str, str, str, str, str, str]] = field(default_factory=list)
    eligible: dict[str, int] = field(default_factory=dict)
    applied: dict[str, int] = field(default_factory=dict)
    bad: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)

    def chance(self, kind: str) -> None:
        """Count one occasion where noise of this kind could apply."""
        self.eligible[kind] = self.eligible.get(kind, 0) + 1

    def hit(self, where: tuple[str, str, str], fld: str, kind: str, true: str, out: str) -> None:
        """Log one applied change."""
        self.applied[kind] = self.applied.get(kind, 0) + 1
        self.rows.append((*where, fld, kind, true, out))


class Noise:
    """Writes true values the way one agency would, with noise at the configured rates."""

    def __init__(self, rng: np.random.Generator, params: NoiseParams, log: NoiseLog) -> None:
        self.rng, self.p, self.log = rng, params, log
        self._phone_cache: dict[str, str] = {}

    def _roll(self, kind: str, rate: float) -> bool:
        self.log.chance(kind)
        return bool(self.rng.random() < rate)

    def names(self, person: Person, ag: Agency, where: tuple[str, str, str]) -> dict[str, str]:
        """Name fields of a person record (name or given/family), with noise."""
        given = self._token(person.given.variants, person.given.native, where, "given")
        if person.middle is not None:
            middle = self._token(person.middle.variants, person.middle.native, where, "middle")
            if self._roll("middle_dropped", self.p.middle_dropped):
                self.log.hit(where, "name", "middle_dropped", f"{given} {middle}", given)
            else:
                given = f"{given} {middle}"
        family = self._token(person.family.variants, person.family.native, where, "family")
        if person.alias and self._roll("alias_only", self.p.alias_only):
            self.log.hit(where, "name", "alias_only", person.name, person.alias)
            return {"name": person.alias}
        if self._roll("typo", self.p.typo):
            old = family
            family = self._typo(family)
            self.log.hit(where, "family", "typo", old, family)
        if ag.name_style == "split":
            return {"given_name": given, "family_name": family}
        upper = family.upper() if ag.name_style in ("full_upper", "family_first") else family
        if ag.name_style == "family_first":
            return {"name": f"{upper} {given}"}
        if self._roll("name_order", self.p.name_order):
            self.log.hit(where, "name", "name_order", f"{given} {upper}", f"{upper} {given}")
            return {"name": f"{upper} {given}"}
        return {"name": f"{given} {upper}"}

    def _token(self, variants: tuple[str, ...], native: str, where: tuple[str, str, str], part: str) -> str:
        if native and self._roll("native_script", self.p.native_script):
            self.log.hit(where, part, "native_script", variants[0], native)
            return native
        if len(variants) > 1 and self._roll("translit", self.p.translit):
            v = variants[1 + int(self.rng.integers(len(variants) - 1))]
            self.log.hit(where, part, "translit", variants[0], v)
            return v
        return variants[0]

    def _typo(self, text: str) -> str:
        if len(text) < 4:
            return text + text[-1]
        i = 1 + int(self.rng.integers(len(text) - 2))
        op = int(self.rng.integers(3))
        if op == 0:
            return text[:i] + text[i + 1 :]
        if op == 1:
            return text[:i] + text[i] + text[i:]
        return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]

    def birth(self, iso: str, ag: Agency, where: tuple[str, str, str]) -> str | None:
        """The birth date as the agency writes it, maybe missing, partial or swapped."""
        d = date.fromisoformat(iso)
        if self._roll("birth_missing", self.p.birth_missing):
            self.log.hit(where, "birth_date", "birth_missing", iso, "")
            return None
        if self._roll("birth_partial", self.p.birth_partial):
            out = str(d.year) if self.rng.random() < 0.7 else f"{d.year}-{d.month:02d}"
            self.log.hit(where, "birth_date", "birth_partial", iso, out)
            return out
        if d.day <= 12 and d.day != d.month and self._roll("day_month_swap", self.p.day_month_swap):
            swapped = date(d.year, d.day, d.month)
            out = swapped.strftime(ag.date_fmt)
            self.log.hit(where, "birth_date", "day_month_swap", iso, out)
            return out
        return d.strftime(ag.date_fmt)

    def bad_birth(self, iso: str, ag: Agency) -> str:
        """An impossible date in the agency's format (31 February, 30 February...)."""
        year = iso[:4]
        day = ("31", "30", "29")[int(self.rng.integers(3))] if year != "2000" else "30"
        pattern = ag.date_fmt.replace("%Y", year).replace("%m", "02").replace("%d", day)
        return pattern

    def phone(
        self, cc: str, nsn: str, ag: Agency, where: tuple[str, str, str], style: str | None = None
    ) -> str:
        """A number in the agency's habitual format, with noise."""
        style = style or ag.phone_style
        e164 = f"+{cc}{nsn}"
        home = MOBILE.get(ag.country, ("", (), 0))[0]
        own = cc == home
        if not own and self._roll("phone_local_foreign", self.p.phone_local_foreign):
            out = TRUNK.get(_country_of(cc), "0") + nsn
            self.log.hit(where, "phone", "phone_local_foreign", e164, out)
            return out
        out = self.format_phone(cc, nsn, style, own)
        if self._roll("phone_typo", self.p.phone_typo):
            digits = [i for i, c in enumerate(out) if c.isdigit()]
            i = digits[-1 - int(self.rng.integers(min(4, len(digits))))]
            new = str((int(out[i]) + 1 + int(self.rng.integers(8))) % 10)
            typo = out[:i] + new + out[i + 1 :]
            self.log.hit(where, "phone", "phone_typo", e164, typo)
            return typo
        return out

    def format_phone(self, cc: str, nsn: str, style: str, own: bool) -> str:
        """Format without noise: local (own-country numbers), e164, intl_spaced, intl_00, msisdn."""
        key = f"{cc}:{nsn}:{style}:{own}"
        hit = self._phone_cache.get(key)
        if hit is not None:
            return hit
        num = phonenumbers.parse(f"+{cc}{nsn}")
        if style == "msisdn":
            out = cc + nsn
        elif style == "e164":
            out = f"+{cc}{nsn}"
        elif style == "local" and own:
            out = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL)
        elif style == "local":
            out = "00" + cc + nsn
        elif style == "intl_00":
            out = "00" + cc + " " + nsn
        else:
            out = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        self._phone_cache[key] = out
        return out

    def nationality(self, code: str, ag: Agency, where: tuple[str, str, str]) -> str:
        """The nationality as the agency writes it (ISO codes or an adjective)."""
        if code in _NEIGHBOUR and self._roll("nationality_wrong", self.p.nationality_wrong):
            wrong = _NEIGHBOUR[code]
            self.log.hit(where, "nationality", "nationality_wrong", code, wrong)
            code = wrong
        return write_country(code, ag)


def write_country(code: str, ag: Agency) -> str:
    """A country code as the agency writes nationalities."""
    if ag.nat_style == "iso2":
        return code
    if ag.nat_style == "iso3":
        c = pycountry.countries.get(alpha_2=code)
        return c.alpha_3 if c is not None else code
    return ADJ.get(ag.language, {}).get(code) or ADJ_EN.get(code, code)


_CC_COUNTRY = {cc: c for c, (cc, _, _) in sorted(MOBILE.items(), reverse=True)}


def _country_of(cc: str) -> str:
    return _CC_COUNTRY.get(cc, "")
