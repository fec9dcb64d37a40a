"""The leak matrix, generated from the Typer app: every `mare` command, as every other agency in every role.

`MATRIX` classifies every leaf command of `mare.cli.app`; a command missing from it (or listed but
gone) fails `test_every_command_is_in_the_matrix`, so a new command that returns data cannot slip by:

- `reads`: returns hub data. Swept as every viewer (each agency other than the owner, and the hub,
  in each role), with arguments built from the world below.
- `acts`: changes hub data. Swept the same way on a copy of the store (a fresh one after each run
  that may have changed it): it is refused (exit 1, one line, an `authorisation`/`denied` audit
  entry) or it succeeds without printing any record's content.
- `files`: works on a user's own file only: no `--home`, no sign-in.
- `setup`: creates a store as its local operator (no preview options); not swept.

The world: contributions of DE-BKA, one per case: H2; H3 under each kind of restriction (agencies
denied, agencies allowed, ask first, expired); H0 with restrictions; H1 (withheld for judicial use);
a minor. Each holds a person (name, phone, e-mail, document number), an associate, a vehicle
(plate), a financial account (IBAN), an event and a journey leg (place names); two also a phone
record, a document record, a vessel its person operates, and payments (a smuggling fee by hawala to the
associate, a bank transfer to the associate's account). IT-SCO holds open look-alikes of the persons,
so the cross-check makes hits, notifications, resolved persons, networks and review pairs; consent: one
request granted, one pending, one threat-to-life override waiting for approval. Beside the contributions
of records: call records (DE-BKA's under the H3-denied restrictions and a bare H2 file; IT-SCO's open
batch shares a number with the restricted one), AIS positions and static reports (DE-BKA's restricted
track of the H3-denied case's vessel, with a dark gap and a meeting at sea; IT-SCO's open vessel alongside)
and adverts (DE-BKA's restricted posts CSV naming the H3-denied person's phone, a bare H2 Telegram export
naming the H2 person's phone; IT-SCO's open post). Their values (numbers called, MMSI, IMO, vessel
names and call signs, amounts, handles, URLs, words of the adverts' text) are checked as the records'.
Last, an open contribution of the owner sent twice: its first version's person, phone and event are
history, withheld from every viewer but for oversight (rule `superseded`).

What a viewer may see is derived from `mare.access.policy.decide` with the consent grants, never
hard-coded. A value (original or normalised form, or a word of a name) of a record the viewer may
not see in full must not appear in anything a run produced (stdout, stderr, files written), unless
a record they may see holds it too or they typed it themselves (a search); a `content_free` command
may show no record value at all. Every record a run decided on and withheld has its authorisation
entry (a read filtered in the database: counted in its consultation entry), every refusal its denial.

The core sweep (default) runs each command's main forms in its own purpose; the extended sweep
(marked slow) adds the other forms and the other purposes (judicial, oversight).
"""

from __future__ import annotations

import csv
import functools
import json
import shutil
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest
import typer.testing
from rich.console import Console
from typer.main import get_command
from typer.testing import CliRunner

from builders import write_contribution, write_envelope
from mare.access.policy import HUB_AGENCY, ROLES, DataMeta, Purpose, Viewer, decide
from mare.cli import app
from mare.hub import accounts, consent, watchlists
from mare.hub.adverts import post_facts
from mare.hub.audit import AuditLog
from mare.hub.context import HubContext
from mare.ingest.pipeline import IngestOptions, ingest_file
from mare.resolve import crosscheck_contribution
from mare.schema.model import load_model
from mare.store.db import Store, open_store

OWNER = "DE-BKA"
LOOKALIKES = "IT-SCO"
VIEWER_AGENCIES = ("IT-SCO", "FR-OCRIEST", "ES-CGI", HUB_AGENCY)
VIEWERS = tuple((agency, role) for agency in VIEWER_AGENCIES for role in ROLES)
#: Fields whose values are checked: names (and place names), phones, e-mails, document numbers, IBANs,
#: plates, vessels' MMSI, IMO and call sign, payments' amounts, adverts' text, URL, handle and contact
#: (and of call records and AIS, stored outside the records: the numbers called, the vessels' identities);
#: the words of names and of adverts' text too.
NAME_FIELDS = frozenset({"name", "alias", "holder_name", "place", "from_place", "to_place"})
WORDS_FIELDS = NAME_FIELDS | {"text"}
CHECKED_FIELDS = WORDS_FIELDS | {
    *("phone", "number", "email", "document_number", "iban", "plate"),
    *("mmsi", "imo", "call_sign", "amount", "url", "handle", "contact"),
}
#: A word of a name at least this long is checked on its own too.
WORD = 5
#: The columns of a posts CSV.
POST_COLUMNS = ("platform", "url", "posted_at", "author", "text")
ENV: dict[str, str | None] = {
    "COLUMNS": "4000",  # no table folds a value over two lines
    "MARE_HOME": None,
    "MARE_USER": None,
    "MARE_TOKEN": None,
    "MARE_AGENCY": None,
    "MARE_ROLE": None,
    "MARE_WHY": None,
}
RUNNER = CliRunner()
ROOT = get_command(app)
#: Every record kind (a bulk read over all records).
ALL = tuple(load_model().kinds)


# --- the world -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Secret:
    """One contribution of the owner: its handling, its people, and IT-SCO's look-alike of its person."""

    key: str
    name: str
    associate: str
    handling: dict[str, Any]
    lookalike: str  # one typo: linked (a hit, notifications, an entity); two: a pair to review
    lookalike_associate: str
    minor: bool = False


SECRETS = (
    Secret(
        "h2",
        "Zaheerqa Quixbury",
        "Qasimiro Tellbrook",
        {"code": "H2"},
        "Zaheerqa Quixbery",
        "Giacomo Ferrantelli",
    ),
    Secret(
        "h3-denied",
        "Waleedon Frostvang",
        "Fadhelan Ostrovek",
        {"code": "H3", "restrictions": {"agencies_denied": ["IT-SCO", "FR-OCRIEST"]}},
        "Waleedon Frostwang",
        "Salvatore Mancuzzo",
    ),
    Secret(
        "h3-allowed",
        "Yasmindra Kelloway",
        "Munirazo Peckwith",
        {"code": "H3", "restrictions": {"agencies_allowed": ["ES-CGI"]}},
        "Yasmindro Keloway",
        "Benedetto Rinaldesi",
    ),
    Secret(
        "h3-ask-first",
        "Tariqzan Moorfield",
        "Rashidun Aldercott",
        {"code": "H3", "restrictions": {"ask_first": True, "text": "Call SO 22 before any use."}},
        "Tariqzen Moorfeld",
        "Vittorio Castellazzi",
    ),
    Secret(
        "h3-expired",
        "Nadiraqe Blumquist",
        "Sufyanor Greythwaite",
        {"code": "H3", "restrictions": {"expires": "2020-01-31"}},
        "Nadiraqa Blumqvist",
        "Ottavio Brunacchi",
    ),
    Secret(
        "h0-restricted",
        "Omarixen Haldtorp",
        "Idrisani Pemberlow",
        {"code": "H0", "restrictions": {"agencies_denied": ["ES-CGI"]}},
        "Omarixan Haltdorp",
        "Massimo Pellegrucci",
    ),
    Secret(
        "h1",
        "Kareemos Vintrell",
        "Hamzadin Corveloux",
        {"code": "H1"},
        "Kareemas Vintrel",
        "Raffaele Donatuzzi",
    ),
    Secret(
        "minor",
        "Leylani Dorwacket",
        "Basimora Thistlewick",
        {"code": "H0"},
        "Leylani Dorwackit",
        "Gianluca Terravolpe",
        minor=True,
    ),
)
#: The cases whose look-alike has one typo (a linked pair: hit, notifications, entity, network node).
LINKED = ("h2", "h3-denied", "minor")
#: The cases whose contribution is shown in the core sweep (all in the extended one).
CORE_CASES = ("h2", "h3-denied", "h3-allowed")
#: The cases that also hold a phone record and a document record (the others: the person's own fields).
WITH_PHONE_AND_DOCUMENT = ("h2", "h3-denied")
#: Purposes swept beside crime_fighting where a run asks (H1 is withheld for judicial use; oversight is the
#: hub's supervisor and DPO).
OTHER_PURPOSES: tuple[Purpose, ...] = ("judicial", "oversight")


