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

from mare.ingest.arrays import bool_array, int64_array, int_values, strings
from mare.ingest.parsed import RawRecord, RecordBlock
from mare.ingest.prefill import PARALLEL_MIN, Item, normalise_in_two
from mare.ingest.problems import Problem
from mare.schema.model import load_model
from mare.schema.types.registry import normalise_value
from mare.schema.types.result import NormaliseContext
from mare.store.writer import arrow_column

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

    def prefill(self, records: list[RawRecord], meanwhile: Callable[[], None] | None = None) -> None:
        """Normalise the distinct texts of these records up front, on two cores when there are many.

        Entries are added in the order the record loop would add them, so the rows are the same
        with or without it; contributions with few distinct texts are left to the loop.
        `meanwhile` runs once, while the child normalises when there is one.
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
            self.fill(items, meanwhile)
        elif meanwhile is not None:
            meanwhile()

    def fill(self, items: list[Item], meanwhile: Callable[[], None] | None = None) -> None:
        """Normalise these (type, text) items, none in the memo yet, on two cores; keep them.

        They become the next entries, in order; `meanwhile` runs here once, while the forked
        child normalises (`normalise_in_two`), and must add no entry."""
        ctx = self.ctx
        results = normalise_in_two(
            items, lambda value_type, text: _normalised(value_type, text, ctx), meanwhile
        )
        base, by_type = len(self.entries), self._by_type
        new = [
            (*result, base + k, value_type, text)
            for k, ((value_type, text), result) in enumerate(zip(items, results, strict=True))
        ]
        self.entries += new
        for entry in new:
            by_type[entry[5]][entry[6]] = entry
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

    Each record's uid is kept once with its number of rows (`uids`, `counts`); rows come in
    parts (`add`), each with its field (a number into the part's names), position and memo
    entry number: the normalised value, reason, flags and extra of a row are those of its
    entry. `to_arrow` expands them in Arrow, not in Python.
    """

    __slots__ = ("_entries", "_fields", "_names", "_positions", "counts", "memo", "uids")

    def __init__(self, memo: ValueMemo) -> None:
        self.memo = memo
        self.uids: list[str] = []
        self.counts: list[int] = []
        self._names: dict[str, int] = {}  # every field name met -> its number
        self._fields: list[np.ndarray] = []
        self._positions: list[np.ndarray] = []
        self._entries: list[np.ndarray] = []

    def add(
        self,
        uids: list[str],
        counts: list[int],
        names: list[str],
        fields: np.ndarray,
        positions: np.ndarray,
        entries: np.ndarray,
    ) -> None:
        """The rows of these records, record by record: `counts` rows each, field i is names[i]."""
        numbers = np.array([self._names.setdefault(name, len(self._names)) for name in names], np.int64)
        self.uids += uids
        self.counts += counts
        self._fields.append(numbers[fields] if len(fields) else np.zeros(0, np.int64))
        self._positions.append(np.asarray(positions, np.int64))
        self._entries.append(np.asarray(entries, np.int64))

    def __len__(self) -> int:
        return sum(len(part) for part in self._entries)

    @staticmethod
    def _joined(parts: list[np.ndarray]) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    @property
    def record_uid(self) -> list[str]:
        """The record of each row."""
        return [uid for uid, count in zip(self.uids, self.counts, strict=True) for _ in range(count)]

    @property
    def field(self) -> list[str]:
        """The field of each row."""
        names = list(self._names)
        return [names[i] for i in self._joined(self._fields).tolist()]

    @property
    def position(self) -> list[int]:
        """The position of each row among its field's values."""
        return self._joined(self._positions).tolist()

    @property
    def entry(self) -> list[int]:
        """The memo entry of each row."""
        return self._joined(self._entries).tolist()

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
        rows_of = np.repeat(np.arange(len(self.uids), dtype=np.int64), np.array(self.counts, np.int64))
        used = int64_array(self._joined(self._entries))
        by_entry = list(zip(*self.memo.entries, strict=True))  # the entries column by column
        # every entry is used by some row, so the entries' type is the rows' type
        to_take = [
            (arrow_column(self.uids), int64_array(rows_of)),
            (strings(list(self._names)), int64_array(self._joined(self._fields))),
        ]
        to_take += [(arrow_column(list(by_entry[i])), used) for i, _ in _ENTRY_COLUMNS]
        with ThreadPoolExecutor(2) as pool:  # Arrow's take lets go of the GIL: on two cores
            taken = list(pool.map(lambda pair: pair[0].take(pair[1]), to_take))
        columns = {
            "record_uid": taken[0],
            "field": taken[1],
            "position": int64_array(self._joined(self._positions)),
        }
        for (_, name), column in zip(_ENTRY_COLUMNS, taken[2:], strict=True):
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
    records: list[RawRecord],
    record_uids: list[str],
    memo: ValueMemo,
    out: ValueColumns,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[list[str | None], list[Problem]]:
    """As `normalise_record` for each record, appending the value rows to `out`.

    Returns each record's label and all warnings, in order: exactly the rows, labels and
    warnings `normalise_record` gives (tested). `meanwhile` runs once (see `ValueMemo.prefill`).
    """
    memo.prefill(records, meanwhile)
    labels: list[str | None] = []
    problems: list[Problem] = []
    fields: list[str] = []
    positions: list[int] = []
    numbers: list[int] = []
    counts: list[int] = []
    add_field, add_position, add_entry = fields.append, positions.append, numbers.append
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
        counts.append(count)
        labels.append(_label(record, types, memo))
    names: dict[str, int] = {}
    field_numbers = np.fromiter(
        (names.setdefault(name, len(names)) for name in fields), np.int64, len(fields)
    )
    positions_out, numbers_out = np.array(positions, np.int64), np.array(numbers, np.int64)
    out.add(record_uids, counts, list(names), field_numbers, positions_out, numbers_out)
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


