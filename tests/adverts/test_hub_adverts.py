"""`mare adverts --hub | FILE`: posters linked to persons through the policy; hits, never values, across."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adverts.conftest import PHONE, SECRET_PHONE, message, telegram_export
from builders import write_contribution, write_envelope
from mare.cli import app
from mare.hub.adverts import post_facts
from mare.ingest.pipeline import IngestOptions, ingest_file
from mare.resolve.extract import index_identifiers
from mare.store.db import open_store

RUNNER = CliRunner()
ENV = {"COLUMNS": "400"}
SECRETS = ["Zaher Secret", "OP-HIDDEN"]


def _hub(tmp_path: Path) -> str:
    """A hub with a DE-BKA case (H0: Omar Haddad uses PHONE), an FR-OCRIEST case (H2: Zaher Secret uses
    SECRET_PHONE) and an internet referral unit's Telegram export (H0) naming both numbers."""
    home = str(tmp_path / "home")
    assert RUNNER.invoke(app, ["init", "--home", home]).exit_code == 0
    files = []
    for agency, handling, name, phone, case in (
        ("DE-BKA", {"code": "H0"}, "Omar Haddad", PHONE, "OP-NILE"),
        ("FR-OCRIEST", {"code": "H2"}, SECRETS[0], SECRET_PHONE, SECRETS[1]),
    ):
        records = [
            {"id": "p1", "kind": "person", "name": name, "category": "suspect"},
            {"id": "ph1", "kind": "phone", "number": phone},
            {"id": "c1", "kind": "case", "reference": case},
        ]
        links = [
            {"kind": "uses_phone", "source": "p1", "target": "ph1"},
            {"kind": "member_of", "source": "p1", "target": "c1"},
        ]
        files.append(
            write_contribution(
                tmp_path / f"{agency}.json",
                records,
                links,
                id=f"{agency}-1",
                agency=agency,
                handling=handling,
            )
        )
    export = telegram_export(
        tmp_path / "result.json",
        [
            message(1, f"رحلة آمنة إلى ألمانيا عبر إزمير — السعر 3500 دولار. واتساب {PHONE}"),
            message(2, ["Izmir to Kos daily, 1.200 €, ", {"type": "mention", "text": "@safe_trips_eu"}]),
        ],
    )
    write_envelope(tmp_path / "result.json.envelope.json", id="IRU-1", agency="EU-IRU")
    (tmp_path / "other").mkdir()
    other = telegram_export(
        tmp_path / "other" / "result.json",
        [
            message(
                5, "Libya to Italy 3000 $ call " + SECRET_PHONE.replace("+964", "00964"), from_id="channel99"
            )
        ],
        name="Libya Boats",
        id=99,
    )
    write_envelope(other.with_name("result.json.envelope.json"), id="IRU-2", agency="EU-IRU")
    with open_store(Path(home)) as store:  # stored as the hub's intake stores them, posts read
        for path in (*files, export, other):
            assert ingest_file(store, path, IngestOptions(read_post=post_facts)).status == "stored"
        index_identifiers(store.con)  # the cross-check's identifier index (no model to train here)
    return home


@pytest.fixture(scope="module")
def hub_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The hub of `_hub`, made once for the module."""
    return _hub(tmp_path_factory.mktemp("adverts_hub"))


def test_posters_linked_and_hits_through_the_policy(hub_home: str) -> None:
    home = hub_home
    out = RUNNER.invoke(app, ["adverts", "--hub", "--home", home, "--as-agency", "IT-SCO", "--json"], env=ENV)
    assert out.exit_code == 0, out.output
    for secret in SECRETS:
        assert secret not in out.stdout
    data = json.loads(out.stdout)
    assert len(data["adverts"]) == 3
    by_phone = {tuple(p["phones"]): p for p in data["posters"]}
    channel = by_phone[(PHONE,)]  # the channel's two posts: one poster (same channel)
    assert len(channel["adverts"]) == 2 and "telegram:safe_trips_eu" in channel["handles"]
    (person,) = channel["persons"]
    assert person["label"] == "Omar Haddad" and person["basis"] == [f"phone:{PHONE}"]
    assert [m["label"] for m in person["member_of"]] == ["OP-NILE"]
    assert channel["prices"] == {
        "EUR": {"n": 1, "median": 1200.0, "min": 1200.0, "max": 1200.0},
        "USD": {"n": 1, "median": 3500.0, "min": 3500.0, "max": 3500.0},
    }
    secret = by_phone[(SECRET_PHONE,)]
    assert secret["persons"] == []
    assert {(h["agency"], h["rule"]) for h in secret["hits"]} == {("FR-OCRIEST", "h2")}
    assert all(set(h) == {"poster", "identifier", "record", "agency", "rule", "reason"} for h in data["hits"])
    # --networks names the network each linked person is in (none of three here: no ties)
    nets = RUNNER.invoke(
        app, ["adverts", "--hub", "--networks", "--home", home, "--as-agency", "IT-SCO", "--json"], env=ENV
    )
    assert nets.exit_code == 0, nets.output
    people = [p for poster in json.loads(nets.stdout)["posters"] for p in poster["persons"]]
    assert people and all("network" in p and p["network"] is None for p in people)
    # the owner sees its own person
    owner = RUNNER.invoke(
        app, ["adverts", "--hub", "--home", home, "--as-agency", "FR-OCRIEST", "--json"], env=ENV
    )
    assert owner.exit_code == 0 and SECRETS[0] in owner.stdout
    table = RUNNER.invoke(app, ["adverts", "--hub", "--home", home, "--as-agency", "IT-SCO"], env=ENV)
    assert table.exit_code == 0 and "Omar Haddad (OP-NILE)" in table.stdout
    assert "FR-OCRIEST" in table.stdout and SECRETS[0] not in table.stdout


def test_price_series_for_early_warning(hub_home: str) -> None:
    """Prices read at intake are the advert's price and currency: the early-warning series see them."""
    from mare.access.policy import Viewer
    from mare.analyse.trends import period_index
    from mare.hub.context import HubContext
    from mare.hub.warning_series import observe

    with (
        open_store(Path(hub_home)) as store,
        HubContext(store, Viewer("a", "IT-SCO", frozenset({"analyst"})), "password") as ctx,
    ):
        obs = observe(ctx, "month", period_index("2026-12-01", "month"))
    assert set(obs.tallies) >= {
        "median advert price (EUR)",
        "median advert price (USD)",
        "median advert price to Germany (USD)",
        "median advert price to Kos (EUR)",
    }


