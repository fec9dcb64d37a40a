"""The report model: sections (each present, or missing with its reason), sources, handling and caveats.

A report is data first (`Report.as_dict`, printed by `mare report … --json`), rendered to HTML and PDF
by `mare.products.render`. It never silently drops a section: a section with nothing to show, or one
the viewer may not read, is kept with `missing` saying why.

**Sources** are the contributions whose records the report used (only records the viewer may see in
full are ever used): each with its agency, the sender's id, its grading (evaluation scheme, source and
information grades) and handling code. **Handling**: the report carries the most restrictive code of its
sources (H0 < H1 < H2 < H3) and the caveats of every code among them (an H2 report built partly on H1
data is still not for judicial use without that provider's permission), plus each provider's own
conditions (H3 free text).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mare.access.policy import CAVEATS
from mare.hub.context import HubContext

#: Handling codes from the least to the most restrictive.
HANDLING_ORDER = ("H0", "H1", "H2", "H3")
#: Shown when a report used no hub record at all.
NO_SOURCES = "This report uses no record of the hub: it carries no provider's handling code."


@dataclass(slots=True)
class Table:
    """A table: column titles and rows of plain values."""

    columns: list[str]
    rows: list[list[Any]]
    title: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"title": self.title, "columns": self.columns, "rows": self.rows}


@dataclass(slots=True)
class Figure:
    """A chart rendered offline: an image as a data: URI, its title and what it shows."""

    title: str
    uri: str
    caption: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form (without the image itself)."""
        return {"title": self.title, "caption": self.caption, "format": self.uri.split(";", 1)[0][5:]}


@dataclass(slots=True)
class Section:
    """One section: paragraphs, tables and figures, or the reason it is missing."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    missing: str | None = None

    @property
    def present(self) -> bool:
        """True unless the section says what is missing."""
        return self.missing is None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "key": self.key,
            "title": self.title,
            "present": self.present,
            "missing": self.missing,
            "paragraphs": self.paragraphs,
            "tables": [t.as_dict() for t in self.tables],
            "figures": [f.as_dict() for f in self.figures],
            "data": self.data,
        }


def missing(key: str, title: str, reason: str) -> Section:
    """A section that cannot be shown, with why."""
    return Section(key, title, missing=reason)


@dataclass(frozen=True, slots=True)
class Source:
    """One contribution a report used: its agency, grading and handling, and how many records."""

    contribution: str
    agency: str
    sender_id: str
    handling_code: str
    conditions: str | None
    grading: str
    records: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "contribution": self.contribution,
            "agency": self.agency,
            "sender_id": self.sender_id,
            "handling_code": self.handling_code,
            "conditions": self.conditions,
            "grading": self.grading,
            "records": self.records,
        }


@dataclass(slots=True)
class Report:
    """A written product: what it is, for whom, its sections and sources."""

    kind: str
    title: str
    generated_at: datetime
    viewer: dict[str, str]
    sections: list[Section]
    sources: list[Source] = field(default_factory=list)
    subtitle: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def handling_code(self) -> str | None:
        """The most restrictive handling code of the sources (None: no source)."""
        return most_restrictive(s.handling_code for s in self.sources)

    @property
    def caveats(self) -> list[str]:
        """The caveats of every code among the sources (most restrictive first) and the providers'
        own conditions."""
        codes = {s.handling_code for s in self.sources}
        out = [CAVEATS[c] for c in reversed(HANDLING_ORDER) if c in codes]
        for condition in sorted({s.conditions for s in self.sources if s.conditions}):
            agencies = sorted({s.agency for s in self.sources if s.conditions == condition})
            out.append(f"Provider's conditions ({', '.join(agencies)}): {condition}")
        return out or [NO_SOURCES]

    def agencies(self) -> list[str]:
        """The agencies whose data the report used."""
        return sorted({s.agency for s in self.sources})

    def as_dict(self) -> dict[str, Any]:
        """The report's data: sections, sources, handling (what `--json` prints)."""
        return {
            "kind": self.kind,
            "title": self.title,
            "subtitle": self.subtitle,
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "viewer": self.viewer,
            "handling": {"code": self.handling_code, "caveats": self.caveats},
            "sections": [s.as_dict() for s in self.sections],
            "sources": [s.as_dict() for s in self.sources],
            "agencies": self.agencies(),
            "notes": self.notes,
        }


