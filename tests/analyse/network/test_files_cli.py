"""Researchers' files and the `mare network` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from mare.analyse.network.io import NetworkFileError, read_edgelist, read_matrix
from mare.cli.network import network_command

EDGES = "source,target,weight\na,b,3\nb,c,1\nc,a,2\nc,d,1\nd,e,5\ne,f,1\nf,d,1\nb,a,1\n"


def app() -> typer.Typer:
    cli = typer.Typer()
    cli.command("network")(network_command)
    cli.command("other")(lambda: None)
    return cli


def test_edgelist_with_header_and_spaces(tmp_path: Path) -> None:
    f = tmp_path / "e.csv"
    f.write_text(EDGES)
    net = read_edgelist(f, weighted=True)
    assert net.n == 6 and net.m == 7
    assert net.weight[0] == 4.0  # a-b listed twice: 3 + 1
    spaced = tmp_path / "s.txt"
    spaced.write_text("1 2\n2 3\n")
    assert read_edgelist(spaced).m == 2


def test_matrix_and_errors(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text(",x,y,z\nx,0,2,0\ny,1,0,0\nz,0,0,0\n")
    undirected = read_matrix(f, weighted=True)
    assert undirected.ids == ["x", "y", "z"] and undirected.m == 1 and undirected.weight[0] == 3.0
    assert read_matrix(f, directed=True).m == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,heavy\na,b,lots\n")
    with pytest.raises(NetworkFileError, match="line 2"):
        read_edgelist(bad)
    short = tmp_path / "short.csv"
    short.write_text(",x,y\nx,0\n")
    with pytest.raises(NetworkFileError, match="line 2"):
        read_matrix(short)


def test_cli_json_has_the_promised_shape(tmp_path: Path) -> None:
    f = tmp_path / "e.csv"
    f.write_text(EDGES)
    result = CliRunner().invoke(
        app(), ["network", str(f), "--weighted", "--remove", "1", "--json", "--out", str(tmp_path / "r.json")]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["nodes"][0]) >= {"id", "degree", "betweenness", "pagerank", "cell", "rank"}
    assert data["key_players"][0] in {"c", "d"}
    assert sorted(n for cell in data["cells"] for n in cell) == list("abcdef")
    plan = data["disruption"]
    assert plan["remove"] in (["c"], ["d"]) and plan["fragmentation"] > 0.5 and plan["lcc_fraction"] == 0.5
    assert json.loads((tmp_path / "r.json").read_text())["key_players"] == data["key_players"]


def test_cli_table_and_bad_input(tmp_path: Path) -> None:
    f = tmp_path / "e.csv"
    f.write_text(EDGES)
    shown = CliRunner().invoke(
        app(), ["network", str(f), "--engine", "networkit", "--remove", "2", "--strategy", "betweenness"]
    )
    assert shown.exit_code == 0 and "Key players" in shown.stdout and "assessments" in shown.stdout
    assert CliRunner().invoke(app(), ["network", str(tmp_path / "none.csv")]).exit_code == 2
    assert CliRunner().invoke(app(), ["network", str(f), "--format", "gml"]).exit_code == 2
