"""The package's layers hold: import-linter's contract (pyproject.toml) covers every package and is kept."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [re.split(r"\s*[|:]\s*", layer) for layer in contract["layers"]]


def test_every_package_sits_in_one_layer() -> None:
    packages = sorted(
        f"mare.{p.name}" for p in (ROOT / "src" / "mare").iterdir() if (p / "__init__.py").exists()
    )
    placed = [name for layer in _layers() for name in layer]
    assert len(placed) == len(set(placed)), "a package is in two layers"
    missing = sorted(set(packages) - set(placed))
    assert not missing, f"add {missing} to the layers contract in pyproject.toml ([tool.importlinter])"
    assert not set(placed) - set(packages), "the contract names a package that does not exist"


def test_access_is_pure_policy() -> None:
    """`access` sits one layer above `schema`, alone with `store` (and independent of it)."""
    layers = _layers()
    assert layers[-1] == ["mare.schema"]
    assert sorted(layers[-2]) == ["mare.access", "mare.store"]


def test_no_import_runs_against_the_layers() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    done = subprocess.run(
        [exe, "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout
