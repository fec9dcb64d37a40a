"""Network typology: profiles clustered into types, each read by what sets it apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mare.analyse.network.io import NetworkFileError
from mare.analyse.network.typology import profile_folder, typology
from mare.cli import app


def _write(folder: Path, name: str, edges: list[tuple[int, int]]) -> None:
    lines = ["source,target"] + [f"{a},{b}" for a, b in edges]
    (folder / f"{name}.edges.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _collection(folder: Path) -> Path:
    folder.mkdir()
    cliques = [(c * 4 + a, c * 4 + b) for c in range(3) for a in range(4) for b in range(a + 1, 4)]
    for i, size in enumerate((9, 10, 11, 12)):
        _write(folder, f"star{i}", [(0, j) for j in range(1, size)])  # one boss, everyone tied to them
        _write(folder, f"cells{i}", [*cliques, (0, 4), (4 + i % 2, 8)])  # three cells of four, chained
    (folder / "star0.nodes.csv").write_text("id,name\n0,boss\n", encoding="utf-8")  # attributes: skipped
    return folder


def test_stars_and_cell_structures_are_two_types(tmp_path: Path) -> None:
    profiles = profile_folder(_collection(tmp_path / "nets"))
    assert len(profiles) == 8
    typed = typology(profiles)
    types = typed.as_dict()["types"]
    assert typed.k == 2 and typed.silhouette is not None and typed.silhouette > 0.5
    assert (
        len({types[f"star{i}"] for i in range(4)}) == 1 and len({types[f"cells{i}"] for i in range(4)}) == 1
    )
    assert types["star0"] != types["cells0"]
    star_reading = typed.readings[types["star0"]]["reading"]
    assert "centred on a few people" in star_reading or "dependent on brokers" in star_reading
    assert "split into cells" in typed.readings[types["cells0"]]["reading"]


def test_few_networks_make_one_type(tmp_path: Path) -> None:
    profiles = profile_folder(_collection(tmp_path / "nets"))[:3]
    typed = typology(profiles)
    assert typed.k == 1 and typed.readings == [] and set(typed.types) == {0}
    with pytest.raises(ValueError, match="number of types"):
        typology(profile_folder(tmp_path / "nets"), k=9)


def test_folder_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(NetworkFileError, match=r"no \.csv network files"):
        profile_folder(tmp_path / "empty")


def test_cli_compare(tmp_path: Path) -> None:
    folder = _collection(tmp_path / "nets")
    runner = CliRunner(env={"COLUMNS": "400"})  # the messages name tmp_path: no fold at 80 columns
    shown = runner.invoke(app, ["network", "compare", str(folder), "--json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert len(data["networks"]) == 8 and data["typology"]["k"] == 2
    out = tmp_path / "table.csv"
    table = runner.invoke(app, ["network", "compare", str(folder), "--out", str(out)])
    assert (
        table.exit_code == 0 and "Type 0" in table.output and "type" in out.read_text("utf-8").splitlines()[0]
    )
    missing = runner.invoke(app, ["network", "compare", str(tmp_path / "none")])
    assert missing.exit_code == 2 and "folder" in missing.output
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = runner.invoke(app, ["network", "compare", str(empty)])
    assert bad.exit_code == 1 and "no .csv network" in bad.output