def _iban(bban: str) -> str:
    """A German IBAN with valid check digits, written in groups of four as people do."""
    digits = "".join(str(int(c, 36)) for c in bban + "DE00")
    raw = f"DE{98 - int(digits) % 97:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _contribution(i: int, s: Secret) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The records and links of secret case number i (its place names: its person's names backwards)."""
    given, family = s.name.split()
    cove, beach = f"{family[::-1].title()} Cove", f"{given[::-1].title()} Bay"  # no common word of 5+
    person: dict[str, Any] = {
        "id": "p",
        "kind": "person",
        "name": s.name,
        "birth_date": f"198{i}-0{i}-1{i}",
        "phone": f"0151 {i}{i}{i}4 {i}{i}{i}5",
        "email": s.name.lower().replace(" ", ".") + "@example.net",
        "document_number": f"P{i}K{i}{i}Z{i}W{i}",
        "category": "victim" if s.minor else "suspect",
    }
    if s.minor:
        person["minor"] = True
    records = [
        person,
        {"id": "a", "kind": "person", "name": s.associate, "category": "contact"},
        {"id": "v", "kind": "vehicle", "plate": f"M-ZK {i}0{i}{i}", "country": "DE"},
        {"id": "f", "kind": "financial_account", "iban": _iban(f"370400440{i}{i}{i}0{i}{i}0{i}{i}")},
        {
            "id": "e",
            "kind": "event",
            "event_type": "landing",
            "occurred_at": f"2026-0{i}-1{i}T04:00:00Z",
            "place": cove,
            "lat": f"35.{50 + i}",
            "lon": f"12.{60 + i}",
        },
        {
            "id": "l",
            "kind": "journey_leg",
            "from_place": beach,
            "to_place": cove,
            "from_lat": "32.93",
            "from_lon": f"12.{10 + i}",
            "to_lat": f"35.{50 + i}",
            "to_lon": f"12.{60 + i}",
            "departed_at": f"2026-0{i}-0{i}T22:00:00Z",
            "mode": "sea",
        },
    ]
    links = [
        {"kind": "owns_vehicle", "source": "p", "target": "v"},
        {"kind": "drives_vehicle", "source": "a", "target": "v"},
        {"kind": "holds_financial_account", "source": "p", "target": "f"},
        {"kind": "associate_of", "source": "p", "target": "a"},
        {"kind": "involved_in", "source": "p", "target": "e"},
        {"kind": "travelled_on", "source": "p", "target": "l"},
    ]
    if s.key in WITH_PHONE_AND_DOCUMENT:
        records += [
            {"id": "ph", "kind": "phone", "number": f"+49 160 {i}{i}{i}6 {i}{i}{i}7"},
            {
                "id": "d",
                "kind": "document",
                "document_type": "passport",
                "number": f"X{i}V{i}{i}J{i}N{i}",
                "holder_name": s.name,
            },
            # a vessel its person operates (its name: the person's given name backwards, then Star)
            {
                "id": "vs",
                "kind": "vessel",
                "name": f"{given[::-1].title()} Star",
                "mmsi": f"2470{i}{i}{i}{i}{i}",
            },
        ]
        links += [
            {"kind": "uses_phone", "source": "p", "target": "ph"},
            {"kind": "holds_document", "source": "p", "target": "d"},
            {"kind": "operates_vessel", "source": "p", "target": "vs"},
        ]
        # money: the person's crossing fee paid by hawala to the associate, and a bank transfer from the
        # person's account to the associate's (its IBAN), both of distinctive amounts
        records += [
            {"id": "f2", "kind": "financial_account", "iban": _iban(f"500105170{i}{i}4{i}{i}7{i}{i}3")},
            {
                "id": "pf",
                "kind": "payment",
                "amount": f"47{i}3.25",
                "currency": "EUR",
                "paid_at": f"2026-0{i}-0{i}T10:00:00Z",
                "method": "hawala",
                "purpose": "smuggling fee",
                "from_country": "DE",
                "to_country": "LY",
            },
            {
                "id": "pb",
                "kind": "payment",
                "amount": f"93{i}8.75",
                "currency": "EUR",
                "paid_at": f"2026-0{i}-1{i}T10:00:00Z",
                "method": "bank_transfer",
                "from_country": "DE",
                "to_country": "TR",
            },
        ]
        links += [
            {"kind": "holds_financial_account", "source": "a", "target": "f2"},
            {"kind": "paid", "source": "p", "target": "pf"},
            {"kind": "received", "source": "a", "target": "pf"},
            {"kind": "paid", "source": "f", "target": "pb"},
            {"kind": "received", "source": "f2", "target": "pb"},
        ]
    return records, links


#: An open (H0) contribution of the owner, sent again with its person renamed, another phone and no event:
#: the first version's values (surname, phone, place) are history, shown to no viewer but for oversight.
REPLACED = ("Xandrovel Pirthwaite", "Xandrovel Quennimar")


def _replaced() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The records of the replaced contribution's first version and of its second."""
    first = [
        {"id": "p", "kind": "person", "name": REPLACED[0], "phone": "0152 4441 7771", "category": "suspect"},
        {"id": "e", "kind": "event", "event_type": "landing", "occurred_at": "2026-02-12T04:00:00Z",
         "place": "Orvantelle Cove", "lat": "35.71", "lon": "12.91"},
    ]  # fmt: skip
    second = [
        {"id": "p", "kind": "person", "name": REPLACED[1], "phone": "0152 8882 3339", "category": "suspect"}
    ]
    return first, second


@dataclass
class World:
    """The store (a template no run touches, and a copy for the reads) and what is in it."""

    template: Path
    home: Path
    scratch: Path
    person: dict[str, str]  # secret key -> person uid
    lookalike: dict[str, str]  # secret key -> IT-SCO's look-alike person uid
    contribution: dict[str, str]  # secret key (and "lookalikes") -> contribution uid
    meta: dict[tuple[str, str], DataMeta]  # (resource, ref) -> what the policy needs
    values: dict[str, list[tuple[str, str, str | None]]]  # record uid (or contribution uid, for its call
    # records and AIS) -> (field, original, normalised)
    forms: dict[str, frozenset[str]]  # record (or contribution) uid -> the checked forms of its values
    links_of: dict[str, list[tuple[str, str]]]  # record uid -> (link uid, other record uid)
    entities: dict[str, list[str]]  # entity id -> record uids (those with a secret record)
    grants: dict[str, frozenset[str]]  # agency -> record uids released to it by consent
    hit_records: dict[str, list[str]]  # agency -> records of the hits notified to it
    review_records: list[str]
    template_seq: int = 0  # the template's last audit entry
    pending_request: str = ""
    override_request: str = ""
    notification: str = ""  # one of IT-SCO's
    watchlist: str = ""  # IT-SCO's watchlist
    entry: str = ""  # one of its entries
    alert: str = ""  # one of the alerts it raised
    watched: frozenset[str] = frozenset()  # the forms IT-SCO typed into its watchlist (its own data)
    username: str = "ita-analyst"  # an IT-SCO user with a token
    token_id: str = ""
    always_secret: frozenset[str] = frozenset()  # printed for no one (the token itself)
    ingest_file: Path = Path()
    store: Store = field(init=False)  # the reads' store, held open by the fixture
    _forbidden: dict[tuple[str, str, str, bool], frozenset[str]] = field(default_factory=dict)

    @property
    def records(self) -> list[str]:
        """Every record uid."""
        return sorted(ref for resource, ref in self.meta if resource == "record")

    @functools.cached_property
    def all_forms(self) -> frozenset[str]:
        """Every checked form of every record."""
        return frozenset().union(*self.forms.values())

    def visibility(self, agency: str, role: str, purpose: Purpose, resource: str, ref: str) -> str:
        """What `decide` gives this viewer for this piece of data (with the consent grants)."""
        consented = resource == "record" and ref in self.grants.get(agency, frozenset())
        viewer = Viewer("matrix", agency, frozenset({role}))
        return decide(viewer, self.meta[(resource, ref)], purpose, consented=consented).visibility

    def withheld(self, agency: str, role: str, purpose: Purpose) -> list[str]:
        """The records this viewer may not see in full."""
        return [u for u in self.records if self.visibility(agency, role, purpose, "record", u) != "full"]

    def forbidden(self, agency: str, role: str, purpose: Purpose, content_free: bool) -> frozenset[str]:
        """The forms this viewer must not be shown (every form, for a command that shows no content)."""
        key = (agency, role, purpose, content_free)
        if key not in self._forbidden:
            found = set(self.all_forms)
            if not content_free:
                hidden = set(self.withheld(agency, role, purpose)) | {
                    uid  # a contribution's call records or AIS
                    for uid in self.forms
                    if ("record", uid) not in self.meta
                    and self.visibility(agency, role, purpose, "contribution", uid) != "full"
                }
                shown = "\n".join(
                    form for u, forms in self.forms.items() if u not in hidden for form in forms
                )
                found = {f for u in hidden for f in self.forms.get(u, ()) if f not in shown}
            self._forbidden[key] = frozenset(found | self.always_secret)
        return self._forbidden[key]

    def value_forms(self, uid: str, name: str) -> frozenset[str]:
        """The checked forms of one field of one record (what a search for it types)."""
        return _checked_forms([v for v in self.values[uid] if v[0] == name])