def _entry_numbers(
    block: RecordBlock, types: dict[str, str], memo: ValueMemo
) -> tuple[list[np.ndarray], list[Item]]:
    """Per field, each value's memo entry number, and the (type, text) items to normalise.

    The items are the texts the memo does not know yet, each once, within its room: item k
    becomes entry `len(memo.entries) + k`. A value of a type never memoised, or whose text
    found no room, has -1 (it is normalised on its own, as the record loop does)."""
    base, room = len(memo.entries), MEMO_LIMIT - memo.size
    items: list[Item] = []
    numbers = [np.full(len(f.rows), -1, np.int64) for f in block.fields]
    by_type: dict[str, list[int]] = {}
    for k, f in enumerate(block.fields):
        by_type.setdefault(types[f.name], []).append(k)
    for value_type, ks in by_type.items():
        table = memo.table(value_type)
        texts = [block.fields[k].texts for k in ks]
        if table is None or not sum(map(len, texts)):
            continue
        encoded = (pa.concat_arrays(texts) if len(texts) > 1 else texts[0]).dictionary_encode()
        known: list[int] = []
        for text in encoded.dictionary.to_pylist():
            entry = table.get(text)
            if entry is not None:
                known.append(entry[4])
            elif len(items) < room:
                known.append(base + len(items))
                items.append((value_type, text))
            else:
                known.append(-1)
        found = np.array(known, np.int64)[int_values(encoded.indices)]
        ends = np.cumsum([len(block.fields[k].rows) for k in ks])
        for k, part in zip(ks, np.split(found, ends[:-1]), strict=True):
            numbers[k] = part
    return numbers, items


@dataclass(slots=True)
class _Layout:
    """A block's values record by record (then fields in header order, then positions)."""

    rows: np.ndarray  # the block row of each value
    fields: np.ndarray  # its field, a number into the block's fields
    positions: np.ndarray
    entries: np.ndarray  # its memo entry (-1: normalised on its own)
    order: np.ndarray  # where each comes from among the block's values, field after field


def _laid_out(block: RecordBlock, numbers: list[np.ndarray]) -> _Layout:
    if not block.fields:
        empty = np.zeros(0, np.int64)
        return _Layout(empty, empty, empty, empty, empty)
    rows = np.concatenate([f.rows for f in block.fields])
    order = np.argsort(rows, kind="stable")
    fields = np.repeat(np.arange(len(block.fields)), [len(f.rows) for f in block.fields])
    positions = np.concatenate([f.positions for f in block.fields])
    return _Layout(rows[order], fields[order], positions[order], np.concatenate(numbers)[order], order)


