"""Ingest: read a contribution, validate, normalise, and store it whole or not at all."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa

from mare.access.retention_rules import RetentionPolicy, load_policy
from mare.ingest.cdr import CdrHeaderError, load_cdr
from mare.ingest.csv_bundle import read_csv_bundle, read_envelope_file
from mare.ingest.envelope import parse_envelope
from mare.ingest.json_reader import read_json_contribution
from mare.ingest.normalise_records import (
    ValueColumns,
    ValueMemo,
    agency_region,
    normalise_block_into,
    normalise_records_into,
)
from mare.ingest.parsed import CallFile, Envelope, Handling, ParsedContribution, RawRecord, RecordBlock
from mare.ingest.payments import screen_payments
from mare.ingest.problems import ContributionError, Problem
from mare.ingest.sources import Format, Source
from mare.schema.types.result import NormaliseContext
from mare.store.db import Store
from mare.store.writer import (
    Batch,
    ContributionRow,
    PendingWrite,
    archive_files,
    arrow_column,
    combined_sha256,
    contribution_uid,
    find_existing,
    int64_array,
    write_contribution,
)

Status = Literal["stored", "already_received", "refused", "dry_run", "failed"]


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """What the person running the ingest may add or force."""

    agency: str | None = None  # for files without an envelope (CDR, FtM)
    handling: str = "H2"  # for files without an envelope: the safe default
    encoding: str | None = None
    dry_run: bool = False
    strict: bool = False  # refuse the whole contribution when any row is rejected
    time_formats: tuple[str, ...] | None = None
    #: Asked with the contribution's agency once its envelope is read, before anything is stored:
    #: None lets it through, a message refuses it whole (the hub layer puts the action policy here).
    authorise: Callable[[str], str | None] | None = None
    #: Reads a post's text (Telegram exports, posts CSVs): the hub's intake sets it from
    #: `mare.analyse.adverts`, so phones, handles and prices in the text are stored as values.
    read_post: Callable[[str, str | None], dict[str, Any]] | None = None
    #: Called with the report of a contribution being stored, inside its transaction, just before
    #: COMMIT: what it writes (the hub layer's collection audit entry) commits with the data or not at all.
    on_stored: Callable[[IngestReport], None] | None = None


@dataclass(slots=True)
class IngestReport:
    """What happened to one contribution."""

    source: str
    format: str
    status: Status
    message: str
    contribution: str | None = None
    agency: str | None = None
    sender_id: str | None = None
    version: int | None = None
    records: int = 0
    links: int = 0
    calls: int = 0
    positions: int = 0  # AIS positions stored
    rejected: int = 0
    warnings: int = 0
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        data = {k: getattr(self, k) for k in self.__slots__ if k != "problems"}
        data["problems"] = [p.as_dict() for p in self.problems]
        return data


def _sidecar_envelope(source: Source, options: IngestOptions, sha: str) -> Envelope:
    if source.sidecar.is_file():
        return parse_envelope(read_envelope_file(source.sidecar), source.sidecar.name)
    if not options.agency:
        raise ContributionError(
            [
                Problem(
                    source.path.name,
                    None,
                    None,
                    "no envelope: this file has no FILE.envelope.json beside it and no --agency was given",
                    f"write {source.sidecar.name} (see docs/formats/contribution.md) or pass --agency",
                )
            ]
        )
    data = {
        "id": f"sha256:{sha[:32]}",
        "agency": options.agency,
        "sent_at": datetime.now(UTC).isoformat(),
        "handling": {"code": options.handling},
    }
    return parse_envelope(data, source.path.name)


def read_source(source: Source, options: IngestOptions) -> ParsedContribution:
    """Read a contribution in its format (raises ContributionError when it cannot)."""
    if source.format == "json":
        return read_json_contribution(source.path, options.encoding)
    if source.format == "csv_bundle":
        return read_csv_bundle(source.path, options.encoding, columnar=True)
    from mare.store.archive import sha256_file

    envelope = _sidecar_envelope(source, options, sha256_file(source.path))
    files = [(source.path.name, source.path)]
    if source.sidecar.is_file():
        files.append((source.sidecar.name, source.sidecar))
    if source.format in ("telegram", "posts"):
        from mare.ingest.posts_csv import read_posts_contribution
        from mare.ingest.telegram import read_telegram_contribution

        reader = read_telegram_contribution if source.format == "telegram" else read_posts_contribution
        parsed = reader(source.path, envelope, options.encoding, options.read_post)
        parsed.files = files
        return parsed
    if source.format in ("cdr", "ais"):
        return ParsedContribution(
            envelope=envelope,
            format=source.format,
            files=files,
            call_files=[CallFile(source.path, source.path.name)],
        )
    from mare.ingest.ftm_reader import read_ftm_contribution

    parsed = read_ftm_contribution(source.path, envelope, options.encoding)
    parsed.files = files
    return parsed


def _restrictions_json(handling: Handling) -> str | None:
    """The structured restrictions as stored (JSON), or None when there are none."""
    rules = _restrictions(handling)
    return json.dumps(rules) if rules else None


def _restrictions(handling: Handling) -> dict[str, Any] | None:
    r = handling.restrictions
    if not (r.agencies_allowed or r.agencies_denied or r.expires or r.ask_first or r.text):
        return None
    return r.as_json()


@dataclass(frozen=True, slots=True)
class _RecordJob:
    """What normalising the records of one contribution needs."""

    env: Envelope
    ctx: NormaliseContext
    uid: str
    received_at: datetime
    retention: RetentionPolicy

    def run(
        self, records: list[RawRecord], blocks: Sequence[RecordBlock] = (), files: Sequence[str] = ()
    ) -> tuple[Batch | pa.Table, Batch | pa.Table, list[Problem]]:
        """Normalise these records into record rows and value rows (column by column).

        The rows of `blocks` (a CSV bundle's records read column-wise) come out where they
        would have come reading row by row: in the order of `files`, then of rows. The record
        rows but their labels are laid out while the values are normalised."""
        uid = self.uid
        memo = ValueMemo(self.ctx)
        values = ValueColumns(memo)
        record_uids = [f"{uid}:{record.local_id}" for record in records]
        block_uids = [[f"{uid}:{local_id}" for local_id in block.local_ids] for block in blocks]
        laid: list[dict[str, pa.Array]] = []

        def lay_out() -> None:  # needs no normalised value
            laid.append(self._record_columns(records, record_uids, blocks, block_uids))

        labels, warnings = normalise_records_into(
            records, record_uids, memo, values, None if blocks else lay_out
        )
        for i, (block, uids) in enumerate(zip(blocks, block_uids, strict=True)):
            found, found_warnings = normalise_block_into(
                block, uids, memo, values, lay_out if i == 0 else None
            )
            labels += found
            warnings += found_warnings
        if not laid:
            lay_out()
        values_out: Batch | pa.Table = values.to_arrow() if len(values) else Batch()
        if not labels:
            return Batch(), values_out, warnings
        columns = laid[0]
        columns["label"] = arrow_column(labels)
        records_table = pa.Table.from_arrays(
            [columns[name] for name in _RECORD_TABLE], names=list(_RECORD_TABLE)
        )
        if not (records and blocks):
            return records_table, values_out, warnings
        # records read both ways: back into the order of reading row by row
        where = {name: i for i, name in enumerate(files)}
        keys = np.array(
            [(where[r.file] << 32) + (r.row or 0) for r in records]
            + [(where[b.file] << 32) + row for b in blocks for row in b.rows],
            np.int64,
        )
        order = np.argsort(keys, kind="stable")
        records_table = records_table.take(int64_array(order))
        if isinstance(values_out, pa.Table):
            value_keys = np.repeat(keys, np.array(values.counts, np.int64))
            values_out = values_out.take(int64_array(np.argsort(value_keys, kind="stable")))
        warning_keys = [(where[p.file] << 32) + (p.row or 0) for p in warnings]
        warnings = [warnings[i] for i in sorted(range(len(warnings)), key=warning_keys.__getitem__)]
        return records_table, values_out, warnings

    def _record_columns(
        self,
        records: list[RawRecord],
        record_uids: list[str],
        blocks: Sequence[RecordBlock],
        block_uids: list[list[str]],
    ) -> dict[str, pa.Array]:
        """The records' columns but the label, records then blocks, as Arrow (typed as
        `Batch.to_arrow` types them)."""
        env, uid, stamp = self.env, self.uid, self.received_at.replace(tzinfo=None)
        received_day = self.received_at.date()
        env_restrictions = _restrictions_json(env.handling)
        review: dict[str | None, date] = {}
        cols: dict[str, list[Any]] = {name: [] for name in _RECORD_COLUMNS}
        (
            c_uid, c_local, c_kind, c_handling, c_restr, c_scheme, c_source, c_info,
            c_category, c_minor, c_assessment, c_observed, c_review, c_row_ref, c_note,
        ) = (cols[name] for name in _RECORD_COLUMNS)  # fmt: skip
        for record, record_uid in zip(records, record_uids, strict=True):
            handling = record.handling or env.handling
            ev = record.evaluation or env.evaluation
            category = record.category
            review_at = review.get(category)
            if review_at is None:
                review_at = review[category] = self.retention.review_date(received_day, category)
            c_uid.append(record_uid)
            c_local.append(record.local_id)
            c_kind.append(record.kind)
            c_handling.append(handling.code)
            c_restr.append(env_restrictions if record.handling is None else _restrictions_json(handling))
            c_scheme.append(ev.scheme if ev else None)
            c_source.append(ev.source if ev else None)
            c_info.append(ev.information if ev else None)
            c_category.append(category)
            c_minor.append(record.minor)
            c_assessment.append(record.assessment)
            c_observed.append(record.observed_at)
            c_review.append(review_at)
            c_row_ref.append(f"{record.file}:{record.row}" if record.row is not None else record.file)
            c_note.append(record.note)
        ev = env.evaluation
        for block, uids in zip(blocks, block_uids, strict=True):
            m = len(block)
            c_uid += uids
            c_local += block.local_ids
            c_kind += [block.kind] * m
            c_handling += [env.handling.code] * m
            c_restr += [env_restrictions] * m
            c_scheme += [ev.scheme if ev else None] * m
            c_source += [ev.source if ev else None] * m
            c_info += [ev.information if ev else None] * m
            c_category += block.categories
            c_minor += block.minor
            c_assessment += block.assessment
            c_observed += block.observed_at
            for category in set(block.categories) - review.keys():
                review[category] = self.retention.review_date(received_day, category)
            c_review += [review[category] for category in block.categories]
            c_row_ref += [f"{block.file}:{row}" for row in block.rows]
            c_note += block.notes
        n = len(c_uid)
        cols["contribution"] = [uid] * n
        cols["agency"] = [env.agency] * n
        cols["received_at"] = [stamp] * n
        return {name: arrow_column(values) for name, values in cols.items()}


#: The per-record columns `_RecordJob._record_columns` fills (the constant ones are added whole).
_RECORD_COLUMNS = (
    "uid", "local_id", "kind", "handling_code", "restrictions", "evaluation_scheme",
    "source_grade", "information_grade", "category", "minor", "assessment", "observed_at",
    "review_at", "row_ref", "note",
)  # fmt: skip
#: The columns of the records table, in order.
_RECORD_TABLE = (
    "uid", "contribution", "local_id", "kind", "label", "agency", "handling_code", "restrictions",
    "evaluation_scheme", "source_grade", "information_grade", "category", "minor", "assessment",
    "observed_at", "received_at", "review_at", "row_ref", "note",
)  # fmt: skip


def prepare(
    parsed: ParsedContribution, received_at: datetime, uid: str, store_home: Path | None = None
) -> tuple[PendingWrite, list[Problem]]:
    """Normalise every record and lay out the rows to insert."""
    env = parsed.envelope
    evaluation = env.evaluation
    ctx = NormaliseContext(default_region=agency_region(env.agency), language=env.language)
    contribution = ContributionRow(
        agency=env.agency,
        sender_id=env.id,
        format=parsed.format,
        files=[],
        source_name="",
        sent_at=env.sent_at,
        supersedes=env.supersedes,
        handling_code=env.handling.code,
        restrictions=_restrictions(env.handling),
        evaluation=(evaluation.scheme, evaluation.source, evaluation.information) if evaluation else None,
        crime_areas=list(env.crime_areas),
        case_refs=list(env.case_refs),
        language=env.language,
    )
    pending = PendingWrite(contribution=contribution)
    retention = load_policy(store_home) if store_home else RetentionPolicy()
    stamp = received_at.replace(tzinfo=None)
    job = _RecordJob(env, ctx, uid, received_at, retention)
    pending.records, pending.values, warnings = job.run(
        parsed.records, parsed.blocks, [name for name, _ in parsed.files]
    )
    for link in parsed.links:
        handling = link.handling or env.handling
        pending.links.add(
            uid=f"{uid}:{link.local_id}",
            contribution=uid,
            local_id=link.local_id,
            kind=link.kind,
            source_uid=f"{uid}:{link.source}",
            target_uid=f"{uid}:{link.target}",
            agency=env.agency,
            handling_code=handling.code,
            restrictions=_restrictions_json(handling),
            assessment=link.assessment,
            properties=json.dumps(link.fields, ensure_ascii=False, default=str) if link.fields else None,
            received_at=stamp,
            review_at=retention.review_date(received_at.date(), None),
            row_ref=f"{link.file}:{link.row}" if link.row is not None else link.file,
        )
    pending.record_count = parsed.record_count
    pending.link_count = len(parsed.links)
    return pending, warnings


def _problem_rows(pending: PendingWrite, uid: str, problems: list[Problem]) -> None:
    """Add the problems as rows of ingest_problems (as `Batch.add` would, column by column)."""
    if not problems:
        return
    columns: dict[str, list[Any]] = {
        "contribution": [uid] * len(problems),
        "file": [p.file for p in problems],
        "row_number": [p.row for p in problems],
        "field": [p.field for p in problems],
        "severity": [p.severity for p in problems],
        "reason": [p.reason for p in problems],
        "fix": [p.fix for p in problems],
    }
    for name, values in columns.items():
        pending.problems.columns.setdefault(name, []).extend(values)


@contextmanager
def _bulk_allocation() -> Iterator[None]:
    """Pause the cyclic garbage collector while a contribution is read, normalised and stored.

    Ingest allocates millions of small, acyclic objects that stay alive until the write (rows,
    values, records): each automatic full collection walks all of them, which cost more than
    half of reading a large CSV bundle. Reference counting still frees everything as usual;
    cycles made meanwhile wait for the collector, which is switched back on afterwards.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def ingest_source(
    store: Store,
    source: Source,
    options: IngestOptions,
    on_calls: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest one contribution; never raises for bad input (the report says what went wrong)."""
    with _bulk_allocation():
        try:
            return _ingest_source(store, source, options, on_calls)
        except OSError as exc:
            why, fix = f"cannot be read: {exc.strerror or exc}", "check that the file exists and may be read"
        except Exception as exc:  # a bug: reported for this contribution, never a traceback for the rest
            why = f"could not be read ({type(exc).__name__}: {str(exc)[:200]}); nothing was stored"
            fix = "this is a bug in Mare: please report it with the file"
    problem = Problem(source.path.name, None, None, why, fix)
    return IngestReport(
        source=str(source.path), format=source.format, status="failed", message=why, problems=[problem]
    )


def _ingest_source(
    store: Store,
    source: Source,
    options: IngestOptions,
    on_calls: Callable[[int], None] | None,
) -> IngestReport:
    report = IngestReport(source=str(source.path), format=source.format, status="failed", message="")
    try:
        parsed = read_source(source, options)
    except ContributionError as exc:
        report.status, report.message, report.problems = "refused", str(exc), exc.problems
        return report
    screen_payments(parsed)
    env = parsed.envelope
    report.agency, report.sender_id = env.agency, env.id
    refusal = options.authorise(env.agency) if options.authorise else None
    if refusal:
        report.status, report.message = "refused", refusal
        return report
    report.problems = list(parsed.problems)
    rejected = [p for p in parsed.problems if p.severity == "error" and p.row is not None]
    report.rejected = len({(p.file, p.row) for p in rejected})
    if options.strict and any(p.severity == "error" for p in parsed.problems):
        report.status = "refused"
        report.message = "refused whole (--strict) because rows were rejected"
        return report
    files = (
        archive_files(store, parsed.files)
        if not options.dry_run
        else [(name, "", path.stat().st_size) for name, path in parsed.files]
    )
    existing = find_existing(store, env.agency, env.id)
    version, superseded = 1, None
    if existing is not None and not options.dry_run:
        if existing.sha256 == combined_sha256(files):
            report.status, report.contribution = "already_received", existing.uid
            report.version = existing.version
            report.message = f"already received as {existing.uid}; nothing stored again"
            return report
        if env.supersedes != env.id:
            report.status = "refused"
            report.message = (
                f"{env.agency} already sent {env.id!r} ({existing.uid}) with different "
                f'content; to replace it, send it with "supersedes": "{env.id}"'
            )
            report.problems.insert(
                0,
                Problem(
                    source.path.name,
                    None,
                    "id",
                    report.message,
                    "set supersedes, or give the new contribution a new id",
                ),
            )
            return report
        version, superseded = existing.version + 1, existing.uid
    elif env.supersedes and env.supersedes != env.id and not options.dry_run:
        older = find_existing(store, env.agency, env.supersedes)
        if older is None:
            report.problems.append(
                Problem(
                    source.path.name,
                    None,
                    "supersedes",
                    f"supersedes {env.supersedes!r}, which was never received from this agency",
                    "check the id",
                    "warning",
                )
            )
        else:
            superseded = older.uid
    uid = contribution_uid(env.agency, env.id, version)
    received_at = datetime.now(UTC)
    pending, warnings = prepare(parsed, received_at, uid, store.home)
    report.problems += warnings
    pending.contribution = replace(pending.contribution, files=files, source_name=source.path.name)
    pending.rejected_count = report.rejected
    pending.warning_count = sum(1 for p in report.problems if p.severity == "warning")
    report.records, report.links = pending.record_count, pending.link_count
    report.warnings = pending.warning_count
    report.contribution, report.version = uid, version
    if options.dry_run:
        report.status = "dry_run"
        report.message = "checked only (--dry-run); nothing stored"
        return report
    ctx = NormaliseContext(default_region=agency_region(env.agency), language=env.language)
    cdr_problems: list[Problem] = []

    def call_loader(call_file: CallFile) -> Callable[[Store, str], int]:
        def load(st: Store, cuid: str) -> int:
            try:
                result = load_cdr(
                    st, cuid, call_file.path, ctx, options.time_formats, options.encoding, on_calls
                )
            except CdrHeaderError as exc:
                raise ContributionError(
                    [
                        Problem(
                            call_file.name,
                            1,
                            None,
                            str(exc),
                            exc.fix,
                        )
                    ]
                ) from exc
            for line, fld, reason, fix in result.problem_rows:
                cdr_problems.append(Problem(call_file.name, line, fld, reason, fix))
            report.rejected += result.rejected
            pending.rejected_count += result.rejected
            _problem_rows(pending, cuid, [p for p in cdr_problems if p not in report.problems])
            return result.loaded

        return load

    pending.calls = [call_loader(cf) for cf in parsed.call_files if parsed.format != "ais"]
    if parsed.format == "ais":
        from mare.ingest.ais_intake import ais_loader

        pending.calls = [
            ais_loader(report, pending, cf, options.encoding, cdr_problems) for cf in parsed.call_files
        ]
    _problem_rows(pending, uid, report.problems)

    def stored(calls: int) -> None:
        report.calls = calls
        report.status = "stored"
        report.message = f"stored as {uid}" + (
            f" (version {version}, replaces {superseded})" if superseded else ""
        )
        if options.on_stored is not None:
            options.on_stored(report)

    try:
        report.calls = write_contribution(store, pending, uid, version, received_at, superseded, stored)
    except ContributionError as exc:
        report.status, report.message = "refused", str(exc)
        report.problems = exc.problems + report.problems
        return report
    report.problems += cdr_problems
    if parsed.format == "ais":
        report.message += "".join(f"; {load.summary}" for load in pending.calls)
    return report


def ingest_paths(
    store: Store,
    sources: list[Source],
    options: IngestOptions,
    on_calls: Callable[[int], None] | None = None,
) -> list[IngestReport]:
    """Ingest every source in order; one bad contribution never stops the others."""
    return [ingest_source(store, source, options, on_calls) for source in sources]


def forced_format(name: str | None) -> Format | None:
    """Validate a --format option."""
    if name is None:
        return None
    allowed: tuple[Format, ...] = ("json", "csv_bundle", "cdr", "ftm", "ais", "telegram", "posts")
    if name not in allowed:
        raise ValueError(f"unknown format {name!r}; use one of {', '.join(allowed)}")
    return name


def ingest_file(store: Store, path: Path, options: IngestOptions | None = None) -> IngestReport:
    """Convenience: ingest one path (a file or bundle folder) with detected format."""
    from mare.ingest.sources import find_sources

    sources, skipped = find_sources([path])
    if not sources:
        reason = skipped[0].reason if skipped else "nothing to ingest"
        return IngestReport(source=str(path), format="?", status="refused", message=reason)
    return ingest_source(store, sources[0], options or IngestOptions())