def _checked_forms(rows: list[tuple[str, str, str | None]]) -> frozenset[str]:
    forms: set[str] = set()
    for name, original, normalised in rows:
        if name not in CHECKED_FIELDS:
            continue
        for value in (original, normalised):
            if value:
                forms.add(value.lower())
                if name in WORDS_FIELDS:
                    forms.update(w.lower() for w in value.split() if len(w) >= WORD)
        if (
            name == "amount"
            and (normalised or "").replace(".", "", 1).isdigit()
            and float(normalised or 0) >= 1000
        ):
            forms.add(f"{round(float(normalised or 0)):,}")  # as tables print it: whole euros, grouped
    return frozenset(forms)


def _context(store: Store, user: str, agency: str, role: str) -> HubContext:
    return HubContext(store, Viewer(user, agency, frozenset({role})), "password")


def _ingest(store: Store, path: Path, options: IngestOptions | None = None) -> str:
    report = ingest_file(store, path, options)
    assert report.status == "stored" and not report.rejected and report.contribution, report
    return report.contribution


#: The handling of the owner's call records, AIS and adverts under restriction (as the H3-denied case).
DENIED = {"code": "H3", "restrictions": {"agencies_denied": ["IT-SCO", "FR-OCRIEST"]}}
#: Call records (caller, callee, start, seconds): the owner's under restriction, the owner's bare file
#: (H2), and IT-SCO's open one, which shares a number with the restricted batch (a cross-agency match).
CALLS = {
    "calls-h3": [
        *(("+49 152 33318881", "+90 532 7771442", f"2026-03-0{d} 1{d}:10:00", 60 + d) for d in range(1, 5)),
        *(("+49 152 33318881", "+218 91 5552731", f"2026-03-1{d} 0{d}:20:00", 90 + d) for d in range(1, 4)),
        *(("+90 532 7771442", "+218 91 5552731", f"2026-03-2{d} 1{d}:30:00", 30 + d) for d in range(1, 3)),
        ("+49 152 33318881", "+39 347 8881919", "2026-03-25 12:00:00", 45),
    ],
    "calls-h2": [
        ("+49 176 44403337", "+212 661 998877", f"2026-04-0{d} 1{d}:00:00", 120 + d) for d in range(1, 4)
    ],
    "calls-it": [
        ("+39 347 8881919", "+39 320 1112233", f"2026-03-2{d} 09:00:00", 50 + d) for d in range(6, 8)
    ],
}
#: AIS (MarineCadastre columns): the owner's restricted track of the H3-denied case's vessel (its static
#: report: name, IMO, call sign) with a dark gap and a meeting at sea with an unknown vessel; IT-SCO's open
#: track of its own vessel passing alongside at the same time (an encounter across agencies).
AIS_HEADER = (
    "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft"
)


#: The day of the AIS tracks.
AIS_DAY = "2026-03-03"


def _ais_rows(mmsi: str, name: str, imo: str, call_sign: str, lat0: float, gap: bool) -> list[str]:
    """A vessel drifting north at about 0.2 knots on 2026-03-03 from 02:00, a fix every 10 minutes for five
    hours (with a gap: ten hours silent, then an hour's fixes again)."""
    rows = []
    for k in [*range(30), *(range(90, 96) if gap else ())]:
        minutes = 120 + 10 * k
        t = f"{AIS_DAY}T{minutes // 60:02d}:{minutes % 60:02d}:00"
        rows.append(
            f"{mmsi},{t},{lat0 + 0.0005 * k:.5f},12.40000,0.5,0.0,0,{name},{imo},{call_sign},30,,18,5,2.1"
        )
    return rows


#: The MMSIs of the tracks: the H3-denied case's vessel, the unknown one it meets, IT-SCO's.
TRACKED = ("247022222", "247099917", "247033303")
AIS = {
    "ais-h3": [
        *_ais_rows(TRACKED[0], "NOEELAW STAR", "IMO9317456", "DKQZ7", 34.2, gap=True),
        *_ais_rows(TRACKED[1], "VORTELUNA", "", "", 34.2005, gap=False),
    ],
    "ais-it": _ais_rows(TRACKED[2], "CALAVENTO BRIO", "", "IQVB4", 34.2010, gap=False),
}
#: Posts (platform, url, posted_at, author, text): the owner's restricted posts name the H3-denied
#: person's phone and a handle of the owner's only; IT-SCO's open post names another handle.
POSTS = {
    "posts-h3": [
        (
            "telegram",
            "https://t.me/quorvistal/101",
            "2026-03-01T09:00:00Z",
            "quorvistal",
            "Zorvikan Quelmora Ventiscar 2900 EUR +49 151 22242225 @quorvistal_boats",
        ),
        (
            "facebook",
            "https://facebook.com/quorvistal/posts/202",
            "2026-03-02T09:00:00Z",
            "quorvistal",
            "Brakomir Tessaluna 3100 EUR +49 151 22242225",
        ),
    ],
    "posts-it": [
        (
            "telegram",
            "https://t.me/pellarossa/7",
            "2026-03-04T09:00:00Z",
            "pellarossa",
            "Gommone Lampedusa 2500 EUR +39 347 8881919 @pellarossa_viaggi",
        ),
    ],
}


#: A Telegram Desktop export of one channel (the owner's bare file, H2): a post naming the H2 person's phone
#: and a handle.
TELEGRAM = {
    "name": "Velkumaro Viaggi",
    "type": "public_channel",
    "id": 1700012345,
    "messages": [
        {
            "id": 11,
            "type": "message",
            "date": "2026-03-05T10:00:00",
            "from": "Velkumaro Viaggi",
            "from_id": "channel1700012345",
            "text": [
                "Drestavin Kolmaruva 2700 EUR ",
                {"type": "phone", "text": "+49 151 11141115"},
                " ",
                {"type": "mention", "text": "@velkumaro_trips"},
            ],
        },
        {"id": 12, "type": "service", "date": "2026-03-05T10:01:00", "action": "pin_message"},
    ],
}


def _other_sources(store: Store, base: Path) -> dict[str, str]:
    """The call records, AIS and posts files of the world, ingested (their contribution uids by key)."""
    owned: dict[str, tuple[str, dict[str, Any] | None]] = {
        "calls-h3": (OWNER, DENIED),
        "calls-h2": (OWNER, None),
        "calls-it": (LOOKALIKES, {"code": "H0"}),
        "ais-h3": (OWNER, DENIED),
        "ais-it": (LOOKALIKES, {"code": "H0"}),
        "posts-h3": (OWNER, DENIED),
        "posts-it": (LOOKALIKES, {"code": "H0"}),
        "telegram-h2": (OWNER, None),
    }
    found: dict[str, str] = {}
    for key, (agency, handling) in owned.items():
        path = base / (f"{key}.json" if key.startswith("telegram") else f"{key}.csv")
        with path.open("w", newline="", encoding="utf-8") as f:
            if key.startswith("telegram"):
                json.dump(TELEGRAM, f)
            elif key.startswith("ais"):
                f.write("\n".join([AIS_HEADER, *AIS[key]]) + "\n")
            else:
                rows = CALLS.get(key) or POSTS[key]
                header = ("caller", "callee", "start", "duration") if key in CALLS else POST_COLUMNS
                csv.writer(f).writerows([header, *rows])
        options = IngestOptions(agency=agency, handling="H2", read_post=post_facts)
        if handling is not None:  # an envelope beside the file (its restrictions)
            write_envelope(
                path.with_name(f"{path.name}.envelope.json"),
                id=f"{agency}-{key}",
                agency=agency,
                handling=handling,
            )
        found[key] = _ingest(store, path, options)
    return found


