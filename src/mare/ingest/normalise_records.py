"""Normalising every field value of the records read from a contribution."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from mare.ingest.parsed import BOOLEAN, PLAIN, RawRecord, RecordBlock
from mare.ingest.prefill import PARALLEL_MIN, Item, normalise_in_two
from mare.ingest.problems import Problem
from mare.schema.model import load_model
from mare.schema.types.registry import normalise_value
from mare.schema.types.result import NormaliseContext

#: The field shown as a record's label, first present wins.
LABEL_FIELDS = (
    "name",
    "number",
    "plate",
    "handle",
    "email",
    "iban",
    "imo",
    "mmsi",
    "reference",
    "holder_name",
    "account_number",
    "title",
    "place",
    "event_type",
    "to_place",
    "amount",
    "caller",
    "url",
)

_REGION_ALIASES = {"UK": "GB", "EL": "GR"}


def agency_region(agency: str) -> str | None:
    """The country an agency id starts with ('DE-BKA' -> 'DE', 'UK-NCA' -> 'GB'), if any."""
    head = agency.split("-", 1)[0].upper()
    if len(head) != 2 or not head.isalpha():
        return None
    return _REGION_ALIASES.get(head, head)


@dataclass(slots=True)
class ValueRow:
    """One stored value: the original beside the normalised form."""

    field: str
    position: int
    value_type: str
    original: str
    normalised: str | None
    reason: str | None
    flags: list[str]
    extra: str | None  # JSON


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalise_record(
    record: RawRecord, ctx: NormaliseContext
) -> tuple[list[ValueRow], str | None, list[Problem]]:
    """Normalise a record's values; returns the value rows, a label and warnings."""
    spec = load_model().kinds[record.kind]
    rows: list[ValueRow] = []
    problems: list[Problem] = []
    for field_name, values in record.fields.items():
        fspec = spec.fields[field_name]
        for position, value in enumerate(values):
            text = _as_text(value)
            result = normalise_value(fspec.type, text, ctx)
            extra = json.dumps(dict(result.extra), ensure_ascii=False, default=str) if result.extra else None
            rows.append(
                ValueRow(
                    field_name,
                    position,
                    fspec.type,
                    text,
                    result.value,
                    result.reason,
                    list(result.flags),
                    extra,
                )
            )
            if result.value is None:
                problems.append(
                    Problem(
                        record.file,
                        record.row,
                        field_name,
                        f"kept as given but not normalised: {result.reason}",
                        "correct the value if it is a mistake",
                        "warning",
                    )
                )
    label = None
    for name in LABEL_FIELDS:
        for row in rows:
            if row.field == name:
                label = row.normalised if name in ("number", "caller") and row.normalised else row.original
                break
        if label is not None:
            break
    if label is None and "given_name" in record.fields:
        parts = [
            str(record.fields.get("given_name", [""])[0]),
            str(record.fields.get("family_name", [""])[0]),
        ]
        label = " ".join(p for p in parts if p)
    return rows, (label[:200] if label else None), problems


# --- the fast path: each distinct value normalised once per contribution -------------------

#: Types whose result depends on the current time, not only on the text (``future``): never memoised.
UNMEMOISED_TYPES = frozenset({"datetime"})
#: Distinct values remembered per contribution; beyond this, values are normalised one by one.
MEMO_LIMIT = 1 << 20

#: (normalised, reason, flags, extra as JSON, entry number, type, original text): what a value
#: row stores besides its record, field and position; the number indexes `ValueMemo.entries`.
Entry = tuple[str | None, str | None, list[str], str | None, int, str, str]

# json.dumps(..., ensure_ascii=False, default=str) builds this very encoder on every call.
_EXTRA_JSON = json.JSONEncoder(ensure_ascii=False, default=str).encode


