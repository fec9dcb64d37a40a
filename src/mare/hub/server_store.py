"""The read policy as row-level security on a PostgreSQL store (the second wall; docs/security.md).

The one read policy (`mare.access.policy.decide`, compiled to SQL by `mare.access.sql`) depends on
the viewer only through their agency, whether they are hub staff, two role facts (analyst or
supervisor; dpo or supervisor), the purpose, and today. So the policy is compiled once per *class*
of viewer (hub or agency x the two role facts x the four purposes: 32 classes, fewer distinct
bodies), with the agency read from the transaction's setting `mare.viewer_agency` and today as
`CURRENT_DATE`, translated to PostgreSQL, and installed as the function `mare_visibility` that the
policies of `mare.store.postgres_rls` call. No second policy is written: the same `visibility_sql`
that filters DuckDB bulk reads generates it, and `tests/postgres` check the two agree.

`viewer_settings(viewer, purpose)` gives the settings a transaction runs with; a `HubContext` on a
PostgreSQL store sets them on the store's connection (`PostgresConnection.set_viewer`).
"""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mare.access.policy import HUB_AGENCY, PURPOSES, Purpose, Viewer
from mare.access.sql import PolicyColumns, visibility_sql
from mare.resolve.symbols import CROSS_SCRIPT_CLASSES, CROSS_SCRIPT_MARK, CROSS_SCRIPT_WEIGHT
from mare.store.db import Store
from mare.store.postgres_rls import AGENCY, CLASS, SCOPE, SYSTEM, secure, visibility_function

if TYPE_CHECKING:
    from mare.hub.context import HubContext

_AGENCY_SENTINEL = "\x00viewer-agency"
_TODAY_SENTINEL = date(1, 1, 1)
_COLUMNS = PolicyColumns(
    owner="p_owner",
    handling_code="p_code",
    restrictions="p_restrictions",
    minor="p_minor",
    consented="p_consented",
    superseded="p_superseded",
)


def viewer_class(viewer: Viewer, purpose: Purpose) -> str:
    """The class of a viewer: what the policy reads of them besides their agency."""
    if viewer.has("system") and viewer.is_hub:
        return SYSTEM
    analyst = "a" if viewer.has("analyst", "supervisor") else "-"
    dpo = "d" if viewer.has("dpo", "supervisor") else "-"
    return f"{'hub' if viewer.is_hub else 'agency'}:{analyst}{dpo}:{purpose}"


def viewer_settings(viewer: Viewer, purpose: Purpose, scope: str = "match") -> dict[str, str]:
    """The `mare.*` settings a transaction of this viewer runs with."""
    return {CLASS: viewer_class(viewer, purpose), AGENCY: viewer.agency, SCOPE: scope}


def _example(hub: bool, analyst: bool, dpo: bool) -> Viewer:
    roles = {"viewer"}
    if analyst and dpo:
        roles = {"supervisor"}
    elif analyst:
        roles = {"analyst"}
    elif dpo:
        roles = {"dpo"}
    return Viewer("rls", HUB_AGENCY if hub else _AGENCY_SENTINEL, frozenset(roles))


def _bind(sql: str, params: list[Any]) -> str:
    """Put SQL for each `?` (outside quotes): the agency setting, or CURRENT_DATE."""
    values = iter(params)
    out, quote = [], ""
    for ch in sql:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            value = next(values)
            if value in (_AGENCY_SENTINEL, HUB_AGENCY):
                out.append(f"current_setting('{AGENCY}', true)")
            elif value == _TODAY_SENTINEL:
                out.append("CURRENT_DATE")
            else:
                raise ValueError(f"unexpected policy parameter {value!r}")
            continue
        out.append(ch)
    return "".join(out)


def policy_cases(
    consented: bool | None = None, superseded: bool | None = None
) -> list[tuple[list[str], str]]:
    """The policy per class of viewer, as PostgreSQL CASE bodies; classes sharing a body grouped.

    `consented` True or False writes the consent grant as that constant, `superseded` the same for a
    replaced version (False: the branch left out); the function then tests `p_consented` and
    `p_superseded` once each, outside the cases: see `postgres_rls.visibility_function`."""
    from dataclasses import replace

    from mare.store.postgres import translate

    columns = _COLUMNS if consented is None else replace(_COLUMNS, consented=str(consented).upper())
    if superseded is not None:
        columns = replace(columns, superseded="TRUE" if superseded else None)
    bodies: dict[str, list[str]] = {}
    for hub, analyst, dpo, purpose in itertools.product(
        (True, False), (True, False), (True, False), PURPOSES
    ):
        viewer = _example(hub, analyst, dpo)
        sql, params = visibility_sql(viewer, purpose, columns, _TODAY_SENTINEL)
        duck = "SELECT " + _bind(sql, params)
        (statement,) = translate(duck)
        body = statement.sql.removeprefix("SELECT ")
        bodies.setdefault(body, []).append(viewer_class(viewer, purpose))
    return [(classes, body) for body, classes in bodies.items()]


