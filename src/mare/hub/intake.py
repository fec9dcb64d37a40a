"""The ingest workflow on behalf of a person: authorise, store, audit, then the hub's own processing.

A contribution is stored only when the action policy lets the person send it for its agency
(`contribute`): their own agency's, or any agency's for the hub's staff. Each contribution received
is one audit entry (collection, or alteration for a new version). Cross-checking and geocoding then
run under the named system contexts `system:crosscheck` and `system:geocode`, audited as such, and
after each cross-check the watchlists are matched as `system:watchlists` (`hub.watchlists`); what
they produce reaches people only through the policy (notifications and alerts are written when read).

Derived data is a resumable job (`mare.store.jobs`): storing a contribution notes in its transaction
that it owes a cross-check, a watchlist check and geocoding, and commits its collection audit entry
with it; each step removes its job in the transaction that writes its result and its audit entry.
Each run also does whatever a crash left pending, so the next ingest or `mare crosscheck` completes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mare.access.policy import ActionTarget, allowed
from mare.hub.audit import appends_held
from mare.hub.context import HubContext, system_context
from mare.hub.kept import begin_withholding, end_withholding
from mare.hub.watchlists import check_stored
from mare.ingest.pipeline import IngestOptions, IngestReport, ingest_source
from mare.ingest.sources import Source
from mare.store.jobs import add_jobs, finish_jobs, pending_jobs

if TYPE_CHECKING:
    from mare.resolve import CrosscheckResult

#: Up to this many contributions are cross-checked (and geocoded) one by one; more get one full run.
AUTO_EACH_LIMIT = 5
CROSSCHECK_MODES = ("auto", "each", "end", "off")


def _authoriser(ctx: HubContext) -> Callable[[str], str | None]:
    def authorise(agency: str) -> str | None:
        permission = allowed(ctx.viewer, "contribute", ActionTarget(owner=agency))
        if permission.granted:
            return None
        ctx.log(
            "authorisation",
            "denied",
            resource="contribute",
            ref=agency,
            details={"rule": permission.rule, "reason": permission.reason},
        )
        return f"not stored: {permission.reason}"

    return authorise


def log_collection(ctx: HubContext, report: IngestReport) -> None:
    """One audit entry per contribution received (collection), stored or not."""
    action = "alteration" if (report.version or 1) > 1 and report.status == "stored" else "collection"
    ctx.log(
        action,
        report.status,
        resource="contribution",
        ref=report.contribution,
        details={
            "source": Path(report.source).name,
            "agency": report.agency,
            "sender_id": report.sender_id,
            "version": report.version,
            "records": report.records,
            "links": report.links,
            "calls": report.calls,
            "rejected": report.rejected,
            "warnings": report.warnings,
        },
    )


def receive(
    ctx: HubContext, source: Source, options: IngestOptions, on_calls: Callable[[int], None] | None = None
) -> IngestReport:
    """Ingest one contribution for this person (authorised, stored whole or not at all, audited: a
    stored contribution's audit entry commits in its transaction)."""
    from mare.hub.adverts import post_facts

    withholding = False
    with appends_held() as hold:

        def stored(report: IngestReport) -> None:
            nonlocal withholding
            hold()
            if _replaces(ctx, report):  # before its COMMIT: no kept build is served across it
                begin_withholding()
                withholding = True
            log_collection(ctx, report)

        hooked = replace(
            options, authorise=_authoriser(ctx), on_stored=stored, read_post=options.read_post or post_facts
        )
        try:
            report = ingest_source(ctx.store, source, hooked, on_calls)
        finally:
            if withholding:
                end_withholding()
    if not options.dry_run and report.status not in ("already_received", "stored"):
        log_collection(ctx, report)
    return report


def _replaces(ctx: HubContext, report: IngestReport) -> bool:
    """Whether a contribution being stored replaces an older one (a new version, or `supersedes`): a
    change that may withhold records, not only an addition (`hub.kept`)."""
    if report.version not in (None, 1):
        return True
    row = ctx.store.con.execute(
        "SELECT count(*) FROM contributions WHERE superseded_by = ?", [report.contribution]
    ).fetchone()
    return bool(row and row[0])


def _todo(ctx: HubContext, kind: str, stored: list[str] | None) -> list[str]:
    """Every contribution whose job of this kind is pending (oldest first: what a crash left, then
    what was just stored), and these."""
    return list(dict.fromkeys([*pending_jobs(ctx.store.con, kind), *(stored or [])]))


@contextmanager
def _transaction(ctx: HubContext) -> Iterator[None]:
    """A transaction whose audit entries commit with it (the append lock held from its first entry to
    its end: the work before that entry holds up no other thread's audit entries)."""
    con = ctx.store.con
    with appends_held(on_append=True):
        con.execute("BEGIN TRANSACTION")
        try:
            yield
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def crosscheck_stored(ctx: HubContext, stored: list[str], mode: str = "auto") -> None:
    """Cross-check what was stored and what is still pending, as `system:crosscheck`: each
    contribution, or one full run; then match it against the watchlists, as `system:watchlists`.
    Each cross-check's result, its audit entry and the end of its job commit together."""
    if mode == "off":
        return
    todo = _todo(ctx, "crosscheck", stored)
    if todo:
        from mare.resolve import crosscheck_all, crosscheck_contribution

        system = system_context(ctx.store, "crosscheck")
        system.permit("crosscheck")
        if mode == "each" or (mode == "auto" and len(todo) <= AUTO_EACH_LIMIT):
            for uid in todo:
                with appends_held() as hold:
                    crosscheck_contribution(
                        ctx.store, uid, before_commit=_crosschecked(ctx, system, [uid], uid, hold=hold)
                    )
        else:
            with appends_held() as hold:
                crosscheck_all(
                    ctx.store, train=True, before_commit=_crosschecked(ctx, system, todo, None, hold=hold)
                )
    check_pending_watchlists(ctx, stored)


def _crosschecked(
    ctx: HubContext,
    system: HubContext,
    done: list[str],
    ref: str | None,
    resource: str = "contribution",
    hold: Callable[[], None] | None = None,
) -> Callable[[CrosscheckResult], None]:
    """What commits with a cross-check: its audit entry, the end of its jobs, the watchlist check owed
    (`hold`: from `appends_held`, keeps the append lock until the cross-check's COMMIT)."""

    def commit(result: CrosscheckResult) -> None:
        if hold is not None:
            hold()
        data = result.as_dict()
        system.log(
            "combination",
            "done",
            resource=resource,
            ref=ref,
            details={
                "on_behalf_of": ctx.viewer.user,
                **{k: v for k, v in data.items() if k != "contribution"},
            },
        )
        if done:
            add_jobs(ctx.store.con, "watchlists", done)
        finish_jobs(ctx.store.con, "crosscheck", done)

    return commit


def check_pending_watchlists(ctx: HubContext, stored: list[str] | None) -> None:
    """Match the contributions whose watchlist check is owed (and these) against the watchlists."""
    todo = _todo(ctx, "watchlists", stored)
    if not todo:
        return
    with _transaction(ctx):
        check_stored(ctx, todo)
        finish_jobs(ctx.store.con, "watchlists", todo)


def geocode_stored(ctx: HubContext, stored: list[str]) -> None:
    """Geocode the place names of what was stored and of what is still pending, as `system:geocode`
    (derived data: `place_geocodes`); each run commits with its audit entry and the end of its jobs."""
    from mare.analyse.geo.enrich import geocode_records

    todo = _todo(ctx, "geocode", stored)
    if not todo:
        return
    system = system_context(ctx.store, "geocode")
    scopes: list[str | None] = list(todo) if len(todo) <= AUTO_EACH_LIMIT else [None]
    for scope in scopes:
        with _transaction(ctx):
            done = geocode_records(ctx.store, scope)
            system.log(
                "processing",
                "done",
                resource="contribution",
                ref=scope,
                details={
                    "on_behalf_of": ctx.viewer.user,
                    "process": "geocode",
                    "texts": done.texts,
                    "geocoded": done.geocoded,
                    "unresolved": done.unresolved,
                },
            )
            finish_jobs(ctx.store.con, "geocode", todo if scope is None else [scope])


def complete_pending(ctx: HubContext, geocode: bool = True) -> None:
    """Do the derived work a crash left pending (cross-check, watchlists, geocoding)."""
    crosscheck_stored(ctx, [], "auto")
    if geocode:
        geocode_stored(ctx, [])


def crosscheck_everything(
    ctx: HubContext,
    train: bool = True,
    progress: Callable[[str, float], None] | None = None,
    engine: str = "duckdb",
) -> CrosscheckResult:
    """A full cross-check re-run asked for by this person (`crosscheck`), run as `system:crosscheck`;
    it completes every pending cross-check, then the pending watchlist checks and geocoding.
    `engine`: "duckdb" (in process) or "spark" (blocking, training and scoring on Spark)."""
    from mare.resolve import crosscheck_all
    from mare.resolve.dedupe import dedupe

    deduper: Callable[..., Any] = dedupe
    if engine == "spark":
        from mare.resolve.spark.dedupe import dedupe_spark

        deduper = dedupe_spark

    ctx.permit("crosscheck")
    system = system_context(ctx.store, "crosscheck")
    pending = pending_jobs(ctx.store.con, "crosscheck")
    with appends_held() as hold:
        result = crosscheck_all(
            ctx.store,
            train=train,
            progress=progress or (lambda stage, share: None),
            before_commit=_crosschecked(ctx, system, pending, None, "hub", hold=hold),
            deduper=deduper,
        )
    with _transaction(ctx):
        check_stored(ctx, None)
        finish_jobs(ctx.store.con, "watchlists")
    geocode_stored(ctx, [])
    return result
