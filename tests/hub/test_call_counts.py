"""The bulk call counts: written by `mare calls aggregate` (DuckDB here; Spark in tests/spark), read by
`mare calls busiest` and the network's call ties while fresh, else summed from the calls; every
count through the policy by its contribution."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import HUB_AGENCY, Viewer
from mare.cli import app
from mare.hub.call_counts import CallsError, Freshness, aggregate, freshness, pair_volumes
from mare.hub.context import HubContext, Refused, system_context
from mare.hub.network import hub_network
from mare.ingest.pipeline import ingest_file
from mare.resolve.spark import session
from mare.store.db import Store, open_store

BKA = Viewer("ana", "DE-BKA")
SCO = Viewer("marco", "IT-SCO")
HUB = Viewer("hanna", HUB_AGENCY, frozenset({"analyst"}))
A, B, C = "+4915123456789", "+393331234567", "+33612345678"
runner = CliRunner()


def cdr(store: Store, tmp_path: Path, uid: str, rows: list[tuple[str, str, str]], code: str = "H2") -> None:
    """One call-record contribution of DE-BKA under this handling code."""
    path = tmp_path / f"{uid}.csv"
    path.write_text(
        "caller,callee,start,duration\n" + "".join(f"{a},{b},{t},60\n" for a, b, t in rows), encoding="utf-8"
    )
    envelope = {
        "format": "mare.contribution/1",
        "id": uid,
        "agency": "DE-BKA",
        "sent_at": "2026-11-01T10:00:00Z",
        "handling": {"code": code},
    }
    (tmp_path / f"{uid}.csv.envelope.json").write_text(json.dumps(envelope), encoding="utf-8")
    report = ingest_file(store, path)
    assert report.status == "stored", report.message


def load(store: Store, tmp_path: Path) -> None:
    """Two people using phones A and B (open), and a secret batch of calls between them."""
    people = [
        {"id": "p1", "kind": "person", "category": "suspect", "name": "Adil Haddad", "phone": A},
        {"id": "p2", "kind": "person", "category": "suspect", "name": "Burak Demir", "phone": B},
    ]
    assert (
        ingest_file(store, write_contribution(tmp_path / "open.json", people, [], id="OPEN-1")).status
        == "stored"
    )
    cdr(
        store,
        tmp_path,
        "CDR-1",
        [(A, B, "2026-10-01T10:00:00Z"), (B, A, "2026-10-02T10:00:00Z"), (A, B, "2026-10-20T10:00:00Z")],
    )


def test_aggregate_writes_fresh_counts_audited_as_the_hubs_processing(
    backend_store: Store, tmp_path: Path
) -> None:
    store = backend_store
    load(store, tmp_path)
    with system_context(store, "test"):  # on PostgreSQL: raw reads as the hub (row-level security)
        assert not freshness(store, "month").fresh  # nothing counted yet
    with HubContext(store, HUB, "password") as ctx:
        done = aggregate(ctx, "month", "duckdb")
    assert (done.rows, done.contributions, done.calls) == (2, 1, 3)
    with system_context(store, "test"):
        assert freshness(store, "month") == Freshness("month", 1, 1, True)
        assert not freshness(store, "week").fresh  # each period its own stamp
        rows = store.con.execute(
            "SELECT caller, callee, start, calls, seconds FROM call_counts WHERE period = 'month' ORDER BY 1"
        ).fetchall()
        actor, details = store.con.execute(
            "SELECT actor, details FROM audit_log WHERE action = 'processing' ORDER BY seq DESC LIMIT 1"
        ).fetchall()[0]
    assert [(r[0], r[1], str(r[2])[:10], r[3], r[4]) for r in rows] == [
        (int(B[1:]), int(A[1:]), "2026-10-01", 1, 60),
        (int(A[1:]), int(B[1:]), "2026-10-01", 2, 120),
    ]
    found = details if isinstance(details, dict) else json.loads(details)
    assert actor == "system:calls"
    assert found["on_behalf_of"] == "hanna" and found["process"] == "call_counts" and found["calls"] == 3


def test_only_hub_staff_may_aggregate(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    with HubContext(store, BKA, "password") as ctx, pytest.raises(Refused):
        aggregate(ctx, "month", "duckdb")
    assert store.con.execute("SELECT count(*) FROM call_counts").fetchone() == (0,)
    with HubContext(store, HUB, "password") as ctx, pytest.raises(CallsError, match="day, week, month"):
        aggregate(ctx, "year", "duckdb")


def test_busiest_pairs_the_same_from_counts_and_calls_and_withheld_from_others(
    backend_store: Store, tmp_path: Path
) -> None:
    store = backend_store
    load(store, tmp_path)
    with HubContext(store, BKA, "password") as ctx:
        before = pair_volumes(ctx, "month")
    assert before.source == "calls"
    with HubContext(store, HUB, "password") as ctx:
        aggregate(ctx, "month", "duckdb")
    with HubContext(store, BKA, "password") as ctx:
        after = pair_volumes(ctx, "month")
    assert after.source == "call_counts"
    assert after.pairs == before.pairs
    assert [(p.caller, p.callee, p.calls, p.seconds) for p in after.pairs] == [(A, B, 2, 120), (B, A, 1, 60)]
    with HubContext(store, SCO, "password") as ctx:  # the batch is H2: DE-BKA's only
        other = pair_volumes(ctx, "month")
    assert other.pairs == [] and other.withheld == 1
    with HubContext(store, BKA, "password") as ctx:
        assert len(pair_volumes(ctx, "month", limit=1).pairs) == 1


def test_new_calls_make_the_counts_stale_and_the_readers_sum_the_calls(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    with HubContext(store, HUB, "password") as ctx:
        aggregate(ctx, "month", "duckdb")
    cdr(store, tmp_path, "CDR-2", [(A, C, "2026-11-03T10:00:00Z")])
    assert freshness(store, "month") == Freshness("month", 1, 2, False)
    with HubContext(store, BKA, "password") as ctx:
        volumes = pair_volumes(ctx, "month")
    assert volumes.source == "calls"
    assert (A, C) in {(p.caller, p.callee) for p in volumes.pairs}


def test_the_network_reads_fresh_month_counts_and_falls_back_when_stale(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path)
    with HubContext(store, HUB, "password") as ctx:
        aggregate(ctx, "month", "duckdb")
    # moved to September in the counts only (same totals: still fresh): the network's months follow
    store.con.execute("UPDATE call_counts SET start = DATE '2026-09-01' WHERE period = 'month'")
    with HubContext(store, BKA, "password") as ctx:
        net = hub_network(ctx, tie_kinds=["calls"])
    assert net.meta["first_seen"] == "2026-09-01"
    assert net.meta["ties_by_kind"] == {"calls": 2}
    # one count changed (totals differ from the calls held: stale): the network sums the calls again
    store.con.execute("UPDATE call_counts SET calls = calls + 5 WHERE period = 'month' AND calls = 2")
    with HubContext(store, BKA, "password") as ctx:
        net = hub_network(ctx, tie_kinds=["calls"])
    assert net.meta["first_seen"] == "2026-10-01"
    assert sum(t.weight for t in net.meta["ties"]) == 3.0


def test_cli_aggregate_then_busiest(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with open_store(home) as store:
        load(store, tmp_path)
    result = runner.invoke(app, ["calls", "aggregate", "--home", str(home), "--period", "week", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["calls"] == 3
    result = runner.invoke(app, ["calls", "busiest", "--home", str(home), "--period", "week", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["source"] == "call_counts"
    assert {(p["caller"], p["callee"]) for p in shown["pairs"]} == {(A, B), (B, A)}
    result = runner.invoke(app, ["calls", "busiest", "--home", str(home)])
    assert result.exit_code == 0 and "from calls" in " ".join(result.output.split())  # no month counts


def test_cli_refuses_bad_options_and_a_missing_spark_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    with open_store(home):
        pass
    for args, said in (
        (["--engine", "hadoop"], "use duckdb or spark"),
        (["--period", "year"], "day, week, month"),
    ):
        result = runner.invoke(app, ["calls", "aggregate", "--home", str(home), *args])
        assert result.exit_code == 2 and said in result.output, result.output
    monkeypatch.setattr(session, "java_home", lambda: None)
    result = runner.invoke(app, ["calls", "aggregate", "--home", str(home), "--engine", "spark"])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "make java" in said and "openjdk-17-jre-headless" in said and "Traceback" not in result.output
    monkeypatch.setitem(sys.modules, "pyspark", None)
    result = runner.invoke(app, ["calls", "aggregate", "--home", str(home), "--engine", "spark"])
    assert result.exit_code == 2 and "uv sync --extra spark" in " ".join(result.output.split())
