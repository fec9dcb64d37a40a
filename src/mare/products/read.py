"""Reads the reports share: records of one kind and links between records, as the viewer may see them.

Both filter in the database with the read policy compiled to SQL (`HubContext.visibility_sql`): only
records the viewer may see in full are returned, a link only when it and both its ends are visible in
full; what was withheld is counted in the request's consultation entry, never shown.
"""

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


def visible_records(ctx: HubContext, kinds: Iterable[str]) -> dict[str, Seen]:
    """Records of these kinds the viewer may see in full, with their values (normalised, else as given)."""
    wanted = sorted(set(kinds))
    con = ctx.store.con
    vis, params = ctx.visibility_sql("r")
    rule, rule_params = ctx.rule_sql("r")
    marks = ", ".join("?" for _ in wanted)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _report_records AS SELECT r.uid, r.kind, "
        "r.label, r.agency, r.category, "
        f"{vis} AS visibility, {rule} AS rule FROM records r WHERE r.kind IN ({marks})",
        [*params, *rule_params, *wanted],
    )
    try:
        withheld = {
            str(r): int(n)
            for r, n in con.execute(
                "SELECT rule, count(*) FROM _report_records WHERE visibility <> 'full' GROUP BY 1 ORDER BY 1"
            ).fetchall()
        }
        seen = {
            uid: Seen(uid, kind, label, agency, category)
            for uid, kind, label, agency, category in con.execute(
                "SELECT uid, kind, label, agency, category FROM _report_records WHERE visibility = 'full' "
                "ORDER BY uid"
            ).fetchall()
        }
        values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for uid, name, value in con.execute(
            "SELECT v.record_uid, v.field, coalesce(v.normalised, v.original) FROM record_values v "
            "JOIN _report_records r ON r.uid = v.record_uid AND r.visibility = 'full' "
            "ORDER BY v.record_uid, v.field, v.position"
        ).fetchall():
            values[uid][name].append(str(value))
    finally:
        con.execute("DROP TABLE IF EXISTS _report_records")
    for uid, fields in values.items():
        seen[uid].values = dict(fields)
    ctx.note_bulk("record", len(seen), withheld)
    return seen


def visible_links(ctx: HubContext, kinds: Iterable[str]) -> list[tuple[str, str, str]]:
    """(kind, source uid, target uid) of the links of these kinds that are visible in full with both
    their ends (each end's record visible in full too)."""
    wanted = sorted(set(kinds))
    con = ctx.store.con
    lvis, lparams = ctx.visibility_sql("l", minor=False, consent=False)
    svis, sparams = ctx.visibility_sql("s")
    tvis, tparams = ctx.visibility_sql("t")
    marks = ", ".join("?" for _ in wanted)
    rows = con.execute(
        f"SELECT l.kind, l.source_uid, l.target_uid, {lvis} = 'full' AND {svis} = 'full' AND {tvis} = 'full' "
        "FROM links l JOIN records s ON s.uid = l.source_uid JOIN records t ON t.uid = l.target_uid "
        f"WHERE l.kind IN ({marks}) ORDER BY l.uid",
        [*lparams, *sparams, *tparams, *wanted],
    ).fetchall()
    shown = [(k, s, t) for k, s, t, ok in rows if ok]
    ctx.note_bulk(
        "link", len(shown), {"not visible": len(rows) - len(shown)} if len(rows) > len(shown) else {}
    )
    return shown
