"""Reports in the web app: the Reports page and its JSON, reports as HTML and PDF documents (their own
CSP), nothing another agency withholds in a report served to a viewer, the scheduled daily reports of
the viewer's own agency only, refusals and bad input."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from mare.server.app import CSP
from server.support import ServerWorld, bearer

DOCUMENTS = (
    "/reports/daily?day=2026-03-13&format=html",
    "/reports/vessels?format=html",
    "/reports/situation?format=html",
    "/reports/initiation?network=N1&min_size=2&format=html",
)


def test_the_reports_page_lists_what_the_viewer_may_write(
    client: TestClient, server_world: ServerWorld
) -> None:
    analyst = client.get("/api/reports", headers=bearer(server_world, "IT-SCO", "analyst")).json()
    assert analyst["may_generate"] and analyst["agency"] == "IT-SCO"
    assert [k["kind"] for k in analyst["kinds"]] == [
        "daily",
        "vessels",
        "situation",
        "initiation",
        "notification",
    ]
    assert re.match(r"^\d{4}-\d{2}-\d{2}$", analyst["default_day"])
    contributor = client.get("/api/reports", headers=bearer(server_world, "IT-SCO", "contributor")).json()
    assert not contributor["may_generate"] and "report.generate" in contributor["why_not"]
    assert contributor["kinds"] == contributor["networks"] == contributor["scheduled"] == []
    page = client.get("/reports", headers=bearer(server_world, "IT-SCO", "analyst"))
    assert page.status_code == 200 and "/reports/vessels?format=pdf" in page.text
    assert page.headers["content-security-policy"] == CSP


def test_a_report_document_has_its_own_strict_csp(client: TestClient, server_world: ServerWorld) -> None:
    answer = client.get("/reports/vessels?format=html", headers=bearer(server_world, "HUB", "analyst"))
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    policies = answer.headers.get_list("content-security-policy")
    assert len(policies) == 1 and policies[0] != CSP
    assert "default-src 'none'" in policies[0] and "'sha256-" in policies[0] and "script" not in policies[0]
    assert (
        answer.headers["x-content-type-options"] == "nosniff" and answer.headers["x-frame-options"] == "DENY"
    )
    assert "<script" not in answer.text and "Handling:" in answer.text


def test_a_report_as_pdf(client: TestClient, server_world: ServerWorld) -> None:
    answer = client.get("/reports/vessels?format=pdf", headers=bearer(server_world, "HUB", "analyst"))
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert (
        answer.content.startswith(b"%PDF")
        and 'filename="vessels.pdf"' in answer.headers["content-disposition"]
    )


@pytest.mark.parametrize("agency", ["IT-SCO", "HUB"])
def test_no_report_shows_what_another_agency_withholds(
    client: TestClient, server_world: ServerWorld, agency: str
) -> None:
    """Every report as a document, read by another agency's analyst: none of the forms withheld from that
    viewer appears; the owner's analyst sees its own data in the same reports (the check is not vacuous)."""
    w = server_world.world
    forbidden = w.forbidden(agency, "analyst", "crime_fighting", False)
    assert forbidden
    owner = _owner(client)
    owner_saw = 0
    for url in DOCUMENTS:
        seen = client.get(url, headers=bearer(server_world, agency, "analyst"))
        assert seen.status_code == 200, (url, seen.text[:300])
        text = seen.text.lower()
        leaks = sorted(f for f in forbidden if f in text and f not in w.watched)
        assert not leaks, f"{url} shows {agency} what it may not see: {leaks[:5]}"
        own = client.get(url, headers=owner).text.lower()
        owner_saw += sum(1 for f in forbidden if f in own)
    assert owner_saw > 0, "the owner sees none of its own data in the reports: the check is vacuous"


def _owner(client: TestClient) -> dict[str, str]:
    """A bearer header of the owner agency's analyst (the world gives DE-BKA no token; signing in by
    password could meet the login rate limit another test provokes for this user)."""
    from mare.hub import accounts

    token = client.app.state.mare.store.write(  # type: ignore[attr-defined]
        lambda store: accounts.issue_token(store, "owner-analyst", label="tests")[1]
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def scheduled(server_world: ServerWorld) -> Iterator[str]:
    """Daily reports of one day as `mare schedule run` writes them, for two agencies."""
    folder = server_world.home / "reports" / "daily" / "2026-03-13"
    folder.mkdir(parents=True)
    for agency in ("IT-SCO", "DE-BKA"):
        (folder / f"{agency}.html").write_text(
            f"<!DOCTYPE html><html><head><style>body{{}}</style></head><body>daily of {agency}</body></html>",
            encoding="utf-8",
        )
    yield "2026-03-13"
    shutil.rmtree(server_world.home / "reports")


def test_scheduled_daily_reports_of_the_viewers_agency_only(
    client: TestClient, server_world: ServerWorld, scheduled: str
) -> None:
    italian = bearer(server_world, "IT-SCO", "analyst")
    listed = client.get("/api/reports", headers=italian).json()["scheduled"]
    assert listed == [{"day": scheduled, "url": f"/reports/scheduled/{scheduled}"}]
    own = client.get(f"/reports/scheduled/{scheduled}", headers=italian)
    assert own.status_code == 200 and "daily of IT-SCO" in own.text and "DE-BKA" not in own.text
    assert "'sha256-" in own.headers["content-security-policy"]
    assert client.get("/reports/scheduled/2026-03-14", headers=italian).status_code == 404
    hub = client.get("/api/reports", headers=bearer(server_world, "HUB", "analyst")).json()["scheduled"]
    assert hub == []  # the hub's own file was not written that day
    refused = client.get(
        f"/reports/scheduled/{scheduled}", headers=bearer(server_world, "IT-SCO", "contributor")
    )
    assert refused.status_code == 403
    for trick in ("..%2F..%2Fkeys", "2026-03-13%2F..%2F2026-03-13", "2026-3-13"):
        answer = client.get(f"/reports/scheduled/{trick}", headers=italian)
        assert answer.status_code in (404, 422), (trick, answer.status_code)


def test_refusals_and_bad_input(client: TestClient, server_world: ServerWorld) -> None:
    contributor = bearer(server_world, "FR-OCRIEST", "contributor")
    refused = client.get("/api/reports/vessels", headers=contributor)
    assert refused.status_code == 403 and refused.json()["rule"] == "action-role"
    analyst = bearer(server_world, "FR-OCRIEST", "analyst")
    assert client.get("/api/reports/nonsense", headers=analyst).status_code == 422
    assert client.get("/api/reports/daily?day=13.03.2026", headers=analyst).status_code == 422
    assert client.get("/api/reports/daily?day=2026-02-30", headers=analyst).status_code == 400
    missing = client.get("/api/reports/initiation", headers=analyst)
    assert missing.status_code == 400 and "give the network" in missing.json()["error"]
    unknown = client.get("/api/reports/initiation?network=N999&min_size=2", headers=analyst)
    assert unknown.status_code == 400 and "N999" in unknown.json()["error"]
    assert client.get("/reports/vessels?format=docx", headers=analyst).status_code == 422
