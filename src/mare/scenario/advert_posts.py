"""Adverts as agencies and an internet referral unit find them: Telegram exports and posts CSVs.

An internet referral unit (`EU-IRU`, after Europol's EU IRU) monitors the platforms and finds most
adverts; the police of each country a network's route runs through find some of that network's
adverts. Each finder contributes what it found as it would have it: a Telegram Desktop export
(`result.json`, one per Telegram channel, with the channel's other messages: photos without text,
forwards, pinned-message service entries) or a CSV of posts from the other platforms
(`platform,url,posted_at,author,text`), each with its envelope beside it (FILE.envelope.json).
Some posts add the poster's handle or a t.me link to the text, or write the number the way the
poster's country dials it; the numbers are the poster's own phones, as in the world.

The police who find an advert often ask the operator who holds its number (a subscriber check):
with probability P_SUBSCRIBER per number, the finder contributes the identified subscriber, the
poster, as a suspect using that phone (one JSON or CSV contribution per agency, as its other files).
The referral unit makes no subscriber checks of its own: it refers what it finds to the police of the
country the number belongs to (its country calling code), who check it the same way. A partner with
an operational agreement (Serbia, North Macedonia, Bosnia and Herzegovina, Norway: personal data may
be exchanged) gets the referral too and answers less often (P_SUBSCRIBER_PARTNER: the request goes
through liaison officers and a national authorisation); a partner with none (Turkey's is strategic:
no personal data) and a country with no agency in the hub (Libya, Morocco…) are asked by no one.
The numbers of those posters reach the hub otherwise, if at all: from the phones seized from
arrested smugglers (`scenario/devices.py`).

Everything here draws on its own random stream, after the rest of the scenario is written, so the
other contributions stay exactly as they were. `truth/advert_posts.csv` lists every advert
contributed (agency, contribution, file, record id, advert, poster, phone, network), and each
advert's row is added to `truth/records.csv`.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mare.scenario.agencies import Agency
from mare.scenario.contribute import new_contribution
from mare.scenario.noise import Noise
from mare.scenario.params import DAY, END
from mare.scenario.people import iso_date, iso_datetime
from mare.scenario.places import PLACES
from mare.scenario.records import Builder, Contribution
from mare.scenario.world import Advert, World

IRU = "EU-IRU"
P_IRU = 0.7  # an advert found by the internet referral unit
P_NATIONAL = 0.3  # found by the police of a country on the network's route (each)
P_HANDLE = 0.4  # the poster adds their handle to the text
P_LOCAL_NUMBER = 0.2  # the number written as dialled in its own country (trunk 0, no +CC)
P_PHOTO = 0.15  # a photo without text beside a post in a Telegram channel
P_FORWARD = 0.2  # a post forwarded from another channel
P_SUBSCRIBER = 0.6  # a national finder identifies the subscriber of an advert's number
P_SUBSCRIBER_PARTNER = 0.4  # a partner with an operational agreement answers a referral's check
_FORMAT = "mare.contribution/1"


def _national(world: World, agencies: tuple[Agency, ...], ad: Advert) -> list[Agency]:
    countries = {PLACES[p].country for p in world.networks[ad.network].line}
    return [a for a in agencies if a.country in countries and not a.partner]


def _text(rng: np.random.Generator, world: World, ad: Advert, handle: str) -> str:
    text = ad.text
    phone = world.phones[ad.phone]
    if rng.random() < P_LOCAL_NUMBER and ad.phone and phone.e164 in text:
        import phonenumbers

        parsed = phonenumbers.parse(phone.e164)
        text = text.replace(
            phone.e164, phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        )
    if rng.random() < P_HANDLE:
        text += f"\n{'Telegram: t.me/' if ad.platform == 'telegram' else '@'}{handle}"
    return text


def _envelope(agency: str, sender_id: str, sent: int, code: str) -> dict[str, Any]:
    return {
        "format": _FORMAT,
        "id": sender_id,
        "agency": agency,
        "sent_at": iso_datetime(sent),
        "handling": {"code": code},
        "evaluation": {"scheme": "4x4", "source": "B", "information": "3"},
        "crime_areas": ["migrant_smuggling"],
        "case_refs": [f"{agency}-ADS"],
    }


def _telegram(
    rng: np.random.Generator, world: World, channel: str, ads: list[Advert], texts: dict[str, str]
) -> tuple[dict[str, Any], dict[str, int], int]:
    """One channel's export, the message id of each advert in it, and the chat id."""
    chat_id = int(rng.integers(1_000_000_000, 1_999_999_999))
    messages: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    msg_id = int(rng.integers(10, 400))
    for ad in sorted(ads, key=lambda a: (a.posted, a.id)):
        if rng.random() < P_PHOTO:
            msg_id += 1
            messages.append(
                {
                    "id": msg_id,
                    "type": "message",
                    "date": iso_datetime(ad.posted - 3600).replace("Z", "")[:19],
                    "date_unixtime": str(ad.posted - 3600),
                    "from": channel,
                    "from_id": f"channel{chat_id}",
                    "photo": f"photos/photo_{msg_id}@{iso_date(ad.posted)}.jpg",
                    "width": 1280,
                    "height": 960,
                    "text": "",
                    "text_entities": [],
                }
            )
        msg_id += 1
        text = texts[ad.id]
        body: Any = text
        phone = world.phones[ad.phone].e164
        if phone in text and rng.random() < 0.5:  # Telegram marks numbers as phone entities
            before, after = text.split(phone, 1)
            body = [before, {"type": "phone", "text": phone}, after]
        message: dict[str, Any] = {
            "id": msg_id,
            "type": "message",
            "date": iso_datetime(ad.posted).replace("Z", "")[:19],
            "date_unixtime": str(ad.posted),
            "from": channel,
            "from_id": f"channel{chat_id}",
            "text": body,
            "text_entities": [{"type": "plain", "text": text}],
        }
        if rng.random() < P_FORWARD:
            message["forwarded_from"] = f"{channel} backup"
        messages.append(message)
        ids[ad.id] = msg_id
        if rng.random() < 0.05:
            msg_id += 1
            messages.append(
                {
                    "id": msg_id,
                    "type": "service",
                    "date": iso_datetime(ad.posted + 60).replace("Z", "")[:19],
                    "actor": channel,
                    "actor_id": f"channel{chat_id}",
                    "action": "pin_message",
                    "message_id": msg_id - 1,
                    "text": "",
                }
            )
    return {"name": channel, "type": "public_channel", "id": chat_id, "messages": messages}, ids, chat_id


