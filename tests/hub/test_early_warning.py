"""Early warning on the hub's data: series, emerging hotspots, route shifts, new cross-crime links."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import Viewer
from mare.cli.main import app
from mare.hub import early_warning as ew
from mare.hub.context import HubContext, Refused, system_context
from mare.hub.intake import crosscheck_stored, receive
from mare.hub.notifications import inbox
from mare.ingest.pipeline import IngestOptions
from mare.ingest.sources import find_sources
from mare.store.db import Store

TODAY = date(2026, 1, 15)  # the last complete month: 2025-12
MONTHS = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(24)]  # 2024-01 .. 2025-12
CMED = (34.5, 13.0)  # Strait of Sicily: Central Mediterranean
EMED = (37.5, 26.5)  # Aegean: Eastern Mediterranean
WMED = (36.0, -3.0)  # Alboran Sea: Western Mediterranean


@pytest.fixture(autouse=True)
def _no_rigour_symbols(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARE_NAME_SYMBOLS", "off")


def as_(store: Store, agency: str, role: str = "analyst") -> HubContext:
    return HubContext(store, Viewer("ana", agency, frozenset({role})), "password")


def _ingest(store: Store, tmp_path: Path, name: str, records: list[dict[str, Any]], **kw: Any) -> str:
    ctx = as_(store, kw.get("agency", "DE-BKA"), "contributor")
    path = write_contribution(tmp_path / f"{name}.json", records, id=name, **kw)
    (source,), _ = find_sources([path])
    report = receive(ctx, source, IngestOptions())
    assert report.status == "stored", report.message
    assert report.contribution
    crosscheck_stored(ctx, [report.contribution], "each")
    return report.contribution


def _events(
    prefix: str, where: tuple[float, float], counts: list[int], day: int = 10
) -> list[dict[str, Any]]:
    """Events at one place, counts[i] of them in MONTHS[i]."""
    out = []
    for i, n in enumerate(counts):
        for k in range(n):
            out.append({"id": f"{prefix}{i}-{k}", "kind": "event", "event_type": "landing",
                        "occurred_at": f"{MONTHS[i]}-{1 + (day + k) % 27:02d}",
                        "lat": where[0] + 0.001 * (k % 5), "lon": where[1] + 0.001 * (k % 7)})  # fmt: skip
    return out


def _step(seed: int, before: float, after: float, change: int = 19) -> list[int]:
    rng = np.random.default_rng(seed)
    return [int(rng.poisson(before if i < change else after)) for i in range(len(MONTHS))]


def _run(store: Store) -> list[ew.EarlyWarning]:
    with system_context(store, "test") as ctx:
        return ew.run(ctx, "month", TODAY).warnings


def _mine(store: Store, agency: str) -> list[ew.EarlyWarning]:
    with as_(store, agency) as ctx:
        return ew.warnings(ctx)


def test_a_step_on_one_route_warns_up_and_a_flat_route_does_not(store: Store, tmp_path: Path) -> None:
    rising = _events("c", CMED, _step(1, 8, 30))
    flat = _events("e", EMED, _step(2, 10, 10), day=3)
    _ingest(store, tmp_path, "BKA-EV", rising + flat)
    _ingest(store, tmp_path, "SCO-1", [SMUGGLER], agency="IT-SCO")
    new = _run(store)
    found = {w.subject: w for w in _mine(store, "IT-SCO") if w.detector == "series"}
    up = found["events on route Central Mediterranean"]
    assert up.direction == "up" and up.start >= date(2025, 6, 1) and up.observed > up.baseline
    assert up.evidence["records"] == len(rising) and up.evidence["agencies"] == 1
    assert up.evidence["counts"]["2025-12"] == _step(1, 8, 30)[-1]
    assert "since" in up.explanation and "expected" in up.explanation
    assert "events on route Eastern Mediterranean" not in found
    # one warning per recipient, each notified; a re-run adds nothing
    assert {w.agency for w in new} >= {"HUB", "DE-BKA"}
    assert _run(store) == []
    notes = [n for n in inbox(as_(store, "IT-SCO")) if n.kind == "early_warning"]
    assert len(notes) == len(_mine(store, "IT-SCO")) and any(
        "Central Mediterranean" in n.subject for n in notes
    )
    contributor = [n for n in inbox(as_(store, "IT-SCO", "contributor")) if n.kind == "early_warning"]
    assert contributor and all("Central Mediterranean" not in n.subject + (n.body or "") for n in contributor)


def test_a_recipient_never_gets_numbers_from_records_it_may_not_see(store: Store, tmp_path: Path) -> None:
    """The rise is in DE-BKA's H2 contribution: DE-BKA and the hub are warned, IT-SCO is not (and the
    open events' flat series gives IT-SCO the open counts only)."""
    _ingest(store, tmp_path, "BKA-OPEN", _events("o", WMED, _step(3, 10, 10)))
    _ingest(store, tmp_path, "BKA-H2", _events("s", CMED, _step(4, 6, 25)), handling={"code": "H2"})
    _ingest(store, tmp_path, "SCO-1", [SMUGGLER], agency="IT-SCO")
    _run(store)
    subject = "events on route Central Mediterranean"
    assert any(w.subject == subject and w.direction == "up" for w in _mine(store, "DE-BKA"))
    assert any(w.subject == subject for w in _mine(store, "HUB"))
    italian = _mine(store, "IT-SCO")
    assert all(w.subject != subject for w in italian)
    open_total = sum(_step(3, 10, 10))
    for w in italian:  # every number IT-SCO holds counts the open events only
        assert w.evidence["records"] <= open_total
        assert sum(w.evidence.get("counts", {}).values()) <= open_total