def normalise_block_into(
    block: RecordBlock,
    record_uids: list[str],
    memo: ValueMemo,
    out: ValueColumns,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[list[str | None], list[Problem]]:
    """As `normalise_records_into` on the block's records, column by column (tested equal).

    The distinct texts of each type are normalised once (on two cores when many); every value
    finds its entry through Arrow's dictionary encoding, and the rows are laid out record by
    record, fields in header order, as the record loop lays them out, while the child
    normalises. `meanwhile` runs once, then too.
    """
    memo.new_record()
    day = memo.day
    types = _field_types(block.kind)
    numbers, items = _entry_numbers(block, types, memo)
    done: list[Any] = []

    def lay_out() -> None:  # needs no normalised value: done while the child normalises
        done.append(_laid_out(block, numbers))
        done.append(_text_labels(block, types))
        if meanwhile is not None:
            meanwhile()

    memo.fill(items, lay_out)
    layout, (labels, to_peek) = done
    entries = layout.entries
    later = np.flatnonzero(entries < 0)
    if len(later):  # never memoised, or no room left in the memo: one by one
        texts = pa.concat_arrays([f.texts for f in block.fields]).take(int64_array(layout.order[later]))
        names = [types[f.name] for f in block.fields]
        entries = entries.copy()
        entries[later] = [
            memo.get(names[field], text)[4]
            for field, text in zip(layout.fields[later].tolist(), texts.to_pylist(), strict=True)
        ]
    if memo.day != day or int(time.time() // 86400) != day:  # birth dates depend on the day
        return normalise_records_into(block.records(), record_uids, memo, out)
    counts = np.bincount(layout.rows, minlength=len(block)).tolist()
    names = [f.name for f in block.fields]
    out.add(record_uids, counts, names, layout.fields, layout.positions, entries)
    for row, value_type, text in to_peek:
        labels[row] = memo.peek(value_type, text) or text
    problems = _unnormalised(block, names, memo, layout.rows, layout.fields, entries)
    return [label[:200] if label else None for label in labels], problems


def _unnormalised(
    block: RecordBlock,
    names: list[str],
    memo: ValueMemo,
    rows: np.ndarray,
    fields: np.ndarray,
    entries: np.ndarray,
) -> list[Problem]:
    """A warning for each value kept as given, in the order of the rows."""
    known = memo.entries
    failed = np.fromiter((entry[0] is None for entry in known), np.bool_, len(known))
    where = np.flatnonzero(failed[entries]) if len(known) else entries
    file, lines = block.file, block.rows
    reasons: dict[int, str] = {}
    problems: list[Problem] = []
    for row, field, entry in zip(
        rows[where].tolist(), fields[where].tolist(), entries[where].tolist(), strict=True
    ):
        reason = reasons.get(entry)
        if reason is None:
            reason = reasons[entry] = f"kept as given but not normalised: {known[entry][1]}"
        problems.append(
            Problem(file, lines[row], names[field], reason, "correct the value if it is a mistake", "warning")
        )
    return problems


def _text_labels(
    block: RecordBlock, types: dict[str, str]
) -> tuple[list[str | None], list[tuple[int, str, str]]]:
    """The label `_label` picks for each row, before truncation, and the (row, type, text) of the
    labels that are a number's normalised form (known once the texts are normalised)."""
    labels: list[str | None] = [None] * len(block)
    to_peek: list[tuple[int, str, str]] = []
    by_name = {f.name: f for f in block.fields}

    def firsts(name: str) -> tuple[list[int], list[str]]:
        f = by_name[name]
        first = f.positions == 0
        return f.rows[first].tolist(), f.texts.filter(bool_array(first)).to_pylist()

    for name in LABEL_FIELDS:
        if name not in by_name:
            continue
        for row, text in zip(*firsts(name), strict=True):
            if labels[row] is None:
                labels[row] = text
                if name in ("number", "caller"):
                    to_peek.append((row, types[name], text))
    if "given_name" in by_name:
        family = dict(zip(*firsts("family_name"), strict=True)) if "family_name" in by_name else {}
        for row, text in zip(*firsts("given_name"), strict=True):
            if labels[row] is None:
                labels[row] = " ".join(p for p in (text, family.get(row, "")) if p)
    return labels, to_peek
