"""Vessels in the web app and API: the list, one vessel's page and map, and the map's vessel layer, each
showing only the AIS the viewer's agency may see (GR-HCG's H2 AIS is not for ES-CGPJ)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from mare.hub import accounts
from mare.server.app import create_app, new_secret
from mare.store.db import open_store
from maritime.test_hub_vessels import OPEN, SECRET, _world


@pytest.fixture(scope="module")
def vessel_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("vessels")
    home = tmp / "hub"
    tokens: dict[str, str] = {}
    with open_store(home) as store:
        _world(tmp, store)
        for agency in ("GR-HCG", "ES-CGPJ", "IT-GDF"):
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


def test_the_owner_sees_its_vessel_listed_with_track_and_events(
    vessel_app: tuple[TestClient, dict[str, str]],
) -> None:
    status, text = _get(vessel_app, "GR-HCG", "/api/vessels")
    assert status == 200
    listed = {v["mmsi"]: v for v in json.loads(text)["vessels"]}
    assert set(listed) == {SECRET, OPEN}
    assert listed[SECRET]["handling"] == "H2" and listed[SECRET]["event_count"] >= 1
    status, text = _get(vessel_app, "GR-HCG", f"/api/vessels/{SECRET}")
    assert status == 200
    vessel = json.loads(text)
    assert vessel["listed"] and vessel["positions"] == 24
    assert len(vessel["track"]) == 2  # broken at the 6-hour silence, not drawn across it
    assert any(e["kind"] == "dark_rendezvous" for e in vessel["events"])
    status, text = _get(vessel_app, "GR-HCG", f"/api/vessels/{SECRET}/map")
    kinds = [f["properties"]["kind"] for f in json.loads(text)["features"]]
    assert status == 200 and kinds.count("track") == 2 and "event" in kinds
    status, text = _get(vessel_app, "GR-HCG", "/api/map?layers=vessels")
    refs = {f["properties"]["ref"] for f in json.loads(text)["features"]}
    assert f"/vessels/{SECRET}" in refs and f"/vessels/{OPEN}" in refs


def test_another_agency_learns_nothing_of_the_withheld_vessel(
    vessel_app: tuple[TestClient, dict[str, str]],
) -> None:
    for path in (
        "/api/vessels",
        "/api/map?layers=vessels",
        f"/api/vessels/{OPEN}",
        f"/api/vessels/{OPEN}/map",
    ):
        status, text = _get(vessel_app, "ES-CGPJ", path)
        assert status == 200, (path, text[:300])
        assert str(SECRET) not in text and "GR-HCG" not in text, path
    status, text = _get(vessel_app, "ES-CGPJ", "/api/vessels")
    assert [v["mmsi"] for v in json.loads(text)["vessels"]] == [OPEN]
    assert json.loads(text)["withheld_contributions"] == 1
    # the withheld vessel and one that exists nowhere get the same answer
    withheld = _get(vessel_app, "ES-CGPJ", f"/api/vessels/{SECRET}")
    unknown = _get(vessel_app, "ES-CGPJ", "/api/vessels/247999999")
    assert withheld[0] == unknown[0] == 404
    assert withheld[1].replace(str(SECRET), "N") == unknown[1].replace("247999999", "N")


def test_vessel_pages_render(vessel_app: tuple[TestClient, dict[str, str]]) -> None:
    for path in ("/vessels", f"/vessels/{OPEN}"):
        status, text = _get(vessel_app, "IT-GDF", path)
        assert status == 200, (path, text[:300])
    status, text = _get(vessel_app, "IT-GDF", f"/vessels/{OPEN}")
    assert "OPEN SEA" in text or str(OPEN) in text
    assert f'data-src="/api/vessels/{OPEN}/map"' in text
    assert str(SECRET) not in _get(vessel_app, "IT-GDF", "/vessels")[1]
