"""Records of some kinds as one viewer may see them in full, for bulk reads (places, early warning,
reports): filtered in the database with the read policy compiled to SQL (`HubContext.visibility_sql`),
so withheld values never reach Python; how many were withheld, by rule, goes to the request's
consultation entry, never into what is returned."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from mare.hub.context import HubContext


@dataclass(slots=True)
class Seen:
    """A record seen in full: its label, owner agency and values (field -> values in order)."""

    uid: str
    kind: str
    label: str | None
    agency: str
    category: str | None
    values: dict[str, list[str]] = field(default_factory=dict)

    def first(self, *fields: str) -> str | None:
        """The first value of the first of these fields that has one."""
        for name in fields:
            if self.values.get(name):
                return self.values[name][0]
        return None


@dataclass
class Visible:
    """The records seen in full (by uid, in uid order) and the count withheld, by rule."""

    records: dict[str, Seen]
    withheld: dict[str, int]


def read_visible(ctx: HubContext, kinds: Iterable[str], fields: Iterable[str] | None = None) -> Visible:
    """Records of these kinds the viewer may see in full, with their values (normalised, else as given):
    every field, or only `fields`."""
    wanted = sorted(set(kinds))
    con = ctx.store.con
    vis, params = ctx.visibility_sql("r")
    rule, rule_params = ctx.rule_sql("r")
    marks = ", ".join("?" for _ in wanted)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _visible_records AS SELECT r.uid, r.kind, r.label, r.agency, "
        f"r.category, {vis} AS visibility, {rule} AS rule FROM records r WHERE r.kind IN ({marks})",
        [*params, *rule_params, *wanted],
    )
    try:
        withheld = {
            str(r): int(n)
            for r, n in con.execute(
                "SELECT rule, count(*) FROM _visible_records WHERE visibility <> 'full' GROUP BY 1 ORDER BY 1"
            ).fetchall()
        }
        seen = {
            uid: Seen(uid, kind, label, agency, category)
            for uid, kind, label, agency, category in con.execute(
                "SELECT uid, kind, label, agency, category FROM _visible_records WHERE visibility = 'full' "
                "ORDER BY uid"
            ).fetchall()
        }
        chosen = sorted(set(fields)) if fields is not None else None
        only = f" WHERE v.field IN ({', '.join('?' for _ in chosen)})" if chosen else ""
        values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        if chosen is None or chosen:
            for uid, name, value in con.execute(
                "SELECT v.record_uid, v.field, coalesce(v.normalised, v.original) FROM record_values v "
                f"JOIN _visible_records r ON r.uid = v.record_uid AND r.visibility = 'full'{only} "
                "ORDER BY v.record_uid, v.field, v.position",
                chosen or [],
            ).fetchall():
                if value is not None:
                    values[uid][name].append(str(value))
    finally:
        con.execute("DROP TABLE IF EXISTS _visible_records")
    for uid, found in values.items():
        seen[uid].values = dict(found)
    ctx.note_bulk("record", len(seen), withheld)
    return Visible(seen, withheld)
