"""An entity page's hits and links of its records: each end on its index beside the one `OR` it replaced.

An entity or record page reads the hits and the links at either end of its records (`hub.entity._pairs`,
`hub.repository._links_of`). Ours reads each end on its own index (migration 19) and keeps a hit or link
found from both ends once. The anchor, in the same run on the same store, is the reading it replaced:
`left_uid IN (…) OR right_uid IN (…)` in one statement, which reads the whole table. Both must find the same
rows (checked). For the E largest person entities of HOME (the benchmark's subjects, `benchmarks/api.py`).
Prints the median wall time and process CPU per read, and the total over the entities.

    uv run python benchmarks/entity_reads.py --home H [--entities 100]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mare.hub.context import superseded_sql
from mare.store.db import Store, open_store

HIT = "SELECT id, kind, basis, left_uid, right_uid, match_probability, created_at FROM hits"
LINK = (
    "SELECT l.uid, l.kind, l.source_uid, l.target_uid, l.agency, l.handling_code, l.restrictions, "
    f"l.properties, l.assessment, {superseded_sql('l.contribution')} FROM links l"
)
Read = Callable[[Store, list[str]], list[tuple[Any, ...]]]


def _marks(uids: list[str]) -> str:
    return ", ".join("?" for _ in uids)


def hits_either(store: Store, uids: list[str]) -> list[tuple[Any, ...]]:
    """The anchor: both ends in one condition."""
    sql = f"{HIT} WHERE left_uid IN ({_marks(uids)}) OR right_uid IN ({_marks(uids)}) ORDER BY id"
    return store.con.execute(sql, [*uids, *uids]).fetchall()


def hits_each(store: Store, uids: list[str]) -> list[tuple[Any, ...]]:
    """Ours: each end on its index, a hit between two of the records kept once."""
    sql = (
        f"{HIT} WHERE left_uid IN ({_marks(uids)}) UNION ALL "
        f"{HIT} WHERE right_uid IN ({_marks(uids)}) ORDER BY id"
    )
    return list(dict.fromkeys(store.con.execute(sql, [*uids, *uids]).fetchall()))


def links_either(store: Store, uids: list[str]) -> list[tuple[Any, ...]]:
    """The anchor: both ends in one condition."""
    sql = f"{LINK} WHERE l.source_uid IN ({_marks(uids)}) OR l.target_uid IN ({_marks(uids)}) ORDER BY 1"
    return store.con.execute(sql, [*uids, *uids]).fetchall()


def links_each(store: Store, uids: list[str]) -> list[tuple[Any, ...]]:
    """Ours: each end on its index, a link between two of the records kept once."""
    sql = (
        f"{LINK} WHERE l.source_uid IN ({_marks(uids)}) UNION ALL "
        f"{LINK} WHERE l.target_uid IN ({_marks(uids)}) ORDER BY 1"
    )
    return list({row[0]: row for row in store.con.execute(sql, [*uids, *uids]).fetchall()}.values())


def _timed(read: Read, store: Store, uids: list[str]) -> tuple[float, float, list[tuple[Any, ...]]]:
    wall, cpu = time.perf_counter(), time.process_time()
    rows = read(store, uids)
    return 1000 * (time.perf_counter() - wall), 1000 * (time.process_time() - cpu), rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--entities", type=int, default=100)
    args = parser.parse_args()
    with open_store(args.home, create=False) as store:
        entities = [
            str(e)
            for (e,) in store.con.execute(
                "SELECT entity_id FROM entities GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?", [args.entities]
            ).fetchall()
        ]
        members = [
            [
                str(u)
                for (u,) in store.con.execute(
                    "SELECT record_uid FROM entities WHERE entity_id = ? ORDER BY 1", [e]
                ).fetchall()
            ]
            for e in entities
        ]
        sizes = [
            (store.con.execute(f"SELECT count(*) FROM {t}").fetchone() or [0])[0] for t in ("hits", "links")
        ]
        each = statistics.median(len(m) for m in members)
        print(
            f"{len(entities)} entities, {each:.0f} records each (median); "
            f"{sizes[0]:,} hits, {sizes[1]:,} links in the hub\n"
        )
        print(
            "| read | rows found | ours ms (median) | ours CPU ms (median) | anchor ms (median) "
            "| anchor CPU ms (median) | ratio (CPU) |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, ours, anchor in (("hits", hits_each, hits_either), ("links", links_each, links_either)):
            walls: dict[str, list[float]] = {"ours": [], "anchor": []}
            cpus: dict[str, list[float]] = {"ours": [], "anchor": []}
            found = 0
            for uids in members:
                ours(store, uids)  # warm
                anchor(store, uids)
                w_o, c_o, rows_o = _timed(ours, store, uids)
                w_a, c_a, rows_a = _timed(anchor, store, uids)
                if sorted(rows_o, key=str) != sorted(rows_a, key=str):
                    raise SystemExit(f"{name}: the readings differ for {uids[:3]}…")
                walls["ours"].append(w_o)
                walls["anchor"].append(w_a)
                cpus["ours"].append(c_o)
                cpus["anchor"].append(c_a)
                found += len(rows_o)
            o, a = statistics.median(walls["ours"]), statistics.median(walls["anchor"])
            co, ca = statistics.median(cpus["ours"]), statistics.median(cpus["anchor"])
            print(
                f"| {name} | {found:,} | {o:.1f} | {co:.1f} | {a:.1f} | {ca:.1f} | {ca / max(co, 1e-9):.1f} |"
            )


if __name__ == "__main__":
    main()
