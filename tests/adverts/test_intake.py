"""Telegram exports and posts CSVs as contributions: adverts with provenance; bad input by message or row."""

from __future__ import annotations

import json
from pathlib import Path

from adverts.conftest import PHONE, message, telegram_export
from builders import write_envelope
from mare.hub.adverts import post_facts
from mare.ingest.pipeline import IngestOptions, forced_format, ingest_file
from mare.ingest.sources import detect_format, find_sources
from mare.store.db import Store

POSTS_HEADER = "platform,url,posted_at,author,text\n"


def _values(store: Store, uid: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for field, value in store.con.execute(
        "SELECT field, coalesce(normalised, original) FROM record_values WHERE record_uid = ? "
        "ORDER BY field, position",
        [uid],
    ).fetchall():
        out.setdefault(field, []).append(value)
    return out


def test_telegram_export_detected_and_stored_with_provenance(store: Store, tmp_path: Path) -> None:
    path = telegram_export(
        tmp_path / "result.json",
        [
            message(7, "Boats from Izmir to Kos, 1.200 €, WhatsApp " + PHONE, forwarded_from="Kos Trips"),
            message(
                8,
                [
                    "Visa Schengen ",
                    {"type": "bold", "text": "5000€"},
                    " ",
                    {"type": "mention", "text": "@docs_eu"},
                ],
            ),
            message(9, "", photo="photos/photo_9.jpg"),
            {"id": 10, "type": "service", "action": "pin_message", "text": ""},
            message(11, "hello", date="yesterday", date_unixtime="soon"),
            "not a message",
        ],
    )
    write_envelope(tmp_path / "result.json.envelope.json", id="IRU-1", agency="EU-IRU")
    assert detect_format(path) == "telegram"
    report = ingest_file(store, path, IngestOptions(read_post=post_facts))
    assert report.status == "stored", report.message
    problems = {(p.row, p.field, p.severity): p.reason for p in report.problems}
    assert "no text (only photos/photo_9.jpg)" in problems[(9, "text", "error")]
    assert "message 11: date 'yesterday'" in problems[(11, "date", "warning")]
    assert "message 6 (by position) is not a JSON object" in problems[(6, None, "error")]
    adverts = dict(
        store.con.execute("SELECT local_id, uid FROM records WHERE kind = 'advert' ORDER BY 1").fetchall()
    )
    assert sorted(adverts) == ["tg-1700012345-11", "tg-1700012345-7", "tg-1700012345-8"]
    first = _values(store, adverts["tg-1700012345-7"])
    assert first["platform"] == ["telegram"] and first["currency"] == ["EUR"] and first["price"] == ["1200"]
    assert first["route_offered"] == ["Izmir>Kos"] and first["language"] == ["en"]
    assert first["posted_at"][0].startswith("2026-03-08T10:15")
    note = store.con.execute(
        "SELECT note FROM records WHERE uid = ?", [adverts["tg-1700012345-7"]]
    ).fetchone()
    assert "public_channel 'Safe Trips Europe' (1700012345), message 7" in note[0]
    assert "forwarded from Kos Trips" in note[0]
    second = _values(store, adverts["tg-1700012345-8"])
    assert second["text"] == ["Visa Schengen 5000€ @docs_eu"] and second["price"] == ["5000"]
    # the phone and the handles it names, and the channel, are records linked by 'advertises'
    linked = {
        (kind, value)
        for kind, value in store.con.execute(
            "SELECT t.kind, v.normalised FROM links l JOIN records t ON t.uid = l.target_uid "
            "JOIN record_values v ON v.record_uid = t.uid AND v.field IN ('number', 'handle') "
            "WHERE l.kind = 'advertises'"
        ).fetchall()
    }
    assert linked == {
        ("phone", PHONE),
        ("account", "telegram:docs_eu"),
        ("account", "telegram:channel1700012345"),
    }


def test_full_account_export_and_another_shape(store: Store, tmp_path: Path) -> None:
    full = tmp_path / "result.json"
    chat = {
        "name": "Route news",
        "type": "private_group",
        "id": 42,
        "messages": [message(1, "trip to Germany")],
    }
    full.write_text(
        json.dumps({"about": "Here is the data you requested", "chats": {"about": "", "list": [chat]}}),
        encoding="utf-8",
    )
    report = ingest_file(store, full, IngestOptions(agency="NL-KMAR"))
    assert report.status == "stored" and report.records == 2  # the advert and the channel's account
    other = tmp_path / "export.json"
    other.write_text(json.dumps({"messages": {"1": "hi"}, "version": 3}), encoding="utf-8")
    report = ingest_file(store, other, IngestOptions(agency="NL-KMAR"))
    assert report.status == "refused" and "not a Telegram Desktop export" in report.message
    assert "Machine-readable JSON" in report.problems[0].fix and report.records == 0


def test_posts_csv(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(
        POSTS_HEADER
        + "facebook,https://www.facebook.com/groups/x/posts/1,2026-02-01T10:00:00Z,safe_way,"
        + f'"Trip to Italy, 3000 $, {PHONE}"\n'
        + "tiktok,https://www.tiktok.com/@a/video/2,2026-02-02 11:00,a_b,\n"
        + "instagram,https://www.instagram.com/p/x/,31/02/2026,Ali Hassan,Visa and passport 4000 euro\n"
        + 'x,https://x.com/a/status/3,2026-02-03,"broken,"quote\n',
        encoding="utf-8",
    )
    write_envelope(path.with_name("posts.csv.envelope.json"), id="POSTS-1", agency="EU-IRU")
    assert detect_format(path) == "posts"
    report = ingest_file(store, path, IngestOptions(read_post=post_facts))
    assert report.status == "stored", report.message
    problems = {(p.row, p.field): (p.severity, p.reason) for p in report.problems}
    assert problems[(3, "text")] == ("error", "no text; the post was not stored")
    assert (
        problems[(4, "posted_at")][0] == "warning"
        and "'31/02/2026' is not a date" in problems[(4, "posted_at")][1]
    )
    assert any(row == 5 for row, _ in problems)  # the broken row, alone
    adverts = dict(store.con.execute("SELECT local_id, uid FROM records WHERE kind = 'advert'").fetchall())
    assert sorted(adverts) == ["post-2", "post-4"]
    first = _values(store, adverts["post-2"])
    assert first["contact"] == ["safe_way"] and first["price"] == ["3000"] and first["currency"] == ["USD"]
    accounts = [
        v
        for (v,) in store.con.execute(
            "SELECT original FROM record_values v JOIN records r ON r.uid = v.record_uid "
            "WHERE r.kind = 'account' AND v.field IN ('handle', 'display_name') ORDER BY 1"
        ).fetchall()
    ]
    assert "facebook:safe_way" in accounts and "Ali Hassan" in accounts


def test_bad_files_refused_with_the_fix(store: Store, tmp_path: Path) -> None:
    no_text = tmp_path / "posts.csv"
    no_text.write_text("platform,url,posted_at,author\nfacebook,u,2026-01-01,a\n", encoding="utf-8")
    assert detect_format(no_text) == "posts"
    report = ingest_file(store, no_text, IngestOptions(agency="EU-IRU"))
    assert report.status == "refused" and "no 'text' column" in report.message
    assert "platform,url,posted_at,author,text" in report.problems[0].fix
    broken = tmp_path / "result.json"
    broken.write_text('{"name": "x", "messages": [', encoding="utf-8")
    report = ingest_file(store, broken, IngestOptions(agency="EU-IRU"))
    assert report.status == "refused" and "not valid JSON" in report.message
    sources, _ = find_sources([tmp_path])
    assert {s.format for s in sources} == {"posts", "telegram"}
    assert forced_format("telegram") == "telegram" and forced_format("posts") == "posts"
