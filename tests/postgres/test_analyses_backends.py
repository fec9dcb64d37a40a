"""The hub's analyses on both engines: `mare crosscheck`, `search`, `show entity`, `network --hub` and
`review` through the CLI, one test body parametrised by backend (`backend_store`: DuckDB in the
default run, PostgreSQL as the application role under row-level security with `-m postgres`).

On PostgreSQL the cross-check, judgements and relearning compute in DuckDB on the store's tables and
write back (`resolve/mirror.py`); reads PostgreSQL refuses run in the session's local DuckDB on what
the session may read (`store/postgres_local.py`). The PostgreSQL run also builds the same world on
DuckDB and checks every output is the same.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from builders import write_contribution
from mare.access.policy import Viewer
from mare.cli import app
from mare.hub import accounts
from mare.hub.context import HubContext, system_context
from mare.ingest.pipeline import ingest_file
from mare.store.db import Store, open_store

RUNNER = CliRunner()
SECRET = [
    {"id": "p1", "kind": "person", "name": "Zaheerqa Quixbury", "birth_date": "1981-01-11",
     "phone": ["+49 151 2224222"]},
    {"id": "p2", "kind": "person", "name": "Qasimiro Tellbrook"},
    {"id": "p3", "kind": "person", "name": "Waleedon Frostvang", "birth_date": "1983-03-13"},
]  # fmt: skip
LOOKALIKES = [
    {"id": "q1", "kind": "person", "name": "Zaheerqa Quixbery", "birth_date": "1981-01-11"},
    {"id": "q2", "kind": "person", "name": "Giacomo Ferrantelli"},
    {"id": "q3", "kind": "person", "name": "Waleedon Frostwang", "birth_date": "1983-03-13"},
]


def _cli(store: Store, *args: str, stdin: str | None = None) -> str:
    env = {"MARE_STORE": store.url or "", "COLUMNS": "4000", "MARE_HOME": None, "MARE_USER": None}
    result = RUNNER.invoke(app, [*args, "--home", str(store.home)], env=env, input=stdin)
    assert result.exit_code == 0, (args, result.output)
    return result.output


def _as(agency: str, role: str) -> tuple[str, ...]:
    return ("--as-agency", agency, "--role", role)


def analyses(store: Store, tmp: Path) -> dict[str, Any]:
    """The world (DE-BKA's H2 contribution, IT-SCO's look-alikes), then each analysis; what each showed."""
    with HubContext(store, Viewer("admin", "HUB", frozenset({"admin"})), "password"):
        for agency, name, country in (("DE-BKA", "BKA", "DE"), ("IT-SCO", "SCO", "IT")):
            accounts.add_agency(store, agency, name, country, "member_state")
    secret = write_contribution(
        tmp / "bka.json", SECRET, [{"id": "k1", "kind": "associate_of", "source": "p1", "target": "p2"}],
        id="BKA-1", agency="DE-BKA", handling={"code": "H0"},
    )  # fmt: skip
    twin = {"id": "d1", "kind": "person", "name": "Zaheerqa Quixbury", "birth_date": "1981-01-11"}
    denied = write_contribution(
        tmp / "bka-h3.json", [twin],
        id="BKA-2", agency="DE-BKA", handling={"code": "H3", "restrictions": {"agencies_denied": ["IT-SCO"]}},
    )  # fmt: skip
    lookalikes = write_contribution(
        tmp / "sco.json", LOOKALIKES, [{"id": "k1", "kind": "associate_of", "source": "q1", "target": "q2"}],
        id="SCO-1", agency="IT-SCO", handling={"code": "H0"},
    )  # fmt: skip
    uid = {}
    for path, agency, key in (
        (secret, "DE-BKA", "bka"),
        (denied, "DE-BKA", "h3"),
        (lookalikes, "IT-SCO", "sco"),
    ):
        with HubContext(store, Viewer("clerk", agency), "password"):
            report = ingest_file(store, path)
        assert report.status == "stored" and report.contribution, report
        uid[key] = report.contribution
    out: dict[str, Any] = {}
    run = json.loads(_cli(store, "crosscheck", "--no-train", "--json"))
    out["crosscheck"] = {k: run[k] for k in ("persons", "candidates", "links", "reviews", "person_hits")}
    it = _as("IT-SCO", "analyst")
    found = json.loads(_cli(store, "search", "Zaheerqa Quixbury", "--json", *it))
    out["search"] = [(h["uid"], h["visibility"], h.get("score")) for h in found["results"]]
    phone = json.loads(_cli(store, "search", "+49 151 2224222", "--json", *it))
    out["search_phone"] = [h["uid"] for h in phone["results"]]
    with system_context(store, "test"):
        rows = store.con.execute("SELECT record_uid, entity_id FROM entities ORDER BY 1").fetchall()
    entity_of = dict(rows)
    q1, q3 = f"{uid['sco']}:q1", f"{uid['sco']}:q3"
    shown = json.loads(_cli(store, "show", "entity", entity_of[q1], "--json", *it))
    out["entity"] = sorted(r["uid"] for r in shown["records"])
    out["network"] = _cli(store, "network", "--hub", "--min-size", "2", "--json", *it)
    sup = _as("IT-SCO", "supervisor")
    out["review_offered"] = "Nothing to review." not in _cli(store, "review", *sup, stdin="q\n")
    judged = _cli(store, "review", *sup, stdin="n\ndifferent people\nq\n")  # the first pair: not the same
    out["review_judged"] = "1 judgement(s) recorded." in judged and "Model refitted" in judged
    with system_context(store, "test"):
        out["judgements"] = store.con.execute("SELECT verdict FROM judgements ORDER BY 1").fetchall()
        out["entities_after"] = store.con.execute(
            "SELECT count(DISTINCT entity_id) FROM entities WHERE record_uid IN (?, ?, ?, ?)",
            [q1, q3, f"{uid['bka']}:p1", f"{uid['bka']}:p3"],
        ).fetchall()
    out["uids"] = uid
    return out


def test_the_analyses_run_and_agree_on_each_backend(
    backend_store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mare.store.postgres")
    got = analyses(backend_store, tmp_path)
    # on PostgreSQL every read ran there: none in the session's local DuckDB (search scores names with
    # mare_name_sim, the network build's _net_records translates)
    local = [r.getMessage()[:160] for r in caplog.records if r.getMessage().startswith("runs locally")]
    assert not local, local
    if backend_store.url is not None:  # and the log would show one (`bar` is DuckDB's alone)
        with system_context(backend_store, "test"):
            backend_store.con.execute("SELECT bar(1, 0, 2, 10)").fetchall()
        assert any(r.getMessage().startswith("runs locally") for r in caplog.records)
    bka, sco, h3 = got["uids"]["bka"], got["uids"]["sco"], got["uids"]["h3"]
    assert got["crosscheck"]["persons"] == 7 and got["crosscheck"]["candidates"] >= 2, got["crosscheck"]
    searched = [u for u, _, _ in got["search"]]
    assert f"{bka}:p1" in searched and f"{sco}:q1" in searched, got["search"]
    assert (f"{h3}:d1", "hit", None) in got["search"], got["search"]  # denied to IT-SCO: hit/no-hit only
    assert f"{bka}:p1" in got["search_phone"], got["search_phone"]
    assert f"{sco}:q1" in got["entity"], got["entity"]
    assert "Giacomo Ferrantelli" in got["network"] or "people" in got["network"]
    assert got["review_offered"] and got["review_judged"]
    assert [v for (v,) in got["judgements"]] == ["not_same"]
    if backend_store.url is not None:  # the same world on DuckDB: the same outputs
        with open_store(tmp_path / "duck", url="duckdb") as duck:
            accounts.ensure_hub_agency(duck)
            expected = analyses(duck, tmp_path)
        assert got == expected


def trained(store: Store, tmp: Path, monkeypatch: Any) -> dict[str, Any]:
    """The world, then `mare crosscheck --train` (the model trained on the store, even on a few persons)."""
    import mare.resolve.engine

    monkeypatch.setattr(mare.resolve.engine, "MIN_TRAIN_PERSONS", 2)
    with HubContext(store, Viewer("admin", "HUB", frozenset({"admin"})), "password"):
        for agency, name, country in (("DE-BKA", "BKA", "DE"), ("IT-SCO", "SCO", "IT")):
            accounts.add_agency(store, agency, name, country, "member_state")
    for records, ends, agency, key in ((SECRET, "p", "DE-BKA", "BKA-1"), (LOOKALIKES, "q", "IT-SCO", "SCO")):
        links = [{"id": "k1", "kind": "associate_of", "source": f"{ends}1", "target": f"{ends}2"}]
        path = write_contribution(tmp / f"{key}.json", records, links, id=key, agency=agency)
        with HubContext(store, Viewer("clerk", agency), "password"):
            assert ingest_file(store, path).status == "stored"
    run = json.loads(_cli(store, "crosscheck", "--train", "--json"))
    with system_context(store, "test"):
        model = store.con.execute(
            "SELECT version, settings FROM resolve_model ORDER BY version DESC LIMIT 1"
        ).fetchone()
        pairs = store.con.execute(
            "SELECT count(*), round(sum(match_probability), 6) FROM candidate_pairs"
        ).fetchone()
    assert model is not None
    settings = json.loads(model[1]) if isinstance(model[1], str) else dict(model[1])
    settings.pop("linker_uid", None)  # Splink's random name of the linker
    return {
        "run": {k: run[k] for k in ("persons", "candidates", "links", "reviews", "person_hits", "trained")},
        "settings": settings,
        "pairs": tuple(pairs or ()),
    }


def test_the_trained_cross_check_is_the_same_on_each_backend(
    backend_store: Store, tmp_path: Path, monkeypatch: Any
) -> None:
    """`mare crosscheck --train` on PostgreSQL (computed on a DuckDB copy, written back): the same
    trained model (every m and u), the same pairs and links as on DuckDB."""
    got = trained(backend_store, tmp_path, monkeypatch)
    assert got["run"]["trained"] is True and got["run"]["persons"] == 6, got["run"]
    if backend_store.url is not None:
        with open_store(tmp_path / "duck", url="duckdb") as duck:
            accounts.ensure_hub_agency(duck)
            (tmp_path / "duck-files").mkdir()
            expected = trained(duck, tmp_path / "duck-files", monkeypatch)
        assert got == expected, _differences(got, expected)


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two JSON-like values differ (at most 10 places)."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = sorted(set(a) | set(b), key=str)
        return [d for k in keys for d in _differences(a.get(k), b.get(k), f"{path}.{k}")][:10]
    if isinstance(a, list | tuple) and isinstance(b, list | tuple) and len(a) == len(b):
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _differences(x, y, f"{path}[{i}]")
        ][:10]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]
