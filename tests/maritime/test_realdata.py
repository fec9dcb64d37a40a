"""Real AIS (../shared/data/maritime; skipped when absent): every sentence accounted for."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import SHARED_DATA
from mare.analyse.maritime.thresholds import Thresholds
from mare.hub.maritime import file_vessels

pytestmark = pytest.mark.realdata
MARITIME = SHARED_DATA / "maritime"


def _file(name: str) -> Path:
    path = MARITIME / name
    if not path.is_file():
        pytest.skip(f"{path} absent (real data lives beside the project, never in it)")
    return path


def test_real_nmea_every_sentence_accounted_for() -> None:
    picture = file_vessels([_file("nmea_data_sample.txt")])
    (report,) = picture["files"]
    assert report["status"] == "stored"
    assert "898 sentences read, 758 positions, 2 static reports, 14 other messages" in report["message"]
    assert report["rejected"] == 124  # 758 + 2 + 14 + 124 = 898
    reasons = {p["reason"].split(":")[0] for p in report["problems"] if p["severity"] == "error"}
    assert reasons == {
        "cannot decode",
        "multi-part message truncated",
        "position not available (lat 91 / lon 181 sent)",
    }


def test_solent_moored_vessels_left_alone_and_meetings_found_when_asked() -> None:
    path = _file("SolentAIS_20160112_130211.csv")
    default = file_vessels([path])
    assert default["positions"] > 18_000 and default["vessels_tracked"] == 91
    assert "loitering" not in default["events"] and "encounter" not in default["events"]
    assert default["vessels"] == []
    harbour = Thresholds().with_settings(
        [
            "encounter_km=0.1",
            "encounter_speed_kn=12",
            "encounter_hours=0.05",
            "encounter_min_shore_km=0",
            "slot_minutes=1",
        ]
    )
    close = file_vessels([path], harbour)
    assert close["events"].get("encounter", 0) > 0  # pilot boats alongside ships, berthed pairs


def test_marinecadastre_rows_accounted_for() -> None:
    picture = file_vessels([_file("marinecadastre_AIS_2022_01_03_first99999.csv")])
    (report,) = picture["files"]
    assert "99999 rows read, 99994 positions" in report["message"] and report["rejected"] == 5
    assert picture["vessels_tracked"] > 10_000
