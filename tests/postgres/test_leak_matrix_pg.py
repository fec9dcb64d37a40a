"""The leak matrix's read sweep on PostgreSQL (`-m postgres`): the same world, the same commands, the same
checks as tests/hub/test_leak_matrix.py, the store a PostgreSQL database read as the application role
under row-level security.

The world is built as the owner role (its `mare init`, ingest and cross-check run on PostgreSQL: the
cross-check computes in DuckDB and writes back), secured (`mare store secure`), then every `reads`
command of the matrix runs as every viewer (each agency other than the owner, and the hub, in each
role), in its own purpose: nothing withheld is shown, every denial is audited. The `acts` sweep needs a
fresh copy of the store after each run that may change it; on PostgreSQL that is a new database per
run, and it is left to the DuckDB sweep (the acts' code paths are the same).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
import typer.testing

import hub.test_leak_matrix as lm
from mare.store.db import open_store

pytestmark = pytest.mark.postgres

READS = [path for path, case in lm.MATRIX.items() if case.kind == "reads"]


@pytest.fixture(scope="module")
def pg_world(pg_cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[lm.World]:
    """The matrix's world in a PostgreSQL database; the reads' store is the application role's."""
    from mare.hub.server_store import secure_store
    from pgcluster import APP, APP_PASSWORD, OWNER, OWNER_PASSWORD

    name = pg_cluster.new_database("leaks")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", lambda typer_app: lm.ROOT)
        patch.setenv("COLUMNS", lm.ENV["COLUMNS"] or "")
        patch.setenv("MARE_STORE", pg_cluster.url(OWNER, OWNER_PASSWORD, name) + f"&app_role={APP}")
        built = lm._build(tmp_path_factory.mktemp("leak-matrix-pg"))
        with open_store(built.template) as owner:
            secure_store(owner)
        patch.setenv("MARE_STORE", pg_cluster.url(APP, APP_PASSWORD, name))
        shutil.copytree(built.template, built.home)  # the raw archive and the audit key
        built.scratch.mkdir()
        with open_store(built.home) as store:
            built.store = store
            yield built


@pytest.mark.parametrize("path", READS, ids=[p.replace(" ", "_") for p in READS])
def test_read_sweep_on_postgresql(pg_world: lm.World, path: str) -> None:
    """Every viewer runs the command on PostgreSQL: nothing withheld is shown, every denial is audited."""
    case = lm.MATRIX[path]
    assert case.runs is not None
    out = pg_world.scratch / "out"
    problems: list[str] = []
    for agency, role in lm.VIEWERS:
        for run in case.runs(pg_world, out):
            if run.extended:
                continue
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            argv = lm._argv(path, run, pg_world.home, agency, role, None)
            done = lm._invoke(argv, run, out, pg_world.store, lm._last_seq(pg_world.store))
            problems += lm._check(pg_world, case, run, agency, role, case.purpose or "crime_fighting", done)
    assert not problems, "\n".join(problems[:40])


def test_the_web_app_on_postgresql_shows_nothing_withheld(pg_world: lm.World) -> None:
    """`mare serve` on a PostgreSQL store (the application role): the JSON API answers search, entity,
    networks, review and stats for each agency's analyst, and shows nothing the policy withholds."""
    from fastapi.testclient import TestClient

    from mare.hub import accounts
    from mare.server.app import create_app, new_secret

    store = pg_world.store
    tokens = {}
    for agency in ("IT-SCO", "FR-OCRIEST", "HUB"):
        name = f"web-{agency.lower()}"
        accounts.add_user(store, name, agency, ["analyst"], None)
        tokens[agency] = accounts.issue_token(store, name, label="pg web")[1]
    person = pg_world.lookalike["h2"]
    secret = lm.SECRETS[0].name
    paths = (
        f"/api/search?q={secret.replace(' ', '+')}",
        f"/api/entities/{person}",
        f"/api/entities/{person}/graph?depth=1",
        "/api/networks?min_size=2",
        "/api/review",
        "/api/stats",
    )
    app = create_app(pg_world.home, secret=new_secret(), secure_cookies=False, max_upload=1 << 20)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        for agency, token in tokens.items():
            headers = {"Authorization": f"Bearer {token}"}
            forbidden = pg_world.forbidden(agency, "analyst", "crime_fighting", False)
            for path in paths:
                answer = client.get(path, headers=headers)
                assert answer.status_code == 200, (agency, path, answer.text[:300])
                text = answer.text.lower()
                typed = secret.lower() if path.startswith("/api/search") else ""
                shown = [f for f in forbidden if f in text and f not in typed]
                assert not shown, (agency, path, shown)
        hits = client.get(paths[0], headers={"Authorization": f"Bearer {tokens['IT-SCO']}"}).json()
        assert hits["results"], hits  # the look-alike and the secret, as the policy allows
