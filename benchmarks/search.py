"""Search benchmark: `mare search` latency and recall@10 on a scenario world, beside plain scans.

Build the world and the hub once (ingest cross-checks at the end; geocoding fills place names):

    uv run mare scenario generate --scale medium --seed 7 --out /tmp/world-medium
    uv run mare ingest /tmp/world-medium/contributions --home /tmp/hub-medium
    uv run python benchmarks/search.py --world /tmp/world-medium --home /tmp/hub-medium [--queries 400]

Queries are drawn from the scenario's truth (seeded): persons' names as the truth spells them, in
their native script, and varied (words reordered or one letter changed); phones written another way
(00 prefix, grouped); plates and IBANs with other spacing and case; IMO and MMSI numbers. Each query
runs once to warm the store, then once timed, as a hub analyst (`--agency`, `--role`), each as one
request: a fresh context, `search(..., limit=10)` and the context's close (the audit entries
written). Recall@10: a record the truth ties to the query's person or thing is among the ten
results (in full or hit/no-hit). Anchors, on the same queries in the same run: a plain
`ILIKE '%query%'` scan over `record_values.original`, and for names DuckDB's
`jaro_winkler_similarity` over every name value (best ten). The runs append audit entries to the
store. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mare.access.policy import Viewer
from mare.hub.context import HubContext
from mare.hub.search import search
from mare.store.db import Store, open_store

TOP = 10


@dataclass(frozen=True)
class Query:
    """One benchmark query: its group, its text and the record uids the truth ties to it."""

    group: str
    text: str
    truth: frozenset[str]


def _uids_by_true_id(store: Store, world: Path) -> dict[str, set[str]]:
    """Scenario true id -> store record uids (by the sender's contribution id and record id)."""
    stored = {
        (sender, local): uid
        for sender, local, uid in store.con.execute(
            "SELECT c.sender_id, r.local_id, r.uid FROM records r "
            "JOIN contributions c ON c.uid = r.contribution"
        ).fetchall()
    }
    out: dict[str, set[str]] = defaultdict(set)
    with (world / "truth" / "records.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            uid = stored.get((row["contribution"], row["record"]))
            if uid:
                out[row["true_id"]].add(uid)
    return out


def _typo(word: str, rng: random.Random) -> str:
    """One letter of a word changed to its neighbour in the alphabet (a typing or hearing slip)."""
    letters = [i for i, c in enumerate(word) if c.isalpha() and c.isascii()][1:]
    if not letters:
        return word
    i = rng.choice(letters)
    c = word[i]
    swap = "e" if c.lower() in "aiou" else ("a" if c.lower() == "e" else chr((ord(c.lower()) - 96) % 26 + 97))
    return word[:i] + swap + word[i + 1 :]


def _variant(name: str, rng: random.Random) -> str:
    words = name.split()
    if len(words) > 1 and rng.random() < 0.5:
        return " ".join([words[-1], *words[:-1]])  # family name first, as many registers write it
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    words[longest] = _typo(words[longest], rng)
    return " ".join(words)


def _grouped(digits: str, rng: random.Random) -> str:
    out, i = [], 0
    while i < len(digits):
        step = rng.choice((2, 3, 4))
        out.append(digits[i : i + step])
        i += step
    return " ".join(out)


def queries(store: Store, world: Path, n: int, seed: int) -> list[Query]:
    """About n queries drawn from the truth: names (as spelt, native script, varied) and identifiers."""
    rng = random.Random(seed)
    held = _uids_by_true_id(store, world)
    truth = world / "truth"
    persons = [r for r in csv.DictReader((truth / "persons.csv").open(encoding="utf-8")) if held.get(r["id"])]
    rng.shuffle(persons)
    share = {"name": 0.3, "native": 0.15, "variant": 0.15, "phone": 0.15, "plate": 0.1, "iban": 0.08,
             "vessel": 0.07}  # fmt: skip
    want = {k: max(1, round(v * n)) for k, v in share.items()}
    out: list[Query] = []
    for person in persons[: want["name"]]:
        out.append(Query("name as spelt", person["name"], frozenset(held[person["id"]])))
    native = [p for p in persons if p["native_name"] and p["native_name"] != p["name"]]
    for person in native[: want["native"]]:
        out.append(Query("name, native script", person["native_name"], frozenset(held[person["id"]])))
    for person in persons[-want["variant"] :]:
        out.append(Query("name varied", _variant(person["name"], rng), frozenset(held[person["id"]])))
    phones = [r for r in csv.DictReader((truth / "phones.csv").open(encoding="utf-8")) if held.get(r["id"])]
    for phone in rng.sample(phones, min(want["phone"], len(phones))):
        text = "00" + _grouped(phone["e164"].lstrip("+"), rng)
        out.append(Query("phone, other format", text, frozenset(held[phone["id"]])))
    things = [r for r in csv.DictReader((truth / "things.csv").open(encoding="utf-8")) if held.get(r["id"])]
    rng.shuffle(things)
    for kind, field, group, count in (
        ("vehicle", "plate", "plate, other spacing", want["plate"]),
        ("financial_account", "iban", "IBAN, grouped", want["iban"]),
        ("vessel", "imo", "IMO / MMSI", want["vessel"]),
    ):
        picked = 0
        for thing in things:
            fields = json.loads(thing["fields"])
            value = fields.get(field) or (fields.get("mmsi") if kind == "vessel" else None)
            if thing["kind"] != kind or not value or picked >= count:
                continue
            if kind == "vehicle":
                text = "".join(c for c in value if c.isalnum()).lower()
            elif kind == "financial_account":
                compact = value.replace(" ", "").lower()
                text = " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
            else:
                text = str(value)
            out.append(Query(group, text, frozenset(held[thing["id"]])))
            picked += 1
    return out


def _percentiles(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000

    return at(0.5), at(0.95), at(0.99)


def timed(fn: Callable[[], list[str]]) -> tuple[float, list[str]]:
    """Seconds taken and the uids returned."""
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--world", type=Path, default=Path("/tmp/world-medium"))
    parser.add_argument("--home", type=Path, default=Path("/tmp/hub-medium"))
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--agency", default="HUB")
    parser.add_argument("--role", default="analyst")
    args = parser.parse_args()
    with open_store(args.home, create=False) as store:
        drawn = queries(store, args.world, args.queries, args.seed)
        viewer = Viewer("benchmark", args.agency, frozenset({args.role}))

        def ours(q: Query) -> list[str]:
            with HubContext(store, viewer, "password", what="benchmark search") as ctx:
                return [h.uid for h in search(ctx, q.text, limit=TOP).hits]

        def ilike(q: Query) -> list[str]:
            rows = store.con.execute(
                "SELECT record_uid FROM record_values WHERE original ILIKE ? GROUP BY record_uid LIMIT ?",
                [f"%{q.text}%", TOP],
            ).fetchall()
            return [r[0] for r in rows]

        def jaro(q: Query) -> list[str]:
            rows = store.con.execute(
                "SELECT record_uid FROM record_values WHERE value_type = 'name' "
                "ORDER BY jaro_winkler_similarity(lower(original), lower(?)) DESC LIMIT ?",
                [q.text, TOP],
            ).fetchall()
            return [r[0] for r in rows]

        engines: list[tuple[str, Callable[[Query], list[str]], Callable[[Query], bool]]] = [
            ("mare search", ours, lambda q: True),
            ("ILIKE '%q%' scan", ilike, lambda q: True),
            ("jaro_winkler scan (names)", jaro, lambda q: q.group.startswith("name")),
        ]
        for q in drawn:  # warm: the store's pages, the normalisers' caches, the macros
            ours(q)
        results: dict[str, dict[str, list[tuple[float, bool]]]] = defaultdict(lambda: defaultdict(list))
        for name, engine, applies in engines:
            for q in drawn:
                if applies(q):
                    seconds, found = timed(lambda q=q, engine=engine: engine(q))  # type: ignore[misc]
                    results[name][q.group].append((seconds, bool(q.truth & set(found[:TOP]))))
    print(f"{len(drawn)} queries from {args.world} on {args.home}, as {args.agency} {args.role}, top {TOP}\n")
    print("| engine | queries | p50 ms | p95 ms | p99 ms | recall@10 |\n|---|---|---|---|---|---|")
    for name, _, _ in engines:
        runs = [r for group in results[name].values() for r in group]
        p50, p95, p99 = _percentiles([t for t, _ in runs])
        recall = statistics.mean(1.0 if ok else 0.0 for _, ok in runs)
        print(f"| {name} | {len(runs)} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {recall:.3f} |")
    print(
        "\n| group | queries | mare p50 ms | mare p95 ms | mare recall@10 | ILIKE recall@10 | JW recall@10 |"
    )
    print("|---|---|---|---|---|---|---|")
    for group, runs in results["mare search"].items():
        p50, p95, _ = _percentiles([t for t, _ in runs])
        recalls = {
            name: (
                f"{statistics.mean(1.0 if ok else 0.0 for _, ok in results[name][group]):.3f}"
                if results[name].get(group)
                else "–"
            )
            for name, _, _ in engines
        }
        print(
            f"| {group} | {len(runs)} | {p50:.1f} | {p95:.1f} | {recalls['mare search']} | "
            f"{recalls[engines[1][0]]} | {recalls[engines[2][0]]} |"
        )


if __name__ == "__main__":
    main()