def most_restrictive(codes: Iterable[str]) -> str | None:
    """The most restrictive of these handling codes (H3 > H2 > H1 > H0); None when there are none."""
    found = [c for c in codes if c in HANDLING_ORDER]
    return max(found, key=HANDLING_ORDER.index) if found else None


def _grading(scheme: str | None, source: str | None, information: str | None) -> str:
    if not (source or information):
        return "not graded"
    return f"{source or '?'}{information or '?'}" + (f" ({scheme})" if scheme else "")


def _conditions(restrictions: str | None) -> str | None:
    """The provider's conditions in words: the H3 free text, else the structured rules."""
    if not restrictions:
        return None
    rules = json.loads(restrictions)
    if not rules:
        return None
    if rules.get("text"):
        return str(rules["text"])
    parts = []
    if rules.get("agencies_allowed"):
        parts.append("shared only with " + ", ".join(rules["agencies_allowed"]))
    if rules.get("agencies_denied"):
        parts.append("not with " + ", ".join(rules["agencies_denied"]))
    if rules.get("expires"):
        parts.append(f"until {rules['expires']}")
    if rules.get("ask_first"):
        parts.append("ask the provider first")
    return "; ".join(parts) or None


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where one record comes from: its contribution, agency, the sender's id, grading and handling."""

    uid: str
    contribution: str
    agency: str
    sender_id: str
    handling_code: str
    conditions: str | None
    grading: str


def provenance(ctx: HubContext, uids: Iterable[str]) -> dict[str, Provenance]:
    """The provenance of these records, for the ones the viewer may see in full only (what a report
    may use); the record's own handling code and grading, else its contribution's."""
    wanted = sorted(set(uids))
    if not wanted:
        return {}
    con = ctx.store.con
    vis, params = ctx.visibility_sql("r")
    con.execute("CREATE OR REPLACE TEMP TABLE _report_uids (uid VARCHAR)")
    try:
        con.executemany("INSERT INTO _report_uids VALUES (?)", [[u] for u in wanted])
        rows = con.execute(
            "SELECT r.uid, c.uid, c.agency, c.sender_id, r.handling_code, CAST(r.restrictions AS VARCHAR), "
            "coalesce(r.evaluation_scheme, c.evaluation_scheme), coalesce(r.source_grade, c.source_grade), "
            "coalesce(r.information_grade, c.information_grade) "
            "FROM records r JOIN _report_uids u ON u.uid = r.uid JOIN "
            "contributions c ON c.uid = r.contribution "
            f"WHERE {vis} = 'full'",
            params,
        ).fetchall()
    finally:
        con.execute("DROP TABLE IF EXISTS _report_uids")
    return {
        row[0]: Provenance(
            row[0], row[1], row[2], row[3], row[4], _conditions(row[5]), _grading(row[6], row[7], row[8])
        )
        for row in rows
    }


def sources_of(ctx: HubContext, uids: Iterable[str]) -> list[Source]:
    """The contributions of these records (only records the viewer may see in full count): agency,
    sender id, gradings, the most restrictive handling code of the records used, their conditions."""
    groups: dict[str, list[Provenance]] = defaultdict(list)
    for found in provenance(ctx, uids).values():
        groups[found.contribution].append(found)
    out = []
    for uid, members in groups.items():
        conditions = sorted({m.conditions for m in members if m.conditions})
        out.append(
            Source(
                uid,
                members[0].agency,
                members[0].sender_id,
                most_restrictive(m.handling_code for m in members) or members[0].handling_code,
                "; ".join(conditions) or None,
                ", ".join(sorted({m.grading for m in members})),
                len(members),
            )
        )
    return sorted(out, key=lambda s: (s.agency, s.sender_id, s.contribution))
