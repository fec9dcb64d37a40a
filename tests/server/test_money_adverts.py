"""The Money and Adverts pages and their JSON twins: the same dict rendered either way, only what the
viewer's agency may see (DE-BKA's H3 money and FR-OCRIEST's H2 person are not IT-SCO's), audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from adverts.conftest import PHONE, SECRET_PHONE
from adverts.test_hub_adverts import SECRETS as ADVERT_SECRETS
from adverts.test_hub_adverts import _hub
from mare.analyse.money.patterns import KINDS
from mare.hub import accounts
from mare.server.app import create_app, new_secret
from mare.server.pages import NAV
from mare.store.db import open_store
from money.test_cli import SECRET as MONEY_SECRETS
from money.test_cli import load

AGENCIES = ("IT-SCO", "DE-BKA", "FR-OCRIEST")


@pytest.fixture(scope="module")
def trails_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("trails")
    home = Path(_hub(tmp))  # adverts: DE-BKA's Omar Haddad, FR-OCRIEST's H2 Zaher Secret, IRU posts
    tokens: dict[str, str] = {}
    with open_store(home) as store:
        load(store, tmp)  # money: IT-SCO's hawaladar and payers, DE-BKA's H3 ones denied to IT-SCO
        for agency in AGENCIES:
            if accounts.get_agency(store, agency) is None:
                accounts.add_agency(store, agency, agency, agency[:2], "member_state")
            name = f"{agency.lower()}-analyst"
            accounts.add_user(store, name, agency, ["analyst"], None)
            tokens[agency] = accounts.issue_token(store, name, label="tests")[1]
    app = create_app(home, secret=new_secret(), secure_cookies=False)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client, tokens


def _get(app: tuple[TestClient, dict[str, str]], agency: str, path: str) -> tuple[int, str]:
    client, tokens = app
    answer = client.get(path, headers={"Authorization": f"Bearer {tokens[agency]}"})
    return answer.status_code, answer.text


def test_money_json_flows_patterns_turnover(trails_app: tuple[TestClient, dict[str, str]]) -> None:
    status, text = _get(trails_app, "IT-SCO", "/api/money")
    assert status == 200, text[:300]
    data = json.loads(text)
    assert data["payments"] == 8 and data["transfers"] == 8
    (corridor,) = data["flows"]["corridors"]
    assert (corridor["source"], corridor["target"]) == ("DE", "TR") and corridor["months"]
    assert set(data["flows"]["months"]) == {"2026-01"}
    broker = next(p for p in data["patterns"] if p["kind"] == "broker")
    assert broker["who"][0]["label"] == "Omar Hawala" and broker["reasons"]
    assert data["kinds"]["broker"] == 1 and data["patterns_found"] == len(data["patterns"])
    hub = data["turnover"]["hub"]
    assert [i["name"] for i in hub["inputs"]] == ["journeys seen", "facilitated share", "fee per person"]
    assert all(i["source"] for i in hub["inputs"]) and hub["monte_carlo"]["p05"] <= hub["monte_carlo"]["p95"]
    assert sum(data["withheld"].values()) >= 10  # DE-BKA's H3 records, counted, never shown
    for secret in MONEY_SECRETS:
        assert secret not in text
    only = json.loads(_get(trails_app, "IT-SCO", "/api/money?kind=broker")[1])
    assert {p["kind"] for p in only["patterns"]} == {"broker"} and only["kind"] == "broker"
    status, text = _get(trails_app, "IT-SCO", "/api/money?kind=smurfing")
    assert status == 400 and "broker" in text
    for kind in KINDS:  # every kind the analysis finds can be asked for
        assert _get(trails_app, "IT-SCO", f"/api/money?kind={kind}")[0] == 200, kind
    owner = _get(trails_app, "DE-BKA", "/api/money")[1]
    assert MONEY_SECRETS[0] in owner


def test_adverts_json_posters_series_hits(trails_app: tuple[TestClient, dict[str, str]]) -> None:
    status, text = _get(trails_app, "IT-SCO", "/api/adverts")
    assert status == 200, text[:300]
    data = json.loads(text)
    assert data["advert_count"] == 3 and data["poster_count"] == 2 and data["linked_posters"] == 1
    by_phone = {tuple(p["phones"]): p for p in data["posters"]}
    (person,) = by_phone[(PHONE,)]["persons"]
    assert person["label"] == "Omar Haddad" and person["basis"] == [f"phone:{PHONE}"]
    assert {h["agency"] for h in by_phone[(SECRET_PHONE,)]["hits"]} == {"FR-OCRIEST"}
    assert by_phone[(SECRET_PHONE,)]["persons"] == []
    assert {"Germany", "Kos"} <= set(data["prices_by_destination"])
    kos = data["prices_by_destination"]["Kos"]
    assert [cell["EUR"]["median"] for cell in kos.values()] == [1200.0]
    phones = {f["value"] for ad in data["adverts"] for f in ad["phones"]}
    assert PHONE in phones and all(f["trigger"] for ad in data["adverts"] for f in ad["phones"])
    for secret in ADVERT_SECRETS:
        assert secret not in text
    assert ADVERT_SECRETS[0] in _get(trails_app, "FR-OCRIEST", "/api/adverts")[1]


def test_pages_render_the_same_data(trails_app: tuple[TestClient, dict[str, str]]) -> None:
    status, page = _get(trails_app, "IT-SCO", "/money")
    assert status == 200 and "<h1>Money</h1>" in page
    assert "Omar Hawala" in page and "DE</td><td>TR" in page and "fee per person" in page
    assert "<summary>Fee levels (1)" in page and "seeds/004" in page  # the levels, with their sources
    assert {"/money", "/adverts"} <= {href for href, _ in NAV}  # in the navigation of signed-in pages
    status, page = _get(trails_app, "IT-SCO", "/adverts")
    assert status == 200 and "<h1>Adverts</h1>" in page
    assert "Omar Haddad" in page and "Kos" in page and "hit: a record of FR-OCRIEST" in page
    for secret in (*MONEY_SECRETS, *ADVERT_SECRETS):
        assert secret not in page


def test_each_request_is_audited(trails_app: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = trails_app
    for path in ("/api/money", "/adverts"):
        assert _get(trails_app, "IT-SCO", path)[0] == 200
        with client.app.state.mare.store.reading() as store:  # type: ignore[attr-defined]
            row = store.con.execute(
                "SELECT count(*) FROM audit_log WHERE actor_agency = 'IT-SCO' AND resource = ?",
                [f"GET {path}"],
            ).fetchone()
        assert row is not None and row[0] >= 1, path
