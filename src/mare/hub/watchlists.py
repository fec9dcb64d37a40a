"""Watchlists and alerts: an agency's (or the hub's) lists of wanted persons and identifiers.

A list belongs to one agency; its entries are that agency's own data, so only the owner agency's
analysts and supervisors read and manage them (`watchlist.read`, `watchlist.manage`; the hub's staff
keep lists of their own, but neither read nor manage another agency's). Entries are normalised with
the normalisers ingest uses (a phone in any format, an IBAN with spaces, a plate with or without its
separators, an IMO or MMSI number, a document number, an e-mail, a handle, a person's name with an
optional birth date) and refused with a clear message when they cannot be read.

Matching is the hub's own processing, as `system:watchlists` (`watchlist.check`): after every
cross-check of what was stored (`hub.intake.crosscheck_stored`) over the new contributions, after a
full cross-check over everything, and when an entry is added, over everything held. It uses the
cross-check's derived tables: identifiers by their normalised value in `identifier_index` (and a
plate as written), persons by the cross-check's name keys in `person_keys` — the same order-free name
key (birth years, where both sides give one, must agree), or the same phonetic name key and the same
birth year. Each (entry, record) raises one alert (`UNIQUE (entry, record_uid)`): a re-ingest or a
re-check raises nothing new.

An alert stores no record content: the entry, the record uid, the basis and a neutral explanation
(what kind of match). Its text is written when it is read, for the reader, through the read policy
(`HubContext.decide`): the record's kind, label and matched value where the reader may see the record
in full; otherwise hit/no-hit — that a record of that kind held by its owner matches, why no more is
said, and to ask the owner. The owner agency is notified (kind `alert`, the stored text neutral,
rendered per reader like hit notifications).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from mare.access.policy import ActionTarget, DataMeta
from mare.hub.context import HubContext, superseded_sql, system_context
from mare.hub.notifications import notify
from mare.ingest.normalise_records import agency_region
from mare.schema.types.identifiers import (
    normalise_document_number,
    normalise_email,
    normalise_handle,
    normalise_iban,
    normalise_imo,
    normalise_mmsi,
    normalise_plate,
)
from mare.schema.types.names import normalise_person_name
from mare.schema.types.phones import normalise_phone
from mare.schema.types.result import NormaliseContext, Normalised
from mare.schema.types.simple import ascii_digits

ENTRY_KINDS = ("person", "phone", "document", "plate", "vessel", "iban", "handle", "email")
#: identifier_index kinds a document entry looks in (document numbers and the like), as search does.
DOCUMENT_KINDS = ("document", "imei", "imsi", "vin", "call_sign", "registration_number", "account_number")
MAX_NAME, MAX_VALUE, MAX_NOTE = 100, 200, 500
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIRTH = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
#: The explanation of each basis, in words.
LEVELS = {
    "identifier": "the same identifier",
    "identifier_as_written": "the same plate as written",
    "name": "the same name (any order, script or accents)",
    "name+birth_year": "the same name and the same birth year",
    "name_sound+birth_year": "a name that sounds the same and the same birth year",
}


class WatchlistError(ValueError):
    """A list, entry or alert that cannot be made or found, with what to give instead."""


@dataclass(frozen=True, slots=True)
class Watchlist:
    """One list of an agency."""

    id: str
    agency: str
    name: str
    created_by: str
    created_at: datetime
    entries: int = 0


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a list: the value as given and its normalised key."""

    id: str
    watchlist: str
    kind: str
    value: str
    key: str
    birth_date: str | None
    note: str | None
    added_by: str
    added_at: datetime


