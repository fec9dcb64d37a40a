"""`mare search`: names across scripts and spellings, identifiers in any format, places; the policy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import Purpose, Viewer
from mare.analyse.geo.enrich import geocode_records
from mare.cli import app
from mare.hub.context import HubContext
from mare.hub.search import SearchResult, search
from mare.ingest.pipeline import ingest_file
from mare.resolve import crosscheck_contribution
from mare.store.db import Store, open_store

SECRET_NAME = "Zaheer Quixbury"
SECRET_PHONE = "+49 160 5556667"
MINOR_NAME = "Leyla Dorwacket"

BKA: list[dict[str, Any]] = [
    {
        "id": "p1",
        "kind": "person",
        "name": "Mohammed AL-HASSAN",
        "birth_date": "03.04.1985",
        "phone": ["0151 1234 5678"],
        "email": ["M.AlHassan@Example.net"],
        "document_number": ["C01X00T47"],
    },
    {"id": "v1", "kind": "vehicle", "plate": "M AB 1234", "country": "DE"},
    {"id": "f1", "kind": "financial_account", "iban": "DE89 3704 0044 0532 0130 00"},
    {"id": "s1", "kind": "vessel", "name": "Sea Star", "imo": "IMO 9074729", "mmsi": "247123456"},
    {"id": "l1", "kind": "location", "name": "Lampedusa port", "city": "Lampedusa", "country": "IT"},
    {"id": "a1", "kind": "account", "service": "telegram", "handle": "t.me/abu_omar_99"},
]
SCO: list[dict[str, Any]] = [
    {"id": "q1", "kind": "person", "name": "محمد الحسن", "birth_date": "1985-04-03"},
    {"id": "q2", "kind": "person", "name": "Muhammad Alhassan"},
    {"id": "q3", "kind": "person", "name": "Hassan Mohammed"},
    {"id": "q4", "kind": "person", "name": "Ali Tesfay"},
    {"id": "e1", "kind": "event", "event_type": "landing", "place": "Lampedusa harbour", "country": "IT"},
]
HP: list[dict[str, Any]] = [
    {"id": "g1", "kind": "person", "name": "Γιώργος Παπαδόπουλος"},
    {"id": "g2", "kind": "person", "name": "Мухаммед Аль-Хасан"},
]
SECRET: list[dict[str, Any]] = [{"id": "d1", "kind": "person", "name": SECRET_NAME, "phone": [SECRET_PHONE]}]
MINOR: list[dict[str, Any]] = [
    {"id": "m1", "kind": "person", "name": MINOR_NAME, "minor": True, "category": "victim"}
]


@dataclass(frozen=True)
class World:
    home: Path
    uid: dict[str, str]  # local id -> record uid


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("search")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(
            "MARE_NAME_SYMBOLS", "off"
        )  # rigour's tagger takes seconds to load: keys and sounds only
        uid: dict[str, str] = {}
        with open_store(base / "home") as store:
            contributions: list[tuple[str, list[dict[str, Any]], str, dict[str, Any]]] = [
                ("A", BKA, "DE-BKA", {"code": "H0"}),
                ("B", SCO, "IT-SCO", {"code": "H0"}),
                ("C", HP, "GR-HP", {"code": "H0"}),
                ("D", SECRET, "DE-BKA", {"code": "H2"}),
                ("E", MINOR, "DE-BKA", {"code": "H0"}),
            ]
            for name, records, agency, handling in contributions:
                path = write_contribution(
                    base / f"{name}.json", records, id=name, agency=agency, handling=handling
                )
                report = ingest_file(store, path)
                assert report.status == "stored" and not report.rejected, report
                crosscheck_contribution(store, str(report.contribution))
                geocode_records(store, str(report.contribution))
                uid.update({r["id"]: f"{report.contribution}:{r['id']}" for r in records})
        yield World(base / "home", uid)


@pytest.fixture
def store(world: World) -> Iterator[Store]:
    with open_store(world.home) as opened:
        yield opened


def run(
    store: Store,
    query: str,
    agency: str = "HUB",
    role: str = "analyst",
    purpose: Purpose = "crime_fighting",
    **kw: Any,
) -> SearchResult:
    with HubContext(store, Viewer("ana", agency, frozenset({role})), "password", purpose=purpose) as ctx:
        return search(ctx, query, **kw)


def uids(result: SearchResult) -> list[str]:
    return [h.uid for h in result.hits]


def why(result: SearchResult, uid: str) -> str:
    return " | ".join(next(h.why for h in result.hits if h.uid == uid))


# --- names ---------------------------------------------------------------------------------------


def test_a_name_finds_its_spellings_and_scripts(store: Store, world: World) -> None:
    u = world.uid
    found = run(store, "Mohammed Al-Hassan")
    assert "name" in found.read_as
    for local in ("p1", "q1", "q2", "q3", "g2"):  # Latin, Arabic, joined article, reordered, Cyrillic
        assert u[local] in uids(found), local
    assert u["q4"] not in uids(found) and u["g1"] not in uids(found)
    assert why(found, u["p1"]) == "exact name: Mohammed AL-HASSAN"
    assert "same words in another order" in why(found, u["q3"])
    assert "names sound the same" in why(found, u["q1"]) and "محمد الحسن" in why(found, u["q1"])
    assert "phonetic key 'hsn mhmd'" in why(found, u["q1"])
    assert "names similar" in why(found, u["q2"])  # the cross-check's own level label
    arabic = run(store, "محمد الحسن")
    assert {u["p1"], u["q1"], u["g2"]} <= set(uids(arabic))
    greek = run(store, "Giorgos Papadopoulos", fuzzy=False)
    assert uids(greek) == [u["g1"]] and "Γιώργος Παπαδόπουλος" in why(greek, u["g1"])


def test_exact_is_the_same_normalised_name_key(store: Store, world: World) -> None:
    u = world.uid
    exact = run(store, "Mohammed Al-Hassan", fuzzy=False)
    assert set(uids(exact)) == {u["p1"], u["q3"]}
    assert exact.mode == "exact"
    fuzzy = run(store, "Mohammed Al-Hassan")
    assert len(fuzzy.hits) > len(exact.hits)


def test_ranking_best_first(store: Store, world: World) -> None:
    u = world.uid
    found = run(store, "Mohammed Al-Hassan")
    assert [h.rank for h in found.hits] == list(range(1, len(found.hits) + 1))
    assert uids(found)[:2] == [u["p1"], u["q3"]]  # as spelt, then the same words reordered
    assert all(h.score is not None for h in found.hits if h.decision.full)
    scores = [h.score or 0.0 for h in found.hits if h.decision.full]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == 1.0 and scores[1] == 0.99
    score = {h.uid: h.score or 0.0 for h in found.hits}
    assert score[u["q1"]] > score[u["q2"]]  # sound the same, above similar
    assert len(run(store, "Mohammed Al-Hassan", limit=2).hits) == 2


# --- identifiers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["+49 151 12345678", "0049 (0)151 1234-5678", "0151 1234 5678"])
def test_a_phone_in_any_format(store: Store, world: World, query: str) -> None:
    found = run(store, query, agency="DE-BKA")  # a national number is read in the viewer's country
    assert uids(found) == [world.uid["p1"]]
    assert why(found, world.uid["p1"]) == "phone +4915112345678 (as given: 0151 1234 5678)"


def test_a_national_number_without_a_country_finds_the_number_ending_so(store: Store, world: World) -> None:
    found = run(store, "0151/12345678")  # the hub has no country: the national number is matched
    assert uids(found) == [world.uid["p1"]]
    assert "no country code given" in why(found, world.uid["p1"])
    assert run(store, "0151/12345678", fuzzy=False).hits[0].uid == world.uid["p1"]


@pytest.mark.parametrize(
    ("query", "local", "kind", "text"),
    [
        ("DE89 3704 0044 0532 0130 00", "f1", "iban", "IBAN DE89370400440532013000"),
        ("de89370400440532013000", "f1", "iban", "IBAN DE89370400440532013000 (as given: DE89 3704"),
        ("mab-1234", "v1", "plate", "plate MAB1234 (as given: M AB 1234)"),
        ("IMO 9074729", "s1", "imo", "IMO number IMO9074729 (as given: IMO 9074729)"),
        ("9074729", "s1", "imo", "IMO number IMO9074729"),
        ("247 123 456", "s1", "mmsi", "MMSI 247123456"),
        ("m.alhassan@EXAMPLE.NET", "p1", "email", "e-mail m.alhassan@example.net (as given: M.AlHassan@"),
        ("C01X00T47", "p1", "document", "document number C01X00T47"),
        ("@abu_omar_99", "a1", "handle", "handle telegram:abu_omar_99"),
    ],
)
def test_identifiers(store: Store, world: World, query: str, local: str, kind: str, text: str) -> None:
    found = run(store, query)
    assert kind in found.read_as
    assert uids(found)[0] == world.uid[local]
    assert why(found, world.uid[local]).startswith(text)


def test_fuzzy_identifiers_one_character_apart(store: Store, world: World) -> None:
    assert run(store, "MAB1235", fuzzy=False).hits == []
    near = run(store, "MAB1235")
    assert uids(near) == [world.uid["v1"]] and "one character from the one searched" in why(
        near, world.uid["v1"]
    )


# --- places --------------------------------------------------------------------------------------


def test_a_place(store: Store, world: World) -> None:
    u = world.uid
    found = run(store, "Lampedusa")
    assert "place" in found.read_as
    assert uids(found)[0] == u["l1"]  # the same place name first
    assert "city: the same place name, 'Lampedusa'" in why(found, u["l1"])
    assert u["e1"] in uids(found) and "contains the place searched" in why(found, u["e1"])
    assert uids(run(store, "Lampedusa", fuzzy=False, kinds=["place"])) == [u["l1"]]
    typo = run(store, "Lampeduza", kinds=["place"])
    assert u["l1"] in uids(typo) and "spelt like" in why(typo, u["l1"])
    vessel = run(store, "sea star", kinds=["place"])
    assert uids(vessel) == [u["s1"]] and why(vessel, u["s1"]) == "vessel name 'Sea Star'"


# --- the policy ----------------------------------------------------------------------------------


def _text(result: SearchResult) -> str:
    return json.dumps(result.as_dict(), ensure_ascii=False)


def test_another_agency_gets_hit_no_hit_for_h2(store: Store, world: World) -> None:
    secret = world.uid["d1"]
    for query in (SECRET_NAME, SECRET_PHONE):
        found = run(store, query, agency="IT-SCO")
        assert uids(found) == [secret]
        hit = found.hits[0]
        assert hit.decision.visibility == "hit" and hit.decision.rule == "h2"
        assert hit.owner == "DE-BKA" and hit.kind == "person" and hit.label is None and hit.score is None
        assert hit.why[0].startswith("a person record held by DE-BKA matches; restricted: H2")
        assert f"mare consent request {secret}" in hit.why[0]
        text = _text(found)
        for value in ("Quixbury", "Zaheer", "5556667", "+491605556667", '"score"', '"label"'):
            assert value not in text
        assert found.withheld == {"h2": 1} and found.shown_full == 0
    owner = run(store, SECRET_NAME, agency="DE-BKA")
    assert owner.hits[0].decision.full and owner.hits[0].label == SECRET_NAME


def test_a_contributor_of_another_agency_gets_hit_no_hit(store: Store, world: World) -> None:
    u = world.uid
    found = run(store, "Mohammed Al-Hassan", agency="IT-SCO", role="contributor")
    by_uid = {h.uid: h for h in found.hits}
    assert by_uid[u["q1"]].decision.full  # its own agency's records
    assert by_uid[u["p1"]].decision.rule == "role" and by_uid[u["p1"]].label is None
    assert "AL-HASSAN" not in _text(found)
    shown = [h.decision.full for h in found.hits]
    assert shown == sorted(shown, reverse=True)  # full rows first, withheld ones after


def test_a_minor_is_hit_no_hit(store: Store, world: World) -> None:
    minor = world.uid["m1"]
    found = run(store, MINOR_NAME, agency="IT-SCO")
    assert uids(found) == [minor] and found.hits[0].decision.rule == "minor"
    assert "Dorwacket" not in _text(found) and "Leyla" not in _text(found)
    assert run(store, MINOR_NAME, agency="DE-BKA").hits[0].label == MINOR_NAME


def test_none_never_leaves_the_database(store: Store, world: World) -> None:
    found = run(store, "Mohammed Al-Hassan", agency="IT-SCO", purpose="oversight")
    assert set(uids(found)) == {world.uid["q1"], world.uid["q2"], world.uid["q3"]}  # its own only
    assert found.withheld == {"oversight-role": 2}  # p1 (DE-BKA) and g2 (GR-HP): counted, never listed
    assert world.uid["p1"] not in _text(found)


def test_the_search_is_audited(store: Store, world: World) -> None:
    before = store.con.execute(
        "SELECT coalesce(max(seq), 0) FROM audit_log"
    ).fetchone()  # empty when run alone
    assert before is not None
    run(store, SECRET_NAME, agency="IT-SCO")
    rows = store.con.execute(
        "SELECT action, outcome, resource, ref, actor_agency, details FROM audit_log WHERE seq > ? "
        "ORDER BY seq",
        [before[0]],
    ).fetchall()
    entries = [(a, o, r, ref, ag, json.loads(d) if d else {}) for a, o, r, ref, ag, d in rows]
    asked = [e for e in entries if e[0] == "consultation" and e[2] == "search"]
    assert len(asked) == 1 and asked[0][1] == "denied" and asked[0][4] == "IT-SCO"
    assert asked[0][5]["query"] == SECRET_NAME and asked[0][5]["hit"] == [world.uid["d1"]]
    batch = next(e for e in entries if e[0] == "consultation" and e[2] != "search")
    assert batch[5]["hit"] == [world.uid["d1"]] and batch[5]["bulk"]["record"]["withheld"] == {"h2": 1}
    assert ("authorisation", "hit", "record", world.uid["d1"]) in [e[:4] for e in entries]


@pytest.mark.parametrize(
    ("query", "kw", "message"),
    [
        ("", {}, "empty query"),
        ("   ", {}, "empty query"),
        ("a", {}, "too short"),
        ("x" * 201, {}, "too long"),
        ("<script>alert(1)</script>", {}, "markup or code"),
        ("'; DROP TABLE records; --", {}, "markup or code"),
        ("Mohammed", {"kinds": ["phone"]}, "cannot be read as phone"),
        ("Mohammed", {"kinds": ["nickname"]}, "unknown kind 'nickname'"),
        ("Mohammed", {"limit": 0}, "limit must be between"),
        ("!!!", {}, "cannot be read as anything searchable"),
    ],
)
def test_bad_input(store: Store, query: str, kw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run(store, query, **kw)


def test_quotes_and_sql_words_are_only_data(store: Store, world: World) -> None:
    assert run(store, "O'Brien OR 1=1").hits == []
    assert store.con.execute("SELECT count(*) FROM records").fetchone() == (len(world.uid),)


# --- the command ---------------------------------------------------------------------------------


def test_cli_json_and_table(world: World) -> None:
    runner = CliRunner()
    home = str(world.home)
    shown = runner.invoke(app, ["search", "Mohammed Al-Hassan", "--home", home, "--json", "--limit", "3"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["mode"] == "fuzzy" and [r["uid"] for r in data["results"]][:1] == [world.uid["p1"]]
    assert len(data["results"]) == 3 and data["results"][0]["why"] == ["exact name: Mohammed AL-HASSAN"]
    table = runner.invoke(
        app, ["search", "Mohammed Al-Hassan", "--home", home, "--exact"], env={"COLUMNS": "200"}
    )
    assert (
        table.exit_code == 0 and "exact name: Mohammed AL-HASSAN" in table.output and "rank" in table.output
    )
    withheld = runner.invoke(
        app,
        ["search", SECRET_NAME, "--home", home, "--as-agency", "IT-SCO", "--role", "analyst"],
        env={"COLUMNS": "200"},
    )
    assert withheld.exit_code == 0 and "restricted" in withheld.output and "Quixbury" not in withheld.output
    kinds = runner.invoke(app, ["search", "9074729", "--home", home, "--kind", "imo,mmsi", "--json"])
    assert json.loads(kinds.output)["read_as"] == ["imo"]
    bad = runner.invoke(app, ["search", "<b>x</b>", "--home", home])
    assert bad.exit_code == 1 and "markup or code" in bad.output and "Traceback" not in bad.output
    unknown = runner.invoke(app, ["search", "Mohammed", "--home", home, "--kind", "shoe"])
    assert unknown.exit_code == 1 and "unknown kind 'shoe'" in unknown.output
    none = runner.invoke(app, ["search", "Nobody Atall", "--home", home])
    assert none.exit_code == 0 and "no matches" in none.output


# --- the benchmark, on the tiny scenario -----------------------------------------------------------


def test_benchmark_queries_find_the_truth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """benchmarks/search.py's queries (names as spelt, native, varied; phones, plates, IBANs, vessels)
    on the tiny scenario: nearly all find a record of their person or thing among the first ten."""
    from builders import ingested_tiny_world, load_benchmark
    from mare.resolve import crosscheck_all

    monkeypatch.setenv("MARE_NAME_SYMBOLS", "off")
    bench = load_benchmark("search")
    world, store = ingested_tiny_world(tmp_path, 7)
    with store:
        crosscheck_all(store, train=False)
        drawn = bench.queries(store, world, 60, 1)
        assert {q.group for q in drawn} >= {"name as spelt", "name, native script", "phone, other format"}
        found = 0
        for q in drawn:
            with HubContext(store, Viewer("b", "HUB", frozenset({"analyst"})), "password") as ctx:
                found += bool(q.truth & {h.uid for h in search(ctx, q.text, limit=10).hits})
        assert found / len(drawn) >= 0.9, f"recall@10 {found / len(drawn):.2f}"  # 0.98 when written


# --- the web server's slice of the store (`refresh_slice`) -------------------------------------------

SLICE_QUERIES = (
    "Mohammed Al Hassan",
    "Hassan Mohammed",
    "Ali Tesfay",
    "Lampedusa",
    "Lampedusa harbour",
    "M-AB 1234",
    "+49 151 12345678",
    "C01X00T47",
    "@abu_omar_99",
    SECRET_NAME,
    MINOR_NAME,
)


@pytest.fixture
def sliced(store: Store) -> Iterator[Store]:
    from mare.hub.search import drop_slice, refresh_slice

    refresh_slice(store)
    try:
        yield store
    finally:
        drop_slice(store)


def test_the_slice_answers_as_the_store_does(store: Store, world: World) -> None:
    """Every reading gives the same results, ranks, reasons and withheld counts from the slice."""
    from mare.hub.search import drop_slice, refresh_slice

    viewers = [("HUB", "analyst"), ("IT-SCO", "analyst"), ("DE-BKA", "contributor")]
    plain = {(q, v): run(store, q, *v).as_dict() for q in SLICE_QUERIES for v in viewers}
    refresh_slice(store)
    try:
        from_slice = {(q, v): run(store, q, *v).as_dict() for q in SLICE_QUERIES for v in viewers}
    finally:
        drop_slice(store)
    assert from_slice == plain
    assert any(r["results"] for r in plain.values())


def test_the_slice_only_proposes_the_policy_decides_on_the_store(sliced: Store, world: World) -> None:
    """A record withheld after the slice was filled is withheld at once: the slice proposes candidates,
    the store's own records decide what is shown."""
    uid = world.uid["q2"]
    assert uid in uids(run(sliced, "Muhammad Alhassan", "DE-BKA"))
    assert next(h for h in run(sliced, "Muhammad Alhassan", "DE-BKA").hits if h.uid == uid).decision.full
    sliced.con.execute("UPDATE records SET handling_code = 'H2' WHERE uid = ?", [uid])
    try:
        found = run(sliced, "Muhammad Alhassan", "DE-BKA")
        hit = next(h for h in found.hits if h.uid == uid)
        assert not hit.decision.full and "Muhammad" not in json.dumps(hit.as_dict())
    finally:
        sliced.con.execute("UPDATE records SET handling_code = 'H0' WHERE uid = ?", [uid])
    # the candidates come from the slice: what it lacks is not proposed (until it is filled again)
    sliced.con.execute("DELETE FROM mare_search.person_features WHERE record_uid = ?", [uid])
    assert uid not in uids(run(sliced, "Muhammad Alhassan", "DE-BKA"))