def test_short_series_are_skipped_with_their_reason(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, "BKA-SHORT", _events("x", CMED, [0] * 18 + [6, 6, 6, 6, 6, 6]))
    with system_context(store, "test") as ctx:
        result = ew.run(ctx, "month", TODAY)
    skipped = result.recipients["DE-BKA"]["skipped"]
    assert "too short" in skipped["events on route Central Mediterranean"]
    assert "6 months from 2025-07" in skipped["events on route Central Mediterranean"]
    assert result.for_agency("DE-BKA") == []
    with pytest.raises(ew.EarlyWarningError, match="period must be one of month, week"):
        ew.run(system_context(store, "test"), "day", TODAY)


def test_emerging_hotspot(store: Store, tmp_path: Path) -> None:
    """Activity spread thin for two years, and a cluster at one new place in the last three months."""
    rng = np.random.default_rng(5)
    spread = [
        {"id": f"b{i}", "kind": "event", "event_type": "landing", "occurred_at": f"{MONTHS[i % 24]}-05",
         "lat": float(rng.uniform(35, 38)), "lon": float(rng.uniform(20, 27))}
        for i in range(120)
    ]  # fmt: skip
    cluster = _events("h", (36.4, 28.2), [0] * 21 + [6, 7, 8])
    _ingest(store, tmp_path, "BKA-HOT", spread + cluster)
    _run(store)
    emerging = [w for w in _mine(store, "DE-BKA") if w.detector == "emerging_hotspot"]
    assert len(emerging) == 1, emerging
    assert emerging[0].evidence["events_recent"] == 21 and emerging[0].evidence["events_before"] == 0
    assert emerging[0].start == date(2025, 10, 1) and emerging[0].score > 2


