"""Names across scripts: Mare's name similarity on real Latin/Arabic pairs from Wikidata.

    uv run python benchmarks/crosscheck.py names [--no-symbols]

The pairs (`/work/shared/data/names/wd_arabic_20.tsv`: a Latin name, its Arabic spelling) are split in
two halves by the Latin name (a name is never in both). The letter classes of the cross-script keys
(`mare.resolve.symbols.learn_letter_classes`) are learnt on the training half, their two thresholds
chosen on a split of that half (recall at 1 % plus recall at 0.1 %); every figure printed is on the
held-out half, each true pair against five random false pairs: recall at a 1 % and a 0.1 %
false-match rate, for the similarity without cross-script keys (the anchor), with the classes Mare
ships, and with the classes learnt in this run when they differ.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any


def _name_scores(
    left: list[list[dict[str, Any]]], right: list[list[dict[str, Any]]], classes: tuple[str, str]
) -> tuple[list[float], list[float]]:
    """Scores of the true pairs (left[i], right[i]) and of five random false pairs per true pair."""
    import duckdb
    import pyarrow as pa

    from mare.resolve.settings import MACROS, name_sim_macro

    rng = random.Random(3)
    a, b, label = [], [], []
    for i in range(len(left)):
        a.append(left[i]), b.append(right[i]), label.append(1)
        for _ in range(5):
            j = rng.randrange(len(left))
            if j != i:
                a.append(left[i]), b.append(right[j]), label.append(0)
    con = duckdb.connect()
    for macro in MACROS:
        con.execute(macro)
    con.execute(name_sim_macro(classes))
    con.register("t", pa.table({"a": a, "b": b, "y": label}))
    scores = con.execute(
        "SELECT CASE WHEN len(a) = 0 OR len(b) = 0 THEN 0 ELSE mare_name_sim(a, b) END, y FROM t"
    ).fetchall()
    con.close()
    return [s for s, y in scores if y == 1], sorted((s for s, y in scores if y == 0), reverse=True)


def _recall_at(pos: list[float], neg: list[float], rate: float) -> tuple[float, float]:
    cut = neg[int(len(neg) * rate)]
    return cut, sum(1 for s in pos if s > cut) / len(pos)


def names(path: Path, symbols: bool) -> None:
    """Name matcher on real Latin/Arabic Wikidata pairs: recall at a 1 % and 0.1 % false-match rate.

    The pairs are split in two halves by the Latin name (a name is never in both). The letter
    classes of the cross-script keys are learnt on the training half — their two thresholds chosen
    on a split of that half — and every figure is on the held-out half: the matcher without
    cross-script keys (the anchor), with the classes Mare ships, and with the classes learnt here."""
    import zlib

    from mare.resolve.features import Value, value_parts
    from mare.resolve.symbols import CROSS_SCRIPT_CLASSES, SymbolSource, learn_letter_classes
    from mare.schema.types.names import normalise_person_name

    if not path.exists():
        print(f"skipped: {path} is absent")
        return
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) >= 2:
            pairs.append((cols[0], cols[1].replace(" ", "")))
    source = SymbolSource(enabled=symbols)
    started = time.perf_counter()
    values = []
    for text in [a for a, _ in pairs] + [b for _, b in pairs]:
        n = normalise_person_name(text)
        values.append(Value("name", n.value or "", tuple(n.flags), dict(n.extra or {})))
    source.prefetch(t for v in values for t in (v.extra or {}).get("tokens") or [])
    latin_values, arabic_values = values[: len(pairs)], values[len(pairs) :]
    half = [zlib.crc32(a.encode()) % 4 for a, _ in pairs]  # 0, 2: training half; 1, 3: held out

    def parts(which: list[int], classes: tuple[str, str]) -> tuple[list[Any], list[Any]]:
        return (
            [value_parts(latin_values[i], source, classes) for i in which],
            [value_parts(arabic_values[i], source, classes) for i in which],
        )

    def keys(which: list[int]) -> list[tuple[str, str]]:
        out = []
        for i in which:
            a = (latin_values[i].extra or {}).get("phonetic") or []
            b = (arabic_values[i].extra or {}).get("phonetic") or []
            if len(a) == 1 and len(b) == 1:
                out.append((str(a[0]), str(b[0])))
        return out

    train = [i for i, h in enumerate(half) if h in (0, 2)]
    test = [i for i, h in enumerate(half) if h in (1, 3)]
    fit, select = [i for i in train if half[i] == 0], [i for i in train if half[i] == 2]
    best: tuple[float, tuple[int, float]] | None = None
    for setting in ((15, 0.1), (15, 0.3), (30, 0.1), (30, 0.2), (50, 0.1), (50, 0.2)):
        classes = learn_letter_classes(keys(fit), *setting)
        scores = _name_scores(*parts(select, classes), classes)
        recall = _recall_at(*scores, 0.01)[1] + _recall_at(*scores, 0.001)[1]  # both rates count
        print(
            f"  selection: min count {setting[0]}, share {setting[1]}: classes {classes}, "
            f"recall at 1 % + at 0.1 % {recall:.3f}"
        )
        if best is None or recall > best[0] + 1e-9:
            best = (recall, setting)
    assert best is not None
    learnt = learn_letter_classes(keys(train), *best[1])
    print(
        f"learnt on the training half ({len(train)} pairs, min count {best[1][0]}, share {best[1][1]}): "
        f"{learnt}; shipped: {CROSS_SCRIPT_CLASSES}"
    )
    none = ("", "")
    runs = [
        ("without cross-script keys (anchor)", none),
        ("cross-script keys, shipped classes", CROSS_SCRIPT_CLASSES),
    ]
    if learnt != CROSS_SCRIPT_CLASSES:
        runs.append(("cross-script keys, classes learnt in this run", learnt))
    for label, classes in runs:
        left, right = parts(test, classes)
        if classes == none:  # no cross-script symbol on any part
            right = [[{**p, "s": [s for s in p["s"] if not s.startswith("~")]} for p in r] for r in right]
        pos, neg = _name_scores(left, right, classes if classes != none else CROSS_SCRIPT_CLASSES)
        for rate in (0.01, 0.001):
            cut, recall = _recall_at(pos, neg, rate)
            print(
                f"names (symbols {'on' if symbols else 'off'}), held-out half, {label}: {len(pos)} true, "
                f"{len(neg)} false pairs; at false-match rate {rate:.1%} (score > {cut:.3f}) "
                f"recall {recall:.3f}"
            )
    print(f"  {time.perf_counter() - started:.0f} s")
