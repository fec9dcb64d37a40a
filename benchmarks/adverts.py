"""Adverts: extraction precision and recall per field beside a naive baseline; posters linked to persons.

Extraction: the hand-labelled posts written for the tests (`tests/adverts/labelled_posts.jsonl`, 116
posts in seven languages, negatives included) and the posts held out while the lexicon was tuned
(`tests/adverts/heldout_posts.jsonl`, 30), read by `mare.analyse.adverts.extract` and by the naive
baseline of `mare.analyse.adverts.scoring` (plain regular expressions) in the same run.

Linking (with --home HOME --world SCENARIO, a hub that ingested the scenario): every advert the
scenario's finders contributed (`truth/advert_posts.csv`) is looked up in what `hub_adverts` returns
for the hub's analyst view; its poster's linked person records are mapped to true persons
(`truth/records.csv`).

- recall: of the contributed adverts, the share whose poster is linked to the right person (seen in
  full), and linked or found as a hit on the poster's record (seen only as hit/no-hit: whom to ask);
  also over the adverts whose poster the hub can know: a record of the poster carries the advert's
  number or the poster's handle (its own, or a phone or account record it uses: a case file, a
  subscriber check, a seized phone's contacts), and over those whose number alone is so carried;
- precision: of the adverts linked to someone, the share linked to the right person (and no one else);
- networks: of the advert-to-person links whose person lies in a network `mare network --hub` finds,
  the number whose found network's members mostly belong to the advert's true network;
- unlinked: the adverts whose poster is neither linked nor a hit, by what the hub holds: the poster in
  no record; the advert's number only as a party no record names the user of (call records, a tapped
  line's counterpart); or the poster held, but with nothing that carries the advert's number or
  handle.

Target (issue 17): recall >= 0.9 on the `small` scenario.
Run: uv run python benchmarks/adverts.py [--home HOME --world SCENARIO]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from mare.analyse.adverts.extract import advert_gazetteer
from mare.analyse.adverts.scoring import FIELDS, load_labelled, naive, ours, score

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "labelled": ROOT / "tests" / "adverts" / "labelled_posts.jsonl",
    "held out": ROOT / "tests" / "adverts" / "heldout_posts.jsonl",
}


def extraction() -> dict[str, Any]:
    """Per set and field, our precision and recall beside the baseline's, and the time each took."""
    gaz = advert_gazetteer()
    out: dict[str, Any] = {}
    for name, path in SETS.items():
        posts = load_labelled(path)
        row: dict[str, Any] = {"posts": len(posts)}
        for label, reader in (("ours", ours(gaz)), ("naive", naive(gaz))):
            start = time.perf_counter()
            scores = score(posts, reader, gaz)
            row[f"{label}_seconds"] = round(time.perf_counter() - start, 3)
            row[label] = {f: scores[f].as_dict() for f in FIELDS}
        out[name] = row
    return out


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def linking(home: Path, world: Path) -> dict[str, Any]:
    """Recall and precision of posters linked to the right person, for the hub's analyst view."""
    from mare.access.policy import HUB_AGENCY, Viewer
    from mare.hub.adverts import hub_adverts, person_networks
    from mare.hub.context import HubContext
    from mare.hub.networks import hub_found_networks
    from mare.store.db import open_store

    truth = _csv(world / "truth" / "advert_posts.csv")
    records = _csv(world / "truth" / "records.csv")
    true_id = {(r["agency"], r["contribution"], r["record"]): r["true_id"] for r in records}
    held: dict[tuple[str, str], set[str]] = {}
    for r in records:
        held.setdefault((r["agency"], r["contribution"]), set()).add(r["true_id"])
    with open_store(home) as store:
        key_of = {
            str(uid): (str(a), str(s), str(local))
            for uid, a, s, local in store.con.execute(
                "SELECT r.uid, r.agency, c.sender_id, r.local_id FROM records r "
                "JOIN contributions c ON c.uid = r.contribution"
            ).fetchall()
        }
        viewer = Viewer("benchmark", HUB_AGENCY, frozenset({"analyst"}))
        start = time.perf_counter()
        with HubContext(store, viewer, "operator", why="validation (benchmarks/adverts.py)") as ctx:
            result = hub_adverts(ctx)
            seconds = time.perf_counter() - start
            found = dict(hub_found_networks(ctx))
            person_networks(ctx, [p for poster in result.posters for p in poster.persons])
        records_of: dict[str, list[str]] = {}
        for record, entity in store.con.execute("SELECT record_uid, entity_id FROM entities").fetchall():
            records_of.setdefault(str(entity), []).append(str(record))
    persons: dict[tuple[str, str, str], set[str]] = {}
    hit: dict[tuple[str, str, str], set[str]] = {}
    for poster in result.posters:
        people = {true_id.get(key_of[p["record"]], "?") for p in poster.persons}
        asked = {true_id.get(key_of[h["record"]], "?") for h in poster.hits}
        for ad in poster.adverts:
            persons[key_of[ad]] = people
            hit[key_of[ad]] = asked
    # the adverts whose poster the hub can know: a record of the poster carries the advert's number
    # or the poster's handle (its own field, or a phone or account record it uses)
    number = {r["id"]: r["e164"] for r in _csv(world / "truth" / "phones.csv")}
    handle_of = {
        r["id"]: str(json.loads(r["fields"]).get("handle", "")).lower()
        for r in _csv(world / "truth" / "things.csv")
        if r["kind"] == "account"
    }
    account_of = {r["id"]: r["account"] for r in _csv(world / "truth" / "adverts.csv")}
    with open_store(home) as store:
        # numbers the hub holds only as a party no record names the user of: in call records, or a phone
        # record with no `uses_phone` link that is not an advert's own (a tapped line's counterpart)
        unnamed = {
            str(v)
            for (v,) in store.con.execute(
                "SELECT DISTINCT i.value FROM identifier_index i JOIN records r ON r.uid = i.record_uid "
                "AND r.kind = 'phone' WHERE i.kind = 'phone' AND NOT EXISTS (SELECT 1 FROM links l "
                "WHERE l.target_uid = r.uid AND l.kind IN ('uses_phone', 'advertises'))"
            ).fetchall()
        }
        called = {
            int(n)
            for (n,) in store.con.execute(
                "SELECT caller FROM calls UNION SELECT callee FROM calls"
            ).fetchall()
        }
        held_people = {true_id.get(k, "") for k in key_of.values()}
        carriers = store.con.execute(
            "SELECT i.kind, i.value, p.uid FROM identifier_index i JOIN records p ON p.uid = i.record_uid "
            "AND p.kind = 'person' WHERE i.kind IN ('phone', 'handle') UNION "
            "SELECT i.kind, i.value, l.source_uid FROM identifier_index i JOIN links l "
            "ON l.target_uid = i.record_uid AND l.kind IN ('uses_phone', 'uses_account') "
            "WHERE i.kind IN ('phone', 'handle')"
        ).fetchall()
    known: set[tuple[str, str]] = set()
    for kind, value, uid in carriers:
        text = str(value) if kind == "phone" else "@" + str(value).split(":", 1)[-1].lower()
        known.add((text, true_id.get(key_of.get(str(uid), ("", "", "")), "?")))
    n = right = right_or_hit = linked = only_right = knowable = knowable_right = knowable_or_hit = 0
    by_number = by_number_right = missing = 0
    unlinked: Counter[str] = Counter()  # adverts whose poster is neither linked nor a hit: why
    for t in truth:
        key = (t["agency"], t["contribution"], t["record"])
        if key not in persons:
            missing += 1
            continue
        n += 1
        got = persons[key]
        ok = t["poster"] in got
        told = ok or t["poster"] in hit[key]
        right += ok
        right_or_hit += told
        linked += bool(got)
        only_right += got == {t["poster"]}
        has_number = (number.get(t["phone"], ""), t["poster"]) in known
        handle = handle_of.get(account_of.get(t["advert"], ""), "")
        if has_number or (handle and ("@" + handle, t["poster"]) in known):
            knowable += 1
            knowable_right += ok
            knowable_or_hit += told
        by_number += has_number
        by_number_right += ok and has_number
        if not told:
            e164 = number.get(t["phone"], "")
            if t["poster"] not in held_people:
                unlinked["poster in no record"] += 1
            elif e164 in unnamed or (e164[1:].isdigit() and int(e164[1:]) in called):
                unlinked["number held only as an unnamed party (call records, a tap's counterpart)"] += 1
            else:
                unlinked["poster held, but nothing ties the advert's number or handle to them"] += 1
    # networks: is the found network of a linked person led by the advert's true network?
    networks_of: dict[str, set[str]] = {}
    for r in _csv(world / "truth" / "memberships.csv"):
        networks_of.setdefault(r["person"], set()).add(r["network"])
    advert_network = {(t["agency"], t["contribution"], t["record"]): t["network"] for t in truth}
    in_network = network_right = 0
    for poster in result.posters:
        for person in poster.persons:
            if not person.get("network"):
                continue
            tally: Counter[str] = Counter()
            for node in found[person["network"]].ids:
                for record in records_of.get(str(node), [str(node)]):
                    tally.update(networks_of.get(true_id.get(key_of.get(record, ("", "", "")), ""), ()))
            leading = tally.most_common(1)[0][0] if tally else None
            for ad in poster.adverts:
                if key_of[ad] in advert_network:
                    in_network += 1
                    network_right += leading == advert_network[key_of[ad]]
    return {
        "links_in_a_found_network": in_network,
        "found_network_led_by_the_adverts_network": network_right,
        "adverts_contributed": len(truth),
        "adverts_seen": n,
        "adverts_not_in_hub": missing,
        "linked_right": right,
        "recall": round(right / n, 3) if n else None,
        "recall_with_hits": round(right_or_hit / n, 3) if n else None,
        "knowable_by_number": by_number,
        "recall_knowable_by_number": round(by_number_right / by_number, 3) if by_number else None,
        "knowable": knowable,
        "recall_knowable": round(knowable_right / knowable, 3) if knowable else None,
        "recall_knowable_with_hits": round(knowable_or_hit / knowable, 3) if knowable else None,
        "linked_to_someone": linked,
        "precision": round(only_right / linked, 3) if linked else None,
        "posters": len(result.posters),
        "hits": len(result.hits),
        "unlinked": dict(unlinked.most_common()),
        "seconds": round(seconds, 1),
    }


def main() -> None:
    """Print the extraction table (and the linking figures with --home and --world)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path)
    parser.add_argument("--world", type=Path)
    args = parser.parse_args()
    for name, row in extraction().items():
        print(
            f"\n{name}: {row['posts']} posts (ours {row['ours_seconds']} s, naive {row['naive_seconds']} s)"
        )
        print(f"{'field':10} {'ours P':>7} {'ours R':>7} {'naive P':>8} {'naive R':>8}")
        for f in FIELDS:
            a, b = row["ours"][f], row["naive"][f]
            print(f"{f:10} {a['precision']:7.3f} {a['recall']:7.3f} {b['precision']:8.3f} {b['recall']:8.3f}")
    if args.home and args.world:
        print()
        for key, value in linking(args.home, args.world).items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