def _c_encoder() -> Any:
    """The C encoder `_EXTRA_JSON` makes on each call, made once (None where there is none).

    No circular check (an extra is a flat dict of scalars and lists); otherwise the arguments
    JSONEncoder.iterencode gives it, so the text is the same (tested)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    return make(None, str, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)


_C_ENCODER = _c_encoder()


def extra_json(extra: dict[str, Any]) -> str:
    """`json.dumps(extra, ensure_ascii=False, default=str)`, faster."""
    if _C_ENCODER is None:
        return _EXTRA_JSON(extra)
    return "".join(_C_ENCODER(extra, 0))


def _normalised(value_type: str, text: str, ctx: NormaliseContext) -> tuple[Any, ...]:
    result = normalise_value(value_type, text, ctx)
    extra = extra_json(dict(result.extra)) if result.extra else None
    return result.value, result.reason, list(result.flags), extra


class ValueMemo:
    """The normalised form of each distinct (type, text) of one contribution, computed once.

    Nationalities, genders, birth dates, places and names repeat heavily within a
    contribution; normalising each distinct text once gives every value exactly what
    `normalise_value` gives it (the normalisers are pure functions of the text and the
    context), at the cost of a dictionary lookup. Birth dates depend on the UTC day, so the
    memo starts afresh when the day changes; timestamps (`future`) are never memoised.
    Every entry handed out is kept in `entries` (rows refer to it by number); the flag lists
    are shared between the rows of equal values: read them, never change them.
    """

    __slots__ = ("_by_type", "_day", "_size", "ctx", "entries")

    def __init__(self, ctx: NormaliseContext) -> None:
        self.ctx = ctx
        self.entries: list[Entry] = []
        self._by_type: dict[str, dict[str, Entry]] = {}
        self._size = 0
        self._day = int(time.time() // 86400)

    def new_record(self) -> None:
        """Forget the texts when the UTC day has changed (birth dates depend on today)."""
        day = int(time.time() // 86400)
        if day != self._day:
            self._day, self._by_type, self._size = day, {}, 0

    @property
    def day(self) -> int:
        """The UTC day (days since 1970) the memo's texts were normalised on."""
        return self._day

    @property
    def size(self) -> int:
        """Texts remembered."""
        return self._size

    def table(self, value_type: str) -> dict[str, Entry] | None:
        """The memo of one type (None for types never memoised)."""
        if value_type in UNMEMOISED_TYPES:
            return None
        found = self._by_type.get(value_type)
        if found is None:
            found = self._by_type[value_type] = {}
        return found

    def get(self, value_type: str, text: str) -> Entry:
        """The entry for this text: (normalised, reason, flags, extra JSON, entry number)."""
        table = self.table(value_type)
        entry = None if table is None else table.get(text)
        if entry is None:
            entry = (*_normalised(value_type, text, self.ctx), len(self.entries), value_type, text)
            self.entries.append(entry)
            if table is not None and self._size < MEMO_LIMIT:
                table[text] = entry
                self._size += 1
        return entry

    def prefill(self, records: list[RawRecord]) -> None:
        """Normalise the distinct texts of these records up front, on two cores when there are many.

        Entries are added in the order the record loop would add them, so the rows are the same
        with or without it; contributions with few distinct texts are left to the loop.
        """
        self.new_record()
        items: list[Item] = []
        seen: set[Item] = set()
        room = MEMO_LIMIT - self._size
        tables: dict[str, dict[str, Entry] | None] = {}
        for record in records:
            types = _field_types(record.kind)
            for field_name, values in record.fields.items():
                value_type = types[field_name]
                if value_type not in tables:
                    tables[value_type] = self.table(value_type)
                table = tables[value_type]
                if table is None:
                    continue
                for value in values:
                    text = value if type(value) is str else _as_text(value)
                    item = (value_type, text)
                    if text not in table and item not in seen and len(items) < room:
                        seen.add(item)
                        items.append(item)
        if len(items) >= PARALLEL_MIN:
            self.fill(items)

    def fill(
        self, items: list[Item], meanwhile: Callable[[], None] | None = None, share: float = 0.5
    ) -> None:
        """Normalise these (type, text) items, none in the memo yet, on two cores; keep them.

        They become the next entries, in order; `meanwhile` runs here while the forked child
        normalises its share (`normalise_in_two`), and must add no entry."""
        ctx = self.ctx
        results = normalise_in_two(
            items, lambda value_type, text: _normalised(value_type, text, ctx), meanwhile, share
        )
        entries = self.entries
        for (value_type, text), result in zip(items, results, strict=True):
            entry = (*result, len(entries), value_type, text)
            entries.append(entry)
            self._by_type[value_type][text] = entry
        self._size += len(items)

    def peek(self, value_type: str, text: str) -> str | None:
        """The normalised value of a text already handed out (for labels; adds no entry)."""
        table = self.table(value_type)
        entry = None if table is None else table.get(text)
        if entry is not None:
            return entry[0]
        return _normalised(value_type, text, self.ctx)[0]


#: Row columns taken from the memo entries: (index in the entry, column).
_ENTRY_COLUMNS = (
    (5, "value_type"),
    (6, "original"),
    (0, "normalised"),
    (1, "reason"),
    (2, "flags"),
    (3, "extra"),
)


