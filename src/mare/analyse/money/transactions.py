"""Transfers of value as the money analysis takes them, and the plain transactions CSV of `mare money FILE`.

A transfer goes from a source party to a target party (a person, an account, a business, a
hawaladar: whatever ids the caller uses), with an amount, its currency, its value in euros where a
rate is known (`currency.EUR_RATES`), a time (UTC seconds; None when unknown), the countries it left
and reached where known, the method (cash, hawala, bank_transfer…), a purpose class (`fee`,
`payout`, `share`, `proceeds`, `bribe` or None) and a reference to where it came from (a record uid,
or `file:row`).

The CSV (`source,target,amount[,currency,time]`, and optionally `method,purpose,from_country,
to_country` and the route the transfer pays for: `route` as 'Izmir>Kos' (or 'Izmir - Kos', an
origin alone), or `origin,destination`; fee levels are then matched per route): each row that
cannot be used is reported with its file, row, field and reason, and the other rows are used.
Times are ISO 8601 dates or date-times, or plain whole numbers taken as
day numbers (AMLSim's steps).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from mare.schema.types.currency import AmountError, check_amount, currency_code, parse_amount

REQUIRED = ("source", "target", "amount")
OPTIONAL = (
    "currency",
    "time",
    "method",
    "purpose",
    "from_country",
    "to_country",
    "route",
    "origin",
    "destination",
)
MAX_BYTES = 512 * 1024 * 1024
DAY = 86_400


#: A route as written: 'Izmir>Kos', 'Izmir->Kos', 'Izmir → Kos', 'Izmir - Kos'.
ROUTE_SPLIT = re.compile(r"\s*(?:->|→|>|\s-\s)\s*")


def split_route(text: str) -> tuple[str | None, str | None]:
    """(origin, destination) of a route as written; ValueError with the fix when it is not one."""
    parts = [p.strip() for p in ROUTE_SPLIT.split(text.strip())]
    if len(parts) == 1 and parts[0]:
        return parts[0], None
    if len(parts) == 2 and all(parts):
        return parts[0], parts[1]
    raise ValueError(
        f"not a route {text[:40]!r}: write origin>destination (Izmir>Kos, TR>GR) or an origin alone"
    )


class TransactionsFileError(ValueError):
    """The file as a whole cannot be read: the reason and the fix."""


@dataclass(frozen=True, slots=True)
class Transfer:
    """One transfer of value between two parties."""

    source: str
    target: str
    amount: float
    currency: str
    eur: float | None
    time: int | None = None
    from_country: str | None = None
    to_country: str | None = None
    method: str | None = None
    purpose: str | None = None
    ref: str = ""
    #: The route the transfer pays for, where known (the payer's leg; a file's route column).
    origin: str | None = None
    destination: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """A row (or record) that could not be used in full: where, which field, why, and what happened."""

    where: str
    field: str
    reason: str
    action: str = "row skipped"

    def text(self) -> str:
        """One line for a terminal."""
        return f"{self.where}, {self.field}: {self.reason}; {self.action}"

    def as_dict(self) -> dict[str, str]:
        """JSON-able form."""
        return {"where": self.where, "field": self.field, "reason": self.reason, "action": self.action}


@dataclass
class TransactionsFile:
    """The usable transfers of a file and the problems found in it."""

    transfers: list[Transfer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def parse_time(text: str) -> int:
    """UTC seconds from an ISO 8601 date or date-time, or a whole day number; ValueError otherwise."""
    s = text.strip()
    if s.lstrip("-").isdigit() and len(s) <= 7:
        return int(s) * DAY
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    value = dt.datetime.fromisoformat(s)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return int((value - _EPOCH).total_seconds())


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise TransactionsFileError(f"{path}: no such file; give the path of a transactions CSV")
    if path.stat().st_size > MAX_BYTES:
        raise TransactionsFileError(f"{path}: larger than {MAX_BYTES >> 20} MiB; split it into smaller files")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise TransactionsFileError(
            f"{path}: byte {err.start + 1} is not UTF-8; save the file as UTF-8 text"
        ) from None
    if "\x00" in text:
        raise TransactionsFileError(f"{path}: holds NUL characters (a binary file?); give a CSV text file")
    return text


def read_transactions(path: Path) -> TransactionsFile:
    """Read a transactions CSV; TransactionsFileError when the file itself cannot be used."""
    text = _read_text(path)
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") and "\t" not in sample else ","
    if sample.count("\t") > sample.count(delimiter):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header_row = next(reader, None)
    if header_row is None:
        raise TransactionsFileError(
            f"{path}: empty file; the first line names the columns {','.join(REQUIRED)}"
        )
    header = [h.strip().lower() for h in header_row]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise TransactionsFileError(
            f"{path}: no column {', '.join(missing)}; the header needs {', '.join(REQUIRED)} "
            f"(and may have {', '.join(OPTIONAL)})"
        )
    col = {name: header.index(name) for name in (*REQUIRED, *OPTIONAL) if name in header}
    out = TransactionsFile()
    codes: dict[str, str | AmountError] = {}
    for row_number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        out.rows += 1
        where = f"{path}: row {row_number}"
        if len(cells) < len(header):
            cells = cells + [""] * (len(header) - len(cells))

        def cell(name: str, cells: list[str] = cells) -> str:
            k = col.get(name)
            return cells[k].strip() if k is not None else ""

        source, target = cell("source"), cell("target")
        if not source or not target:
            empty = "source" if not source else "target"
            out.problems.append(Problem(where, empty, f"empty {empty}: every transfer needs both parties"))
            continue
        written = cell("currency")
        code = codes.get(written)
        if code is None:
            try:
                code = currency_code(written)
            except AmountError as exc:
                code = exc
            codes[written] = code
        if isinstance(code, AmountError):
            out.problems.append(Problem(where, "currency", str(code)))
            continue
        try:
            amount = check_amount(parse_amount(cell("amount")), code)
        except AmountError as exc:
            out.problems.append(Problem(where, "amount", str(exc)))
            continue
        if amount.eur is None:
            out.problems.append(
                Problem(where, "currency", f"no euro rate for {code}", "kept; not counted in euro totals")
            )
        time: int | None = None
        when = cell("time")
        if when:
            try:
                time = parse_time(when)
            except ValueError:
                out.problems.append(
                    Problem(
                        where,
                        "time",
                        f"not a date {when[:30]!r}: give ISO 8601 (2025-06-01 or 2025-06-01T14:00:00Z) "
                        "or a day number",
                        "kept without a time",
                    )
                )
        origin, destination = cell("origin") or None, cell("destination") or None
        if cell("route"):
            try:
                origin, destination = split_route(cell("route"))
            except ValueError as exc:
                out.problems.append(Problem(where, "route", str(exc), "kept without a route"))
                origin = destination = None
        elif destination and not origin:
            out.problems.append(
                Problem(
                    where,
                    "origin",
                    f"a destination ({destination[:40]!r}) without an origin: give the origin too",
                    "kept without a route",
                )
            )
            destination = None
        out.transfers.append(
            Transfer(
                source,
                target,
                amount.value,
                code,
                amount.eur,
                time,
                cell("from_country").upper() or None,
                cell("to_country").upper() or None,
                cell("method").lower() or None,
                cell("purpose").lower() or None,
                f"row {row_number}",
                origin,
                destination,
            )
        )
    return out