@dataclass(slots=True)
class Alert:
    """One alert as its reader may see it (record content only where the reader sees the record in full)."""

    id: str
    watchlist: str
    watchlist_name: str
    entry: str
    entry_kind: str
    record_uid: str
    record_kind: str
    owner: str
    visibility: str
    rule: str
    basis: str
    text: str
    created_at: datetime
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    caveats: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "id": self.id,
            "watchlist": self.watchlist,
            "watchlist_name": self.watchlist_name,
            "entry": self.entry,
            "entry_kind": self.entry_kind,
            "record": self.record_uid,
            "record_kind": self.record_kind,
            "owner": self.owner,
            "visibility": self.visibility,
            "rule": self.rule,
            "basis": self.basis,
            "text": self.text,
            "caveats": self.caveats,
            "created_at": self.created_at.isoformat(),
            "acknowledged_by": self.acknowledged_by,
            "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
        }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def _text(what: str, value: str | None, limit: int) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise WatchlistError(f"give a {what}")
    if len(text) > limit:
        raise WatchlistError(f"{what} too long ({len(text)} characters; at most {limit})")
    if _CONTROL.search(value or ""):
        raise WatchlistError(f"the {what} holds control characters")
    return text


# --- lists -----------------------------------------------------------------------------------


def _list_row(ctx: HubContext, ref: str) -> tuple[str, str, str, str, datetime]:
    """A list by id, or by name among the viewer's agency's lists (WatchlistError: none)."""
    row = ctx.store.con.execute(
        "SELECT id, agency, name, created_by, created_at FROM watchlists "
        "WHERE id = ? OR (agency = ? AND name = ?) ORDER BY id = ? DESC LIMIT 1",
        [ref, ctx.viewer.agency, ref, ref],
    ).fetchone()
    if row is None:
        raise WatchlistError(f"no watchlist {ref!r} of {ctx.viewer.agency}: see mare watchlist list")
    return row[0], row[1], row[2], row[3], row[4]


def create_watchlist(ctx: HubContext, name: str) -> Watchlist:
    """A new list of the viewer's agency (`watchlist.manage`)."""
    ctx.permit("watchlist.manage", ActionTarget(owner=ctx.viewer.agency))
    name = _text("list name", name, MAX_NAME)
    con = ctx.store.con
    if con.execute(
        "SELECT 1 FROM watchlists WHERE agency = ? AND name = ?", [ctx.viewer.agency, name]
    ).fetchone():
        raise WatchlistError(f"{ctx.viewer.agency} already has a watchlist named {name!r}")
    made = Watchlist(_new_id("W"), ctx.viewer.agency, name, ctx.viewer.user, _now())
    con.execute(
        "INSERT INTO watchlists VALUES (?, ?, ?, ?, ?)",
        [made.id, made.agency, made.name, made.created_by, made.created_at],
    )
    ctx.log("collection", "created", resource="watchlist", ref=made.id, details={"name": name})
    return made


def watchlists(ctx: HubContext, ref: str | None = None) -> list[tuple[Watchlist, list[Entry]]]:
    """The viewer's agency's lists (or one list) with their entries (`watchlist.read`)."""
    con = ctx.store.con
    if ref is not None:
        list_id, agency, *_ = _list_row(ctx, ref)
        ctx.permit("watchlist.read", ActionTarget(owner=agency), ref=list_id)
        ids = [list_id]
    else:
        ctx.permit("watchlist.read", ActionTarget(owner=ctx.viewer.agency))
        ids = [r[0] for r in con.execute(
            "SELECT id FROM watchlists WHERE agency = ? ORDER BY name", [ctx.viewer.agency]
        ).fetchall()]  # fmt: skip
    out = []
    for list_id in ids:
        row = con.execute(
            "SELECT id, agency, name, created_by, created_at FROM watchlists WHERE id = ?", [list_id]
        ).fetchone()
        assert row is not None
        entries = [
            Entry(*r)
            for r in con.execute(
                "SELECT id, watchlist, kind, value, key, birth_date, note, added_by, added_at "
                "FROM watchlist_entries WHERE watchlist = ? ORDER BY added_at, id",
                [list_id],
            ).fetchall()
        ]
        out.append((Watchlist(row[0], row[1], row[2], row[3], row[4], len(entries)), entries))
    ctx.log(
        "consultation",
        "full",
        resource="watchlist",
        ref=ref,
        details={"lists": len(out), "entries": sum(len(e) for _, e in out)},
    )
    return out


# --- entries ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Key:
    key: str
    match_kinds: tuple[str, ...]
    also: tuple[str, ...] = ()
    name: str | None = None
    birth_date: str | None = None
    birth_year: int | None = None
    sound: str | None = None


