"""Active learning benchmark: a simulated analyst answers the review queue from the scenario truth.

    uv run python benchmarks/active_learning.py                      # medium scenario, 300 judgements
    uv run python benchmarks/active_learning.py --scale small --budget 100
    uv run python benchmarks/active_learning.py --world W --home H   # reuse a generated and ingested world

Generates the scenario (or copies a store already built from it: `mare scenario generate --scale
medium --seed 1 --out W` then `mare ingest W/contributions --home H`; the copy is worked on, H is
left as it was), runs the full cross-check (unsupervised), then in rounds of `--batch` takes the
pairs the review queue offers (`resolve.review.review_queue`), answers each from the truth
(`same` when both records belong to one true person, else `not same`), records them as an analyst
would (`apply_judgement`) and refits the model on all judgements so far (`learning.relearn`,
every stored pair rescored, entities rebuilt). Pairwise F1 of the entities after each round.

The anchor, on a copy of the same cross-checked store: the same budget of pairs drawn at random
from the same pool (unjudged candidate pairs within the queue's window), answered and learnt from
the same way. Also printed: the unsupervised F1 and the ceilings of classifiers trained on the
truth (`crosscheck_ceiling`), from the same run; and how many judged pairs the final entities
contradict (must be 0).
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from mare.resolve.metrics import Accuracy, accuracy


def _f1(store: Any, truth: dict[str, str]) -> Accuracy:
    ours = dict(store.con.execute("SELECT record_uid, entity_id FROM entities").fetchall())
    return accuracy(ours, truth)


def _row(label: str, acc: Accuracy, extra: str = "") -> None:
    print(
        f"  {label:<58} P {acc.precision:.4f}  R {acc.recall:.4f}  F1 {acc.f1:.4f}  "
        f"B3-F1 {acc.bcubed_f1:.4f}{extra}",
        flush=True,
    )


def _contradicted(store: Any) -> int:
    row = store.con.execute(
        "WITH v AS (SELECT left_uid, right_uid, arg_max(verdict, judged_at) AS verdict FROM judgements "
        "GROUP BY 1, 2) SELECT count(*) FILTER (WHERE (v.verdict = 'same') <> (a.entity_id = b.entity_id)) "
        "FROM v JOIN entities a ON a.record_uid = v.left_uid JOIN entities b ON b.record_uid = v.right_uid "
        "WHERE v.verdict IN ('same', 'not_same')"
    ).fetchone()
    return int(row[0]) if row else 0


def _random_pool(store: Any) -> list[tuple[str, str]]:
    from mare.resolve.learning import thresholds_in_force
    from mare.resolve.review import WINDOW_BITS

    thresholds = thresholds_in_force(store)
    link = math.log2(thresholds.link / (1 - thresholds.link))
    rows = store.con.execute(
        "SELECT c.left_uid, c.right_uid FROM candidate_pairs c "
        "ANTI JOIN judgements j USING (left_uid, right_uid) WHERE abs(c.match_weight - ?) <= ? ORDER BY 1, 2",
        [link, WINDOW_BITS],
    ).fetchall()
    return [(a, b) for a, b in rows]


def learning_run(
    store: Any, truth: dict[str, str], budget: int, batch: int, strategy: str, seed: int = 1
) -> tuple[Accuracy, int]:
    """Judge `budget` pairs in rounds of `batch`, chosen by the queue or at random; refit after each."""
    from mare.resolve.learning import relearn
    from mare.resolve.review import review_queue

    rng = random.Random(seed)
    judged, same = 0, 0
    acc = _f1(store, truth)
    while judged < budget:
        started = time.perf_counter()
        take = min(batch, budget - judged)
        if strategy == "queue":
            pairs = [(p.left_uid, p.right_uid) for p in review_queue(store, take)]
        else:
            pool = _random_pool(store)
            pairs = rng.sample(pool, min(take, len(pool)))
        if not pairs:
            break
        for a, b in pairs:
            verdict = "same" if a in truth and truth.get(a) == truth.get(b) else "not_same"
            same += verdict == "same"
            from mare.resolve.review import apply_judgement

            apply_judgement(store, a, b, verdict, "sim:analyst", "answered from the scenario truth", "HUB")
        judged += len(pairs)
        result = relearn(store)
        acc = _f1(store, truth)
        cal = result.learned.calibration if result.learned else {}
        _row(
            f"{strategy}: {judged} judged ({same} same)",
            acc,
            f"  links {result.links}  Brier {cal.get('brier_unsupervised', 0):.3f}->"
            f"{cal.get('brier_learned', 0):.3f}  {time.perf_counter() - started:.0f} s",
        )
    return acc, judged


def _build(scale: str, seed: int, root: Path) -> tuple[Path, Path]:
    from mare.ingest.pipeline import IngestOptions, ingest_paths
    from mare.ingest.sources import find_sources
    from mare.scenario import generate
    from mare.store.db import open_store

    out, home = root / "world", root / "home"
    generate(scale, seed, out)
    store = open_store(home)
    sources, _ = find_sources([out / "contributions"])
    started = time.perf_counter()
    ingest_paths(store, sources, IngestOptions())
    print(f"scenario {scale}: ingested {len(sources)} contributions in {time.perf_counter() - started:.0f} s")
    store.close()
    return out, home


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=int, default=300)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--world", type=Path, help="a generated world (with --home: reuse, no generation)")
    parser.add_argument("--home", type=Path, help="a store with that world ingested (copied, not changed)")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the truth-trained ceilings")
    parser.add_argument("--no-random", action="store_true", help="skip the random-sampling anchor")
    args = parser.parse_args()

    from crosscheck import scenario_truth
    from mare.resolve import crosscheck_all
    from mare.store.db import open_store

    with tempfile.TemporaryDirectory(prefix="mare-al-") as tmp:
        root = Path(tmp)
        if args.world and args.home:
            world = args.world
            shutil.copytree(args.home, root / "home")
            print(f"reusing {args.world} and a copy of the store in {args.home}")
        else:
            world, _ = _build(args.scale, args.seed, root)
        store = open_store(root / "home")
        started = time.perf_counter()
        crosscheck_all(store)
        print(f"full cross-check (unsupervised) in {time.perf_counter() - started:.0f} s")
        truth = scenario_truth(store, world)
        persons = store.con.execute("SELECT count(*) FROM person_features").fetchone()
        candidates = store.con.execute("SELECT count(*) FROM candidate_pairs").fetchone()
        print(f"{persons[0] if persons else 0} persons, {candidates[0] if candidates else 0} stored pairs")
        unsupervised = _f1(store, truth)
        _row("Mare unsupervised (no judgement)", unsupervised)
        store.close()
        shutil.copytree(root / "home", root / "anchor")
        if not args.no_ceiling:
            shutil.copytree(root / "home", root / "unsupervised")
        print(f"judgements chosen by the queue (budget {args.budget}, rounds of {args.batch}):")
        store = open_store(root / "home")
        queue_acc, queue_n = learning_run(store, truth, args.budget, args.batch, "queue")
        queue_bad = _contradicted(store)
        store.close()
        random_acc, random_n, random_bad = None, 0, 0
        if not args.no_random:
            print(f"anchor: judgements drawn at random from the same pool (budget {args.budget}):")
            store = open_store(root / "anchor")
            random_acc, random_n = learning_run(store, truth, args.budget, args.batch, "random", args.seed)
            random_bad = _contradicted(store)
            store.close()
        ceilings: list[Any] = []
        if not args.no_ceiling:  # last: on the unsupervised store (the anchor's copy is judged: a fresh one)
            from crosscheck_ceiling import candidate_frame
            from crosscheck_ceiling import ceilings as ceiling_rows

            started = time.perf_counter()
            store = open_store(root / "unsupervised")
            pairs, features, model = candidate_frame(store, truth)
            ceilings = ceiling_rows(pairs, features, truth, model)
            store.close()
            print(f"ceilings trained on the truth in {time.perf_counter() - started:.0f} s")
            for ceiling in ceilings:
                _row(f"ceiling: {ceiling.label[:48]}", ceiling.accuracy, f"  (threshold {ceiling.threshold})")
        print(f"\nsummary, scenario {args.scale} (seed {args.seed}), one run:")
        _row("Mare unsupervised", unsupervised)
        if random_acc is not None:
            _row(f"Mare + {random_n} judgements drawn at random (anchor)", random_acc)
        _row(f"Mare + {queue_n} judgements chosen by the queue", queue_acc)
        for ceiling in ceilings:
            _row(f"ceiling: {ceiling.label[:48]}", ceiling.accuracy, f"  (threshold {ceiling.threshold})")
        print(f"judged pairs contradicted by the entities: queue {queue_bad}, random {random_bad}")


if __name__ == "__main__":
    main()
