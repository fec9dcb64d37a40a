"""AIS intake: NMEA and CSV decoded, stored in bulk, every bad sentence reported by line with its reason."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pyais import decode
from pyais.encode import encode_dict

from mare.ingest.ais_nmea import decode_fast, decode_static5, read_nmea
from mare.ingest.pipeline import IngestOptions, ingest_file
from mare.ingest.sources import detect_format
from mare.store.db import Store
from maritime.ais_builders import position, static, tag

T0 = 1_760_000_000  # 2025-10-09


def test_fast_decoder_matches_pyais() -> None:
    rng = np.random.default_rng(3)
    payloads, types, expected = [], [], []
    for k in range(300):
        kind = (1, 2, 3, 18)[k % 4]
        fields = {
            "msg_type": kind,
            "mmsi": int(rng.integers(1, 999_999_999)),
            "lat": round(float(rng.uniform(-90, 90)), 4),
            "lon": round(float(rng.uniform(-180, 180)), 4),
            "speed": round(float(rng.uniform(0, 102.2)), 1),
            "course": round(float(rng.uniform(0, 359.9)), 1),
            "heading": int(rng.integers(0, 360)),
        }
        (sentence,) = encode_dict(fields)
        payloads.append(sentence.split(",")[5].encode())
        types.append(kind)
        expected.append(decode(sentence).asdict())
    cols = decode_fast(payloads, np.array(types))
    for i, want in enumerate(expected):
        for ours, theirs in (
            ("mmsi", "mmsi"),
            ("lat", "lat"),
            ("lon", "lon"),
            ("speed", "speed"),
            ("course", "course"),
            ("heading", "heading"),
        ):
            assert cols[ours][i] == pytest.approx(want[theirs], abs=1e-9), (ours, want)


def test_fast_static_decoder_matches_pyais() -> None:
    rng = np.random.default_rng(5)
    payloads, expected = [], []
    for k in range(50):
        fields = {
            "msg_type": 5,
            "mmsi": int(rng.integers(1, 999_999_999)),
            "imo": int(rng.integers(0, 9_999_999)),
            "callsign": f"C{k}X",
            "shipname": f"VESSEL NUMBER {k}",
            "ship_type": int(rng.integers(0, 99)),
            "to_bow": int(rng.integers(0, 300)),
            "to_stern": int(rng.integers(0, 300)),
            "to_port": int(rng.integers(0, 60)),
            "to_starboard": int(rng.integers(0, 60)),
            "draught": round(float(rng.uniform(0, 25)), 1),
            "destination": f"PORT {k}",
        }
        parts = encode_dict(fields)
        payloads.append("".join(p.split(",")[5] for p in parts).encode())
        expected.append(decode(*parts).asdict())
    for want, got in zip(expected, decode_static5(payloads), strict=True):
        assert got["mmsi"] == want["mmsi"] and got["imo"] == (str(want["imo"]) if want["imo"] else None)
        assert got["name"] == want["shipname"] and got["call_sign"] == want["callsign"]
        assert got["destination"] == want["destination"] and got["ship_type"] == (
            int(want["ship_type"]) or None
        )
        assert got["length_m"] == (want["to_bow"] + want["to_stern"] or None)
        assert got["draught_m"] == pytest.approx(want["draught"] or None)


def _nmea(tmp_path: Path, lines: list[str], name: str = "feed.nmea") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def test_nmea_every_sentence_accounted_for(tmp_path: Path, store: Store) -> None:
    good = position(247000001, T0, 35.5, 12.6)
    corrupt = good[:-2] + ("00" if not good.endswith("00") else "11")
    five = static(247000001, T0 + 5, "SEA STAR", imo=9074729)
    lines = [
        good,  # 1 stored
        corrupt,  # 2 checksum
        *five,  # 3-4 static (multi-part)
        static(247000002, T0 + 6, "LONELY", seq=2)[0],  # 5 truncated multi-part
        position(247000003, T0 + 7, 91.0, 181.0),  # 6 position not available
        position(247000004, T0 + 8, 36.0, 14.0, speed=102.3),  # 7 stored, speed n/a warning
        position(247000005, 4_102_444_800, 36.0, 14.0),  # 8 year 2100: future
        position(247000001, T0 - 600, 35.4, 12.5),  # 9 out of order: stored, warned
        "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47",  # 10 not AIS
        tag(T0 + 9) + "!AIVDM,1,1,,A,13RlIW?04F1beOVEFLB9b",  # 11 cut short
        position(247000006, None, 36.1, 14.1),  # 12 no receiver time: stored, warned
    ]
    report = ingest_file(store, _nmea(tmp_path, lines), IngestOptions(agency="GR-HCG", handling="H1"))
    assert report.status == "stored", report.message
    assert report.positions == 4
    by_line = {(p.row, p.field): p for p in report.problems}
    assert by_line[(2, "checksum")].severity == "error"
    assert "truncated" in by_line[(5, "fragment")].reason
    assert "not available" in by_line[(6, "position")].reason
    assert by_line[(7, "sog")].severity == "warning"
    assert "future" in by_line[(8, "time")].reason
    assert "out of order" in by_line[(9, "time")].reason and by_line[(9, "time")].severity == "warning"
    assert "not an AIS sentence" in by_line[(10, "sentence")].reason
    assert (11, "sentence") in by_line
    assert "no receiver time" in by_line[(12, "time")].reason
    assert report.rejected == 6
    assert "12 sentences read, 4 positions, 1 static reports" in report.message
    con = store.con
    rows = con.execute("SELECT line, mmsi, lat, lon, sog FROM ais_positions ORDER BY line").fetchall()
    assert [r[0] for r in rows] == [1, 7, 9, 12]
    assert rows[1][4] is None  # speed not available
    name, imo, length, reports = con.execute("SELECT name, imo, length_m, reports FROM ais_static").fetchone()
    assert (name, imo, length, reports) == ("SEA STAR", "9074729", 70.0, 1)
    handling, agency = con.execute("SELECT handling_code, agency FROM contributions").fetchone()
    assert (handling, agency) == ("H1", "GR-HCG")
    stored_problems = con.execute("SELECT count(*) FROM ingest_problems").fetchone()
    assert stored_problems is not None and stored_problems[0] == len(report.problems)


def test_nmea_decode_counts_other_types() -> None:
    base_station = encode_dict({"msg_type": 4, "mmsi": 2190047, "lat": 55.0, "lon": 12.0})[0]
    decoded = read_nmea((tag(T0) + base_station + "\n" + position(211000001, T0, 54.0, 10.0)).encode())
    assert decoded.other_types == {4: 1}
    assert decoded.positions()["mmsi"].tolist() == [211000001]


def test_csv_marinecadastre_and_plain(tmp_path: Path, store: Store) -> None:
    mc = tmp_path / "cadastre.csv"
    mc.write_text(
        "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\n"
        "367379190,2022-01-03T00:00:00,30.3706,-88.56408,0.0,336.2,511,EAGLE,IMO8207721,WTD4583,31,0,28,11,3.3,52,A\n"
        "367379190,2022-01-03T01:00:00,30.3710,-88.56408,102.3,336.2,511,EAGLE,IMO8207721,WTD4583,31,0,28,11,3.3,52,A\n"
        "367379190,2022-01-03T02:00:00,95.0,-88.5,1.0,1.0,511,EAGLE,IMO8207721,WTD4583,31,0,28,11,3.3,52,A\n"
        "12345678901,2022-01-03T02:00:00,30.0,-88.5,1.0,1.0,511,,,,,,,,,,\n"
        "367379191,yesterday,30.0,-88.5,1.0,1.0,511,,,,,,,,,,\n"
        "367379190,2022-01-03T03:00:00,30.3720,-88.56408,0.0,336.2,511,"
        "EAGLE II,IMO8207721,WTD4583,31,0,28,11,3.3,52,A\n",
        encoding="utf-8",
    )
    assert detect_format(mc) == "ais"
    report = ingest_file(store, mc, IngestOptions(agency="US-USCG"))
    assert report.status == "stored", report.message
    assert report.positions == 3 and report.rejected == 3
    fields = {(p.row, p.field) for p in report.problems}
    assert {(4, "lat"), (5, "mmsi"), (6, "time"), (3, "sog")} <= fields
    names = store.con.execute(
        "SELECT name, reports, first_seen, last_seen FROM ais_static ORDER BY first_seen"
    ).fetchall()
    assert [n[0] for n in names] == ["EAGLE", "EAGLE II"] and names[0][1] == 2

    plain = tmp_path / "plain.csv"
    plain.write_text(
        "mmsi,time,lat,lon,sog,cog\n211000001,2025-05-01 10:00:00,54.1,10.2,5.5,90\n", encoding="utf-8"
    )
    assert detect_format(plain) == "ais"
    assert ingest_file(store, plain, IngestOptions(agency="DE-BPOL")).positions == 1


def test_csv_impossible_times_are_problems_not_rolled_over(tmp_path: Path, store: Store) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text(
        "mmsi,time,lat,lon,sog,cog\n"
        "211000001,2025-05-01 10:00:00,54.1,10.2,5.5,90\n"
        "211000001,2025-02-29 10:00:00,54.1,10.2,5.5,90\n"
        "211000001,2025-05-01 23:59:60,54.1,10.2,5.5,90\n",
        encoding="utf-8",
    )
    report = ingest_file(store, plain, IngestOptions(agency="DE-BPOL"))
    assert report.status == "stored", report.message
    assert report.positions == 1 and report.rejected == 2
    assert {(p.row, p.field) for p in report.problems} == {(3, "time"), (4, "time")}
    times = store.con.execute("SELECT t FROM ais_positions").fetchall()
    assert [str(t[0]) for t in times] == ["2025-05-01 10:00:00"]


def test_call_records_csv_is_not_ais(tmp_path: Path) -> None:
    cdr = tmp_path / "calls.csv"
    cdr.write_text("caller,callee,start\n+491701234567,+491701234568,2025-01-01T10:00:00\n", encoding="utf-8")
    assert detect_format(cdr) == "cdr"
    text = tmp_path / "notes.txt"
    text.write_text("hello\n", encoding="utf-8")
    assert detect_format(text) is None
    raw = tmp_path / "receiver.txt"
    raw.write_text(position(211000001, T0, 54.0, 10.0) + "\n", encoding="ascii")
    assert detect_format(raw) == "ais"


def test_missing_agency_and_bad_header_are_clear(tmp_path: Path, store: Store) -> None:
    path = _nmea(tmp_path, [position(211000001, T0, 54.0, 10.0)])
    report = ingest_file(store, path)
    assert report.status == "refused" and "--agency" in report.message
    bad = tmp_path / "bad.csv"
    bad.write_text("mmsi,when,lat\n1,2,3\n", encoding="utf-8")
    forced = ingest_file(store, bad, IngestOptions(agency="GR-HCG"))
    assert forced.format == "cdr"  # not an AIS header: read as call records, refused with its own message
    assert forced.status == "refused"


def test_sidecar_envelope_gives_owner_and_handling(tmp_path: Path, store: Store) -> None:
    path = _nmea(tmp_path, [position(211000001, T0, 54.0, 10.0)], "patrol.nmea")
    (tmp_path / "patrol.nmea.envelope.json").write_text(
        json.dumps(
            {
                "format": "mare.contribution/1",
                "id": "HCG-AIS-1",
                "agency": "GR-HCG",
                "sent_at": "2026-01-01T00:00:00Z",
                "handling": {"code": "H3", "restrictions": {"agencies_allowed": ["IT-GDF"]}},
            }
        ),
        encoding="utf-8",
    )
    report = ingest_file(store, path)
    assert report.status == "stored" and report.positions == 1, report.message
    row = store.con.execute("SELECT agency, handling_code, format FROM contributions").fetchone()
    assert row == ("GR-HCG", "H3", "ais")
    again = ingest_file(store, path)
    assert again.status == "already_received"


def _same_decoding(data: bytes) -> None:
    """The column-wise scan (LF lines) gives what the line-by-line path (bare CR lines) gives."""
    scanned = read_nmea(data)
    by_line = read_nmea(data.replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    assert scanned.sentences == by_line.sentences and scanned.rejected == by_line.rejected
    assert sorted(scanned.problems) == sorted(by_line.problems)
    assert scanned.other_types == by_line.other_types
    assert sorted(map(str, scanned.static)) == sorted(map(str, by_line.static))
    ours, theirs = scanned.positions(), by_line.positions()
    order, other = np.argsort(ours["line"]), np.argsort(theirs["line"])
    for name in ours:
        np.testing.assert_array_equal(ours[name][order], theirs[name][other], err_msg=name)


def test_column_scan_matches_line_by_line() -> None:
    good = position(247000001, T0, 35.5, 12.6)
    lines = [
        good,
        good[:-2] + ("00" if not good.endswith("00") else "11"),  # bad checksum
        *static(247000001, T0 + 5, "SEA STAR", imo=9074729),
        static(247000002, T0 + 6, "LONELY", seq=2)[0],  # truncated
        position(247000003, T0 + 7, 91.0, 181.0),
        position(247000004, T0 + 8, 36.0, 14.0, speed=102.3),
        "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47",
        tag(T0 + 9) + "!AIVDM,1,1,,A,13RlIW?04F1beOVEFLB9b",
        position(247000006, None, 36.1, 14.1),
        "",
        "\\s:X,c:1760000000123*00\\" + position(247000007, None, 1.0, 2.0),  # milliseconds
        "\\c:abc*00\\" + position(247000008, None, 1.0, 2.0),  # time not a number
        "\\c:17600000*00" + position(247000009, None, 1.0, 2.0),  # tag block never closed
        "\\g:1-2-3,c:1760000001*00\\" + encode_dict({"msg_type": 18, "mmsi": 211000009, "lat": 54.0})[0],
        "\\c:1760000002,s:R*00\\" + encode_dict({"msg_type": 4, "mmsi": 2190047, "lat": 55.0})[0],
        position(0, T0 + 10, 36.0, 14.0),
    ]
    _same_decoding(("\n".join(lines) + "\n").encode())
    _same_decoding(("\r\n".join(lines)).encode())  # CRLF, no final newline
    clean = [  # every multi-part message whole: two-part type 5 assembled column-wise
        position(247000001, T0, 35.5, 12.6),
        *static(247000001, T0 + 5, "SEA STAR", imo=9074729),
        *static(247000002, T0 + 6, "", seq=3),
        tag(T0 + 7) + encode_dict({"msg_type": 4, "mmsi": 2190047, "lat": 55.0})[0],
        *static(247000003, T0 + 8, "NORTH WIND", ship_type=30, seq=2),
    ]
    _same_decoding(("\n".join(clean) + "\n").encode())
    assert [r["name"] for r in read_nmea(("\n".join(clean) + "\n").encode()).static] == [
        "SEA STAR",
        None,
        "NORTH WIND",
    ]


def test_column_scan_matches_line_by_line_on_real_sample() -> None:
    sample = Path(__file__).resolve().parents[3] / "shared" / "data" / "maritime" / "nmea_data_sample.txt"
    if not sample.is_file():
        pytest.skip("../shared/data/maritime absent")
    _same_decoding(sample.read_bytes())
