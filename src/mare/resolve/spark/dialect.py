"""Mare's SQL (written for DuckDB) generated for Spark's dialect by sqlglot, from the same text.

The model's level conditions, the blocking and training rules and Mare's own queries are DuckDB
SQL. They are not rewritten by hand for Spark: `to_spark` parses the DuckDB text with sqlglot,
inlines the model's macros (`settings.MACROS`: Spark has no SQL macros), applies the few rewrites
sqlglot leaves to the caller because they need the column types (DuckDB's `len` counts a list's
elements or a string's characters; Spark has `size` and `length`), maps DuckDB's similarity
functions to the ones Splink's jar registers on Spark, and writes Spark SQL.

| DuckDB | Spark |
|---|---|
| `mare_name_sim(a, b)`, `mare_doc_near(a, b)` | the macro's body, arguments substituted |
| `len(list)` | `size(list)` (`length` on text) |
| `list_has_any(a, b)` | `arrays_overlap(a, b)` |
| `list_sum(list)` | `aggregate(...)` skipping NULLs, NULL when empty (DuckDB's semantics) |
| `list_intersect(a, b)` | `array_intersect(a, b)` |
| `jaro_winkler_similarity(a, b)` | `jaro_winkler(a, b)` (Splink's jar) |
| `damerau_levenshtein(a, b)` | `damerau_levenshtein(a, b)` (Splink's jar) |

`spark_settings` turns a stored model (Splink settings JSON in DuckDB's dialect) into the same
model in Spark's dialect; `carry_parameters` puts what training on Spark learnt back into the
DuckDB-dialect model, which is what the store keeps (the incremental cross-check scores with it).
"""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import Any

import sqlglot
from sqlglot import exp

from mare.resolve.settings import MACROS
from mare.resolve.table import SCHEMA

#: Feature columns that hold lists (DuckDB `len` on them is Spark `size`).
LIST_COLUMNS = frozenset(f.name for f in SCHEMA if str(f.type).startswith("list"))
#: Functions whose result is a list.
_LIST_RESULTS = (exp.ArrayFilter, exp.Transform, exp.Array)
_LIST_FUNCTIONS = frozenset({"list_intersect", "array_intersect", "list_distinct"})
_MACRO = re.compile(r"CREATE OR REPLACE MACRO (\w+)\(([^)]*)\) AS (.*)$", re.S)


class DialectError(ValueError):
    """A DuckDB condition that has no Spark translation here (name the condition)."""


@cache
def _macros() -> dict[str, tuple[list[str], Any]]:
    out: dict[str, tuple[list[str], Any]] = {}
    for text in MACROS:
        found = _MACRO.match(text.strip())
        if not found:
            raise DialectError(f"cannot read the macro {text[:60]!r}")
        name, params, body = found.groups()
        out[name.lower()] = ([p.strip() for p in params.split(",")], sqlglot.parse_one(body, read="duckdb"))
    return out


def _column_name(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Column):
        name = node.name
        if node.table in ("l", "r"):
            return name
        return re.sub(r"_[lr]$", "", name)
    return None


def _is_list(node: exp.Expression) -> bool:
    if isinstance(node, _LIST_RESULTS):
        return True
    if isinstance(node, exp.Anonymous) and node.name.lower() in _LIST_FUNCTIONS:
        return True
    if isinstance(node, exp.ArrayIntersect):
        return True
    name = _column_name(node)
    return name is not None and name in LIST_COLUMNS


def _expand(node: exp.Expression) -> exp.Expression:
    """Inline the model's macros (their bodies with the call's arguments)."""
    if isinstance(node, exp.Anonymous) and node.name.lower() in _macros():
        params, body = _macros()[node.name.lower()]
        args = dict(zip(params, node.expressions, strict=True))

        def put(inner: exp.Expression) -> exp.Expression:
            if isinstance(inner, exp.Column) and not inner.table and inner.name in args:
                return args[inner.name].copy()
            return inner

        return exp.paren(_post_order(body.copy(), put), copy=False)
    return node


def _list_sum(items: exp.Expression) -> exp.Expression:
    """DuckDB's list_sum: NULL elements skipped, NULL for no elements."""
    return sqlglot.parse_one(
        "aggregate(filter(_items, _v -> _v IS NOT NULL), CAST(NULL AS DOUBLE), "
        "(_acc, _v) -> coalesce(_acc, CAST(0 AS DOUBLE)) + _v)",
        read="spark",
    ).transform(lambda n: items if isinstance(n, exp.Column) and n.name == "_items" else n)


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Length) and _is_list(node.this):
        return exp.ArraySize(this=node.this)
    if isinstance(node, exp.ArrayOverlaps):
        return exp.Anonymous(this="arrays_overlap", expressions=[node.this, node.expression])
    if isinstance(node, exp.JarowinklerSimilarity):
        return exp.Anonymous(this="jaro_winkler", expressions=[node.this, node.expression])
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        if name == "list_sum":
            return _list_sum(node.expressions[0])
        if name == "list_intersect":
            return exp.Anonymous(this="array_intersect", expressions=list(node.expressions))
    return node


def _post_order(node: exp.Expression, fn: Any) -> exp.Expression:
    """Apply `fn` to every node, children first (a replaced node's new children are visited too)."""
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression):
            node.set(key, _post_order(value, fn))
        elif isinstance(value, list):
            node.set(key, [_post_order(v, fn) if isinstance(v, exp.Expression) else v for v in value])
    return fn(node)


def to_spark(sql: str) -> str:
    """DuckDB SQL (a condition, a rule or a query) as Spark SQL."""
    if sql.strip().upper() == "ELSE":
        return sql
    try:
        tree: Any = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise DialectError(f"cannot parse {sql[:80]!r}: {exc}") from exc
    tree = _post_order(tree, _expand)
    tree = _post_order(tree, _rewrite)
    return tree.sql(dialect="spark")


def spark_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The model with every level condition and blocking rule in Spark's dialect."""
    out = copy.deepcopy(settings)
    out.pop("sql_dialect", None)
    for comparison in out["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = to_spark(level["sql_condition"])
    rules: list[Any] = []
    for rule in out.get("blocking_rules_to_generate_predictions", []):
        if isinstance(rule, dict):
            rule = dict(rule, blocking_rule=to_spark(rule["blocking_rule"]))
            rule.pop("sql_dialect", None)
            rules.append(rule)
        else:
            rules.append(to_spark(rule))
    out["blocking_rules_to_generate_predictions"] = rules
    return out


_LEARNT = ("m_probability", "u_probability")


def carry_parameters(original: dict[str, Any], trained: dict[str, Any]) -> dict[str, Any]:
    """The original (DuckDB-dialect) model with the prior and every level's m and u from `trained`
    (the same model in Spark's dialect, trained): comparisons and levels in the same order."""
    out = copy.deepcopy(original)
    out["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    mine, theirs = out["comparisons"], trained["comparisons"]
    if [c["output_column_name"] for c in mine] != [c["output_column_name"] for c in theirs]:
        raise DialectError("the trained model's comparisons differ from the original's")
    for comparison, learnt in zip(mine, theirs, strict=True):
        levels, learnt_levels = comparison["comparison_levels"], learnt["comparison_levels"]
        if len(levels) != len(learnt_levels):
            raise DialectError(f"comparison {comparison['output_column_name']!r}: levels differ")
        for level, source in zip(levels, learnt_levels, strict=True):
            for key in _LEARNT:
                if key in source:
                    level[key] = source[key]
                else:
                    level.pop(key, None)
    return out
