"""MRZ checks (ICAO 9303 TD1, TD2, TD3): check digits, dates, the visual zone, and `mare mrz FILE`."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from typer.testing import CliRunner

from mare.analyse.documents.mrz_check import check_mrz, icao_country
from mare.analyse.documents.mrz_file import split_blocks
from mare.cli import app

TODAY = datetime.date(2026, 12, 1)
# The specimens of ICAO Doc 9303 (parts 4, 5 and 6).
TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
TD1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
# Check digits all right, but the birth month is 13.
MONTH_13 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7413128F3404159<<<<<<<<<<<<<<<4"


def test_specimens_are_valid() -> None:
    for text, fmt in ((TD3, "TD3"), (TD1, "TD1"), (TD2, "TD2")):
        verdict = check_mrz(text, today=TODAY)
        assert verdict.valid, verdict.reasons()
        assert verdict.parsed is not None and verdict.parsed.format == fmt
        assert {c.field for c in verdict.checks if c.check == "check_digit"} >= {
            "document_number",
            "birth_date",
            "expiry_date",
            "composite",
        }


def test_a_wrong_check_digit_names_the_field_and_both_digits() -> None:
    bad = TD3.replace("L898902C36", "L898902C37")
    verdict = check_mrz(bad, today=TODAY)
    assert not verdict.valid
    failed = {c.field: c for c in verdict.failed}
    assert failed["document_number"].expected == "6" and failed["document_number"].found == "7"
    assert "composite" in failed
    assert verdict.as_dict()["valid"] is False


def test_dates_are_checked() -> None:
    verdict = check_mrz(MONTH_13, today=TODAY)
    assert all(c.ok for c in verdict.checks if c.check == "check_digit")
    assert not verdict.valid
    assert [c.field for c in verdict.failed] == ["birth_date"]


def test_visual_zone_consistency() -> None:
    visual = {
        "number": "L898902C3",
        "holder_name": "Anna Maria Eriksson",
        "birth_date": "1974-08-12",
        "expiry_date": "2012-04-15",
        "sex": "female",
    }
    assert check_mrz(TD3, visual, TODAY).valid
    wrong = dict(visual, number="L898902C4", holder_name="Mohammed Hassan", birth_date="1975-08-12")
    failed = {c.field for c in check_mrz(TD3, wrong, TODAY).failed}
    assert failed == {"number", "holder_name", "birth_date"}
    # a middle name left out by one side is still the holder
    assert check_mrz(TD3, {"holder_name": "Anna Eriksson"}, TODAY).valid


def test_unreadable_mrz_is_an_error_with_the_layouts_expected() -> None:
    verdict = check_mrz(TD3[:-3], today=TODAY)
    assert not verdict.valid and verdict.parsed is None
    assert verdict.error and "TD3" in verdict.error


def test_icao_codes() -> None:
    assert icao_country("SWE") == "SE" and icao_country("D<<") == "DE" and icao_country("UTO") is None


def test_blocks_keep_their_line_numbers() -> None:
    blocks = split_blocks(f"\n{TD3}\n\n\n{TD1}\n")
    assert [(b.number, b.line) for b in blocks] == [(1, 2), (2, 6)]


def test_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    good = tmp_path / "good.txt"
    good.write_text(f"{TD3}\n\n{TD1}\n\n{TD2}\n", encoding="utf-8")
    ok = runner.invoke(app, ["mrz", str(good)])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.count("valid") == 3 and "invalid" not in ok.stdout
    mixed = tmp_path / "mixed.txt"
    mixed.write_text(f"{TD3}\n\n{TD3.replace('L898902C36', 'L898902C37')}\n\nnot an mrz\n", encoding="utf-8")
    out = runner.invoke(app, ["mrz", str(mixed), "--json"])
    assert out.exit_code == 1
    docs = json.loads(out.stdout)
    assert [d["valid"] for d in docs] == [True, False, False]
    assert [d["line"] for d in docs] == [1, 4, 7]
    assert any(c["field"] == "document_number" and not c["ok"] for c in docs[1]["checks"])
    assert docs[2]["error"] and docs[2]["checks"] == []
    text = runner.invoke(app, ["mrz", str(mixed)])
    flat = " ".join(text.stdout.split())
    assert "block 3 (line 7)" in flat and "not an MRZ layout" in flat


def test_cli_bad_files(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["mrz", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2 and "no such file" in " ".join(missing.output.split())
    binary = tmp_path / "scan.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    refused = runner.invoke(app, ["mrz", str(binary)])
    assert refused.exit_code == 2 and "not UTF-8" in " ".join(refused.output.split())
    assert "Traceback" not in refused.output
