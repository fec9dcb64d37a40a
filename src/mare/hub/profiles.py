"""The criminal profile of the suspects the hub holds (or of one network's), as a viewer may see them.

One person is one resolved entity (`entities`; a record the cross-check did not join is a person of
its own). For each person the profile reads, from the person records the viewer may see in full
(filtered in the database by the read policy compiled to SQL): nationality, gender, age (from the
birth date, at `today`), country of residence, role, the countries of the events, journey legs and
cases they are linked to (through links the viewer may also see), the crime areas of the
contributions that name them, and their prior records (how many contributions and agencies know
them; whether any calls them convicted). Where records of one person disagree, the most frequent
value counts (ties: the first in order).

The result is distributions (tables, and data for charts): how many people, and how they split by
each attribute. It never lists a person.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from mare.hub.context import HubContext

SUSPECT_CATEGORIES = ("suspect", "convicted")
AGE_BANDS = ((0, 17, "under 18"), (18, 24, "18–24"), (25, 34, "25–34"), (35, 44, "35–44"), (45, 54, "45–54"))
ACTIVITY_FIELDS = ("country", "from_country", "to_country")
ACTIVITY_KINDS = ("event", "journey_leg", "case")
UNKNOWN = "unknown"


@dataclass(slots=True)
class Profile:
    """Distributions over the people profiled (entities), with how much was withheld."""

    people: int = 0
    records: int = 0
    withheld_records: dict[str, int] = field(default_factory=dict)
    distributions: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (distributions ordered largest first)."""
        return {
            "people": self.people,
            "records": self.records,
            "withheld_records": self.withheld_records,
            "distributions": self.distributions,
        }


def _age_band(birth: str, today: date) -> str:
    if not birth[:4].isdigit():
        return UNKNOWN
    year = int(birth[:4])
    month = int(birth[5:7]) if len(birth) >= 7 and birth[5:7].isdigit() else 7
    age = today.year - year - (1 if today.month < month else 0)
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return "55 and over"


def _mode(values: list[str]) -> str:
    return Counter(values).most_common(1)[0][0] if values else UNKNOWN