def test_file_mode_and_bad_input(tmp_path: Path) -> None:
    posts = tmp_path / "posts.csv"
    posts.write_text(
        "platform,url,posted_at,author,text\n"
        f"facebook,https://fb.com/x/posts/1,2026-01-01,safe_way,Trip to Italy 3000 $ {PHONE}\n"
        f"instagram,https://instagram.com/p/2,2026-01-02,other_one,Visa 4000 euro WhatsApp {PHONE}\n"
        "tiktok,,bad date,x,\n",
        encoding="utf-8",
    )
    out = RUNNER.invoke(app, ["adverts", str(posts), "--json"], env=ENV)
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert len(data["adverts"]) == 2 and len(data["posters"]) == 1  # one phone: one poster, two accounts
    assert set(data["posters"][0]["handles"]) == {"facebook:safe_way", "instagram:other_one"}
    assert [(p["row"], p["field"]) for p in data["problems"]] == [(4, "text")]
    table = RUNNER.invoke(app, ["adverts", str(posts)], env=ENV)
    assert table.exit_code == 0 and "2 adverts, 1 posters" in table.stdout
    assert "row/message 4" in table.output and "no text" in table.output
    neither = RUNNER.invoke(app, ["adverts"])
    assert neither.exit_code == 2 and "--hub" in neither.output
    both = RUNNER.invoke(app, ["adverts", str(posts), "--hub"])
    assert both.exit_code == 2 and "not both" in both.output
    other = tmp_path / "notes.txt"
    other.write_text("hello", encoding="utf-8")
    refused = RUNNER.invoke(app, ["adverts", str(other)])
    assert refused.exit_code == 2 and "neither a Telegram Desktop export" in " ".join(refused.output.split())
    shape = tmp_path / "result.json"
    shape.write_text('{"messages": 3}', encoding="utf-8")
    refused = RUNNER.invoke(app, ["adverts", str(shape)])
    assert refused.exit_code == 2 and "not a Telegram Desktop export" in " ".join(refused.output.split())


def test_a_handle_leads_to_a_seized_phones_contact_recorded_without_its_platform(tmp_path: Path) -> None:
    """A phone's contact list names the account without its platform (`unknown:`): the advert's Telegram
    handle finds it; a handle recorded on another platform is not the same account."""
    home = str(tmp_path / "home")
    assert RUNNER.invoke(app, ["init", "--home", home]).exit_code == 0
    records = [
        {"id": "p1", "kind": "person", "name": "Karim Said", "category": "contact"},
        {"id": "a1", "kind": "account", "handle": "safe_trips_eu"},
        {"id": "p2", "kind": "person", "name": "Other Person", "category": "contact"},
        {"id": "a2", "kind": "account", "handle": "instagram:safe_trips_eu"},
    ]
    links = [
        {"kind": "uses_account", "source": "p1", "target": "a1"},
        {"kind": "uses_account", "source": "p2", "target": "a2"},
    ]
    seized = write_contribution(tmp_path / "seized.json", records, links, id="DE-BKA-9", agency="DE-BKA")
    export = telegram_export(
        tmp_path / "result.json",
        [message(1, ["Izmir to Kos daily, 1.200 €, ", {"type": "mention", "text": "@safe_trips_eu"}])],
    )
    write_envelope(tmp_path / "result.json.envelope.json", id="IRU-1", agency="EU-IRU")
    with open_store(Path(home)) as store:
        for path in (seized, export):
            assert ingest_file(store, path, IngestOptions(read_post=post_facts)).status == "stored"
        index_identifiers(store.con)
        values = {
            str(v)
            for (v,) in store.con.execute(
                "SELECT value FROM identifier_index WHERE kind = 'handle'"
            ).fetchall()
        }
    assert {"unknown:safe_trips_eu", "telegram:safe_trips_eu", "instagram:safe_trips_eu"} <= values
    out = RUNNER.invoke(app, ["adverts", "--hub", "--home", home, "--as-agency", "IT-SCO", "--json"], env=ENV)
    assert out.exit_code == 0, out.output
    (poster,) = json.loads(out.stdout)["posters"]
    assert [p["label"] for p in poster["persons"]] == ["Karim Said"]
    assert poster["persons"][0]["basis"] == ["handle:unknown:safe_trips_eu"]