def _checked(kind: str, done: Normalised) -> str:
    if done.value is None:
        raise WatchlistError(f"{done.original!r} is not a valid {kind}: {done.reason}")
    return str(done.value)


def _region(ctx: HubContext) -> str | None:
    row = ctx.store.con.execute("SELECT country FROM agencies WHERE id = ?", [ctx.viewer.agency]).fetchone()
    return str(row[0]).upper() if row and row[0] else agency_region(ctx.viewer.agency)


def normalise_entry(ctx: HubContext, kind: str, value: str, birth_date: str | None = None) -> _Key:
    """The entry's key and how it is matched, normalised as ingest normalises values (WatchlistError)."""
    if kind not in ENTRY_KINDS:
        raise WatchlistError(f"unknown kind {kind!r}; use one of {', '.join(ENTRY_KINDS)}")
    if birth_date is not None and kind != "person":
        raise WatchlistError("a birth date goes with a person entry only")
    if kind == "person":
        return _person_key(value, birth_date)
    if kind == "phone":
        key = _checked("phone number", normalise_phone(value, NormaliseContext(default_region=_region(ctx))))
        return _Key(key, ("phone",))
    if kind == "iban":
        return _Key(_checked("IBAN", normalise_iban(value)), ("iban",))
    if kind == "email":
        return _Key(_checked("e-mail address", normalise_email(value)), ("email",))
    if kind == "handle":
        return _Key(_checked("handle", normalise_handle(value)), ("handle",))
    if kind == "document":
        done = normalise_document_number(value)
        _checked("document number", done)
        return _Key(str((done.extra or {}).get("key") or done.value), DOCUMENT_KINDS)
    if kind == "plate":
        done = normalise_plate(value)
        key = _checked("plate", done)
        written = (done.extra or {}).get("as_written")
        return _Key(key, ("plate",), tuple(w for w in [written] if w and w != key))
    digits = re.sub(r"\D", "", ascii_digits(value))  # a vessel: IMO number, else MMSI
    if "imo" in value.lower() or len(digits) == 7:
        return _Key(_checked("IMO number", normalise_imo(value)), ("imo",))
    if len(digits) == 9:
        return _Key(_checked("MMSI", normalise_mmsi(value)), ("mmsi",))
    raise WatchlistError(f"{value!r} is not a vessel's IMO number (IMO + 7 digits) or MMSI (9 digits)")


def _person_key(value: str, birth_date: str | None) -> _Key:
    done = normalise_person_name(value)
    extra = dict(done.extra or {})
    tokens = [str(t) for t in extra.get("tokens") or []]
    if done.value is None or not tokens:
        raise WatchlistError(f"{value!r} cannot be read as a person's name: {done.reason or 'no name in it'}")
    phonetic = [str(p) for p in extra.get("phonetic") or []]
    year = None
    if birth_date:
        birth_date = birth_date.strip()
        if not _BIRTH.match(birth_date):
            raise WatchlistError(f"birth date {birth_date!r}: give YYYY, YYYY-MM or YYYY-MM-DD")
        try:
            date.fromisoformat(
                {4: f"{birth_date}-01-01", 7: f"{birth_date}-01"}.get(len(birth_date), birth_date)
            )
        except ValueError:
            raise WatchlistError(f"birth date {birth_date!r} is not a date") from None
        year = int(birth_date[:4])
    sound = " ".join(sorted(p for p in phonetic if p)) or None
    return _Key(
        " ".join(sorted(tokens)),
        ("person",),
        name=str(extra.get("latin") or done.value),
        birth_date=birth_date or None,
        birth_year=year,
        sound=sound,
    )


