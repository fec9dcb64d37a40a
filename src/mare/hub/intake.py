"""The ingest workflow on behalf of a person: authorise, store, audit, then the hub's own processing.

A contribution is stored only when the action policy lets the person send it for its agency
(`contribute`): their own agency's, or any agency's for the hub's staff. Each contribution received
is one audit entry (collection, or alteration for a new version). Cross-checking and geocoding then
run under the named system contexts `system:crosscheck` and `system:geocode`, audited as such, and
after each cross-check the watchlists are matched as `system:watchlists` (`hub.watchlists`); what
they produce reaches people only through the policy (notifications and alerts are written when read).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from mare.access.policy import ActionTarget, allowed
from mare.hub.context import HubContext, system_context
from mare.hub.watchlists import check_stored
from mare.ingest.pipeline import IngestOptions, IngestReport, ingest_source
from mare.ingest.sources import Source

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
    """Ingest one contribution for this person (authorised, stored whole or not at all, audited)."""
    report = ingest_source(ctx.store, source, replace(options, authorise=_authoriser(ctx)), on_calls)
    if not options.dry_run and report.status != "already_received":
        log_collection(ctx, report)
    return report


def crosscheck_stored(ctx: HubContext, stored: list[str], mode: str = "auto") -> None:
    """Cross-check what was stored, as `system:crosscheck`: each contribution, or one full run; then
    match it against the watchlists, as `system:watchlists`."""
    if mode == "off" or not stored:
        return
    from mare.resolve import crosscheck_all, crosscheck_contribution

    system = system_context(ctx.store, "crosscheck")
    system.permit("crosscheck")
    results = (
        [crosscheck_contribution(ctx.store, uid) for uid in stored]
        if mode == "each" or (mode == "auto" and len(stored) <= AUTO_EACH_LIMIT)
        else [crosscheck_all(ctx.store, train=True)]
    )
    for result in results:
        data = result.as_dict()
        system.log(
            "combination",
            "done",
            resource="contribution",
            ref=data.get("contribution"),
            details={
                "on_behalf_of": ctx.viewer.user,
                **{k: v for k, v in data.items() if k != "contribution"},
            },
        )
    check_stored(ctx, stored)


def geocode_stored(ctx: HubContext, stored: list[str]) -> None:
    """Geocode the place names of what was stored, as `system:geocode` (derived data: `place_geocodes`)."""
    from mare.analyse.geo.enrich import geocode_records

    if not stored:
        return
    system = system_context(ctx.store, "geocode")
    scopes: list[str | None] = list(stored) if len(stored) <= AUTO_EACH_LIMIT else [None]
    for scope in scopes:
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


def crosscheck_everything(
    ctx: HubContext, train: bool = True, progress: Callable[[str, float], None] | None = None
) -> CrosscheckResult:
    """A full cross-check re-run asked for by this person (`crosscheck`), run as `system:crosscheck`."""
    from mare.resolve import crosscheck_all

    ctx.permit("crosscheck")
    result = crosscheck_all(ctx.store, train=train, progress=progress or (lambda stage, share: None))
    system_context(ctx.store, "crosscheck").log(
        "combination",
        "done",
        resource="hub",
        details={
            "on_behalf_of": ctx.viewer.user,
            **{k: v for k, v in result.as_dict().items() if k != "contribution"},
        },
    )
    check_stored(ctx, None)
    return result