def _build(base: Path) -> World:
    """The template store: `mare init`, agencies and users, the contributions, the cross-check, consent."""
    template = base / "template"
    init = RUNNER.invoke(app, ["init", "--home", str(template)], env=ENV)
    assert init.exit_code == 0, init.output
    with open_store(template) as store:
        for agency, name, country in (
            (OWNER, "Bundeskriminalamt", "DE"),
            ("IT-SCO", "Servizio Centrale Operativo", "IT"),
            ("FR-OCRIEST", "OCRIEST", "FR"),
            ("ES-CGI", "Comisaria General de Informacion", "ES"),
        ):
            accounts.add_agency(store, agency, name, country, "member_state")
        accounts.add_user(store, "ita-analyst", "IT-SCO", ["analyst"], None)
        accounts.add_user(store, "bka-owner", OWNER, ["supervisor"], None)
        token_id, token = accounts.issue_token(store, "ita-analyst", label="matrix")

        contribution: dict[str, str] = {}
        for i, s in enumerate(SECRETS, start=1):
            records, links = _contribution(i, s)
            areas = ["migrant_smuggling", "document_fraud"] if s.key in LINKED else ["migrant_smuggling"]
            path = write_contribution(
                base / f"{s.key}.json",
                records,
                links,
                id=f"BKA-{s.key}",
                agency=OWNER,
                handling=s.handling,
                crime_areas=areas,
            )
            contribution[s.key] = _ingest(store, path)
        for version, records in enumerate(_replaced(), start=1):  # an open contribution, sent twice
            path = write_contribution(
                base / f"replaced-v{version}.json",
                records,
                [{"kind": "involved_in", "source": "p", "target": "e"}] if version == 1 else [],
                id="BKA-replaced",
                agency=OWNER,
                handling={"code": "H0"},
                **({"supersedes": "BKA-replaced"} if version > 1 else {}),
            )
            contribution[f"replaced-v{version}"] = _ingest(store, path)
        lookalikes: list[dict[str, Any]] = []
        links = []
        for i, s in enumerate(SECRETS, start=1):
            birth = f"198{i}-0{i}-1{i}"
            lookalikes.append({"id": f"q{i}", "kind": "person", "name": s.lookalike, "birth_date": birth})
            if s.key in LINKED:  # a network of its own, joined to the secret's by the resolved person
                lookalikes.append({"id": f"b{i}", "kind": "person", "name": s.lookalike_associate})
                links.append({"kind": "associate_of", "source": f"q{i}", "target": f"b{i}"})
        lookalikes += [
            {"id": "e1", "kind": "event", "event_type": "landing", "place": "Cala Vennaro", "lat": "35.50",
             "lon": "12.60", "occurred_at": "2026-03-03T05:00:00Z"},
            {"id": "l1", "kind": "journey_leg", "from_place": "Ras Zuwarel", "to_place": "Cala Vennaro",
             "from_lat": "32.93", "from_lon": "12.08", "to_lat": "35.50", "to_lon": "12.60",
             "departed_at": "2026-03-02T21:00:00Z", "mode": "sea"},
        ]  # fmt: skip
        path = write_contribution(
            base / "lookalikes.json",
            lookalikes,
            links,
            id="SCO-1",
            agency=LOOKALIKES,
            handling={"code": "H0"},
            crime_areas=["migrant_smuggling"],
        )
        contribution["lookalikes"] = _ingest(store, path)
        contribution.update(_other_sources(store, base))
        for uid in contribution.values():  # as intake does, each contribution against everything held
            crosscheck_contribution(store, uid)

        person = {s.key: f"{contribution[s.key]}:p" for s in SECRETS}
        fr = _context(store, "fr-analyst", "FR-OCRIEST", "analyst")
        granted = consent.request_consent(fr, person["h2"], "joint investigation JIT-7")
        consent.decide(_context(store, "bka-owner", OWNER, "supervisor"), granted.id, True, "for JIT-7")
        it = _context(store, "ita-analyst", "IT-SCO", "analyst")
        pending = consent.request_consent(it, person["h3-denied"], "operation Marea, same network")
        es = _context(store, "es-analyst", "ES-CGI", "analyst")
        override = consent.request_override(
            es, person["h3-ask-first"], "a boat with 40 people is in distress now, position unknown"
        )
        # IT-SCO's watchlist: the H3-denied person's phone (hit/no-hit for IT-SCO), the H0-restricted
        # case's plate and the H1 person's name in another order (both open to IT-SCO's analysts)
        listed = watchlists.create_watchlist(it, "Marea targets")
        entries = [
            watchlists.add_entry(it, listed.id, "phone", "+49 151 22242225")[0],
            watchlists.add_entry(it, listed.id, "plate", "MZK 6066")[0],
            watchlists.add_entry(it, listed.id, "person", "Vintrell Kareemos", birth_date="1987")[0],
        ]
        alerts = watchlists.alerts(it)
        assert {a.visibility for a in alerts} == {"full", "hit"}, alerts
        for ctx in (fr, it, es):
            ctx.close()

        world = _describe(store, base, template, person, contribution)
        world.template_seq = _last_seq(store)
    world.pending_request, world.override_request = pending.id, override.id
    world.watchlist, world.entry, world.alert = listed.id, entries[0].id, alerts[0].id
    world.watched = frozenset(f.lower() for e in entries for f in (e.value, e.key))
    world.token_id, world.always_secret = token_id, frozenset({token.lower()})
    world.ingest_file = write_contribution(
        base / "ingest.json",
        [{"id": "n1", "kind": "person", "name": "Zaheerqa Quixbury", "birth_date": "1981-01-11"}],
        id="SCO-2",
        agency=LOOKALIKES,
        handling={"code": "H0"},
    )
    return world


def _describe(
    store: Store, base: Path, template: Path, person: dict[str, str], contribution: dict[str, str]
) -> World:
    """Read back what the store holds: the policy's metadata, values, links, entities, hits, grants."""
    con = store.con
    meta: dict[tuple[str, str], DataMeta] = {}
    replaced = "contribution IN (SELECT uid FROM contributions WHERE superseded_by IS NOT NULL)"
    for resource, table, minor, kind, superseded in (
        ("record", "records", "minor", "kind", replaced),
        ("link", "links", "FALSE", "'link'", replaced),
        ("contribution", "contributions", "FALSE", "'contribution'", "superseded_by IS NOT NULL"),
    ):
        for ref, owner, code, rules, is_minor, what, old in con.execute(
            f"SELECT uid, agency, handling_code, restrictions, {minor}, {kind}, {superseded} FROM {table}"
        ).fetchall():
            meta[(resource, ref)] = DataMeta(
                owner, code, json.loads(rules) if rules else None, bool(is_minor), what, bool(old)
            )
    values: dict[str, list[tuple[str, str, str | None]]] = {}
    for uid, name, original, normalised in con.execute(
        "SELECT record_uid, field, original, normalised FROM record_values "
        "ORDER BY record_uid, field, position"
    ).fetchall():
        values.setdefault(uid, []).append((name, original, normalised))
    for uid, label in con.execute("SELECT uid, label FROM records WHERE label IS NOT NULL").fetchall():
        values.setdefault(uid, []).append(("name", label, None))
    # call records and AIS are the contribution's data, not records: their values under its uid
    for uid, number in con.execute(
        "SELECT contribution, caller FROM calls UNION SELECT contribution, callee FROM calls ORDER BY 1, 2"
    ).fetchall():
        values.setdefault(uid, []).append(("phone", f"+{number}", str(number)))
    for uid, mmsi in con.execute(
        "SELECT DISTINCT contribution, mmsi FROM ais_positions ORDER BY 1, 2"
    ).fetchall():
        values.setdefault(uid, []).append(("mmsi", str(mmsi), None))
    for uid, mmsi, imo, name, call_sign in con.execute(
        "SELECT contribution, mmsi, imo, name, call_sign FROM ais_static ORDER BY contribution, line"
    ).fetchall():
        values.setdefault(uid, []).append(("mmsi", str(mmsi), None))
        for name_, value in (("imo", imo), ("name", name), ("call_sign", call_sign)):
            if value:
                values[uid].append((name_, value, None))
    links_of: dict[str, list[tuple[str, str]]] = {}
    for luid, source, target in con.execute("SELECT uid, source_uid, target_uid FROM links").fetchall():
        links_of.setdefault(source, []).append((luid, target))
        links_of.setdefault(target, []).append((luid, source))
    owned = {contribution[s.key] for s in SECRETS}
    entities: dict[str, list[str]] = {}
    for eid, uid in con.execute("SELECT entity_id, record_uid FROM entities ORDER BY 1, 2").fetchall():
        entities.setdefault(eid, []).append(uid)
    entities = {e: uids for e, uids in entities.items() if any(u.split(":")[0] in owned for u in uids)}
    grants: dict[str, set[str]] = {}
    for agency, uid in con.execute(
        "SELECT requester_agency, record_uid FROM consent_requests WHERE status = 'granted'"
    ).fetchall():
        grants.setdefault(agency, set()).add(uid)
    hit_records: dict[str, list[str]] = {}
    for left, right, left_agency, right_agency in con.execute(
        "SELECT left_uid, right_uid, left_agency, right_agency FROM hits"
    ).fetchall():
        for agency in {left_agency, right_agency}:
            hit_records.setdefault(agency, []).extend([left, right])
    review = [
        uid
        for pair in con.execute(
            "SELECT left_uid, right_uid FROM candidate_pairs WHERE decision = 'review'"
        ).fetchall()
        for uid in pair
    ]
    notification = con.execute(
        "SELECT id FROM notifications WHERE agency = ? ORDER BY id LIMIT 1", [LOOKALIKES]
    ).fetchone()
    assert hit_records.get(LOOKALIKES) and review and notification and entities, "no hits, pairs or entities"
    return World(
        template=template,
        home=base / "reads",
        scratch=base / "runs",
        person=person,
        lookalike={s.key: f"{contribution['lookalikes']}:q{i}" for i, s in enumerate(SECRETS, start=1)},
        contribution=contribution,
        meta=meta,
        values=values,
        forms={uid: _checked_forms(rows) for uid, rows in values.items()},
        links_of=links_of,
        entities=entities,
        grants={agency: frozenset(uids) for agency, uids in grants.items()},
        hit_records=hit_records,
        review_records=review,
        notification=str(notification[0]),
    )