def test_no_emerging_hotspot_where_the_hotspot_was_already_hot(store: Store, tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    spread = [
        {"id": f"b{i}", "kind": "event", "event_type": "landing", "occurred_at": f"{MONTHS[i % 24]}-05",
         "lat": float(rng.uniform(35, 38)), "lon": float(rng.uniform(20, 27))}
        for i in range(120)
    ]  # fmt: skip
    steady = _events("h", (36.4, 28.2), [3] * 24)
    _ingest(store, tmp_path, "BKA-STEADY", spread + steady)
    _run(store)
    assert [w for w in _mine(store, "DE-BKA") if w.detector == "emerging_hotspot"] == []


def _legs(
    prefix: str, start: tuple[float, float], end: tuple[float, float], counts: list[int]
) -> list[dict[str, Any]]:
    out = []
    for i, n in enumerate(counts):
        for k in range(n):
            out.append({"id": f"{prefix}{i}-{k}", "kind": "journey_leg",
                        "departed_at": f"{MONTHS[i]}-{1 + k % 27:02d}", "from_lat": start[0],
                        "from_lon": start[1], "to_lat": end[0], "to_lon": end[1]})  # fmt: skip
    return out


LIBYA_ITALY = ((32.9, 13.2), (35.5, 12.6))
TURKEY_GREECE = ((37.0, 27.3), (37.7, 26.9))


def test_route_shift(store: Store, tmp_path: Path) -> None:
    """Journeys move from the Eastern to the Central Mediterranean in the last three months."""
    cmed = _legs("c", *LIBYA_ITALY, [4] * 21 + [15, 16, 15])
    emed = _legs("e", *TURKEY_GREECE, [12] * 21 + [4, 3, 4])
    _ingest(store, tmp_path, "BKA-LEGS", cmed + emed)
    _run(store)
    shifts = {w.subject: w for w in _mine(store, "DE-BKA") if w.detector == "route_shift"}
    up = shifts["share of journeys on route Central Mediterranean"]
    down = shifts["share of journeys on route Eastern Mediterranean"]
    assert up.direction == "up" and down.direction == "down"
    assert up.baseline == 25.0 and up.observed > 75 and up.score >= 3
    assert up.evidence["journeys_recent"] == 57 and up.start == date(2025, 10, 1)


def test_no_route_shift_when_shares_hold(store: Store, tmp_path: Path) -> None:
    cmed = _legs("c", *LIBYA_ITALY, _step(7, 5, 5))
    emed = _legs("e", *TURKEY_GREECE, _step(8, 12, 12))
    _ingest(store, tmp_path, "BKA-LEGS2", cmed + emed)
    _run(store)
    assert [w for w in _mine(store, "DE-BKA") if w.detector == "route_shift"] == []


SMUGGLER = {"id": "p", "kind": "person", "name": "Qorvath Bellimane", "birth_date": "1979-03-14",
            "phone": "+49 151 70707071"}  # fmt: skip


def test_a_smuggler_newly_linked_to_drugs_warns_once(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, "BKA-SMUG", [SMUGGLER], crime_areas=["migrant_smuggling"])
    _run(store)  # the first run: the baseline
    assert [w for w in _mine(store, "DE-BKA") if w.detector == "crime_link"] == []
    drug = {"id": "d", "kind": "person", "name": "Ilvo Marchetti", "phone": "+49 151 70707071"}
    _ingest(store, tmp_path, "BKA-DRUG", [drug], crime_areas=["drug_trafficking"])
    _run(store)
    links = [w for w in _mine(store, "DE-BKA") if w.detector == "crime_link"]
    assert links and all("drug_trafficking" in w.subject for w in links)
    assert "not linked at the previous run" in links[0].explanation
    _run(store)
    assert len([w for w in _mine(store, "DE-BKA") if w.detector == "crime_link"]) == len(links)


def test_no_crime_link_warning_for_smuggling_alone(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, "BKA-SMUG", [SMUGGLER], crime_areas=["migrant_smuggling"])
    _run(store)
    other = {**SMUGGLER, "id": "p2", "name": "Tamsin Oduya"}
    _ingest(store, tmp_path, "BKA-SMUG2", [other], crime_areas=["migrant_smuggling"])
    _run(store)
    assert [w for w in _mine(store, "DE-BKA") if w.detector == "crime_link"] == []


def test_reading_acknowledging_and_refusals(store: Store, tmp_path: Path) -> None:
    _ingest(store, tmp_path, "BKA-EV", _events("c", CMED, _step(1, 8, 30)))
    _run(store)
    mine = _mine(store, "DE-BKA")
    assert mine
    first = mine[0]
    with as_(store, "DE-BKA") as ctx:
        assert ew.warning(ctx, first.id) == first
        done = ew.acknowledge(ctx, first.id)
        assert done.acknowledged_at is not None and ew.acknowledge(ctx, first.id) == done
        assert first.id not in {w.id for w in ew.warnings(ctx, unacknowledged=True)}
    for agency, role in (("IT-SCO", "analyst"), ("DE-BKA", "analyst")):
        with as_(store, agency, role) as ctx, pytest.raises(Refused, match="no early warning"):
            ew.warning(ctx, first.id if agency == "IT-SCO" else "EWnothing")
    with as_(store, "DE-BKA", "contributor") as ctx, pytest.raises(Refused, match=r"warnings\.read needs"):
        ew.warnings(ctx)
    denied = store.con.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'authorisation' AND resource LIKE 'warnings.%'"
    ).fetchone()
    assert denied and denied[0] == 3


