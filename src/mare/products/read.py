"""Reads the reports share: records of one kind and links between records, as the viewer may see them.

Both filter in the database with the read policy compiled to SQL (`HubContext.visibility_sql`): only
records the viewer may see in full are returned, a link only when it and both its ends are visible in
full; what was withheld is counted in the request's consultation entry, never shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from mare.hub.context import HubContext
from mare.hub.visible import Seen, read_visible

__all__ = ["Seen", "visible_links", "visible_records"]


def visible_records(ctx: HubContext, kinds: Iterable[str]) -> dict[str, Seen]:
    """Records of these kinds the viewer may see in full, with all their values (`hub.visible`)."""
    return read_visible(ctx, kinds).records


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
