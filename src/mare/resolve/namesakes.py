"""Namesake evidence: how many persons bear a name, from the whole table of person features.

Two records with the same name and no birth date to tell them apart are the same person when the
name is rare and a different person when the name is common. Two figures per person, computed in
SQL over the whole feature table (they are properties of the population, not of one record):

* ``name_years`` — the distinct birth years among all records whose primary name sounds the same
  (``name_sound``: the sorted phonetic keys of its parts). Two or more means namesakes are known:
  persons with this name were born in different years.
* ``name_frequency`` — the expected number of records that would carry this name by chance: the
  number of records of the person's (first) nationality times the product, over the name's parts,
  of the share of those records that contain the part (when the nationality is unknown, the
  largest such figure over the nationalities whose records hold every part: the group where the
  name is most at home). Names cluster by origin — a Greek given name goes with Greek family names — so the
  shares are taken within the nationality. Parts shared by thousands of names (Mohammed) count; a
  duplicate of one person barely moves a part's share, which is why this is estimated from the
  parts and not counted per full name.

The `namesakes` comparison of the model (`settings.py`) reads them when the names agree and a birth
date is missing. In the hub, a new contribution's persons get both figures against everything held,
and held persons whose name a new record shares get their ``name_years`` refreshed; the
``name_frequency`` of held persons is refreshed by the next full cross-check.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from mare.resolve.features import part_sounds

#: The token of a name part that frequencies count: its phonetic key, else the token itself.
_TOKENS = "list_distinct(list_transform(name_parts, lambda x: coalesce(nullif(x.p, ''), x.t)))"
_NATIONALITY = "coalesce(nationality[1], '')"
_TOKEN_SCHEMA = pa.schema([("token", pa.string()), ("nationality", pa.string()), ("record_uid", pa.string())])


def token_table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    """(token, first nationality, record_uid) per distinct name token of each feature row: the
    store keeps it indexed (`person_name_tokens`), so that a new contribution's name frequencies
    are counted without reading every held name."""
    tokens: list[str] = []
    nationalities: list[str] = []
    uids: list[str] = []
    for row in rows:
        nationality = (row["nationality"] or [""])[0]
        for token in part_sounds(row["name_parts"]):
            tokens.append(token)
            nationalities.append(nationality)
            uids.append(row["record_uid"])
    return pa.table(
        [pa.array(tokens, pa.string()), pa.array(nationalities, pa.string()), pa.array(uids, pa.string())],
        schema=_TOKEN_SCHEMA,
    )


def fill_name_stats(
    con: duckdb.DuckDBPyConnection,
    table: str,
    scope: str | None = None,
    params: Sequence[Any] = (),
    tokens: str | None = None,
) -> None:
    """Set ``name_years`` and ``name_frequency`` of the rows of `table` matching `scope` (a SQL
    condition with `params`; all rows when None), counting over every row of the table. `tokens`
    names a table laid out as `token_table` that holds every row's tokens (read instead of
    unnesting every held name: what keeps an incremental check fast)."""
    where = f"WHERE {scope}" if scope else ""
    sounds = (
        f"WHERE name_sound IN (SELECT name_sound FROM {table} {where})"
        if scope
        else "WHERE name_sound IS NOT NULL"
    )
    con.execute(
        f"UPDATE {table} SET name_years = s.years FROM (SELECT name_sound, "
        f"CAST(count(DISTINCT birth_year) AS INTEGER) AS years FROM {table} {sounds} GROUP BY name_sound) s "
        f"WHERE {table}.name_sound = s.name_sound",
        list(params),
    )
    every_token = tokens or (
        f"(SELECT unnest({_TOKENS}) AS token, {_NATIONALITY} AS nationality FROM {table})"
    )
    con.execute(
        f"UPDATE {table} SET name_frequency = est.f FROM ("
        f"WITH target AS (SELECT record_uid, {_NATIONALITY} AS nat, unnest({_TOKENS}) AS tok "
        f"FROM {table} {where}), "
        "parts AS (SELECT record_uid, count(*) AS k FROM target GROUP BY record_uid), "
        f"counts AS (SELECT nationality AS nat, token AS tok, count(*) AS c FROM {every_token} "
        "WHERE token IN (SELECT tok FROM target) GROUP BY ALL), "
        f"groups AS (SELECT {_NATIONALITY} AS nat, count(*) AS n FROM {table} GROUP BY nat), "
        # expected bearers within a nationality group: its records times each part's share of them
        "per_group AS (SELECT target.record_uid, counts.nat, count(*) AS k, "
        "exp(sum(ln(counts.c / groups.n))) * groups.n AS f FROM target "
        "JOIN counts ON counts.tok = target.tok AND (target.nat = '' OR counts.nat = target.nat) "
        "JOIN groups ON groups.nat = counts.nat GROUP BY target.record_uid, counts.nat, groups.n) "
        # the person's own nationality; without one, the group where the name is most common
        "SELECT per_group.record_uid, max(per_group.f) AS f FROM per_group JOIN parts USING (record_uid) "
        "WHERE per_group.k = parts.k GROUP BY per_group.record_uid) est "
        f"WHERE {table}.record_uid = est.record_uid",
        list(params),
    )


#: Levels of the `namesakes` comparison set from the name's expected bearers (`name_frequency`),
#: as (label, upper bound, default m, default u): a pair takes the first level whose bound its
#: commoner name is under. The defaults serve an untrained model; training learns m and u.
FREQUENCY_LEVELS = (
    ("a very rare name (under 0.01 expected bearers)", 0.01, 0.3, 0.02),
    ("a rare name (under 0.1 expected bearers)", 0.1, 0.3, 0.08),
    ("an uncommon name (under 1 expected bearer)", 1.0, 0.25, 0.3),
    ("a common name (1 or more expected bearers)", math.inf, 0.15, 0.6),
)
#: Name-sound groups larger than this are left out of the estimate (their pairs say little more).
_MAX_GROUP = 400
_MIN_PAIRS = 30


def frequency_level_probabilities(
    con: duckdb.DuckDBPyConnection, table: str
) -> dict[str, tuple[float, float]] | None:
    """m and u of each frequency level, learnt from the pairs that dates can label.

    Random sampling cannot give u here (random pairs with agreeing names are mostly matches). But
    name frequency does not depend on dates, so pairs whose names sound the same and whose birth
    dates are both full show what each level means: the same date (or its day/month swap) marks
    the same person, birth years more than two apart two namesakes. Their shares per level
    (add-one smoothed) are m and u. None when either side has fewer than 30 pairs."""
    return frequency_levels_from(con.execute(frequency_level_sql(table)).fetchall())


def frequency_level_sql(table: str) -> str:
    """The query `frequency_level_probabilities` counts with: (kind 'm' or 'u', then the pairs under
    each level's bound, cumulative). DuckDB SQL; the Spark engine runs it through sqlglot."""
    cases = ", ".join(
        f"count(*) FILTER (WHERE lam < {bound!r})" if math.isfinite(bound) else "count(*)"
        for _, bound, _, _ in FREQUENCY_LEVELS
    )
    return (
        f"WITH d AS (SELECT record_uid, name_sound, birth_date, birth_alt, birth_year, name_frequency "
        f"FROM {table} WHERE birth_precision = 'day' AND name_frequency IS NOT NULL AND name_sound IN "
        f"(SELECT name_sound FROM {table} GROUP BY name_sound HAVING count(*) <= {_MAX_GROUP})), "
        "p AS (SELECT greatest(a.name_frequency, b.name_frequency) AS lam, "
        "CASE WHEN a.birth_date = b.birth_date OR a.birth_alt = b.birth_date THEN 'm' "
        "WHEN abs(a.birth_year - b.birth_year) > 2 THEN 'u' END AS kind "
        "FROM d a JOIN d b ON a.name_sound = b.name_sound AND a.record_uid < b.record_uid) "
        f"SELECT kind, {cases} FROM p WHERE kind IS NOT NULL GROUP BY kind"
    )


def frequency_levels_from(rows: Sequence[Sequence[Any]]) -> dict[str, tuple[float, float]] | None:
    """m and u per frequency level from the rows of `frequency_level_sql`."""
    counts = {kind: [int(c) for c in cumulative] for kind, *cumulative in rows}
    if set(counts) != {"m", "u"} or min(counts["m"][-1], counts["u"][-1]) < _MIN_PAIRS:
        return None
    out: dict[str, tuple[float, float]] = {}
    for i, (label, *_) in enumerate(FREQUENCY_LEVELS):
        share = []
        for kind in ("m", "u"):
            cumulative = counts[kind]
            n = cumulative[i] - (cumulative[i - 1] if i else 0)
            share.append((n + 1) / (cumulative[-1] + len(FREQUENCY_LEVELS)))
        out[label] = (share[0], share[1])
    return out


def apply_frequency_levels(settings: dict[str, Any], learnt: dict[str, tuple[float, float]] | None) -> None:
    """Write learnt m and u into the `namesakes` comparison's frequency levels (in place)."""
    if not learnt:
        return
    for comparison in settings["comparisons"]:
        if comparison["output_column_name"] != "namesakes":
            continue
        for level in comparison["comparison_levels"]:
            if level.get("label_for_charts") in learnt:
                level["m_probability"], level["u_probability"] = learnt[level["label_for_charts"]]