def _last_seq(store: Store) -> int:
    row = store.con.execute("SELECT coalesce(max(seq), 0) FROM audit_log").fetchone()
    return int(row[0]) if row else 0


# --- the matrix ------------------------------------------------------------------------------

Kind = Literal["reads", "acts", "files", "setup"]
Touch = tuple[str, str]  # (resource, ref)


@dataclass(frozen=True)
class Run:
    """One invocation's own arguments (the sweep adds --home and the viewer) and what it decides on."""

    args: tuple[str, ...]
    touches: tuple[Touch, ...] = ()  # decided by the run: each one withheld has its authorisation entry
    touches_of: dict[str, tuple[Touch, ...]] | None = None  # decided for a viewer of this agency only
    with_links: bool = False  # a record shown in full also decides its links and their other ends
    bulk: tuple[str, ...] = ()  # filtered in the database: the records withheld (of these kinds) are
    # counted in its consultation entry
    purposes: tuple[Purpose, ...] = ()  # in the extended sweep, also in these purposes (--purpose)
    echo: frozenset[str] = frozenset()  # forms the caller typed (a search): not a leak when printed
    input: str | None = None
    extended: bool = False  # only in the extended sweep (marked slow)


Runs = Callable[[World, Path], list[Run]]


@dataclass(frozen=True)
class Case:
    """How a command is swept (reads, acts) or why it is not (files, setup)."""

    kind: Kind
    runs: Runs | None = None
    why: str = ""
    content_free: bool = False  # shows no record value at all, whoever asks
    purpose: Purpose | None = None  # the purpose the command reads in, where it sets one itself
    refusal_lines: int | None = 1  # lines of a refusal (None: a row of a report, still audited)
    rewrites_store: bool = False  # an act that compacts the database file (it cannot be held open meanwhile)
    shows_values: bool = False  # some viewer must be shown some value (the sweep is not vacuous)


def _records(w: World, kind: str | None = None, case: str | None = None) -> list[str]:
    """Record uids, of one kind and of one secret case's contribution (case: its key); not those of a
    version its owner replaced (listings leave history out, except for oversight)."""
    return [
        uid
        for uid in w.records
        if not w.meta[("record", uid)].superseded
        and (kind is None or w.meta[("record", uid)].kind == kind)
        and (case is None or uid.split(":")[0] == w.contribution[case])
    ]


def _value(w: World, uid: str, name: str, normalised: bool = False) -> str:
    """The first value of a field of a record, as sent (or normalised)."""
    original, norm = next((o, n) for f, o, n in w.values[uid] if f == name)
    return (norm or original) if normalised else original


def _show_record(w: World, out: Path) -> list[Run]:
    """Every secret person (JSON), the H2 case's vehicle, account and phone, the H2 person as a panel; in the
    extended sweep the other records, the linked persons and look-alikes (H1's person in other purposes)."""
    runs = []
    for s in SECRETS:
        for uid in _records(w, case=s.key):
            if uid.endswith(":a"):
                continue  # an associate: decided as the other end of its person's links
            person = uid == w.person[s.key]
            runs.append(
                Run(
                    ("show", "record", uid, "--json"),
                    (("record", uid),),
                    with_links=True,
                    purposes=OTHER_PURPOSES if s.key == "h1" and person else (),
                    extended=not (person or (s.key == "h2" and uid.split(":")[1] in ("v", "f", "ph"))),
                )
            )
        if s.key in LINKED:
            for uid in (w.person[s.key], w.lookalike[s.key]):
                extended = not (s.key == "h2" and uid == w.person[s.key])
                runs.append(
                    Run(("show", "record", uid), (("record", uid),), with_links=True, extended=extended)
                )
    return runs


def _show_entity(w: World, out: Path) -> list[Run]:
    """The resolved person of the H2 case (JSON) and the H3-denied case's IBAN, typed by the caller; in the
    extended sweep every resolved person with a secret record (also as a panel), and more identifiers."""
    h2 = w.person["h2"]
    runs = [
        Run(("show", "entity", e, *flag), tuple(("record", u) for u in us), extended=not flag or h2 not in us)
        for e, us in w.entities.items()
        for flag in (("--json",), ())
    ]
    c = w.contribution["h3-denied"]
    for kind, uid, name in (
        ("phone", f"{c}:p", "phone"),
        ("iban", f"{c}:f", "iban"),
        ("email", f"{c}:p", "email"),
        ("document", f"{c}:p", "document_number"),
        ("plate", f"{c}:v", "plate"),
    ):
        typed = _value(w, uid, name, normalised=kind == "phone")  # a phone in +CC form
        holders = tuple(
            ("record", u) for u in w.records if any(v[1] == _value(w, uid, name) for v in w.values[u])
        )
        runs.append(
            Run(
                ("show", "entity", f"{kind}:{typed}", "--json"),
                holders,
                echo=w.value_forms(uid, name),
                extended=kind != "iban",
            )
        )
    return runs


def _search(w: World, out: Path) -> list[Run]:
    """The names of the H2, H3 (denied, allowed, ask first) and minor persons, the H2 look-alike's name
    (fuzzy: it finds the secret), the H3-denied case's IBAN; the other names and identifiers (and H1's
    name in the other purposes) in the extended sweep."""
    runs = [
        Run(
            ("search", s.name, "--json"),
            (("record", w.person[s.key]),),
            echo=w.value_forms(w.person[s.key], "name"),
            purposes=OTHER_PURPOSES if s.key == "h1" else (),
            extended=s.key in ("h3-expired", "h0-restricted", "h1"),
        )
        for s in SECRETS
    ]
    runs += [
        Run(("search", s.lookalike), echo=w.value_forms(w.lookalike[s.key], "name"), extended=s.key != "h2")
        for s in SECRETS
        if s.key in LINKED
    ]
    c = w.contribution["h3-denied"]
    for uid, name in ((f"{c}:f", "iban"), (f"{c}:p", "phone"), (f"{c}:v", "plate")):
        runs.append(
            Run(
                ("search", _value(w, uid, name), "--json"),
                (("record", uid),),
                echo=w.value_forms(uid, name),
                extended=name != "iban",
            )
        )
    return runs


def _network(w: World, out: Path) -> list[Run]:
    """The networks (JSON); in the extended sweep also the table, the first network analysed, and the
    neighbourhoods of the H2 person and its look-alike (the resolved person merges both into one node)."""
    hub = ("network", "--hub", "--min-size", "2")
    return [
        Run((*hub, "--json"), bulk=ALL, purposes=OTHER_PURPOSES),
        Run((*hub, "--entity", w.person["h2"], "--depth", "2", "--json"), bulk=ALL, extended=True),
        Run(hub, bulk=ALL, extended=True),
        Run((*hub, "--network", "N1", "--json", "--out", str(out / "n1.json")), bulk=ALL, extended=True),
        Run((*hub, "--entity", w.lookalike["h2"], "--depth", "2"), bulk=ALL, extended=True),
    ]


def _export(w: World, out: Path) -> list[Run]:
    return [
        Run(
            ("export", kind, "-o", str(out / f"{kind}.csv")),
            tuple(("record", u) for u in _records(w, kind)),
            purposes=OTHER_PURPOSES if kind == "person" else (),
            extended=kind not in ("person", "vehicle", "financial_account"),
        )
        for kind in ("person", "vehicle", "financial_account", "phone", "document", "event", "journey_leg")
    ]


def _hit_touches(w: World) -> dict[str, tuple[Touch, ...]]:
    """The records of the hits notified to each agency (its notifications are written through the policy)."""
    return {agency: tuple(("record", u) for u in uids) for agency, uids in w.hit_records.items()}