def add_entry(
    ctx: HubContext,
    watchlist: str,
    kind: str,
    value: str,
    *,
    birth_date: str | None = None,
    note: str | None = None,
) -> tuple[Entry, int]:
    """Add an entry to one of the viewer's agency's lists (`watchlist.manage`); then check it against
    everything held, as `system:watchlists`. Returns the entry and the number of alerts it raised."""
    list_id, agency, *_ = _list_row(ctx, watchlist)
    ctx.permit("watchlist.manage", ActionTarget(owner=agency), ref=list_id)
    value = _text("value", value, MAX_VALUE)
    note = _text("note", note, MAX_NOTE) if note else None
    key = normalise_entry(ctx, kind, value, birth_date)
    con = ctx.store.con
    same = con.execute(
        "SELECT id FROM watchlist_entries WHERE watchlist = ? AND kind = ? AND key = ? "
        "AND birth_date IS NOT DISTINCT FROM ?",
        [list_id, kind, key.key, key.birth_date],
    ).fetchone()
    if same:
        raise WatchlistError(f"the list already holds this {kind} (entry {same[0]})")
    entry = Entry(_new_id("WE"), list_id, kind, value, key.key, key.birth_date, note, ctx.viewer.user, _now())
    con.execute(
        "INSERT INTO watchlist_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            entry.id, list_id, kind, value, key.key, list(key.match_kinds), list(key.also), key.name,
            key.birth_date, key.birth_year, key.sound, entry.added_by, entry.added_at, note,
        ],
    )  # fmt: skip
    ctx.log("collection", "added", resource="watchlist_entry", ref=entry.id, details={"watchlist": list_id})
    raised = check_watchlists(system_context(ctx.store, "watchlists"), None, [entry.id], ctx.viewer.user)
    return entry, raised


def remove_entry(ctx: HubContext, entry_id: str) -> Entry:
    """Remove an entry of one of the viewer's agency's lists, and the alerts it raised."""
    con = ctx.store.con
    row = con.execute(
        "SELECT e.id, e.watchlist, e.kind, e.value, e.key, e.birth_date, e.note, e.added_by, e.added_at, "
        "w.agency FROM watchlist_entries e JOIN watchlists w ON w.id = e.watchlist WHERE e.id = ?",
        [entry_id],
    ).fetchone()
    if row is None:
        raise WatchlistError(f"no watchlist entry {entry_id!r}: see mare watchlist list")
    ctx.permit("watchlist.manage", ActionTarget(owner=row[9]), ref=entry_id)
    entry = Entry(*row[:9])
    alerts = [r[0] for r in con.execute("SELECT id FROM alerts WHERE entry = ?", [entry_id]).fetchall()]
    con.execute("BEGIN TRANSACTION")
    try:
        if alerts:
            marks = ", ".join("?" for _ in alerts)
            con.execute(f"DELETE FROM notifications WHERE kind = 'alert' AND ref IN ({marks})", alerts)
            con.execute("DELETE FROM alerts WHERE entry = ?", [entry_id])
        con.execute("DELETE FROM watchlist_entries WHERE id = ?", [entry_id])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    ctx.log(
        "erasure",
        "removed",
        resource="watchlist_entry",
        ref=entry_id,
        details={"watchlist": entry.watchlist, "alerts_removed": len(alerts)},
    )
    return entry


# --- matching (the hub's own processing) -------------------------------------------------------


def _scope(column: str, values: list[str] | None) -> tuple[str, list[Any]]:
    if values is None:
        return "", []
    return f" AND {column} IN ({', '.join('?' for _ in values)})", list(values)


