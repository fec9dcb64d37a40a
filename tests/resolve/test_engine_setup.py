"""The engine's Splink linker is built without parsing every level again: the same model."""

from __future__ import annotations

import json

import pytest
from splink import DuckDBAPI, Linker
from splink.internals.comparison_level import ComparisonLevel

from mare.resolve.engine import MatchEngine
from mare.resolve.features import build_rows
from mare.resolve.settings import default_settings
from mare.resolve.symbols import SymbolSource
from mare.resolve.table import to_arrow
from resolve.resolve_helpers import random_people


def test_linker_built_unparsed_holds_the_same_model_and_the_check_comes_back() -> None:
    check = ComparisonLevel._validate
    table = to_arrow(build_rows(random_people(40, seed=4), SymbolSource(enabled=False)))
    engine = MatchEngine(default_settings(), table)
    assert ComparisonLevel._validate is check
    checked = Linker(
        DuckDBAPI(connection=engine.con).register("person_input", table_name="persons"),
        default_settings(),
        validate_settings=False,
    )
    want = json.loads(json.dumps(checked.misc.save_model_to_json(), default=str))
    got = engine.model()
    assert got.pop("linker_uid") != want.pop("linker_uid")  # a linker of its own
    assert got == want
    engine.close()
    broken = default_settings()
    broken["comparisons"][0]["comparison_levels"][1]["sql_condition"] = "name_keys_l = ((("
    with pytest.raises(ValueError, match="Error parsing"):  # the check is Splink's again
        Linker(DuckDBAPI().register(to_arrow([])), broken, validate_settings=False)