def name_sim_function() -> str:
    """The cross-check's name similarity (`resolve.settings.name_sim_macro`) as a PL/pgSQL function of
    two name-part lists (jsonb `[{t, p, s}]`, as PostgreSQL stores `person_features.name_parts`), so
    search scores names on PostgreSQL itself: the same scores as DuckDB's macro
    (tests/postgres/test_similarity.py). Each token scores its best counterpart in the other name,
    both ways, summed row by row then column by column as `_both_ways_once` sums them."""
    source, target = CROSS_SCRIPT_CLASSES
    mark, weight = CROSS_SCRIPT_MARK.replace("'", "''"), float(CROSS_SCRIPT_WEIGHT)
    return f"""CREATE OR REPLACE FUNCTION mare_name_sim(a jsonb, b jsonb) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  na int := jsonb_array_length(a);
  nb int := jsonb_array_length(b);
  xt text[]; xp text[]; xk text[]; xc boolean[]; xs jsonb[];
  yt text[]; yp text[]; yk text[]; yc boolean[]; ys jsonb[];
  part jsonb;
  score float8[];
  v float8;
  best float8;
  rows float8;
  cols float8;
BEGIN
  IF na = 0 OR nb = 0 THEN
    RETURN NULL;
  END IF;
  FOR i IN 1 .. na LOOP
    part := a -> (i - 1);
    xt[i] := part ->> 't';
    xp[i] := coalesce(part ->> 'p', '');
    xk[i] := translate(xp[i], '{source}', '{target}');
    xs[i] := coalesce(part -> 's', '[]'::jsonb);
    xc[i] := xp[i] <> '' AND xs[i] ? ('{mark}' || xk[i]);
  END LOOP;
  FOR j IN 1 .. nb LOOP
    part := b -> (j - 1);
    yt[j] := part ->> 't';
    yp[j] := coalesce(part ->> 'p', '');
    yk[j] := translate(yp[j], '{source}', '{target}');
    ys[j] := coalesce(part -> 's', '[]'::jsonb);
    yc[j] := yp[j] <> '' AND ys[j] ? ('{mark}' || yk[j]);
  END LOOP;
  score := array_fill(NULL::float8, ARRAY[na * nb]);
  FOR i IN 1 .. na LOOP
    FOR j IN 1 .. nb LOOP
      IF xt[i] = yt[j] OR EXISTS (
        SELECT 1 FROM jsonb_array_elements_text(xs[i]) e WHERE ys[j] ? e
      ) THEN
        v := 1.0;
      ELSIF xp[i] = yp[j] AND xp[i] <> '' THEN
        v := 0.95;
      ELSIF yc[j] OR xc[i] THEN
        IF xk[i] = yk[j] THEN
          v := 0.93;
        ELSE
          v := greatest(jaro_winkler_similarity(xt[i], yt[j]),
                        {weight!r}::float8 * jaro_winkler_similarity(xk[i], yk[j]));
        END IF;
      ELSE
        v := jaro_winkler_similarity(xt[i], yt[j]);
      END IF;
      score[(i - 1) * nb + j] := v;
    END LOOP;
  END LOOP;
  FOR i IN 1 .. na LOOP
    best := NULL;
    FOR j IN 1 .. nb LOOP
      best := greatest(best, score[(i - 1) * nb + j]);
    END LOOP;
    IF best IS NOT NULL THEN
      rows := coalesce(rows, 0::float8) + best;
    END IF;
  END LOOP;
  FOR j IN 1 .. nb LOOP
    best := NULL;
    FOR i IN 1 .. na LOOP
      best := greatest(best, score[(i - 1) * nb + j]);
    END LOOP;
    IF best IS NOT NULL THEN
      cols := coalesce(cols, 0::float8) + best;
    END IF;
  END LOOP;
  RETURN (rows + cols) / (na + nb)::float8;
END $$"""


def secure_store(store: Store) -> list[str]:
    """Install the row-level security policies (as the owner role); the tables secured.

    Run by `mare store secure` (owner URL), and again after an upgrade adds tables."""
    if store.url is None:
        return []
    from mare.store.postgres import parse_url

    roles = parse_url(store.url).app_roles
    function = visibility_function(
        policy_cases(consented=True, superseded=False),
        policy_cases(consented=False, superseded=False),
        policy_cases(consented=False, superseded=True),
    )
    return secure(store.con, function, roles, functions=(name_sim_function(),))


