"""One contribution's place texts still to geocode: `enrich._pending` beside the hub-wide reading.

An upload or a small `mare ingest` geocodes each new contribution on its own (`hub.intake.geocode_stored`).
The anchor, in the same run, is what that reading was before: the hub-wide query per place field with a
`contribution = ?` condition (records joined to all their values). Ours reads the contribution's records by
their index, then their values and geocodes by uid. Both must find the same rows (checked), each contribution
read as if just stored (its geocodes set aside in a transaction that is rolled back: the store is unchanged);
for C contributions of HOME (the smallest ones holding persons, as uploads are, and the largest ones).

    uv run python benchmarks/geocode_pending.py --home H [--contributions 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from mare.analyse.geo.enrich import PLACE_FIELDS, _pending
from mare.store.db import Store, open_store


def hub_wide(store: Store, contribution: str) -> list[tuple[str, str, str, str | None]]:
    """The anchor: the hub-wide reading per place field, kept to one contribution by a condition."""
    rows: list[tuple[str, str, str, str | None]] = []
    for (kind, field), country_field in PLACE_FIELDS.items():
        found = store.con.execute(
            "SELECT r.uid, v.original, (SELECT c.normalised FROM record_values c "
            "WHERE c.record_uid = r.uid AND c.field = ? LIMIT 1) "
            "FROM records r JOIN record_values v ON v.record_uid = r.uid "
            "WHERE r.kind = ? AND v.field = ? AND v.position = 0 AND NOT EXISTS "
            "(SELECT 1 FROM place_geocodes g WHERE g.record_uid = r.uid AND g.field = v.field) "
            "AND r.contribution = ?",
            [country_field or "", kind, field, contribution],
        ).fetchall()
        rows += [(uid, field, text, country) for uid, text, country in found]
    return rows


def _ms(
    read: object, store: Store, contribution: str
) -> tuple[float, list[tuple[str, str, str, str | None]]]:
    began = time.perf_counter()
    rows = read(store, contribution)  # type: ignore[operator]
    return 1000 * (time.perf_counter() - began), rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--contributions", type=int, default=20)
    args = parser.parse_args()
    with open_store(args.home, create=False) as store:
        sizes = store.con.execute(
            "SELECT contribution, count(*) FROM records GROUP BY 1 "
            "HAVING count(*) FILTER (kind = 'person') > 0 ORDER BY 2, 1"
        ).fetchall()
        half = args.contributions // 2
        groups = {"small": sizes[:half], "large": sizes[-half:]}
        values = store.con.execute("SELECT count(*) FROM record_values").fetchone()
        print(
            f"{len(sizes):,} contributions with persons; {values[0] if values else 0:,} values in the hub\n"
        )
        print(
            "| contributions | records each (median) | rows found | ours ms (median) "
            "| hub-wide ms (median) | ratio |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        for name, group in groups.items():
            ours, anchor, found = [], [], 0
            for contribution, _ in group:
                # as just stored: its geocodes set aside for the reading (rolled back after)
                store.con.execute("BEGIN TRANSACTION")
                store.con.execute(
                    "DELETE FROM place_geocodes WHERE record_uid IN "
                    "(SELECT uid FROM records WHERE contribution = ?)",
                    [contribution],
                )
                _pending(store, contribution)  # warm
                t_ours, rows_ours = _ms(_pending, store, contribution)
                t_anchor, rows_anchor = _ms(hub_wide, store, contribution)
                store.con.execute("ROLLBACK")
                if sorted(rows_ours) != sorted(rows_anchor):
                    raise SystemExit(f"{contribution}: the readings differ")
                ours.append(t_ours)
                anchor.append(t_anchor)
                found += len(rows_ours)
            median_size = statistics.median(n for _, n in group)
            o, a = statistics.median(ours), statistics.median(anchor)
            print(f"| {len(group)} {name} | {median_size:.0f} | {found} | {o:.1f} | {a:.1f} | {a / o:.1f} |")


if __name__ == "__main__":
    main()
