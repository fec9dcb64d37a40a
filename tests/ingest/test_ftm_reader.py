"""Tests for the FollowTheMoney JSON-lines reader (src/mare/ingest/ftm_reader.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model

from mare.ingest.ftm_reader import (
    SUPPORTED_SCHEMATA,
    category_from_topics,
    read_ftm_contribution,
    relation_from,
)
from mare.ingest.parsed import Envelope, Handling, ParsedContribution
from mare.ingest.problems import Problem

ENVELOPE = Envelope(id="DE-BKA-2026-000200", agency="DE-BKA", sent_at=None, handling=Handling(code="H0"))


def entity(schema: str, entity_id: str, **props: Any) -> dict[str, Any]:
    """An FtM entity dict built with the followthemoney model."""
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for prop, values in props.items():
        proxy.add(prop, values)
    return proxy.to_dict()


def write_lines(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    """Write entities (or raw text lines) as JSON lines."""
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def read(path: Path) -> ParsedContribution:
    """Read a file with the test envelope."""
    return read_ftm_contribution(path, ENVELOPE)


def errors(parsed: ParsedContribution) -> list[Problem]:
    """The error-severity problems."""
    return [p for p in parsed.problems if p.severity == "error"]


def network() -> list[dict[str, Any]]:
    """A small smuggling network as FtM entities."""
    return [
        entity(
            "Person",
            "p1",
            name=["Mohammed AL-HASSAN", "Abu Omar"],
            firstName="Mohammed",
            phone="+4915112345678",
            nationality=["sy", "tr"],
            birthDate="1985-04-03",
            topics="crime.traffick.human",
            addressEntity="a1",
        ),
        entity("Person", "p2", firstName="Aman", lastName="Tesfay", gender="male", nationality="er"),
        entity(
            "Address",
            "a1",
            full="Hauptstr. 1, 10115 Berlin",
            city="Berlin",
            country="de",
            latitude="52.53",
            longitude="13.38",
        ),
        entity("Passport", "d1", holder="p2", number="X1234567", country="er", endDate="2030-01-01"),
        entity(
            "Vessel",
            "v1",
            name="Sea Star",
            imoNumber="IMO9074729",
            mmsi="211234567",
            callSign="9HA1234",
            flag="mt",
            type="fishing vessel",
            operator="p1",
        ),
        entity(
            "Payment",
            "pay1",
            amountEur="4500",
            payer="p2",
            beneficiary="p1",
            date="2026-10-20",
            purpose="crossing to Italy",
        ),
        entity("Associate", "as1", person="p1", associate="p3"),
        entity("Family", "f1", person="p1", relative="p3", relationship="brother"),
        entity("UserAccount", "u1", owner="p1", service="Telegram", username="EuropeTrip2026"),
        entity("BankAccount", "b1", iban="DE89370400440532013000", bankName="Example Bank", country="de"),
        entity("Ownership", "o1", owner="p3", asset="b1"),
        entity(
            "Call",
            "call1",
            caller="p1",
            receiver="p3",
            callerNumber="+4915112345678",
            receiverNumber="+905321234567",
            date="2026-10-01T10:00:00",
            duration="64",
        ),
        entity(
            "Event",
            "e1",
            name="Interception off Lampedusa",
            date="2026-10-28",
            country="it",
            location="off Lampedusa",
            involved=["v1", "p1"],
        ),
        entity("Company", "c1", name="Kaya Travel Ltd", jurisdiction="tr", registrationNumber="123456"),
        entity("Membership", "m1", member="p3", organization="c1", role="manager"),
        entity("Person", "p3", name="Yusuf Kaya", topics="role.rca"),
    ]


@pytest.fixture
def parsed(tmp_path: Path) -> ParsedContribution:
    """The network, read."""
    return read(write_lines(tmp_path / "network.ftm.json", list(network())))


def test_reads_every_entity_as_its_kind(parsed: ParsedContribution, tmp_path: Path) -> None:
    assert parsed.format == "ftm"
    assert parsed.files == [("network.ftm.json", tmp_path / "network.ftm.json")]
    assert parsed.envelope is ENVELOPE
    kinds = {r.local_id: r.kind for r in parsed.records}
    assert kinds == {
        "p1": "person",
        "p2": "person",
        "p3": "person",
        "a1": "location",
        "d1": "document",
        "v1": "vessel",
        "pay1": "payment",
        "u1": "account",
        "b1": "financial_account",
        "call1": "communication",
        "e1": "event",
        "c1": "organisation",
    }
    assert errors(parsed) == []
    rows = {r.local_id: r.row for r in parsed.records}
    assert rows["p1"] == 1 and rows["p3"] == 16
    assert all(r.file == "network.ftm.json" for r in parsed.records)


def test_person_fields(parsed: ParsedContribution) -> None:
    p1 = next(r for r in parsed.records if r.local_id == "p1")
    assert p1.fields["name"] == ["Mohammed AL-HASSAN"]
    assert p1.fields["alias"] == ["Abu Omar"]  # further FtM names become aliases
    assert p1.fields["given_name"] == ["Mohammed"]
    assert p1.fields["phone"] == ["+4915112345678"]
    assert p1.fields["nationality"] == ["sy", "tr"]
    assert p1.fields["birth_date"] == ["1985-04-03"]
    assert p1.category == "suspect"
    p2 = next(r for r in parsed.records if r.local_id == "p2")
    assert p2.fields == {
        "given_name": ["Aman"],
        "family_name": ["Tesfay"],
        "gender": ["male"],
        "nationality": ["er"],
    }
    assert p2.category is None
    p3 = next(r for r in parsed.records if r.local_id == "p3")
    assert p3.category == "contact"


def test_other_kinds_fields(parsed: ParsedContribution) -> None:
    fields = {r.local_id: r.fields for r in parsed.records}
    assert fields["v1"] == {
        "name": ["Sea Star"],
        "imo": ["IMO9074729"],
        "mmsi": ["211234567"],
        "call_sign": ["9HA1234"],
        "flag": ["mt"],
        "vessel_type": ["fishing_boat"],
    }
    assert fields["d1"]["document_type"] == ["passport"]
    assert fields["d1"]["number"] == ["X1234567"]
    assert fields["d1"]["issuing_country"] == ["er"]
    assert fields["d1"]["expiry_date"] == ["2030-01-01"]
    assert fields["pay1"] == {
        "amount": ["4500"],
        "currency": ["EUR"],
        "paid_at": ["2026-10-20"],
        "purpose": ["crossing to Italy"],
    }
    assert fields["a1"] == {
        "address": ["Hauptstr. 1, 10115 Berlin"],
        "city": ["Berlin"],
        "country": ["de"],
        "lat": ["52.53"],
        "lon": ["13.38"],
    }
    assert fields["u1"] == {"service": ["telegram"], "handle": ["EuropeTrip2026"]}
    assert fields["b1"]["iban"] == ["DE89370400440532013000"]
    assert fields["b1"]["institution"] == ["Example Bank"]
    assert fields["call1"] == {
        "comm_type": ["call"],
        "caller": ["+4915112345678"],
        "callee": ["+905321234567"],
        "started_at": ["2026-10-01T10:00:00"],
        "duration_s": ["64"],
    }
    assert fields["e1"]["event_type"] == ["interception"]
    assert fields["e1"]["occurred_at"] == ["2026-10-28"]
    assert fields["e1"]["place"] == ["off Lampedusa"]
    assert fields["c1"] == {"name": ["Kaya Travel Ltd"], "country": ["tr"], "registration_number": ["123456"]}


def test_links_and_their_ends(parsed: ParsedContribution) -> None:
    links = {(lk.kind, lk.source, lk.target) for lk in parsed.links}
    assert links == {
        ("located_at", "p1", "a1"),
        ("holds_document", "p2", "d1"),
        ("operates_vessel", "p1", "v1"),
        ("paid", "p2", "pay1"),
        ("received", "p1", "pay1"),
        ("associate_of", "p1", "p3"),
        ("family_of", "p1", "p3"),
        ("uses_account", "p1", "u1"),
        ("holds_financial_account", "p3", "b1"),
        ("communicated_with", "p1", "p3"),
        ("involved_in", "v1", "e1"),
        ("involved_in", "p1", "e1"),
        ("member_of", "p3", "c1"),
    }
    family = next(lk for lk in parsed.links if lk.kind == "family_of")
    assert family.fields["relation"] == "sibling"
    assert family.local_id == "f1"
    assert family.row == 8
    call = next(lk for lk in parsed.links if lk.kind == "communicated_with")
    assert call.fields["first_at"] == "2026-10-01T10:00:00"
    assert len({lk.local_id for lk in parsed.links}) == len(parsed.links)


def test_bad_json_and_unsupported_schema_keep_the_rest(tmp_path: Path) -> None:
    lines: list[dict[str, Any] | str] = list(network())
    lines.insert(2, '{"id": "broken", "schema": "Person", "properties": {')
    lines.insert(5, "")  # empty lines are skipped but still counted
    lines.insert(6, entity("Airplane", "air1", name="Cessna", registrationNumber="D-EABC"))
    parsed = read(write_lines(tmp_path / "mixed.jsonl", lines))
    found = errors(parsed)
    assert [(p.row, p.field) for p in found] == [(3, None), (7, "schema")]
    assert "not valid JSON" in found[0].reason
    assert "Airplane" in found[1].reason
    assert "Person" in found[1].fix and "Vessel" in found[1].fix
    assert found[1].file == "mixed.jsonl"
    assert len(parsed.records) == 12
    assert len(parsed.links) == 13
    assert next(r for r in parsed.records if r.local_id == "p3").row == 19


def test_unknown_schema_and_property(tmp_path: Path) -> None:
    lines: list[dict[str, Any] | str] = [
        {"id": "x1", "schema": "Spaceship", "properties": {"name": ["Enterprise"]}},
        {"id": "p1", "schema": "Person", "properties": {"name": ["A B"], "shoeSize": ["44"]}},
        {"schema": "Person", "properties": {"name": ["No Id"]}},
        "[1, 2]",
    ]
    parsed = read(write_lines(tmp_path / "odd.jsonl", lines))
    by_row = {p.row: p for p in parsed.problems}
    assert by_row[1].severity == "error" and by_row[1].field == "schema"
    assert "unknown FtM schema 'Spaceship'" in by_row[1].reason
    assert by_row[2].severity == "warning" and by_row[2].field == "shoeSize"
    assert by_row[3].severity == "error" and by_row[3].field == "id"
    assert by_row[4].severity == "error"
    assert [r.local_id for r in parsed.records] == ["p1"]


def test_single_valued_field_keeps_first_with_warning(tmp_path: Path) -> None:
    vessel = entity("Vessel", "v1", name="Sea Star", imoNumber=["IMO9074729", "IMO9176187"])
    parsed = read(write_lines(tmp_path / "v.jsonl", [vessel]))
    assert parsed.records[0].fields["imo"] == ["IMO9074729"]
    [warning] = parsed.problems
    assert warning.severity == "warning"
    assert warning.field == "imoNumber" and warning.row == 1
    assert "kept first of 2 values" in warning.reason


def test_unmapped_properties_are_reported(tmp_path: Path) -> None:
    person = entity("Person", "p1", name="A B", religion="unknown", height="180")
    parsed = read(write_lines(tmp_path / "p.jsonl", [person]))
    [warning] = parsed.problems
    assert warning.severity == "warning"
    assert "height" in warning.reason and "religion" in warning.reason


def test_dangling_and_mistyped_links_are_problems(tmp_path: Path) -> None:
    lines: list[dict[str, Any] | str] = [
        entity("Passport", "d1", holder="nobody", number="X1"),
        entity("Company", "c1", name="Firm"),
        entity("Associate", "as1", person="p1", associate="p2"),
        entity("Person", "p1", name="A"),
        entity("Family", "f1", person="p1"),
        entity("UserAccount", "u1", owner="c1", username="firm"),
    ]
    parsed = read(write_lines(tmp_path / "d.jsonl", lines))
    found = {(p.row, p.field) for p in errors(parsed)}
    assert found == {(1, "source"), (3, "target"), (5, "relative")}
    assert {r.local_id for r in parsed.records} == {"d1", "c1", "p1", "u1"}
    assert [(lk.kind, lk.source) for lk in parsed.links] == [("uses_account", "c1")]


def test_duplicate_ids_are_problems(tmp_path: Path) -> None:
    lines: list[dict[str, Any] | str] = [entity("Person", "p1", name="A"), entity("Person", "p1", name="B")]
    parsed = read(write_lines(tmp_path / "dup.jsonl", lines))
    [problem] = errors(parsed)
    assert problem.row == 2 and problem.field == "id"
    assert [r.fields["name"] for r in parsed.records] == [["A"]]


def test_ownership_directorship_vehicle_trip(tmp_path: Path) -> None:
    lines: list[dict[str, Any] | str] = [
        entity("Person", "p1", name="Driver"),
        entity("Organization", "o1", name="Transport Co"),
        entity(
            "Vehicle",
            "car1",
            registrationNumber="B-MH 4521",
            country="de",
            model="Sprinter",
            type="Van",
            operator="p1",
        ),
        entity("Ownership", "own1", owner="o1", asset="car1"),
        entity("Directorship", "dir1", director="p1", organization="o1", startDate="2025-01"),
        entity("Address", "a1", city="Izmir", country="tr"),
        entity("Address", "a2", name="Lesbos beach", country="gr", latitude="39.2", longitude="26.5"),
        entity(
            "Trip",
            "t1",
            startLocation="a1",
            endLocation="a2",
            startDate="2026-10-27",
            vehicle="car1",
            involved="p1",
        ),
    ]
    parsed = read(write_lines(tmp_path / "t.jsonl", lines))
    assert errors(parsed) == []
    fields = {r.local_id: r.fields for r in parsed.records}
    assert fields["car1"] == {
        "plate": ["B-MH 4521"],
        "country": ["de"],
        "model": ["Sprinter"],
        "vehicle_type": ["van"],
    }
    assert fields["t1"] == {
        "from_place": ["Izmir"],
        "from_country": ["tr"],
        "to_country": ["gr"],
        "to_lat": ["39.2"],
        "to_lon": ["26.5"],
        "departed_at": ["2026-10-27"],
    }
    links = {(lk.kind, lk.source, lk.target) for lk in parsed.links}
    assert links == {
        ("drives_vehicle", "p1", "car1"),
        ("owns_vehicle", "o1", "car1"),
        ("member_of", "p1", "o1"),
        ("travelled_on", "p1", "t1"),
        ("leg_used", "t1", "car1"),
    }
    directorship = next(lk for lk in parsed.links if lk.local_id == "dir1")
    assert directorship.fields["since"] == "2025-01"


def test_good_input_validates_with_no_problems(tmp_path: Path) -> None:
    lines: list[dict[str, Any] | str] = [
        entity("Person", "p1", name="A", nationality="sy"),
        entity("Identification", "id1", holder="p1", type="National ID card", number="123"),
    ]
    parsed = read(write_lines(tmp_path / "ok.jsonl", lines))
    assert parsed.problems == []
    doc = next(r for r in parsed.records if r.local_id == "id1")
    assert doc.fields["document_type"] == ["identity_card"]
    assert doc.fields["document_class"] == ["identity"]


def test_encoding_is_passed_on(tmp_path: Path) -> None:
    path = tmp_path / "ar.jsonl"
    path.write_text(
        json.dumps(entity("Person", "p1", name="محمد الحسن"), ensure_ascii=False), encoding="utf-16"
    )
    parsed = read_ftm_contribution(path, ENVELOPE, encoding="utf-16")
    assert parsed.records[0].fields["name"] == ["محمد الحسن"]


@pytest.mark.parametrize(
    ("word", "relation"),
    [
        ("brother", "sibling"),
        ("Half-sister", "sibling"),
        ("father", "parent"),
        ("Mother", "parent"),
        ("son", "child"),
        ("wife", "spouse"),
        ("cousin", "cousin"),
        ("grandfather", "other"),
        ("uncle", "other"),
    ],
)
def test_relation_from(word: str, relation: str) -> None:
    assert relation_from(word) == relation


def test_category_from_topics() -> None:
    assert category_from_topics(["crime.traffick.human"]) == "suspect"
    assert category_from_topics(["wanted", "role.rca"]) == "suspect"
    assert category_from_topics(["role.rca"]) == "contact"
    assert category_from_topics(["role.pep", "poi"]) is None
    assert category_from_topics([]) is None


def test_supported_schemata_exist_in_ftm() -> None:
    assert all(model.get(name) is not None for name in SUPPORTED_SCHEMATA)