class ValueColumns:
    """The value rows of many records, column by column: as `ValueRow`, plus the record.

    Each record's uid is kept once with its number of rows (`uids`, `counts`); the
    normalised value, reason, flags and extra of a row are those of its memo entry (`entry`
    holds the entry numbers). `to_arrow` expands both in Arrow, not in Python.
    """

    __slots__ = ("counts", "entry", "field", "memo", "position", "uids")

    def __init__(self, memo: ValueMemo) -> None:
        self.memo = memo
        self.uids: list[str] = []
        self.counts: list[int] = []
        self.field: list[str] = []
        self.position: list[int] = []
        self.entry: list[int] = []

    def __len__(self) -> int:
        return len(self.entry)

    @property
    def record_uid(self) -> list[str]:
        """The record of each row."""
        return [uid for uid, count in zip(self.uids, self.counts, strict=True) for _ in range(count)]

    def _entry_column(self, i: int) -> list[Any]:
        entries = self.memo.entries
        return [entries[e][i] for e in self.entry]

    @property
    def value_type(self) -> list[str]:
        """The property type of each row."""
        return self._entry_column(5)

    @property
    def original(self) -> list[str]:
        """The original text of each row."""
        return self._entry_column(6)

    @property
    def normalised(self) -> list[str | None]:
        """The normalised value of each row."""
        return self._entry_column(0)

    @property
    def reason(self) -> list[str | None]:
        """Why each row has no normalised value (None where it has one)."""
        return self._entry_column(1)

    @property
    def flags(self) -> list[list[str]]:
        """The flags of each row."""
        return self._entry_column(2)

    @property
    def extra(self) -> list[str | None]:
        """The extra detail of each row, as JSON."""
        return self._entry_column(3)

    def to_arrow(self) -> pa.Table:
        """The rows as the record_values table expects them (types as `pa.table` infers them)."""
        from mare.store.writer import arrow_column

        def indices(values: np.ndarray) -> pa.Array:
            # from buffers, not pa.array: that would import pandas (~2 s of CPU once per process)
            data = values.astype(np.int64, copy=False)
            return pa.Array.from_buffers(pa.int64(), len(data), [None, pa.py_buffer(data)])

        rows_of = np.repeat(np.arange(len(self.uids), dtype=np.int64), np.array(self.counts, np.int64))
        used = indices(np.array(self.entry, np.int64))
        by_entry = list(zip(*self.memo.entries, strict=True))  # the entries column by column
        # every entry is used by some row, so the entries' type is the rows' type
        to_take = [(arrow_column(self.uids), indices(rows_of))]
        to_take += [(arrow_column(list(by_entry[i])), used) for i, _ in _ENTRY_COLUMNS]
        with ThreadPoolExecutor(2) as pool:  # Arrow's take lets go of the GIL: on two cores
            taken = list(pool.map(lambda pair: pair[0].take(pair[1]), to_take))
        columns = {
            "record_uid": taken[0],
            "field": arrow_column(self.field),
            "position": arrow_column(self.position),
        }
        for (_, name), column in zip(_ENTRY_COLUMNS, taken[1:], strict=True):
            columns[name] = column
        return pa.Table.from_arrays(list(columns.values()), names=list(columns))


_TYPES_BY_KIND: dict[str, dict[str, str]] = {}


def _field_types(kind: str) -> dict[str, str]:
    found = _TYPES_BY_KIND.get(kind)
    if found is None:
        found = {name: f.type for name, f in load_model().kinds[kind].fields.items()}
        _TYPES_BY_KIND[kind] = found
    return found


def normalise_records_into(
    records: list[RawRecord], record_uids: list[str], memo: ValueMemo, out: ValueColumns
) -> tuple[list[str | None], list[Problem]]:
    """As `normalise_record` for each record, appending the value rows to `out`.

    Returns each record's label and all warnings, in order: exactly the rows, labels and
    warnings `normalise_record` gives (tested).
    """
    memo.prefill(records)
    labels: list[str | None] = []
    problems: list[Problem] = []
    add_field, add_position = out.field.append, out.position.append
    add_entry = out.entry.append
    add_count = out.counts.append
    out.uids.extend(record_uids)
    for record in records:
        memo.new_record()
        types = _field_types(record.kind)
        count = 0
        for field_name, values in record.fields.items():
            value_type = types[field_name]
            table = memo.table(value_type)
            for position, value in enumerate(values):
                text = value if type(value) is str else _as_text(value)
                entry = None if table is None else table.get(text)
                if entry is None:
                    entry = memo.get(value_type, text)
                add_field(field_name)
                add_position(position)
                add_entry(entry[4])
                count += 1
                if entry[0] is None:
                    problems.append(
                        Problem(
                            record.file,
                            record.row,
                            field_name,
                            f"kept as given but not normalised: {entry[1]}",
                            "correct the value if it is a mistake",
                            "warning",
                        )
                    )
        add_count(count)
        labels.append(_label(record, types, memo))
    return labels, problems