def test_cli_shapes(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _ingest(store, tmp_path, "BKA-EV", _events("c", CMED, _step(1, 8, 30)))
    home = str(store.home)
    store.close()
    runner = CliRunner()
    monkeypatch.setenv("MARE_AGENCY", "DE-BKA")
    monkeypatch.setenv("MARE_ROLE", "analyst")
    refused = runner.invoke(app, ["warnings", "run", "--home", home, "--today", "2026-01-15"])
    assert refused.exit_code == 1 and "hub" in refused.output
    monkeypatch.setenv("MARE_AGENCY", "HUB")
    monkeypatch.setenv("MARE_ROLE", "admin")
    done = runner.invoke(app, ["warnings", "run", "--home", home, "--today", "2026-01-15", "--json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.output)
    assert data["agency"] == "HUB" and {w["agency"] for w in data["new"]} == {"HUB"}
    assert isinstance(data["recipients"]["DE-BKA"]["skipped"], int)  # another's subjects: a count
    bad = runner.invoke(app, ["warnings", "run", "--home", home, "--period", "day"])
    assert bad.exit_code == 1 and "period must be one of month, week" in bad.output
    monkeypatch.setenv("MARE_AGENCY", "DE-BKA")
    monkeypatch.setenv("MARE_ROLE", "analyst")
    listed = json.loads(runner.invoke(app, ["warnings", "list", "--home", home, "--json"]).output)
    assert listed and {"id", "subject", "baseline", "observed", "score", "evidence"} <= set(listed[0])
    shown = runner.invoke(app, ["warnings", "show", listed[0]["id"], "--home", home])
    assert shown.exit_code == 0 and listed[0]["subject"] in shown.output
    assert runner.invoke(app, ["warnings", "ack", listed[0]["id"], "--home", home]).exit_code == 0
    left = json.loads(
        runner.invoke(app, ["warnings", "list", "--home", home, "--unacknowledged", "--json"]).output
    )
    assert listed[0]["id"] not in {w["id"] for w in left}
    missing = runner.invoke(app, ["warnings", "show", "EWnone", "--home", home])
    assert missing.exit_code == 1 and "no early warning 'EWnone' for DE-BKA" in missing.output
    since = runner.invoke(app, ["warnings", "list", "--home", home, "--since", "tomorrow"])
    assert since.exit_code == 1 and "YYYY-MM-DD" in since.output


def test_schedule_run_writes_each_recipients_daily_report(store: Store, tmp_path: Path) -> None:
    """`mare schedule run`: detectors, retention, then yesterday's daily report per recipient under its
    own view (DE-BKA's H2 contribution is a source of DE-BKA's and the hub's report, never IT-SCO's)."""
    _ingest(store, tmp_path, "BKA-H2", _events("s", CMED, [3] * 24 + [0]), handling={"code": "H2"})
    late = [{"id": f"y{k}", "kind": "event", "event_type": "landing", "occurred_at": "2026-01-14",
             "lat": CMED[0], "lon": CMED[1]} for k in range(4)]  # fmt: skip
    _ingest(store, tmp_path, "BKA-DAY", late, handling={"code": "H2"})
    _ingest(store, tmp_path, "SCO-1", [SMUGGLER], agency="IT-SCO")
    home = str(store.home)
    store.close()
    runner = CliRunner()
    ran = runner.invoke(app, ["schedule", "run", "--home", home, "--today", "2026-01-15", "--json"])
    assert ran.exit_code == 0, ran.output
    written = json.loads(ran.output)["daily_report"]
    assert written["day"] == "2026-01-14" and set(written["written"]) == {"HUB", "DE-BKA", "IT-SCO"}
    pages = {a: Path(p).read_text(encoding="utf-8") for a, p in written["written"].items()}
    assert "BKA-DAY" in pages["DE-BKA"] and "BKA-DAY" in pages["HUB"]
    assert "BKA-DAY" not in pages["IT-SCO"] and "BKA-H2" not in pages["IT-SCO"]
    again = runner.invoke(app, ["schedule", "run", "--home", home, "--today", "2026-01-15", "--json"])
    assert again.exit_code == 0 and json.loads(again.output)["warnings"]["new"] == 0  # harmless re-run
    assert sorted(p.name for p in Path(written["written"]["HUB"]).parent.iterdir()) == [
        "DE-BKA.html", "HUB.html", "IT-SCO.html"]  # fmt: skip