def _alert_touches(w: World) -> dict[str, tuple[Touch, ...]]:
    """The records IT-SCO's watchlist alerts matched (each alert is written through the policy)."""
    rows = w.store.con.execute("SELECT DISTINCT record_uid FROM alerts ORDER BY 1").fetchall()
    return {LOOKALIKES: tuple(("record", r[0]) for r in rows)}


def _one(*args: str, **kw: Any) -> Runs:
    return lambda w, out: [Run(args, **kw)]


REASON = "operation Marea, same network"
THREAT = "a boat with 40 people is in distress now, position unknown"

MATRIX: dict[str, Case] = {
    # reads: return hub data
    "show record": Case("reads", _show_record, shows_values=True),
    "show entity": Case("reads", _show_entity, shows_values=True),
    "show contribution": Case(
        "reads",
        lambda w, out: [
            *(
                Run(
                    ("show", "contribution", c, "--json"),
                    (("contribution", c),),
                    extended=k not in CORE_CASES,
                )
                for k, c in w.contribution.items()
            ),
            Run(
                ("show", "contribution", w.contribution["h1"]),
                (("contribution", w.contribution["h1"]),),
                purposes=OTHER_PURPOSES,
                extended=True,
            ),
        ],
    ),
    "records": Case(
        "reads",
        lambda w, out: [
            Run(
                ("records", "--kind", "person", "--json"), tuple(("record", u) for u in _records(w, "person"))
            ),
            Run(
                ("records", "--kind", "financial_account"),
                tuple(("record", u) for u in _records(w, "financial_account")),
            ),
            Run(
                ("records", "--limit", "999", "--json"),
                tuple(("record", u) for u in _records(w)),
                purposes=OTHER_PURPOSES,
                extended=True,
            ),
            Run(("records", "--limit", "999"), tuple(("record", u) for u in _records(w)), extended=True),
        ],
        shows_values=True,
    ),
    "search": Case("reads", _search, shows_values=True),
    "export": Case("reads", _export, shows_values=True),
    "stats": Case(
        "reads", lambda w, out: [Run(("stats", "--json"), bulk=ALL), Run(("stats",), bulk=ALL, extended=True)]
    ),
    "network": Case("reads", _network, shows_values=True),
    # phone pairs of the call batches the viewer may see in full (counted per batch in its consultation)
    "calls busiest": Case(
        "reads",
        lambda w, out: [
            Run(("calls", "busiest", "--json")),
            Run(("calls", "busiest", "--period", "week"), extended=True),
        ],
        shows_values=True,
    ),
    "profile": Case(
        "reads",
        lambda w, out: [
            Run(("profile", "--json"), purposes=OTHER_PURPOSES),
            Run(("profile",), extended=True),
            Run(("profile", "--network", "N1", "--min-size", "2", "--json"), extended=True),
        ],
    ),
    "polycrime": Case(
        "reads",
        lambda w, out: [
            Run(("polycrime", "--json"), purposes=OTHER_PURPOSES),
            Run(("polycrime", "--by-network", "--min-size", "2"), extended=True),
        ],
    ),
    "hotspots": Case(
        "reads",
        lambda w, out: [
            Run(
                ("hotspots", "--hub", "--all", "--json"),
                bulk=("event", "journey_leg"),
                purposes=OTHER_PURPOSES,
            ),
            Run(
                ("hotspots", "--hub", "--all", "-o", str(out / "cells.geojson")),
                bulk=("event", "journey_leg"),
                extended=True,
            ),
        ],
    ),
    "documents": Case(
        "reads",
        lambda w, out: [
            Run(("documents", "--hub", "--json")),
            Run(("documents", "--hub"), extended=True),
        ],
    ),
    "adverts": Case(
        "reads",
        lambda w, out: [
            Run(("adverts", "--hub", "--json"), bulk=("advert",)),
            Run(("adverts", "--hub"), extended=True),
        ],
        shows_values=True,
    ),
    "money": Case(
        "reads",
        lambda w, out: [
            Run(("money", "--hub", "--json")),
            Run(("money", "--hub"), extended=True),
        ],
        shows_values=True,
    ),
    "vessels": Case(
        "reads",
        lambda w, out: [
            Run(("vessels", "--hub", "--json"), bulk=("vessel", "event")),
            Run(("vessels", "--hub", "--events"), bulk=("vessel", "event"), extended=True),
        ],
        shows_values=True,
    ),
    "routes": Case(
        "reads",
        lambda w, out: [
            Run(("routes", "--hub", "--json"), bulk=("journey_leg",), purposes=OTHER_PURPOSES),
            Run(("routes", "--hub", "-o", str(out / "legs.csv")), bulk=("journey_leg",), extended=True),
        ],
    ),
    # reports are checked in their HTML form (the PDF holds the same text, drawn by WeasyPrint)
    "report": Case(
        "reads",
        lambda w, out: [
            Run(("report", "daily", "-o", str(out / "daily.html")), touches_of=_alert_touches(w)),
            # the day of the world's AIS, calls and posts: the maritime and the other sections hold them
            Run(
                ("report", "daily", "--day", AIS_DAY, "-o", str(out / "day.html")),
                touches_of=_alert_touches(w),
            ),
            Run(("report", "vessels", "--json")),
            Run(("report", "vessels", "-o", str(out / "vessels.html")), extended=True),
            Run(("report", "situation", "-o", str(out / "situation.html")), purposes=OTHER_PURPOSES),
            Run(("report", "initiation", "N1", "--min-size", "2", "-o", str(out / "n1.html")), extended=True),
        ],
        shows_values=True,
    ),
    "review": Case(
        "reads",
        lambda w, out: [Run(("review",), tuple(("record", u) for u in w.review_records), input="q\n")],
        shows_values=True,
    ),
    "notifications list": Case(
        "reads",
        lambda w, out: [
            Run(("notifications", "list", "--json"), touches_of=_hit_touches(w)),
            Run(("notifications", "list"), touches_of=_hit_touches(w), extended=True),
        ],
        shows_values=True,
    ),
    "warnings list": Case("reads", _one("warnings", "list", "--json")),
    "warnings show": Case("reads", _one("warnings", "show", "EWnone")),
    "watchlist list": Case(
        "reads",
        lambda w, out: [
            Run(("watchlist", "list", "--json"), echo=w.watched),
            Run(("watchlist", "list", w.watchlist), echo=w.watched, extended=True),
        ],
    ),
    "alerts list": Case(
        "reads",
        lambda w, out: [
            Run(("alerts", "list", "--json"), touches_of=_alert_touches(w)),
            Run(
                ("alerts", "list", "--unacknowledged"),
                touches_of=_alert_touches(w),
                extended=True,
            ),
        ],
    ),
    "consent list": Case(
        "reads",
        lambda w, out: [Run(("consent", "list", "--json")), Run(("consent", "list"), extended=True)],
        content_free=True,
    ),
    "retention due": Case(
        "reads", _one("retention", "due", "--on", "2100-01-01", "--json"), content_free=True
    ),
    # the audit trail is read for oversight (the commands set that purpose): it holds who searched for what
    "audit show": Case("reads", _one("audit", "show", "--limit", "1000"), purpose="oversight"),
    "audit export": Case(
        "reads",
        lambda w, out: [
            Run(("audit", "export", "--from", "2000-01-01", "--to", "2100-01-01", "-o", str(out / "a.jsonl")))
        ],
        purpose="oversight",
    ),
    "audit head": Case("reads", _one("audit", "head"), content_free=True),
    "audit verify": Case("reads", _one("audit", "verify"), content_free=True),
    "doctor": Case("reads", _one("doctor", "--json"), content_free=True),
    "agencies list": Case("reads", _one("agencies", "list", "--json"), content_free=True),
    "users list": Case("reads", _one("users", "list", "--json"), content_free=True),
    "users tokens": Case("reads", lambda w, out: [Run(("users", "tokens", w.username))], content_free=True),
    # acts: change hub data
    "agencies add": Case(
        "acts",
        _one(
            "agencies",
            "add",
            "PT-PJ",
            "--name",
            "Policia Judiciaria",
            "--type",
            "member_state",
            "--country",
            "PT",
        ),
        content_free=True,
    ),
    "agencies disable": Case("acts", _one("agencies", "disable", "IT-SCO"), content_free=True),
    "users add": Case(
        "acts",
        _one("users", "add", "new-analyst", "--agency", "IT-SCO", "--role", "analyst", "--no-password"),
        content_free=True,
    ),
    "users disable": Case("acts", lambda w, out: [Run(("users", "disable", w.username))], content_free=True),
    "users token": Case("acts", lambda w, out: [Run(("users", "token", w.username))], content_free=True),
    "users revoke": Case("acts", lambda w, out: [Run(("users", "revoke", w.token_id))], content_free=True),
    "consent request": Case(
        "acts",
        lambda w, out: [
            Run(("consent", "request", w.person[k], "--why", REASON), extended=k != "h2")
            for k in ("h2", "h3-allowed", "minor")
        ],
        content_free=True,
    ),
    "consent grant": Case(
        "acts", lambda w, out: [Run(("consent", "grant", w.pending_request))], content_free=True
    ),
    "consent refuse": Case(
        "acts", lambda w, out: [Run(("consent", "refuse", w.pending_request))], content_free=True
    ),
    "consent override": Case(
        "acts",
        lambda w, out: [Run(("consent", "override", w.person["h3-denied"], "--why", THREAT))],
        content_free=True,
    ),
    "consent approve": Case(
        "acts", lambda w, out: [Run(("consent", "approve", w.override_request))], content_free=True
    ),
    "erase": Case(
        "acts",
        lambda w, out: [Run(("erase", w.person["h3-denied"], "--reason", "court order 2026/117"))],
        content_free=True,
        rewrites_store=True,
    ),
    "retention extend": Case(
        "acts",
        lambda w, out: [
            Run(("retention", "extend", w.person["h2"], "--until", "2040-01-01", "--reason", REASON))
        ],
        content_free=True,
    ),
    "retention run": Case(
        "acts", _one("retention", "run", "--on", "2100-01-01"), content_free=True, rewrites_store=True
    ),
    "watchlist create": Case("acts", _one("watchlist", "create", "Second list"), content_free=True),
    "watchlist add": Case(
        "acts",
        lambda w, out: [
            Run(
                (
                    "watchlist",
                    "add",
                    w.watchlist,
                    _value(w, w.person["h2"], "email").upper(),
                    "--kind",
                    "email",
                ),
                echo=w.value_forms(w.person["h2"], "email"),
            )
        ],
        content_free=True,
    ),
    "watchlist remove": Case(
        "acts", lambda w, out: [Run(("watchlist", "remove", w.entry))], content_free=True
    ),
    "alerts ack": Case("acts", lambda w, out: [Run(("alerts", "ack", w.alert))], content_free=True),
    "warnings run": Case("acts", _one("warnings", "run", "--json")),
    # the whole store into an empty one elsewhere (outside the run's output folder: a hub administrator
    # copies everything by design); refused to anyone but the hub's administrators
    "store copy": Case(
        "acts",
        lambda w, out: [Run(("store", "copy", "--to", str(w.scratch / f"copy-{uuid.uuid4().hex}")))],
        content_free=True,
    ),
    "store secure": Case("acts", _one("store", "secure"), content_free=True),
    "warnings ack": Case("acts", _one("warnings", "ack", "EWnone"), content_free=True),
    "notifications outbox": Case(
        "acts",
        lambda w, out: [
            Run(("notifications", "outbox", "--to", str(out / "outbox")), touches_of=_hit_touches(w))
        ],
    ),
    "notifications read": Case(
        "acts", lambda w, out: [Run(("notifications", "read", w.notification))], content_free=True
    ),
    "crosscheck": Case("acts", _one("crosscheck", "--no-train", "--json"), content_free=True),
    # the bulk call counts (hub staff only): counts of every batch into call_counts, no record value
    "calls aggregate": Case(
        "acts", _one("calls", "aggregate", "--period", "month", "--json"), content_free=True
    ),
    "ingest": Case(
        "acts",
        lambda w, out: [Run(("ingest", str(w.ingest_file), "--no-geocode"))],
        content_free=True,
        refusal_lines=None,  # a contribution refused is a row of the report (and a red line), audited
    ),
    # files: a user's own file, no hub store
    "link": Case("files", why="deduplicates a user's CSV of persons"),
    "trends": Case("files", why="flags shifts in the counts of a user's CSV"),
    "mrz": Case("files", why="checks the MRZ blocks of a user's file"),
    "schema": Case("files", why="prints the contribution schema: no data"),
    "version": Case("files", why="prints the version: no data"),
    "scenario generate": Case("files", why="writes a synthetic world to a folder"),
    "scenario describe": Case("files", why="describes a synthetic world's folder"),
    # setup: creates a store, as its operator
    "init": Case("setup", why="creates (or migrates) a store, as its local operator: no previews"),
    "demo": Case("setup", why="creates a store from a synthetic world, as its local operator: no previews"),
    "schedule run": Case("setup", why="the hub's own processing (system:schedule), for the store's operator"),
    "serve": Case("setup", why="serves the store over HTTP until stopped; its API is swept in tests/server"),
}


