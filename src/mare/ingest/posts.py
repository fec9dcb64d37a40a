"""Social-media posts as contributions: each post an `advert` record, with its poster and what it offers.

The two formats (Telegram Desktop's JSON export, `mare.ingest.telegram`; a plain CSV of posts,
`mare.ingest.posts_csv`) read their file into `Post`s; `posts_contribution` turns them into records:

* one `advert` per post: platform, url, posted_at, text, and (when the hub reads the text at
  intake, `IngestOptions.read_post`) language, price and currency, route_offered and contact; its
  provenance (chat, message id, author, forwarded from, media files) in the record's note;
* the poster's account (`account`: service and handle, or the author's display name) and, when the
  text was read, each phone number and handle it names (`phone`, `account`), each one record per
  contribution, linked from the advert by `advertises`. These are ordinary identifiers: the
  cross-check indexes them and finds hits on them like on any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mare.ingest.parsed import Envelope, ParsedContribution
from mare.ingest.problems import Problem
from mare.ingest.records import collect_records
from mare.schema.types.identifiers import normalise_handle

#: What reading a post's text gives (`IngestOptions.read_post`, set by the hub's intake from
#: `mare.analyse.adverts`): phones (E.164), handles (platform:name), price (float), currency (code),
#: language, route (origin>destination).
PostFacts = dict[str, Any]
PostReader = Callable[[str, str | None], PostFacts]

#: Platforms as the `account` kind names its services.
SERVICES = {
    "telegram": "telegram", "whatsapp": "whatsapp", "viber": "viber", "signal": "signal",
    "facebook": "facebook", "instagram": "instagram", "tiktok": "tiktok", "x": "x", "twitter": "x",
    "snapchat": "snapchat", "imo": "imo", "email": "email",
}  # fmt: skip


@dataclass(slots=True)
class Post:
    """One post as read from its file, before it becomes records."""

    key: str  # unique in the contribution: the record id
    row: int  # CSV row, or the Telegram message id
    platform: str
    text: str
    posted_at: str | None = None
    url: str | None = None
    author: str | None = None  # as written (a display name or a handle)
    author_id: str | None = None  # a platform id (Telegram's from_id)
    provenance: list[str] = field(default_factory=list)  # chat, forwarded from, media, …


def _account(platform: str, author: str | None, author_id: str | None) -> dict[str, Any] | None:
    service = SERVICES.get(platform.lower(), "other")
    fields: dict[str, Any] = {"kind": "account", "service": service}
    handle = author_id or (author if author and " " not in author.strip() else None)
    if handle:
        norm = normalise_handle(f"{service}:{handle}" if ":" not in handle else handle)
        if norm.value:
            fields["handle"] = norm.value
    if author and author != handle:
        fields["display_name"] = author
    return fields if len(fields) > 2 else None


def posts_contribution(
    name: str,
    path: Path,
    fmt: str,
    envelope: Envelope,
    posts: list[Post],
    problems: list[Problem],
    read_post: PostReader | None = None,
) -> ParsedContribution:
    """The records and links of these posts (validated like any record)."""
    objects: list[tuple[Any, str, int | None]] = []
    links: list[tuple[Any, str, int | None]] = []
    made: dict[tuple[str, str], str] = {}  # (kind, identifier) -> record id, one per contribution

    def identifier(kind: str, key: str, fields: dict[str, Any], row: int) -> str:
        rid = made.get((kind, key))
        if rid is None:
            rid = made[(kind, key)] = f"{kind}-{len(made) + 1}"
            objects.append(({"id": rid, **fields}, name, row))
        return rid

    for post in posts:
        advert: dict[str, Any] = {
            "id": post.key,
            "kind": "advert",
            "platform": post.platform,
            "text": post.text,
        }
        if post.posted_at:
            advert["posted_at"] = post.posted_at
        if post.url:
            advert["url"] = post.url
        targets: list[str] = []
        account = _account(post.platform, post.author, post.author_id)
        if account is not None:
            key = str(account.get("handle") or f"{account['service']}/{account.get('display_name')}")
            targets.append(identifier("account", key, account, post.row))
            advert["contact"] = post.author or account.get("handle")
        if read_post is not None:
            facts = read_post(post.text, post.platform)
            if facts.get("language"):
                advert["language"] = facts["language"]
            if facts.get("price") is not None:
                advert["price"] = facts["price"]
                if facts.get("currency"):
                    advert["currency"] = facts["currency"]
            if facts.get("route"):
                advert["route_offered"] = facts["route"]
            for number in facts.get("phones") or []:
                targets.append(identifier("phone", number, {"kind": "phone", "number": number}, post.row))
            for handle in facts.get("handles") or []:
                service = SERVICES.get(str(handle).split(":", 1)[0], "other")
                fields = {"kind": "account", "service": service, "handle": handle}
                targets.append(identifier("account", str(handle), fields, post.row))
        objects.append(({**advert, "note": "; ".join(post.provenance) or None}, name, post.row))
        for target in dict.fromkeys(targets):
            links.append(
                (
                    {
                        "id": f"{post.key}>{target}",
                        "kind": "advertises",
                        "source": post.key,
                        "target": target,
                    },
                    name,
                    post.row,
                )
            )
    for obj, _, _ in objects:
        if obj.get("note") is None:
            obj.pop("note", None)
    records, raw_links, found = collect_records(objects, links)
    return ParsedContribution(
        envelope=envelope,
        format=fmt,
        files=[(name, path)],
        records=records,
        links=raw_links,
        problems=sorted([*problems, *found], key=lambda p: p.row or 0),
    )