def _label(record: RawRecord, types: dict[str, str], memo: ValueMemo) -> str | None:
    """The label `normalise_record` picks, from the record's first values."""
    fields = record.fields
    label = None
    for name in LABEL_FIELDS:
        values = fields.get(name)
        if values:
            text = _as_text(values[0])
            if name in ("number", "caller"):
                normalised = memo.peek(types[name], text)
                label = normalised if normalised else text
            else:
                label = text
            break
    if label is None and "given_name" in fields:
        parts = [
            str(fields.get("given_name", [""])[0]),
            str(fields.get("family_name", [""])[0]),
        ]
        label = " ".join(p for p in parts if p)
    return label[:200] if label else None


# --- records read column-wise (a CSV bundle's blocks) ----------------------------------------


def _block_values(block: RecordBlock) -> list[tuple[str, list[int], list[int], list[str]]]:
    """Per field column: its name, and the row, position and text of each value, row by row."""
    out: list[tuple[str, list[int], list[int], list[str]]] = []
    for column in block.fields:
        values = column.values
        if column.how == PLAIN:
            rows = [i for i, value in enumerate(values) if value is not None]
            texts = [values[i] if type(values[i]) is str else _as_text(values[i]) for i in rows]
            out.append((column.name, rows, [0] * len(rows), texts))
        elif column.how == BOOLEAN:
            rows = [i for i, value in enumerate(values) if value is not None]
            out.append((column.name, rows, [0] * len(rows), [_as_text(values[i]) for i in rows]))
        elif not any(type(value) is list for value in values):  # no cell with several parts
            rows = [i for i, value in enumerate(values) if value is not None]
            out.append((column.name, rows, [0] * len(rows), [values[i] for i in rows]))
        else:
            rows, positions, texts = [], [], []
            for i, parts in enumerate(values):
                if type(parts) is str:
                    rows.append(i)
                    positions.append(0)
                    texts.append(parts)
                elif parts:
                    for position, part in enumerate(parts):
                        rows.append(i)
                        positions.append(position)
                        texts.append(part)
            out.append((column.name, rows, positions, texts))
    return out


def _new_texts(block: RecordBlock, types: dict[str, str], memo: ValueMemo) -> list[Item]:
    """The (type, text) of the block's values not in the memo yet, each once (within its room)."""
    items: list[Item] = []
    seen: set[Item] = set()
    room = MEMO_LIMIT - memo.size
    for column in block.fields:
        value_type = types[column.name]
        table = memo.table(value_type)
        if table is None:
            continue
        values = column.values
        if column.how == PLAIN:
            texts = {value if type(value) is str else _as_text(value) for value in set(values) - {None}}
        elif column.how == BOOLEAN:
            texts = {_as_text(value) for value in set(values) - {None}}
        else:  # one part itself, or a list of parts
            texts = {value for value in values if type(value) is str}
            texts.update(part for value in values if type(value) is list for part in value)
        for text in texts - table.keys():
            item = (value_type, text)
            if item not in seen and len(items) < room:
                seen.add(item)
                items.append(item)
    return items