# --- the app's commands ----------------------------------------------------------------------


def _commands() -> dict[str, Any]:
    """Every leaf command of the Typer app by its path ("show record")."""
    found: dict[str, Any] = {}

    def walk(command: Any, path: tuple[str, ...]) -> None:
        children = getattr(command, "commands", None)  # a group (Typer's own Click: no isinstance)
        if children is None:
            found[" ".join(path)] = command
            return
        for name, child in children.items():
            walk(child, (*path, name))

    walk(ROOT, ())
    return found


COMMANDS = _commands()


def _option(command: Any, *, name: str | None = None, envvar: str | None = None) -> str | None:
    """The command's option for this parameter name or environment variable (None: it has none)."""
    for param in command.params:
        if (name and param.name == name) or (envvar and getattr(param, "envvar", None) == envvar):
            return str(param.opts[0])
    return None


def test_every_command_is_in_the_matrix() -> None:
    missing = sorted(set(COMMANDS) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(COMMANDS))
    assert not missing, f"commands not in the leak matrix (classify them in MATRIX): {missing}"
    assert not stale, f"the leak matrix lists commands the app no longer has: {stale}"


def test_each_command_is_what_the_matrix_says() -> None:
    """files: no store, no sign-in; setup: a store, as its operator only; reads and acts: a preview."""
    for path, case in MATRIX.items():
        command = COMMANDS[path]
        preview = _option(command, envvar="MARE_AGENCY") or _option(command, name="user")
        if case.kind in ("files", "setup"):
            assert case.why, f"{path}: say why it is not swept"
            assert preview is None, f"{path} signs someone in: sweep it as reads or acts"
            has_home = _option(command, name="home") is not None
            assert has_home == (case.kind == "setup"), f"{path}: files never open a store, setup creates one"
        else:
            assert case.runs is not None, f"{path}: give its runs"
            for opt in (_option(command, name="home"), _option(command, envvar="MARE_AGENCY")):
                assert opt, f"{path} cannot be swept: it lacks --home or --as-agency"
            assert _option(command, envvar="MARE_ROLE"), f"{path} cannot be swept: it lacks a role preview"


# --- the sweep -------------------------------------------------------------------------------


@dataclass
class Tally:
    """The figures of the whole sweep."""

    commands: set[str] = field(default_factory=set)
    invocations: int = 0
    refused: int = 0
    leaks: list[str] = field(default_factory=list)
    unaudited: list[str] = field(default_factory=list)
    denials_audited: int = 0
    values_shown: int = 0


TALLY = Tally()
#: An audit entry: action, outcome, resource, ref, actor's agency, details.
Entry = tuple[str, str, str | None, str | None, str | None, Any]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The world, built once; the reads' store is held open (each run opens the same database in-process)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", lambda typer_app: ROOT)  # Typer rebuilds it per invoke
        patch.setenv("COLUMNS", ENV["COLUMNS"] or "")
        narrow = [
            f"{name}.{attr}"
            for name, module in list(sys.modules.items())
            if name.startswith("mare.cli")
            for attr, value in vars(module).items()
            if isinstance(value, Console) and value.width < 1000
        ]
        assert not narrow, f"consoles of a fixed width would fold values over lines: {narrow}"
        built = _build(tmp_path_factory.mktemp("leak-matrix"))
        shutil.copytree(built.template, built.home)
        built.scratch.mkdir()
        with open_store(built.home) as store:
            built.store = store
            yield built


def _entries(store: Store, after: int) -> list[Entry]:
    rows = store.con.execute(
        "SELECT action, outcome, resource, ref, actor_agency, details FROM audit_log "
        "WHERE seq > ? ORDER BY seq",
        [after],
    ).fetchall()
    return [(*r[:5], json.loads(r[5]) if r[5] else None) for r in rows]


@dataclass(frozen=True)
class Outcome:
    """A run's exit status, what it printed, the files it wrote and the audit entries it added."""

    code: int
    output: str
    files: str
    entries: list[Entry]


def _invoke(argv: list[str], run: Run, out: Path, store: Store | Path, before: int) -> Outcome:
    """Run one command line; the store to read the audit entries from is held open, or opened after."""
    result = RUNNER.invoke(app, argv, input=run.input, env=ENV)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{' '.join(argv)} crashed: {result.exception!r}\n{result.output}")
    files = "".join(
        f"\n--- {p.name}\n" + p.read_text(encoding="utf-8", errors="replace")
        for p in sorted(out.rglob("*"))
        if p.is_file()
    )
    if isinstance(store, Path):
        with open_store(store) as opened:
            return Outcome(result.exit_code, result.output, files, _entries(opened, before))
    return Outcome(result.exit_code, result.output, files, _entries(store, before))


