"""The scenario's IRU and police contribute the adverts they find; posters are linked to the right person
(tiny scale, -m slow)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from mare.access.policy import HUB_AGENCY, Viewer
from mare.hub.adverts import hub_adverts, post_facts
from mare.hub.context import HubContext
from mare.ingest.pipeline import IngestOptions, ingest_source
from mare.ingest.sources import find_sources
from mare.ingest.telegram import read_telegram_posts
from mare.resolve.extract import index_identifiers
from mare.scenario import generate
from mare.store.db import open_store


@pytest.mark.slow
def test_scenario_adverts_contributed_and_linked(tmp_path: Path) -> None:
    out = tmp_path / "tiny"
    generate("tiny", 7, out)
    truth = list(csv.DictReader((out / "truth" / "advert_posts.csv").open(encoding="utf-8")))
    assert {t["agency"] for t in truth} >= {"EU-IRU"} and len({t["agency"] for t in truth}) > 1
    assert {t["format"] for t in truth} == {"telegram", "posts"}
    exports = sorted(out.glob("contributions/*/*-TG-*/result.json"))
    assert exports and all(e.with_name("result.json.envelope.json").is_file() for e in exports)
    for export in exports:  # as Telegram writes them: photos without text are the only problems
        posts, problems = read_telegram_posts(export)
        assert posts and all("no text" in p.reason for p in problems)
        assert json.loads(export.read_text(encoding="utf-8"))["type"] == "public_channel"
    sources, _ = find_sources([out / "contributions"])
    assert {"telegram", "posts"} <= {s.format for s in sources}
    home = tmp_path / "home"
    with open_store(home) as store:
        for source in sources:
            if source.format not in ("cdr", "ais"):
                ingest_source(store, source, IngestOptions(read_post=post_facts))
        index_identifiers(store.con)
        key_of = {
            str(uid): (str(a), str(s), str(local))
            for uid, a, s, local in store.con.execute(
                "SELECT r.uid, r.agency, c.sender_id, r.local_id FROM records r "
                "JOIN contributions c ON c.uid = r.contribution"
            ).fetchall()
        }
        with HubContext(store, Viewer("t", HUB_AGENCY, frozenset({"analyst"})), "operator") as ctx:
            result = hub_adverts(ctx)
    true_id = {
        (r["agency"], r["contribution"], r["record"]): r["true_id"]
        for r in csv.DictReader((out / "truth" / "records.csv").open(encoding="utf-8"))
    }
    linked: dict[tuple[str, str, str], set[str]] = {}
    for poster in result.posters:
        people = {true_id.get(key_of[p["record"]], "?") for p in poster.persons}
        for ad in poster.adverts:
            linked[key_of[ad]] = people
    keys = [(t["agency"], t["contribution"], t["record"]) for t in truth]
    assert all(k in linked for k in keys)  # every advert contributed reached the hub
    right = [t for t, k in zip(truth, keys, strict=True) if t["poster"] in linked[k]]
    wrong = [k for t, k in zip(truth, keys, strict=True) if linked[k] - {t["poster"]}]
    assert len(right) >= 0.3 * len(truth) and not wrong