def normalise_block_into(
    block: RecordBlock, record_uids: list[str], memo: ValueMemo, out: ValueColumns
) -> tuple[list[str | None], list[Problem]]:
    """As `normalise_records_into` on the block's records, column by column (tested equal).

    Each column's distinct texts are normalised once (on two cores when many), then every
    value finds its entry by a lookup; the rows are laid out record by record, fields in
    header order, as the record loop lays them out.
    """
    memo.new_record()
    day = memo.day
    types = _field_types(block.kind)
    items = _new_texts(block, types, memo)
    n = len(block)
    base = len(memo.entries)  # the items become the entries from here on, in order
    columns: list[tuple[str, list[int], list[int], list[str]]] = []
    numbers: list[np.ndarray | None] = []

    def look_up() -> None:
        """The values row by row and each one's entry number, for the texts known or about to
        be (adds no entry): done here while the child normalises."""
        columns.extend(_block_values(block))
        numbers.extend([None] * len(columns))
        numbering: dict[str, dict[str, int]] = {}  # per type: text -> entry number
        for k, (value_type, text) in enumerate(items):
            numbering.setdefault(value_type, {})[text] = base + k
        merged: set[str] = set()
        for number, (name, _, _, texts) in enumerate(columns):
            value_type = types[name]
            table = memo.table(value_type)
            if table is None:
                continue
            known = numbering.setdefault(value_type, {})
            if value_type not in merged:  # the texts known before (none of the items)
                merged.add(value_type)
                known.update((text, entry[4]) for text, entry in table.items())
            try:
                numbers[number] = np.fromiter(map(known.__getitem__, texts), np.int64, len(texts))
            except KeyError:  # beyond the memo's limit: one by one, below
                numbers[number] = None

    if items:
        memo.fill(items, look_up, share=0.4)  # this process has the look-ups to do as well
    else:
        look_up()
    row_parts: list[np.ndarray] = []
    entry_parts: list[np.ndarray] = []
    position_parts: list[np.ndarray] = []
    field_parts: list[np.ndarray] = []
    for number, (name, rows, positions, texts) in enumerate(columns):
        found = numbers[number]
        if found is None:
            value_type = types[name]
            found = np.array([memo.get(value_type, text)[4] for text in texts], np.int64)
        row_parts.append(np.array(rows, np.int64))
        entry_parts.append(found)
        position_parts.append(np.array(positions, np.int64))
        field_parts.append(np.full(len(rows), number, np.int64))
    if memo.day != day or int(time.time() // 86400) != day:  # birth dates depend on the day
        return normalise_records_into(block.records(), record_uids, memo, out)
    rows_all = np.concatenate(row_parts) if row_parts else np.zeros(0, np.int64)
    order = np.argsort(rows_all, kind="stable")  # record by record, then column, then position
    rows_sorted = rows_all[order]
    entry_sorted = np.concatenate(entry_parts)[order] if entry_parts else rows_sorted
    field_sorted = np.concatenate(field_parts)[order] if field_parts else rows_sorted
    names = [name for name, _, _, _ in columns]
    out.uids.extend(record_uids)
    out.counts.extend(np.bincount(rows_all, minlength=n).tolist())
    out.field.extend(np.array(names, dtype=object)[field_sorted].tolist() if names else [])
    out.position.extend((np.concatenate(position_parts)[order] if position_parts else rows_sorted).tolist())
    out.entry.extend(entry_sorted.tolist())
    entries = memo.entries
    problems: list[Problem] = []
    file, lines = block.file, block.rows
    failed = np.fromiter((entry[0] is None for entry in entries), np.bool_, len(entries))
    unnormalised = np.flatnonzero(failed[entry_sorted]) if len(entries) else rows_sorted
    for row, field_number, entry in zip(
        rows_sorted[unnormalised].tolist(),
        field_sorted[unnormalised].tolist(),
        entry_sorted[unnormalised].tolist(),
        strict=True,
    ):
        problems.append(
            Problem(
                file,
                lines[row],
                names[field_number],
                f"kept as given but not normalised: {entries[entry][1]}",
                "correct the value if it is a mistake",
                "warning",
            )
        )
    return _block_labels(block, columns, types, memo), problems


def _block_labels(
    block: RecordBlock,
    columns: list[tuple[str, list[int], list[int], list[str]]],
    types: dict[str, str],
    memo: ValueMemo,
) -> list[str | None]:
    """The label `_label` picks for each row: the first value of the first label field it has."""
    n = len(block)
    labels: list[str | None] = [None] * n
    first: dict[str, dict[int, str]] = {}
    for name, rows, positions, texts in columns:
        if name in LABEL_FIELDS or name in ("given_name", "family_name"):
            first[name] = {
                row: text for row, position, text in zip(rows, positions, texts, strict=True) if position == 0
            }
    for name in LABEL_FIELDS:
        values = first.get(name)
        if not values:
            continue
        for row, text in values.items():
            if labels[row] is None:
                if name in ("number", "caller"):
                    normalised = memo.peek(types[name], text)
                    labels[row] = normalised if normalised else text
                else:
                    labels[row] = text
    given, family = first.get("given_name", {}), first.get("family_name", {})
    for row, text in given.items():
        if labels[row] is None:
            labels[row] = " ".join(p for p in (text, family.get(row, "")) if p)
    return [label[:200] if label else None for label in labels]
