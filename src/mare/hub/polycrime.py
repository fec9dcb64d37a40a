"""Polycriminality: the crime areas of each person and network, and where smuggling meets other crime.

A record's crime areas are those its contribution declares (the envelope's `crime_areas`: a drug
investigation's contribution says `drug_trafficking`). A person (a resolved entity) carries the
areas of every record of theirs the viewer may see in full; a network, those of its people.

A **link between smuggling and another crime area** is shown by records, never inferred from
nothing:

- `same person`: one person has a record in a smuggling contribution and another record in a
  contribution about another crime area only (without migrant smuggling), for example a driver of
  a smuggling network known to a drug investigation;
- `shared identifier`: a record of a smuggling contribution shares a phone, account, plate,
  document… (an identifier hit of the cross-check) with a record of a contribution about another
  crime area only.

Everything is read through the policy: records filtered in SQL (`HubContext.visibility_sql`), both
sides of a link visible in full, or the link is not shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mare.hub.context import HubContext
from mare.hub.profiles import largest_first

SMUGGLING = "migrant_smuggling"


@dataclass(slots=True)
class CrossCrimeLink:
    """Records showing that a smuggling person or record meets another crime area."""

    person: str
    label: str | None
    area: str
    kind: str  # "same person" or "shared identifier"
    smuggling_record: str
    other_record: str
    other_agency: str
    other_contribution: str
    basis: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "person": self.person,
            "label": self.label,
            "area": self.area,
            "kind": self.kind,
            "smuggling_record": self.smuggling_record,
            "other_record": self.other_record,
            "other_agency": self.other_agency,
            "other_contribution": self.other_contribution,
            "basis": self.basis,
        }


@dataclass(slots=True)
class Polycriminality:
    """Crime areas per person (and per network when asked), and the cross-crime links with evidence."""

    people: int = 0
    areas_per_person: dict[str, int] = field(default_factory=dict)
    people_by_area: dict[str, int] = field(default_factory=dict)
    combinations: dict[str, int] = field(default_factory=dict)
    networks: dict[str, dict[str, int]] = field(default_factory=dict)
    links: list[CrossCrimeLink] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "people": self.people,
            "areas_per_person": self.areas_per_person,
            "people_by_area": self.people_by_area,
            "combinations": self.combinations,
            "networks": self.networks,
            "links": [link.as_dict() for link in self.links],
        }


def polycriminality(
    ctx: HubContext, networks: Mapping[str, Iterable[str]] | None = None, limit: int = 200
) -> Polycriminality:
    """Crime areas of the persons the viewer may see, their combinations, per network (`networks`:
    id -> node ids, entity ids or record uids), and up to `limit` cross-crime links with evidence."""
    con = ctx.store.con
    vis, params = ctx.visibility_sql("r")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _crime_records AS SELECT r.uid, r.kind, r.label, r.agency, "
        "c.sender_id, coalesce(c.crime_areas, []) AS areas, coalesce(e.entity_id, r.uid) AS person "
        "FROM records r JOIN contributions c ON c.uid = r.contribution "
        f"LEFT JOIN entities e ON e.record_uid = r.uid WHERE {vis} = 'full'",
        params,
    )
    try:
        rows = con.execute(
            "SELECT person, list(DISTINCT a ORDER BY a) FROM "
            "(SELECT person, unnest(areas) AS a FROM _crime_records WHERE kind = 'person') GROUP BY person"
        ).fetchall()
        same_person = con.execute(
            "SELECT s.person, s.label, o_area, s.uid, o.uid, o.agency, o.sender_id FROM _crime_records s "
            "JOIN (SELECT *, unnest(areas) AS o_area FROM _crime_records WHERE kind = 'person' "
            f"AND NOT list_contains(areas, '{SMUGGLING}')) o ON o.person = s.person AND o.uid <> s.uid "
            f"WHERE s.kind = 'person' AND list_contains(s.areas, '{SMUGGLING}') "
            "ORDER BY s.person, o_area, o.uid LIMIT ?",
            [limit],
        ).fetchall()
        shared = con.execute(
            "SELECT s.person, s.label, o_area, s.uid, o.uid, o.agency, o.sender_id, h.basis FROM hits h "
            "JOIN _crime_records s ON s.uid IN (h.left_uid, h.right_uid) "
            "JOIN (SELECT *, unnest(areas) AS o_area FROM _crime_records "
            f"WHERE NOT list_contains(areas, '{SMUGGLING}')) o "
            "ON o.uid IN (h.left_uid, h.right_uid) AND o.uid <> s.uid "
            f"WHERE h.kind = 'identifier' AND list_contains(s.areas, '{SMUGGLING}') "
            "ORDER BY s.person, o_area, o.uid LIMIT ?",
            [limit],
        ).fetchall()
        members_of: dict[str, set[str]] = {}
        if networks:
            uid_person = dict(con.execute("SELECT uid, person FROM _crime_records").fetchall())
            for nid, nodes in networks.items():
                members_of[nid] = {uid_person.get(n, n) for n in nodes}
    finally:
        con.execute("DROP TABLE IF EXISTS _crime_records")
    areas_of = {person: list(areas) for person, areas in rows}
    result = Polycriminality(people=len(areas_of))
    per_person: dict[str, int] = defaultdict(int)
    by_area: dict[str, int] = defaultdict(int)
    combos: dict[str, int] = defaultdict(int)
    for areas in areas_of.values():
        per_person[str(len(areas))] += 1
        for area in areas:
            by_area[area] += 1
        if len(areas) > 1:
            combos[" + ".join(areas)] += 1
    result.areas_per_person = largest_first(per_person)
    result.people_by_area = largest_first(by_area)
    result.combinations = largest_first(combos)
    for nid, people in members_of.items():
        counts: dict[str, int] = defaultdict(int)
        for person in people:
            for area in areas_of.get(person, []):
                counts[area] += 1
        result.networks[nid] = largest_first(counts)
    result.links = [
        CrossCrimeLink(p, label, area, "same person", s, o, agency, sender)
        for p, label, area, s, o, agency, sender in same_person
    ] + [
        CrossCrimeLink(p, label, area, "shared identifier", s, o, agency, sender, basis)
        for p, label, area, s, o, agency, sender, basis in shared
    ]
    ctx.note_bulk("record", len(areas_of), {})
    return result
