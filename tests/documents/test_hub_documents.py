"""`mare documents --hub`: documents, their holders and legs through the policy; no leak across agencies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import Viewer
from mare.cli import app
from mare.hub.context import HubContext
from mare.hub.documents import hub_documents
from mare.ingest.pipeline import ingest_file
from mare.schema.types.mrz import check_digit
from mare.store.db import Store

NUMBER = "X12345678"
SECRET = ["Zaher Secret", "Waleed Hidden", "Q99999999", "Yusuf Denied"]
VIEWER = Viewer("bob", "IT-SCO", frozenset({"analyst"}))


def td3(number: str, surname: str, given: str, birth: str = "900203", expiry: str = "300101") -> str:
    """A TD3 MRZ for Sweden with right check digits."""
    line1 = f"P<SWE{surname}<<{given}".ljust(44, "<")
    body = f"{number}{check_digit(number)}SWE{birth}{check_digit(birth)}F{expiry}{check_digit(expiry)}"
    body += "<" * 14 + "<"
    return f"{line1}\n{body}{check_digit(body[0:10] + body[13:20] + body[21:43])}"


def check(
    leg: str, day: str, person: str | None, doc: dict[str, Any], extra: list[dict[str, Any]] | None = None
):
    """Records and links of one border check: a leg, the document, who presented it."""
    records: list[dict[str, Any]] = [
        {
            "id": "leg1",
            "kind": "journey_leg",
            "from_country": "GR",
            "to_country": "NL",
            "from_place": "Athens International Airport",
            "to_place": "Schiphol",
            "departed_at": f"2026-{day}T08:00:00Z",
            "arrived_at": f"2026-{day}T12:00:00Z",
            "mode": "air",
        },
        {"id": "d1", "kind": "document", "document_type": "passport", **doc},
    ]
    links = [{"kind": "leg_used", "source": "leg1", "target": "d1"}]
    if person:
        records.append({"id": "p1", "kind": "person", "name": person, "category": "suspect"})
        links.append({"kind": "holds_document", "source": "p1", "target": "d1"})
        links.append({"kind": "travelled_on", "source": "p1", "target": "leg1"})
    records.extend(extra or [])
    return records, links


def load(store: Store, tmp_path: Path) -> None:
    """NL-KMAR (H0): the same Swedish passport on two flights, presented by two men; one MRZ cut short.
    FR-OCRIEST (H2) and DE-BPOL (H3, IT-SCO denied): the same passport with secret presenters, and
    another document of their own."""
    doc = {
        "number": NUMBER,
        "issuing_country": "SE",
        "holder_name": "Anna Svensson",
        "mrz": td3(NUMBER, "SVENSSON", "ANNA"),
    }
    cut = {
        "id": "d9",
        "kind": "document",
        "number": "K7654321",
        "issuing_country": "SE",
        "mrz": td3("K76543210", "BERG", "EVA")[:-5],
    }
    for n, (day, person, extra) in enumerate(
        (("01-10", "Mohammed Al-Hassan", [cut]), ("02-01", "Ahmad Karimi", None))
    ):
        records, links = check("leg1", day, person, doc, extra)
        report = ingest_file(
            store,
            write_contribution(tmp_path / f"nl{n}.json", records, links, id=f"NL-{n}", agency="NL-KMAR"),
        )
        assert report.status == "stored", report
    for agency, handling, name in (
        ("FR-OCRIEST", {"code": "H2"}, SECRET[0]),
        ("DE-BPOL", {"code": "H3", "restrictions": {"agencies_denied": ["IT-SCO"]}}, SECRET[3]),
    ):
        own = {
            "id": "d2",
            "kind": "document",
            "number": SECRET[2],
            "issuing_country": "SY",
            "holder_name": SECRET[1],
        }
        records, links = check("leg1", "03-01", name, doc, [own])
        path = write_contribution(
            tmp_path / f"{agency}.json", records, links, id=f"{agency}-1", agency=agency, handling=handling
        )
        assert ingest_file(store, path).status == "stored"


def test_rented_document_with_persons_and_legs(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    with HubContext(store, VIEWER, "password") as ctx:
        result = hub_documents(ctx)
    (rented,) = result.rented
    assert rented.key == f"SE/{NUMBER}" and rented.holder_name == "Anna Svensson"
    assert {p.name for p in rented.persons} == {"Mohammed Al-Hassan", "Ahmad Karimi"}
    assert all(p.impostor for p in rented.persons) and rented.impostor
    assert len(rented.legs) == 2
    # the cut MRZ, by record and file:row, with the reason
    (problem,) = result.mrz_problems
    assert problem.record.endswith(":d9") and problem.row and problem.row.startswith("nl0.json")
    assert "not an MRZ layout" in problem.reasons[0]
    assert result.with_mrz == 3 and result.mrz_valid == 2
    # the other agencies' records of the same passport: hit/no-hit only, whom to ask
    assert {h.agency for h in result.hits} == {"FR-OCRIEST", "DE-BPOL"}
    assert {h.rule for h in result.hits} == {"h2", "h3-denied"}
    assert sum(result.withheld["documents"].values()) == 4


def test_no_leak_across_agencies_in_the_cli(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    home = str(store.home)
    store.close()
    runner = CliRunner()
    for args in (["--json"], []):
        out = runner.invoke(
            app,
            ["documents", "--hub", "--home", home, "--as-agency", "IT-SCO", *args],
            env={"COLUMNS": "500"},
        )
        assert out.exit_code == 0, out.output
        for secret in SECRET:
            assert secret not in out.output, secret
        assert "Ahmad Karimi" in out.output
    data = json.loads(
        runner.invoke(app, ["documents", "--hub", "--home", home, "--as-agency", "IT-SCO", "--json"]).stdout
    )
    assert {h["agency"] for h in data["hits"]} == {"FR-OCRIEST", "DE-BPOL"}
    assert all(set(h) == {"key", "record", "agency", "rule", "reason"} for h in data["hits"])
    # the owner sees its own presenter (and DE-BPOL's, whose H3 denies IT-SCO only)
    owner = runner.invoke(app, ["documents", "--hub", "--home", home, "--as-agency", "FR-OCRIEST", "--json"])
    assert owner.exit_code == 0 and SECRET[0] in owner.stdout and SECRET[3] in owner.stdout


def test_cli_modes(tmp_path: Path) -> None:
    runner = CliRunner()
    neither = runner.invoke(app, ["documents"])
    assert neither.exit_code == 2 and "--hub" in neither.output
    csv_file = tmp_path / "presented.csv"
    csv_file.write_text(
        "number,country,holder_name,person,departed_at,from_country,to_country\n"
        "X1,SE,Anna Svensson,Mohammed Al-Hassan,2026-01-10T08:00:00Z,GR,NL\n"
        "X12345,SE,Anna Svensson,Ahmad Karimi,2026-02-01T08:00:00Z,GR,NL\n"
        "X12345,SE,Anna Svensson,Ahmad Karimi,2026-03-01T08:00:00Z,GR,NL\n"
        "X12345,Atlantis,,,,\n",
        encoding="utf-8",
    )
    both = runner.invoke(app, ["documents", str(csv_file), "--hub"])
    assert both.exit_code == 2 and "not both" in both.output
    out = runner.invoke(app, ["documents", str(csv_file), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert [f["key"] for f in data["rented"]] == ["SE/X12345"]
    flat = " ".join(out.output.split())
    assert "row 2, number 'X1'" in flat and "row 5, country 'Atlantis'" in flat
    bad = tmp_path / "bad.csv"
    bad.write_text("doc,where\nX,Y\n", encoding="utf-8")
    refused = runner.invoke(app, ["documents", str(bad)])
    assert refused.exit_code == 2 and "no column number, country" in " ".join(refused.output.split())


def test_a_record_holding_only_an_mrz_is_a_hit(store: Store, tmp_path: Path) -> None:
    """ES-CNP (H2) holds the passport as an MRZ alone (no number, no country): it is still a hit for
    IT-SCO, by the number and issuing state the MRZ gives; its values are never shown."""
    load(store, tmp_path)
    records = [{"id": "m1", "kind": "document", "mrz": td3(NUMBER, "SVENSSON", "ANNA")}]
    path = write_contribution(
        tmp_path / "es.json", records, [], id="ES-1", agency="ES-CNP", handling={"code": "H2"}
    )
    assert ingest_file(store, path).status == "stored"
    with HubContext(store, VIEWER, "password") as ctx:
        result = hub_documents(ctx)
    mrz_only = [h for h in result.hits if h.agency == "ES-CNP"]
    assert [(h.key, h.rule) for h in mrz_only] == [(f"SE/{NUMBER}", "h2")]
    assert mrz_only[0].record.endswith(":m1")
    from mare.resolve.extract import index_identifiers

    index_identifiers(store.con)  # what the cross-check does after intake
    (index,) = store.con.execute(
        "SELECT count(*) FROM identifier_index WHERE record_uid = ? AND kind = 'document'",
        [mrz_only[0].record],
    ).fetchone()
    assert index == 1  # the cross-check indexes it by the MRZ's number and state too