def _check(
    world: World, case: Case, run: Run, agency: str, role: str, purpose: Purpose, done: Outcome
) -> list[str]:
    """What went wrong in one run: leaks, refusals not in one line, denials not audited (figures to TALLY)."""
    label = f"{' '.join(run.args)} [{agency} {role} {purpose}]"
    TALLY.invocations += 1
    text = (done.output + done.files).lower()
    typed = "\n".join(run.echo)
    problems = [
        f"LEAK {label} shows {form!r}"
        for form in world.forbidden(agency, role, purpose, case.content_free)
        if form in text and form not in typed
    ]
    shown = 0 if case.content_free else sum(1 for f in world.all_forms if f in text and f not in typed)
    TALLY.values_shown += shown
    mine = [e for e in done.entries if e[4] == agency]
    withheld_counted = [
        sum(e[5]["bulk"]["record"]["withheld"].values())
        for e in mine
        if e[0] == "consultation" and e[5] and "record" in e[5].get("bulk", {})
    ]
    if done.code == 1:
        TALLY.refused += 1
        lines = done.output.strip().splitlines()
        if case.refusal_lines is not None and len(lines) != case.refusal_lines:
            problems.append(f"{label} refused in {len(lines)} lines, not {case.refusal_lines}: {lines}")
        denied = any(e[0] == "authorisation" and e[1] in ("denied", "hit", "none") for e in mine)
        if denied or (case.kind == "reads" and any(withheld_counted)):
            TALLY.denials_audited += 1
        else:
            problems.append(
                f"UNAUDITED {label} exit 1 without a denial in the audit trail: {done.output.strip()}"
            )
        return problems
    assert done.code == 0, f"{label}: exit {done.code}\n{done.output}"
    decided = [*run.touches, *(run.touches_of or {}).get(agency, ())]
    if run.with_links:
        for resource, ref in run.touches:
            if world.visibility(agency, role, purpose, resource, ref) == "full":
                for luid, other in world.links_of.get(ref, []):
                    decided += [("link", luid), ("record", other)]
    audited = {(e[2], e[3], e[1]) for e in mine if e[0] == "authorisation"}
    for resource, ref in dict.fromkeys(decided):
        visibility = world.visibility(agency, role, purpose, resource, ref)
        if visibility == "full":
            continue
        if (resource, ref, visibility) in audited or (visibility == "none" and any(withheld_counted)):
            TALLY.denials_audited += 1  # 'none' rows of a read filtered in the database: counted there
        else:
            problems.append(
                f"UNAUDITED {label}: {resource} {ref} withheld ({visibility}), no authorisation entry"
            )
    if run.bulk:
        # on PostgreSQL the second wall returns no row the policy hides ('none': a replaced version, say),
        # so a bulk read neither shows nor counts it
        walled = world.store.url is not None
        withheld = sum(
            1
            for u in world.withheld(agency, role, purpose)
            if world.meta[("record", u)].kind in run.bulk
            and not (walled and world.visibility(agency, role, purpose, "record", u) == "none")
        )
        if withheld_counted != [withheld]:
            problems.append(
                f"UNAUDITED {label}: {withheld} records withheld, consultation counted {withheld_counted}"
            )
        elif withheld:
            TALLY.denials_audited += 1
    return problems


def _argv(path: str, run: Run, home: Path, agency: str, role: str, purpose: Purpose | None) -> list[str]:
    command = COMMANDS[path]
    as_agency, as_role = _option(command, envvar="MARE_AGENCY"), _option(command, envvar="MARE_ROLE")
    assert as_agency and as_role
    argv = [*run.args, "--home", str(home), as_agency, agency, as_role, role]
    return [*argv, "--purpose", purpose] if purpose else argv


SWEPT = [path for path, case in MATRIX.items() if case.kind in ("reads", "acts")]
SCOPES = [
    pytest.param(
        path,
        scope,
        id=f"{path.replace(' ', '_')}-{scope}",
        marks=[pytest.mark.slow] if scope == "extended" else [],
    )
    for path in SWEPT
    for scope in ("core", "extended")
]


@pytest.mark.parametrize(("path", "scope"), SCOPES)
def test_sweep(world: World, path: str, scope: str) -> None:
    """Every viewer runs the command: nothing withheld is shown, every denial is audited. The core sweep
    reads in each command's own purpose; the extended one (slow) adds variants and other purposes."""
    case = MATRIX[path]
    assert case.runs is not None
    takes_purpose = _option(COMMANDS[path], name="purpose") is not None
    out = world.scratch / "out"
    problems: list[str] = []
    invoked, shown = 0, TALLY.values_shown
    act = _ActCopy(world, hold=not case.rewrites_store)
    for agency, role in VIEWERS:
        for run in case.runs(world, out):
            purposes: tuple[Purpose | None, ...] = (None,)
            if scope == "extended":
                purposes = (*((None,) if run.extended else ()), *(run.purposes if takes_purpose else ()))
            elif run.extended:
                continue
            for purpose in purposes:
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir()
                reads_in: Purpose = purpose or case.purpose or "crime_fighting"
                if case.kind == "reads":
                    argv = _argv(path, run, world.home, agency, role, purpose)
                    done = _invoke(argv, run, out, world.store, _last_seq(world.store))
                else:
                    argv = _argv(path, run, act.fresh(), agency, role, purpose)
                    done = _invoke(argv, run, out, act.held or act.fresh(), act.seq)
                    act.seq += len(done.entries)  # seq numbers are consecutive
                    if done.code != 1:
                        act.spoilt()  # it may have changed the store: the next viewer gets a fresh copy
                problems += _check(world, case, run, agency, role, reads_in, done)
                invoked += 1
    act.spoilt()
    if not invoked:
        pytest.skip(f"{path} has no {scope} runs")
    if scope == "core":
        TALLY.commands.add(path)
    TALLY.leaks += [p for p in problems if p.startswith("LEAK")]
    TALLY.unaudited += [p for p in problems if p.startswith("UNAUDITED")]
    assert not problems, "\n".join(problems[:40])
    if case.shows_values and scope == "core":
        assert TALLY.values_shown > shown, f"{path} showed no value to any viewer: is the sweep vacuous?"


class _ActCopy:
    """A copy of the template for the acts, kept while runs are refused (a refusal writes only its audit
    entries), a fresh one (in a new folder) after any run that may have changed it. Held open between runs
    (each command then opens the same database in-process), unless the command rewrites the file."""

    copies = 0

    def __init__(self, world: World, hold: bool) -> None:
        self.world = world
        self.hold = hold
        self.home: Path | None = None
        self.held: Store | None = None
        self.seq = 0

    def fresh(self) -> Path:
        """The copy's folder (made now if the last run spoilt it)."""
        if self.home is None:
            _ActCopy.copies += 1
            self.home = self.world.scratch / f"act-{_ActCopy.copies}"
            shutil.copytree(self.world.template, self.home)
            self.seq = self.world.template_seq
            self.held = open_store(self.home) if self.hold else None
        return self.home

    def spoilt(self) -> None:
        if self.held is not None:
            self.held.close()
            self.held = None
        if self.home is not None:
            shutil.rmtree(self.home)
        self.home = None


def test_summary(world: World) -> None:
    """The figures of the sweep; the reads' audit chain still verifies."""
    if TALLY.commands != set(SWEPT):
        pytest.skip("the figures need the whole core sweep")
    assert AuditLog(world.store).verify().ok
    kinds = Counter(case.kind for case in MATRIX.values())
    figures = (
        f"commands in the app {len(COMMANDS)} ({kinds['reads']} reads, {kinds['acts']} acts, "
        f"{kinds['files']} files, {kinds['setup']} setup); swept {len(TALLY.commands)}; viewers "
        f"{len(VIEWER_AGENCIES)} agencies x {len(ROLES)} roles = {len(VIEWERS)}; invocations "
        f"{TALLY.invocations} (refused {TALLY.refused}); leaks {len(TALLY.leaks)}; unaudited denials "
        f"{len(TALLY.unaudited)}; denials audited {TALLY.denials_audited}; values shown where allowed "
        f"{TALLY.values_shown}"
    )
    print(f"\nleak matrix: {figures}")
    assert not TALLY.leaks and not TALLY.unaudited, figures
    assert TALLY.invocations > 1000 and TALLY.denials_audited > 0 and TALLY.values_shown > 0, figures