def _subscriber_checks(
    world: World,
    rng: np.random.Generator,
    found: dict[str, list[Advert]],
    agencies: tuple[Agency, ...],
    noise: dict[str, Noise],
    next_n: Callable[[Agency], int],
) -> list[Contribution]:
    """Per national finder, the subscribers identified behind the adverts' numbers."""
    by_id = {a.id: a for a in agencies}
    out: list[Contribution] = []
    for agency in sorted(found):
        ag = by_id.get(agency)
        if ag is None:
            continue
        checked = {}
        answers = P_SUBSCRIBER_PARTNER if ag.partner else P_SUBSCRIBER
        for ad in found[agency]:
            if ad.phone not in checked and rng.random() < answers:
                checked[ad.phone] = ad
        if not checked:
            continue
        sent = min(END + 30 * DAY, max(a.posted for a in checked.values()) + int(rng.uniform(5, 60) * DAY))
        c = new_contribution(ag, next_n(ag), f"{ag.id}-ADS", sent, rng)
        b = Builder(world, rng, noise[ag.id], c)
        case_id = b.case()
        for phone_id, ad in sorted(checked.items()):
            person = world.persons[ad.poster]
            local = b.person(ad.poster, "suspect", person.role, 0.9)
            b.link("uses_phone", local, b.phone(phone_id), since=iso_date(world.phones[phone_id].start))
            b.link("member_of", local, case_id)
        out.append(c)
    return out