def apply_viewer(store: Store, viewer: Viewer, purpose: Purpose) -> dict[str, str] | None:
    """Run the store's following transactions as this viewer (PostgreSQL only; DuckDB: nothing).

    Returns the settings in force before, for `restore_viewer`."""
    set_viewer = getattr(store.con, "set_viewer", None)
    if set_viewer is None:
        return None
    before: dict[str, str] | None = getattr(store.con, "viewer", None)
    set_viewer(viewer_settings(viewer, purpose))
    return before


def restore_viewer(store: Store, before: dict[str, str] | None) -> None:
    """Put back the viewer in force before a context set its own (PostgreSQL only)."""
    set_viewer = getattr(store.con, "set_viewer", None)
    if set_viewer is not None:
        set_viewer(before)


@dataclass
class CopyReport:
    """What `mare store copy` did and what it checked."""

    source: str
    target: str
    rows: dict[str, int]
    counts_match: bool
    mismatched: dict[str, tuple[int, int]]
    chain_ok: bool
    chain_entries: int
    chain_problem: str | None
    head_match: bool

    @property
    def ok(self) -> bool:
        return self.counts_match and self.chain_ok and self.head_match

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "ok": self.ok,
            "rows": self.rows,
            "counts_match": self.counts_match,
            "mismatched": {t: list(v) for t, v in self.mismatched.items()},
            "audit_chain": {
                "ok": self.chain_ok,
                "entries": self.chain_entries,
                "problem": self.chain_problem,
            },
            "head_match": self.head_match,
        }


def describe_store(store: Store) -> str:
    """Where a store is, without secrets."""
    if store.url is None:
        return str(store.db_path)
    from mare.store.postgres import parse_url

    return parse_url(store.url).describe()


def copy_store(ctx: HubContext, target: str, target_home: Path | None = None) -> CopyReport:
    """Copy the context's store into an empty store at TARGET (a postgresql:// URL of the owner role,
    or a folder for a DuckDB store), then verify per-table counts and the audit chain there.

    Needs `agencies.manage` (hub administrators). The copy runs as the hub's own processing
    (`system:store_copy`); the person's request is audited before (so the copy holds its own
    entry) and after, with the counts. Raw files and the audit key go along when the target's
    data folder is another one. A PostgreSQL target gets its row-level security policies."""
    from mare.hub.audit import AuditLog, audit_key_path
    from mare.hub.context import system_context
    from mare.store.db import open_store
    from mare.store.postgres import is_postgres_url
    from mare.store.postgres_copy import CopyRefused, copy_tables, table_counts

    ctx.permit("agencies.manage")
    source = ctx.store
    if is_postgres_url(target):
        home = target_home or source.home
        url: str | None = target
    else:
        home, url = Path(target), None
        if source.url is None and home.resolve() == source.home.resolve():
            raise CopyRefused("the target is the store itself: name another folder or a postgresql:// URL")
    if home.resolve() != source.home.resolve():
        key_file = audit_key_path(source.home)
        if key_file.exists():
            mirrored = audit_key_path(home)
            if mirrored.exists() and mirrored.read_bytes() != key_file.read_bytes():
                raise CopyRefused(f"{mirrored} holds another audit key: copy into a fresh folder")
            mirrored.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copy2(key_file, mirrored)
            mirrored.chmod(0o600)
        if (source.home / "raw").exists():
            shutil.copytree(source.home / "raw", home / "raw", dirs_exist_ok=True)
    with open_store(home, url=url or "duckdb") as destination:
        where = describe_store(destination)
        ctx.log("administration", "copying", resource="store", details={"to": where})
        key = AuditLog(source).key
        with system_context(source, "store_copy"):
            head = AuditLog(source).head()
            rows = copy_tables(source, destination)
            before = table_counts(source, list(rows))
        after = table_counts(destination, list(rows))
        if destination.url is not None:
            secure_store(destination)
        verified = AuditLog(destination, key=key).verify()
        copied_head = AuditLog(destination, key=key).head()
        mismatched = {t: (before[t], after.get(t, -1)) for t in before if before[t] != after.get(t, -1)}
        report = CopyReport(
            source=describe_store(source),
            target=where,
            rows=rows,
            counts_match=not mismatched,
            mismatched=mismatched,
            chain_ok=verified.ok,
            chain_entries=verified.checked,
            chain_problem=verified.problem,
            head_match=head == copied_head,
        )
    ctx.log(
        "administration",
        "copied" if report.ok else "copy-failed-verification",
        resource="store",
        details={"to": where, "rows": sum(rows.values()), "ok": report.ok},
    )
    return report
