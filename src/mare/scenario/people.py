"""Making people and their phones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import phonenumbers

from mare.scenario.countries import MOBILE, luhn_complete, mobile_nsn
from mare.scenario.names import ALIAS_PREFIX, GROUPS_BY_COUNTRY, MIDDLE_NAMES, NameEntry, pool
from mare.scenario.params import DAY, START
from mare.scenario.world import Person, Phone, World, nid

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def pick(rng: np.random.Generator, options: Sequence[tuple[str, float]]) -> str:
    """One option drawn by weight."""
    weights = np.array([w for _, w in options], dtype=float)
    i = int(rng.choice(len(options), p=weights / weights.sum()))
    return options[i][0]


def iso_date(ts: int) -> str:
    """A UTC timestamp as an ISO date."""
    return (_EPOCH + timedelta(seconds=ts)).strftime("%Y-%m-%d")


def iso_datetime(ts: int) -> str:
    """A UTC timestamp as ISO 8601 with Z."""
    return (_EPOCH + timedelta(seconds=ts)).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_person(
    world: World,
    rng: np.random.Generator,
    kind: str,
    nationality: str,
    residence: str,
    place: str,
    age: tuple[float, float],
    role: str = "",
    female_share: float = 0.1,
) -> Person:
    """A new person with a name from the nationality's pools."""
    options = GROUPS_BY_COUNTRY.get(nationality, (("en", 1.0),))
    group = pick(rng, options)
    gender = "female" if rng.random() < female_share else "male"
    given_pool = pool(group, "m" if gender == "male" else "f")
    family_pool = pool(group, "family")
    given = given_pool[int(rng.integers(len(given_pool)))]
    family = family_pool[int(rng.integers(len(family_pool)))]
    middle = _middle(rng, group, gender)
    years = float(rng.uniform(age[0], age[1]))
    birth_ts = START - int(years * 365.25 * DAY)
    person = Person(
        id=nid("P", len(world.persons)),
        kind=kind,
        given=given,
        family=family,
        gender=gender,
        birth=iso_date(birth_ts),
        nationality=nationality,
        residence=residence,
        group=group,
        place=place,
        role=role,
        minor=years < 18,
        middle=middle,
    )
    if kind == "member" and rng.random() < 0.5:
        person.alias = _alias(rng, group, person)
    world.persons[person.id] = person
    return person


def _middle(rng: np.random.Generator, group: str, gender: str) -> NameEntry | None:
    """A middle name as the group's convention has it (`names.MIDDLE_NAMES`), or None."""
    share, source = MIDDLE_NAMES.get(group, (0.0, ""))
    if rng.random() >= share:
        return None
    part = {"father": "m", "given": "m" if gender == "male" else "f", "family": "family"}[source]
    options = pool(group, part)
    return options[int(rng.integers(len(options)))]


def _alias(rng: np.random.Generator, group: str, person: Person) -> str:
    prefix = ALIAS_PREFIX.get(group)
    if prefix:
        other = pool(group, "m")[int(rng.integers(len(pool(group, "m"))))]
        return f"{prefix} {other.variants[0]}"
    nick = ("Doctor", "Boss", "Captain", "Bro", "Chef", "Kapo")[int(rng.integers(6))]
    return f"{nick} {person.given.variants[0]}"


def add_phones(
    world: World,
    rng: np.random.Generator,
    person: Person,
    countries: Sequence[str],
    start: int,
    end: int,
    switch_days: tuple[int, int] | None,
) -> list[Phone]:
    """Give a person phones over [start, end]: burners switched every few weeks when asked."""
    out: list[Phone] = []
    t = start
    handset = _imei(rng)
    while t < end:
        if switch_days is None:
            t_end = end
        else:
            t_end = min(end, t + int(rng.integers(switch_days[0], switch_days[1] + 1)) * DAY)
        country = countries[int(rng.integers(len(countries)))]
        if country not in MOBILE:
            country = person.residence if person.residence in MOBILE else "TR"
        cc, nsn = _valid_number(rng, country)
        if switch_days is not None and rng.random() < 0.5:
            handset = _imei(rng)  # new handset with the new SIM; otherwise the same one
        phone = Phone(
            id=nid("T", len(world.phones)),
            person=person.id,
            cc=cc,
            nsn=nsn,
            imei=handset,
            imsi=_imsi(rng, cc),
            start=t,
            end=t_end,
        )
        world.phones[phone.id] = phone
        person.phones.append(phone.id)
        out.append(phone)
        t = t_end
    return out


def _valid_number(rng: np.random.Generator, country: str) -> tuple[str, str]:
    for _ in range(20):
        cc, nsn = mobile_nsn(rng, country)
        if phonenumbers.is_valid_number(phonenumbers.parse(f"+{cc}{nsn}")):
            return cc, nsn
    return cc, nsn


def _imei(rng: np.random.Generator) -> str:
    tac = ("35", "86", "01", "99")[int(rng.integers(4))]
    body = tac + "".join(str(d) for d in rng.integers(0, 10, 12))
    return luhn_complete(body)


def _imsi(rng: np.random.Generator, cc: str) -> str:
    mcc = {
        "49": "262",
        "39": "222",
        "30": "202",
        "90": "286",
        "33": "208",
        "34": "214",
        "44": "234",
        "31": "204",
        "43": "232",
        "36": "216",
    }.get(cc, "4" + cc[:2].ljust(2, "0"))
    return mcc + "".join(str(d) for d in rng.integers(0, 10, 12))