def _matches(contributions: list[str] | None, entries: list[str] | None) -> str:
    """The SQL of (entry, record_uid, basis) matched; parameters via `_match_params`."""
    ids = _scope("i.contribution", contributions)[0]
    written = _scope("r.contribution", contributions)[0]
    persons = _scope("f.contribution", contributions)[0]
    chosen = _scope("e.id", entries)[0]
    return (
        # identifiers: the normalised value (or, for a plate, its form as written) in the same kinds
        "SELECT e.id AS entry, i.record_uid, 'identifier' AS basis FROM watchlist_entries e "
        "JOIN identifier_index i ON list_contains(e.match_kinds, i.kind) AND (i.value = e.key "
        f"OR list_contains(e.also, i.value)) WHERE e.kind <> 'person'{ids}{chosen} "
        "UNION SELECT e.id, i.record_uid, 'identifier' FROM watchlist_entries e JOIN identifier_index i "
        "ON i.kind = 'handle' AND e.key LIKE 'unknown:%' AND suffix(i.value, ':' || substr(e.key, 9)) "
        f"WHERE e.kind = 'handle'{ids}{chosen} "
        "UNION SELECT e.id, rv.record_uid, 'identifier_as_written' FROM watchlist_entries e "
        "JOIN record_values rv ON rv.value_type = 'plate' AND (rv.extra->>'$.as_written' = e.key OR "
        "list_contains(e.also, rv.extra->>'$.as_written')) JOIN records r ON r.uid = rv.record_uid "
        f"WHERE e.kind = 'plate'{written}{chosen} "
        # persons: the cross-check's order-free name key (birth years agree where both are given) ...
        "UNION SELECT e.id, f.record_uid, CASE WHEN e.birth_year IS NOT NULL AND f.birth_year = e.birth_year "
        "THEN 'name+birth_year' ELSE 'name' END FROM watchlist_entries e "
        "JOIN person_keys k ON k.key = 'n:' || e.key JOIN person_features f ON f.record_uid = k.record_uid "
        "WHERE e.kind = 'person' AND (e.birth_year IS NULL OR f.birth_year IS NULL OR "
        f"f.birth_year = e.birth_year){persons}{chosen} "
        # ... or its phonetic name key and the same birth year
        "UNION SELECT e.id, f.record_uid, 'name_sound+birth_year' FROM watchlist_entries e "
        "JOIN person_keys k ON k.key = 'p:' || e.sound JOIN person_features f ON f.record_uid = k.record_uid "
        "WHERE e.kind = 'person' AND e.birth_year IS NOT NULL AND f.birth_year = e.birth_year"
        f"{persons}{chosen}"
    )


def _match_params(contributions: list[str] | None, entries: list[str] | None) -> list[Any]:
    scope = _scope("x", contributions)[1] + _scope("x", entries)[1]
    return scope * 5


_RANK = ("identifier", "identifier_as_written", "name+birth_year", "name", "name_sound+birth_year")


def check_watchlists(
    system: HubContext,
    contributions: list[str] | None = None,
    entries: list[str] | None = None,
    on_behalf_of: str | None = None,
) -> int:
    """Match the records of these contributions (None: all) against these entries (None: every list's),
    as the hub's own processing; save each new (entry, record) as an alert and notify the list's agency.
    Returns the number of new alerts."""
    system.permit("watchlist.check")
    if contributions is not None and not contributions:
        return 0
    con = system.store.con
    found = con.execute(_matches(contributions, entries), _match_params(contributions, entries)).fetchall()
    best: dict[tuple[str, str], str] = {}
    for entry, uid, basis in found:
        current = best.get((entry, uid))
        if current is None or _RANK.index(basis) < _RANK.index(current):
            best[(entry, uid)] = basis
    new: list[tuple[str, str]] = []
    if best:
        lists = dict(
            con.execute(
                "SELECT e.id, w.id || '\t' || w.agency || '\t' || e.kind FROM watchlist_entries e "
                "JOIN watchlists w ON w.id = e.watchlist"
            ).fetchall()
        )
        now = _now()
        for (entry, uid), basis in sorted(best.items()):
            list_id, agency, kind = lists[entry].split("\t")
            alert_id = _new_id("A")
            explanation = {"entry_kind": kind, "basis": basis, "level": LEVELS[basis]}
            inserted = con.execute(
                "INSERT OR IGNORE INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL) RETURNING id",
                [alert_id, list_id, entry, agency, uid, basis, json.dumps(explanation), now],
            ).fetchall()
            if inserted:
                new.append((alert_id, agency))
                notify(system.store, agency, "alert", "Watchlist alert", ref=alert_id)
    system.log(
        "combination",
        "done",
        resource="watchlist",
        ref=entries[0] if entries and len(entries) == 1 else None,
        details={
            "on_behalf_of": on_behalf_of,
            "process": "watchlists",
            "contributions": len(contributions) if contributions is not None else "all",
            "entries": len(entries) if entries is not None else "all",
            "matched": len(best),
            "new_alerts": len(new),
        },
    )
    return len(new)


# --- alerts, written for their reader ----------------------------------------------------------