def largest_first(counter: Mapping[str, int]) -> dict[str, int]:
    """Counts ordered largest first (ties: by value)."""
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def suspect_profile(
    ctx: HubContext,
    people: Iterable[str] | None = None,
    categories: Iterable[str] = SUSPECT_CATEGORIES,
    today: date | None = None,
) -> Profile:
    """The profile of the suspects the viewer may see (`people`: only these entity ids / record uids)."""
    con = ctx.store.con
    day = today or ctx.today or datetime.now(UTC).date()
    wanted_categories = list(categories)
    vis, vparams = ctx.visibility_sql("r")
    rule, rparams = ctx.rule_sql("r")
    marks = ", ".join("?" for _ in wanted_categories)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _profile_people AS SELECT r.uid, r.contribution, r.agency, r.category, "
        f"coalesce(e.entity_id, r.uid) AS person, {vis} AS visibility, {rule} AS rule "
        "FROM records r LEFT JOIN entities e ON e.record_uid = r.uid "
        f"WHERE r.kind = 'person' AND r.category IN ({marks})",
        [*vparams, *rparams, *wanted_categories],
    )
    try:
        if people is not None:
            keep = sorted(set(people))
            con.execute("CREATE OR REPLACE TEMP TABLE _profile_keep (id VARCHAR)")
            con.executemany("INSERT INTO _profile_keep VALUES (?)", [[k] for k in keep])
            con.execute(
                "DELETE FROM _profile_people WHERE person NOT IN (SELECT id FROM _profile_keep) "
                "AND uid NOT IN (SELECT id FROM _profile_keep)"
            )
            con.execute("DROP TABLE _profile_keep")
        withheld = dict(
            con.execute(
                "SELECT rule, count(*) FROM _profile_people WHERE visibility <> 'full' GROUP BY 1 ORDER BY 1"
            ).fetchall()
        )
        con.execute("DELETE FROM _profile_people WHERE visibility <> 'full'")
        persons = con.execute(
            "SELECT person, list(uid ORDER BY uid), list(DISTINCT contribution), list(DISTINCT agency), "
            "bool_or(category = 'convicted') FROM _profile_people GROUP BY person ORDER BY person"
        ).fetchall()
        values = con.execute(
            "SELECT p.person, v.field, coalesce(v.normalised, v.original) FROM record_values v "
            "JOIN _profile_people p ON p.uid = v.record_uid "
            "WHERE v.field IN ('nationality', 'gender', 'residence_country', 'role', 'birth_date') "
            "ORDER BY p.person, p.uid, v.field, v.position"
        ).fetchall()
        lvis, lparams = ctx.visibility_sql("l", minor=False, consent=False)
        ovis, oparams = ctx.visibility_sql("o")
        activity = con.execute(
            "SELECT DISTINCT p.person, v.normalised FROM _profile_people p "
            "JOIN links l ON l.source_uid = p.uid JOIN records o ON o.uid = l.target_uid "
            "JOIN record_values v ON v.record_uid = o.uid "
            f"WHERE o.kind IN {ACTIVITY_KINDS} AND v.field IN {ACTIVITY_FIELDS} AND v.normalised IS NOT NULL "
            f"AND {lvis} = 'full' AND {ovis} = 'full'",
            [*lparams, *oparams],
        ).fetchall()
        areas = con.execute(
            "SELECT DISTINCT p.person, unnest(c.crime_areas) FROM _profile_people p "
            "JOIN contributions c ON c.uid = p.contribution"
        ).fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS _profile_people")
    by_person: dict[str, dict[str, list[str]]] = {}
    for person, fld, value in values:
        by_person.setdefault(person, {}).setdefault(fld, []).append(str(value))
    countries: dict[str, set[str]] = {}
    for person, country in activity:
        countries.setdefault(person, set()).add(str(country))
    crime: dict[str, set[str]] = {}
    for person, area in areas:
        crime.setdefault(person, set()).add(str(area))
    dist: dict[str, Counter[str]] = {
        name: Counter()
        for name in (
            "nationality",
            "gender",
            "age",
            "residence",
            "residence_vs_nationality",
            "role",
            "countries_of_activity",
            "crime_areas",
            "known_to_contributions",
            "known_to_agencies",
            "convicted",
        )
    }
    record_count = 0
    for person, uids, contributions, agencies, convicted in persons:
        record_count += len(uids)
        got = by_person.get(person, {})
        nationality = _mode(got.get("nationality", []))
        residence = _mode(got.get("residence_country", []))
        dist["nationality"][nationality] += 1
        dist["gender"][_mode(got.get("gender", []))] += 1
        dist["age"][_age_band(_mode(got.get("birth_date", [])), day)] += 1
        dist["residence"][residence] += 1
        dist["residence_vs_nationality"][
            UNKNOWN
            if UNKNOWN in (residence, nationality)
            else "same country"
            if residence == nationality
            else f"{nationality} living in {residence}"
        ] += 1
        dist["role"][_mode(got.get("role", []))] += 1
        for country in countries.get(person, {UNKNOWN}):
            dist["countries_of_activity"][country] += 1
        for area in crime.get(person, {UNKNOWN}):
            dist["crime_areas"][area] += 1
        n = len(contributions)
        dist["known_to_contributions"]["1" if n == 1 else "2" if n == 2 else "3 or more"] += 1
        dist["known_to_agencies"]["1" if len(agencies) == 1 else "2 or more"] += 1
        dist["convicted"]["yes" if convicted else "no"] += 1
    profile = Profile(
        people=len(persons),
        records=record_count,
        withheld_records={str(k): int(v) for k, v in withheld.items()},
        distributions={name: largest_first(counter) for name, counter in dist.items()},
    )
    ctx.note_bulk("record", record_count, profile.withheld_records)
    return profile
