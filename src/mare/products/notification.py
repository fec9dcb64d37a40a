"""An intelligence notification on one early warning or one link between smuggling and another crime area.

`ID` is either an early warning's id (`mare.hub.early_warning`, when installed) or a cross-crime link
named by its two records, `SMUGGLING_RECORD+OTHER_RECORD` (the `smuggling_record` and `other_record`
of `mare polycrime --json`; `hub.polycrime`: both sides visible in full, or the link is not shown).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from mare.hub.context import HubContext
from mare.products.charts import ChartError, line_chart
from mare.products.daily import WARNING_COLUMNS, early_warning_module, viewer_of, warning_row
from mare.products.report import Figure, Report, Section, Table, sources_of


class NotificationError(ValueError):
    """An ID that names no early warning or cross-crime link the viewer may see, with what to give."""


def notification_report(ctx: HubContext, ref: str) -> Report:
    """The notification on early warning `ref`, or on the cross-crime link `SMUGGLING+OTHER`."""
    ref = ref.strip()
    if "+" in ref:
        sections, used, title = _link(ctx, ref)
    else:
        sections, used, title = _warning(ctx, ref)
    return Report(
        kind="notification",
        title=f"Intelligence notification: {title}",
        subtitle=f"On {ref}",
        generated_at=datetime.now(UTC).replace(tzinfo=None),
        viewer=viewer_of(ctx),
        sections=sections,
        sources=sources_of(ctx, used),
    )


def _link(ctx: HubContext, ref: str) -> tuple[list[Section], set[str], str]:
    from mare.hub.polycrime import polycriminality

    smuggling, _, other = ref.partition("+")
    found = polycriminality(ctx, limit=100_000)
    link = next((x for x in found.links if x.smuggling_record == smuggling and x.other_record == other), None)
    if link is None:
        raise NotificationError(
            f"no cross-crime link {ref!r} that you may see: give SMUGGLING_RECORD+OTHER_RECORD as "
            "`mare polycrime --json` lists them (smuggling_record, other_record), or an early warning's id"
        )
    same = [x for x in found.links if x.person == link.person]
    areas = sorted({x.area for x in same})
    what = (
        "is the same person as one named in"
        if link.kind == "same person"
        else f"shares an identifier ({link.basis}) with a record of"
    )
    finding = Section(
        "finding",
        "Finding",
        [
            f"{link.label or link.person}, known to a migrant-smuggling "
            f"contribution (record {link.smuggling_record}), "
            f"{what} a contribution about {link.area.replace('_', ' ')} held by {link.other_agency} "
            f"({link.other_contribution}, record {link.other_record}).",
            "Crime areas linked to this person in what you may see: " + ", ".join(areas) + ".",
        ],
        data=link.as_dict(),
    )
    evidence = Section(
        "evidence",
        "Evidence",
        [f"{len(same)} record pairs link this person to other crime areas."],
        [
            Table(
                ["kind", "area", "smuggling record", "other record", "held by", "basis"],
                [[x.kind, x.area, x.smuggling_record, x.other_record, x.other_agency, x.basis] for x in same],
            )
        ],
    )
    share = found.people_by_area
    context = Section(
        "context",
        "Context: polycriminality in the hub",
        [
            f"Of {found.people} people you may see, "
            + ", ".join(f"{n} are in {area.replace('_', ' ')}" for area, n in list(share.items())[:6])
            + ". The 2016 report found 22 % of polycriminal smugglers linked to drug trafficking, 20 % to "
            "trafficking in human beings, 20 % to property crime and 18 % to document forgery."
        ],
        data={"people_by_area": share},
    )
    action = Section(
        "action",
        "Suggested action",
        [
            f"Contact {link.other_agency} about {link.other_contribution}: the same "
            "person or identifier appears "
            "in both crime areas; consider a joint operational meeting."
        ],
    )
    used = {x.smuggling_record for x in same} | {x.other_record for x in same}
    return [finding, evidence, context, action], used, f"link to {link.area.replace('_', ' ')}"


def _warning(ctx: HubContext, ref: str) -> tuple[list[Section], set[str], str]:
    """An early warning of the viewer's agency (another's id is refused and audited by the module)."""
    module = early_warning_module()
    if module is None:
        raise NotificationError(
            f"{ref!r} is not a cross-crime link (SMUGGLING_RECORD+OTHER_RECORD), and early warnings "
            "(mare.hub.early_warning) are not part of this installation"
        )
    try:
        found: Any = module.warning(ctx, ref)
    except module.EarlyWarningError as exc:
        raise NotificationError(str(exc)) from None
    if found is None:
        raise NotificationError(
            f"no early warning {ref!r} for you: list them in the daily report (mare report daily), or give a "
            "cross-crime link as SMUGGLING_RECORD+OTHER_RECORD"
        )
    row = ctx.store.con.execute("SELECT records FROM early_warnings WHERE id = ?", [found.id]).fetchone()
    records = {str(u) for u in (row[0] if row else [])}
    evidence: dict[str, Any] = dict(found.evidence or {})
    counts = evidence.pop("counts", {}) or {}
    finding = Section(
        "finding",
        "Finding",
        [
            f"{found.subject}: a {'rise' if found.direction == 'up' else 'fall'} from {found.start} "
            f"(detector {found.detector}, {found.period}ly): observed "
            f"{found.observed:g} against a baseline of "
            f"{found.baseline:g} (score {found.score:g}).",
            str(found.explanation),
        ],
        [Table(WARNING_COLUMNS, [warning_row(found)])],
        data={"id": found.id, "detector": found.detector, "subject": found.subject},
    )
    tables = (
        [Table(["period", "count"], [[k, v] for k, v in counts.items()], "The series behind it")]
        if counts
        else []
    )
    tables.append(
        Table(["evidence", "value"], [[k, str(v)] for k, v in evidence.items()], "How it was found")
    )
    data = Section(
        "evidence",
        "The data behind it",
        [f"{len(records)} records behind this warning; those you may see in full are listed as sources."],
        tables,
        data={"counts": counts, **{k: str(v) for k, v in evidence.items()}},
    )
    if counts:
        with contextlib.suppress(ChartError):
            data.figures.append(
                Figure("The series", line_chart({found.subject: counts}, found.subject, "count"))
            )
    action = Section(
        "action",
        "Suggested action",
        [
            "Check the change against the agencies' latest contributions and, where it holds, alert the "
            "agencies on that route or place."
        ],
    )
    return [finding, data, action], records, f"early warning on {found.subject}"