def advert_contributions(
    world: World,
    agencies: tuple[Agency, ...],
    noise: dict[str, Noise],
    seed: int,
    next_n: Callable[[Agency], int],
    out: Path,
    record_map: list[tuple[str, ...]],
) -> tuple[int, list[Contribution]]:
    """Write the Telegram exports and posts CSVs the finders contribute (returns how many files), and
    the subscriber checks, to be written like any contribution."""
    rng = np.random.Generator(np.random.PCG64([seed, 17_019]))
    found: dict[str, list[Advert]] = defaultdict(list)
    for ad_id in sorted(world.adverts):
        ad = world.adverts[ad_id]
        if rng.random() < P_IRU:
            found[IRU].append(ad)
        for ag in _national(world, agencies, ad):
            if rng.random() < P_NATIONAL:
                found[ag.id].append(ad)
    truth: list[tuple[str, ...]] = []
    files = 0
    for agency in sorted(found):
        folder = out / "contributions" / agency
        folder.mkdir(parents=True, exist_ok=True)
        ads = found[agency]
        texts = {}
        for ad in ads:
            handle = str(world.things[ad.account].fields["handle"]) if ad.account in world.things else ""
            texts[ad.id] = _text(rng, world, ad, handle)
        channels: dict[str, list[Advert]] = defaultdict(list)
        rows: list[Advert] = []
        for ad in ads:
            if ad.platform == "telegram":
                acc = world.things.get(ad.account)
                channels[str(acc.fields.get("display_name") if acc else ad.poster)].append(ad)
            else:
                rows.append(ad)
        code = "H0" if agency == IRU else "H1"
        for n, channel in enumerate(sorted(channels), start=1):
            export, ids, chat_id = _telegram(rng, world, channel, channels[channel], texts)
            sender = f"{agency}-TG-{n:04d}"
            sub = folder / sender
            sub.mkdir(exist_ok=True)
            path = sub / "result.json"
            path.write_text(json.dumps(export, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            sent = min(
                END + 30 * DAY, max(a.posted for a in channels[channel]) + int(rng.uniform(2, 30) * DAY)
            )
            (sub / "result.json.envelope.json").write_text(
                json.dumps(_envelope(agency, sender, sent, code), indent=1) + "\n", encoding="utf-8"
            )
            rel = path.relative_to(out).as_posix()
            for ad in channels[channel]:
                local = f"tg-{chat_id}-{ids[ad.id]}"
                truth.append((agency, sender, "telegram", rel, local, ad.id, ad.poster, ad.phone, ad.network))
                record_map.append((agency, sender, "telegram", rel, local, "advert", ad.id))
            files += 1
        if rows:
            sender = f"{agency}-POSTS-0001"
            path = folder / f"{sender}.csv"
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(("platform", "url", "posted_at", "author", "text"))
            ordered = sorted(rows, key=lambda a: (a.posted, a.id))
            for ad in ordered:
                acc = world.things.get(ad.account)
                author = str(acc.fields["handle"]) if acc is not None else ""
                writer.writerow((ad.platform, ad.url, iso_datetime(ad.posted), author, texts[ad.id]))
            path.write_text(buf.getvalue(), encoding="utf-8")
            sent = min(END + 30 * DAY, max(a.posted for a in rows) + int(rng.uniform(2, 30) * DAY))
            path.with_name(path.name + ".envelope.json").write_text(
                json.dumps(_envelope(agency, sender, sent, code), indent=1) + "\n", encoding="utf-8"
            )
            rel = path.relative_to(out).as_posix()
            line = 2
            for ad in ordered:
                local = f"post-{line}"
                truth.append((agency, sender, "posts", rel, local, ad.id, ad.poster, ad.phone, ad.network))
                record_map.append((agency, sender, "posts", rel, local, "advert", ad.id))
                line += 1 + texts[ad.id].count("\n")
            files += 1
    (out / "truth").mkdir(parents=True, exist_ok=True)
    with (out / "truth" / "advert_posts.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            ("agency", "contribution", "format", "path", "record", "advert", "poster", "phone", "network")
        )
        w.writerows(truth)
    checks = {agency: list(ads) for agency, ads in found.items() if agency != IRU}
    for agency, ads in _referred(world, agencies, found.get(IRU, [])).items():
        known = {ad.id for ad in checks.get(agency, [])}
        checks.setdefault(agency, []).extend(ad for ad in ads if ad.id not in known)
    return files, _subscriber_checks(world, rng, checks, agencies, noise, next_n)


def _referred(world: World, agencies: tuple[Agency, ...], ads: list[Advert]) -> dict[str, list[Advert]]:
    """The referral unit's adverts, per agency of the country each number belongs to: a member, or a
    partner with an operational agreement (if any)."""
    import phonenumbers

    by_country: dict[str, Agency] = {}
    for ag in agencies:
        if ag.country and (ag.operational or not ag.partner) and ag.id != IRU:
            by_country.setdefault(ag.country, ag)
    out: dict[str, list[Advert]] = defaultdict(list)
    for ad in ads:
        region = phonenumbers.region_code_for_country_code(int(world.phones[ad.phone].cc))
        police = by_country.get(region)
        if police is not None:
            out[police.id].append(ad)
    return out