_ALERT_SQL = (
    "SELECT a.id, a.watchlist, w.name, a.entry, e.kind, a.record_uid, a.basis, a.created_at, "
    "a.acknowledged_by, a.acknowledged_at, a.agency, e.value, r.kind, r.agency, r.handling_code, "
    f"CAST(r.restrictions AS VARCHAR), r.minor, r.label, {superseded_sql('r.contribution')} "
    "FROM alerts a JOIN watchlists w ON w.id = a.watchlist JOIN watchlist_entries e ON e.id = a.entry "
    "JOIN records r ON r.uid = a.record_uid"
)


def _render(ctx: HubContext, row: tuple[Any, ...]) -> Alert:
    (aid, list_id, list_name, entry, entry_kind, uid, basis, created, ack_by, ack_at, _agency, _value,
     kind, owner, code, rules, minor, label, superseded) = row  # fmt: skip
    meta = DataMeta(owner, code, json.loads(rules) if rules else None, bool(minor), kind, bool(superseded))
    decision = ctx.decide("record", uid, meta)
    level = LEVELS.get(basis, basis)
    # the entry is named by its id: its value is the list's content, for those who may read the list
    if decision.full:
        text = (
            f"{entry_kind} entry {entry} of list {list_name!r}: {level}. Matched record: {uid} "
            f"({kind}{': ' + label if label else ''}), held by {owner}."
        )
    else:
        text = (
            f"A {kind} record held by {owner} matches {entry_kind} entry {entry} of list {list_name!r} "
            f"({level}). Those data are restricted, so only the hit is reported: {decision.reason}. "
            f"Ask the owner: mare consent request {uid}"
        )
    return Alert(
        aid, list_id, list_name, entry, entry_kind, uid, kind, owner, decision.visibility, decision.rule,
        basis, text, created, ack_by, ack_at, list(decision.caveats) if decision.full else [],
    )  # fmt: skip


def alert_text(ctx: HubContext, alert_id: str) -> tuple[str, str] | None:
    """Subject and body of an alert notification for this reader (None when the alert is gone)."""
    row = ctx.store.con.execute(
        f"{_ALERT_SQL} WHERE a.id = ? AND a.agency = ?", [alert_id, ctx.viewer.agency]
    )
    found = row.fetchone()
    if found is None:
        return None
    alert = _render(ctx, found)
    return f"Watchlist alert on {alert.watchlist_name!r} ({alert.entry_kind})", alert.text


def alerts(ctx: HubContext, unacknowledged: bool = False, limit: int = 500) -> list[Alert]:
    """The alerts raised on the viewer's agency's lists, newest first, each written for this reader."""
    ctx.permit("alerts.read", ActionTarget(owner=ctx.viewer.agency))
    rows = ctx.store.con.execute(
        f"{_ALERT_SQL} WHERE a.agency = ?"
        + (" AND a.acknowledged_at IS NULL" if unacknowledged else "")
        + " ORDER BY a.created_at DESC, a.id LIMIT ?",
        [ctx.viewer.agency, limit],
    ).fetchall()
    return [_render(ctx, row) for row in rows]


def acknowledge(ctx: HubContext, alert_id: str) -> Alert:
    """Acknowledge an alert of the viewer's agency (`alerts.acknowledge`); a second time keeps the first."""
    con = ctx.store.con
    row = con.execute(f"{_ALERT_SQL} WHERE a.id = ?", [alert_id]).fetchone()
    if row is None:
        raise WatchlistError(f"no alert {alert_id!r}: see mare alerts list")
    ctx.permit("alerts.acknowledge", ActionTarget(owner=row[10]), ref=alert_id)
    if row[9] is None:
        con.execute(
            "UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?",
            [ctx.viewer.user, _now(), alert_id],
        )
        ctx.log("alteration", "acknowledged", resource="alert", ref=alert_id)
        row = con.execute(f"{_ALERT_SQL} WHERE a.id = ?", [alert_id]).fetchone()
        assert row is not None
    return _render(ctx, row)


def check_stored(ctx: HubContext, stored: list[str] | None) -> int:
    """After a cross-check: match what was stored (None: everything) as `system:watchlists`."""
    return check_watchlists(system_context(ctx.store, "watchlists"), stored, None, ctx.viewer.user)
