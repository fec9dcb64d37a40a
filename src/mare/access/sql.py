"""The read policy, `mare.access.policy.decide()`, compiled to SQL so that bulk reads filter in the database.

Targets DuckDB only for now (its JSON functions `json_extract`, `json_extract_string` and
`json_type`, `list_contains` over a `TRY_CAST(... AS VARCHAR[])`, `regexp_full_match`); PostgreSQL
will need its own dialect later. Restrictions that are not valid JSON text make the query fail.

What depends on the viewer (their agency, whether they are hub staff, their roles, the purpose,
today) is known in Python and folded in: branches that cannot apply are dropped, and the agency
and today's date become `?` parameters (never SQL text). What depends on the row (owner, handling
code, restrictions, minor flag, consent, superseded) stays SQL over the columns named in `PolicyColumns`.

Each function returns `(sql, params)`: `params` lists the values for the `?` placeholders in the
order they appear in `sql`, so the expression can be spliced into a larger query at any point
(the caller puts `params` at the same position in its own parameter list). Only `?` placeholders
are used; do not mix the expression with `$1`-style ones.

Consent: `PolicyColumns.consented` is a caller-supplied SQL boolean; if it has `?` placeholders,
give their values in `PolicyColumns.consented_params` and they are spliced into the returned
`params` where the expression places them (the count of `?` outside quotes is checked). The
consent check is left out entirely (with its parameters) when decide() would never reach it:
oversight, or a viewer who is neither analyst nor supervisor.

The branches mirror decide() one for one; `tests/access/test_policy_sql.py` proves the two agree
on random viewers and rows. On data the contribution schema forbids, where decide() would raise or
behave by accident, the SQL fails closed instead: a non-empty `expires` that is not a `YYYY-MM-DD`
date counts as expired; a non-empty `agencies_denied` / `agencies_allowed` that is not an array,
or non-empty restrictions that are not an object, deny everyone but the owner (and, for
`agencies_allowed`, hub staff).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from mare.access.policy import Purpose, Viewer

__all__ = ["PolicyColumns", "full_sql", "rule_sql", "visibility_sql"]


@dataclass(frozen=True, slots=True)
class PolicyColumns:
    """Column expressions the policy reads from a row (SQL, already qualified with an alias where needed).

    `restrictions` is a DuckDB JSON (or VARCHAR) column holding NULL, JSON `null` or an object
    `{"agencies_denied": [...], "agencies_allowed": [...], "expires": "YYYY-MM-DD", "ask_first": bool,
    "text": ...}`. `minor` is None for tables without a minor flag (links). `consented` is a SQL
    boolean saying the owner released this row to the viewer's agency, e.g.
    `"r.uid IN (SELECT record_uid FROM consent_requests WHERE requester_agency = ? AND status = 'granted')"`
    with `consented_params=(viewer.agency,)`; None means never consented. SQL NULL in `minor` or
    `consented` counts as false.
    """

    owner: str = "agency"
    handling_code: str = "handling_code"
    restrictions: str = "restrictions"
    minor: str | None = "minor"
    consented: str | None = None
    consented_params: tuple[Any, ...] = ()
    superseded: str | None = None


@dataclass(frozen=True, slots=True)
class _Outcome:
    visibility: str
    rule: str | None  # None: the "<code>-analyst" rule, computed from the row's handling code


@dataclass(frozen=True, slots=True)
class _Branch:
    condition: str
    params: tuple[Any, ...]
    outcome: _Outcome


def visibility_sql(
    viewer: Viewer,
    purpose: Purpose,
    columns: PolicyColumns = PolicyColumns(),
    today: date | None = None,
) -> tuple[str, list[Any]]:
    """A SQL CASE expression giving 'full', 'hit' or 'none' for each row, exactly as decide() would.

    Returns the expression and the values of its `?` placeholders, in order.
    """
    return _render(viewer, purpose, columns, today, lambda o, c: _lit(o.visibility))


def rule_sql(
    viewer: Viewer,
    purpose: Purpose,
    columns: PolicyColumns = PolicyColumns(),
    today: date | None = None,
) -> tuple[str, list[Any]]:
    """A SQL CASE expression giving the rule name decide() would report, and its parameters.

    One of superseded, owner, oversight, oversight-role, role, consent, minor, h3-denied, h3-allowed,
    h3-expired, h3-ask-first, h2, h1-judicial, purpose, or `<code>-analyst` (h0-analyst...).
    """
    return _render(viewer, purpose, columns, today, _rule_value)


def full_sql(
    viewer: Viewer,
    purpose: Purpose,
    columns: PolicyColumns = PolicyColumns(),
    today: date | None = None,
) -> tuple[str, list[Any]]:
    """A SQL boolean: the row may be shown in full to this viewer for this purpose (never NULL)."""
    return _render(viewer, purpose, columns, today, _full_value)


def _rule_value(outcome: _Outcome, columns: PolicyColumns) -> str:
    if outcome.rule is None:
        return f"(lower({_paren(columns.handling_code)}) || '-analyst')"
    return _lit(outcome.rule)


def _full_value(outcome: _Outcome, columns: PolicyColumns) -> str:
    return "TRUE" if outcome.visibility == "full" else "FALSE"


def _render(
    viewer: Viewer,
    purpose: Purpose,
    columns: PolicyColumns,
    today: date | None,
    value: Callable[[_Outcome, PolicyColumns], str],
) -> tuple[str, list[Any]]:
    branches, otherwise = _branches(viewer, purpose, columns, today or date.today())
    parts = ["CASE"]
    params: list[Any] = []
    for branch in branches:
        parts.append(f"WHEN {branch.condition} THEN {value(branch.outcome, columns)}")
        params.extend(branch.params)
    parts.append(f"ELSE {value(otherwise, columns)} END")
    return "(" + " ".join(parts) + ")", params


def _branches(
    viewer: Viewer, purpose: Purpose, columns: PolicyColumns, today: date
) -> tuple[list[_Branch], _Outcome]:
    """decide()'s checks in decide()'s order: the WHEN branches and the ELSE outcome."""
    hit, full = "hit", "full"
    agency = viewer.agency
    branches = []
    if columns.superseded is not None and purpose != "oversight":
        _check_placeholders(columns.superseded, (), "superseded")
        branches.append(_Branch(_paren(columns.superseded), (), _Outcome("none", "superseded")))
    branches.append(_Branch(f"{_paren(columns.owner)} = ?", (agency,), _Outcome(full, "owner")))
    if purpose == "oversight":
        if viewer.is_hub and viewer.has("dpo", "supervisor"):
            return branches, _Outcome(full, "oversight")
        return branches, _Outcome("none", "oversight-role")
    if not viewer.has("analyst", "supervisor"):
        return branches, _Outcome(hit, "role")
    if columns.consented is not None:
        _check_placeholders(columns.consented, columns.consented_params, "consented")
        branches.append(
            _Branch(_paren(columns.consented), columns.consented_params, _Outcome(full, "consent"))
        )
    if columns.minor is not None:
        branches.append(_Branch(_paren(columns.minor), (), _Outcome(hit, "minor")))
    # decide() checks the restrictions only `if code == "H3" or rules`; that guard needs no SQL:
    # when it is false the restrictions are NULL, JSON null or {}, and every check below is false.
    r = _paren(columns.restrictions)
    # Restrictions that are truthy but not an object (the schema forbids them; decide() would
    # raise) deny everyone but the owner.
    malformed = f"COALESCE(json_type({r}) <> 'OBJECT' AND {_json_truthy(r, '$')}, FALSE)"
    denied = f"({malformed} OR {_in_agency_list(r, '$.agencies_denied')})"
    branches.append(_Branch(denied, (agency,), _Outcome(hit, "h3-denied")))
    if not viewer.is_hub:
        allowed = _outside_agency_list(r, "$.agencies_allowed")
        branches.append(_Branch(allowed, (agency,), _Outcome(hit, "h3-allowed")))
    expires = f"json_extract_string({r}, '$.expires')"
    iso_date = "'[0-9]{4}-[0-9]{2}-[0-9]{2}'"
    expired = (
        f"({_json_truthy(r, '$.expires')} AND CASE WHEN regexp_full_match({expires}, {iso_date}) "
        f"THEN COALESCE(TRY_CAST({expires} AS DATE) < ?, TRUE) ELSE TRUE END)"
    )
    branches.append(_Branch(expired, (today,), _Outcome(hit, "h3-expired")))
    branches.append(_Branch(_json_truthy(r, "$.ask_first"), (), _Outcome(hit, "h3-ask-first")))
    code = _paren(columns.handling_code)
    if not viewer.is_hub:
        branches.append(_Branch(f"{code} = 'H2'", (), _Outcome(hit, "h2")))
    if purpose == "judicial":
        branches.append(_Branch(f"{code} = 'H1'", (), _Outcome(hit, "h1-judicial")))
    if purpose not in ("crime_fighting", "judicial"):
        return branches, _Outcome("none", "purpose")
    return branches, _Outcome(full, None)


def _agency_list(r: str, path: str) -> str:
    """The array at `path` as VARCHAR[]; NULL when missing, JSON null or not an array."""
    return f"TRY_CAST(json_extract({r}, '{path}') AS VARCHAR[])"


def _in_agency_list(r: str, path: str) -> str:
    """SQL boolean (never NULL), one `?` for the agency: the agency is in the array at `path`.

    A truthy value that is not an array (the schema forbids it) counts as containing every
    agency, so malformed restrictions fail closed.
    """
    return f"COALESCE(list_contains({_agency_list(r, path)}, ?), {_json_truthy(r, path)})"


def _outside_agency_list(r: str, path: str) -> str:
    """SQL boolean (never NULL), one `?` for the agency: the array at `path` is non-empty and lacks it.

    A truthy value that is not an array (the schema forbids it) counts as lacking every agency,
    so malformed restrictions fail closed.
    """
    agencies = _agency_list(r, path)
    return f"COALESCE(len({agencies}) > 0 AND NOT list_contains({agencies}, ?), {_json_truthy(r, path)})"


def _json_truthy(r: str, path: str) -> str:
    """SQL boolean (never NULL): Python's truth of the JSON value at `path` (missing: false).

    DuckDB writes extracted JSON minified, so Python's falsy values (None, False, 0, 0.0, "", [],
    {}) are exactly the texts this regular expression matches.
    """
    return (
        f"COALESCE(NOT regexp_full_match(CAST(json_extract({r}, '{path}') AS VARCHAR), {_FALSY_JSON}), FALSE)"
    )


# Python's falsy JSON values as DuckDB prints them: a regular expression, as a SQL literal.
_FALSY_JSON = "'null|false|-?0(\\.0*)?([eE][-+]?[0-9]+)?|\"\"|\\[\\]|\\{\\}'"


def _paren(expr: str) -> str:
    return f"({expr})"


def _lit(text: str) -> str:
    """A SQL string literal for one of our own constants (rule names, visibilities)."""
    return "'" + text.replace("'", "''") + "'"


def _check_placeholders(sql: str, params: Sequence[Any], what: str) -> None:
    """Fail when `sql` has a different number of `?` placeholders (outside quotes) than `params`."""
    count, quote = 0, ""
    for ch in sql:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            count += 1
    if count != len(params):
        raise ValueError(
            f"the {what} expression has {count} '?' placeholder(s) but {len(params)} parameter(s)"
        )
