"""Consent workflow and the four-eyes threat-to-life override."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import Viewer
from mare.cli import app
from mare.hub.accounts import add_agency, add_user
from mare.hub.audit import AuditLog
from mare.hub.consent import (
    ConsentError,
    approve_override,
    decide,
    request_consent,
    request_override,
)
from mare.hub.context import HubContext, Refused
from mare.hub.notifications import inbox
from mare.hub.repository import Repository
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store, open_store

SECRET = "Zaher Secretname"
BOB = Viewer("bob", "IT-SCO", frozenset({"analyst"}))
BOB_BOSS = Viewer("carla", "IT-SCO", frozenset({"supervisor"}))
OWNER = Viewer("otto", "DE-BKA", frozenset({"contributor"}))
THREAT = "Migrants locked in a lorry near Győr, 40 people, no air: we need the driver's phone now."


@pytest.fixture
def record_uid(store: Store, tmp_path: Path) -> str:
    report = ingest_file(
        store,
        write_contribution(
            tmp_path / "c.json", [{"id": "p1", "kind": "person", "name": SECRET}], handling={"code": "H2"}
        ),
    )
    return f"{report.contribution}:p1"


def as_(store: Store, viewer: Viewer) -> HubContext:
    return HubContext(store, viewer, "password")


def _visible(store: Store, viewer: Viewer, uid: str) -> str:
    view = Repository(as_(store, viewer)).record(uid)
    assert view is not None
    return view.decision.visibility


def test_request_grant_release(store: Store, record_uid: str) -> None:
    assert _visible(store, BOB, record_uid) == "hit"
    request = request_consent(as_(store, BOB), record_uid, "Suspect in our case RM-2026-4")
    assert request.status == "pending" and request.owner_agency == "DE-BKA"
    assert any(n.kind == "consent_request" for n in inbox(as_(store, OWNER)))
    with pytest.raises(Refused, match="needs one of the roles"):
        decide(as_(store, BOB), request.id, True, "I grant myself")
    assert store.con.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'authorisation' AND outcome = 'denied' "
        "AND actor = 'bob'"
    ).fetchone() == (1,)
    decided = decide(as_(store, OWNER), request.id, True, "ok for RM-2026-4")
    assert decided.status == "granted"
    assert any(n.kind == "consent_decision" for n in inbox(as_(store, BOB)))
    assert _visible(store, BOB, record_uid) == "full"
    # consent is for the requesting agency only
    assert _visible(store, Viewer("fleur", "FR-OCRIEST", frozenset({"analyst"})), record_uid) == "hit"


def test_refusal_keeps_it_withheld(store: Store, record_uid: str) -> None:
    request = request_consent(as_(store, BOB), record_uid, "Suspect in our case RM-2026-4")
    decide(as_(store, OWNER), request.id, False, "operation ongoing")
    assert _visible(store, BOB, record_uid) == "hit"
    with pytest.raises(ConsentError):
        decide(as_(store, OWNER), request.id, True, "changed my mind")


def test_override_refuses_one_person_succeeds_with_two(store: Store, record_uid: str) -> None:
    with pytest.raises(ConsentError):
        request_override(as_(store, BOB), record_uid, "urgent")  # no real justification
    request = request_override(as_(store, BOB), record_uid, THREAT)
    assert request.status == "awaiting_approval"
    assert _visible(store, BOB, record_uid) == "hit"
    with pytest.raises(Refused, match="four eyes"):
        approve_override(as_(store, Viewer("bob", "IT-SCO", frozenset({"supervisor"}))), request.id)
    with pytest.raises(Refused):
        approve_override(as_(store, Viewer("dan", "IT-SCO", frozenset({"analyst"}))), request.id)
    assert _visible(store, BOB, record_uid) == "hit"
    approved = approve_override(as_(store, BOB_BOSS), request.id)
    assert approved.status == "granted" and approved.approved_by == "carla"
    assert _visible(store, BOB, record_uid) == "full"
    owner_inbox = inbox(as_(store, OWNER))
    assert any(n.kind == "override" and "carla" in (n.body or "") for n in owner_inbox)


def test_owner_needs_no_consent(store: Store, record_uid: str) -> None:
    with pytest.raises(Refused, match="own"):
        request_consent(
            as_(store, Viewer("olga", "DE-BKA", frozenset({"analyst"}))), record_uid, "why ask myself"
        )
    assert store.con.execute("SELECT count(*) FROM consent_requests").fetchone() == (0,)


def test_cli_request_and_override_are_audited(store: Store, record_uid: str, tmp_path: Path) -> None:
    add_agency(store, "IT-SCO", "Servizio Centrale Operativo", "IT", "member_state")
    add_user(store, "bob", "IT-SCO", ["analyst"], "correct horse battery")
    home = str(tmp_path / "home")
    store.close()
    runner = CliRunner()
    nameonly = runner.invoke(
        app,
        ["consent", "request", record_uid, "--why", "Suspect in RM-2026-4", "--user", "bob", "--home", home],
        input="wrong password\n",
    )
    assert nameonly.exit_code == 1 and "password" in nameonly.output
    asked = runner.invoke(
        app,
        ["consent", "request", record_uid, "--why", "Suspect in RM-2026-4", "--user", "bob", "--home", home],
        input="correct horse battery\n",
    )
    assert asked.exit_code == 0, asked.output
    assert "sent to DE-BKA" in asked.output
    override = runner.invoke(
        app,
        ["consent", "override", record_uid, "--why", THREAT, "--user", "bob", "--home", home],
        input="correct horse battery\n",
    )
    assert override.exit_code == 0, override.output
    refused = runner.invoke(
        app,
        ["consent", "request", "C0:missing", "--why", "x", "--user", "bob", "--home", home],
        input="correct horse battery\n",
    )
    assert refused.exit_code != 0
    with open_store(Path(home)) as reopened:
        logged = [(e["action"], e["outcome"]) for e in AuditLog(reopened).entries()]
    assert ("consent", "requested") in logged
    assert ("override", "awaiting_approval") in logged
    assert ("consent", "refused") in logged
    assert ("login", "failure") in logged
