"""Telegram Desktop's JSON export (`result.json`) as a contribution of posts.

Two shapes are read, as Telegram Desktop writes them ("Export chat history" and "Export Telegram
data", machine-readable JSON): one chat (`{"name", "type", "id", "messages": [...]}`) or the whole
account (`{"chats": {"list": [chat, ...]}, "left_chats": {"list": [...]}}`). Each message of type
`message` is a post: its `text` (a string, or a list of strings and text entities
`{"type", "text"}` joined in order), `date` (ISO, else `date_unixtime`), `from` and `from_id`, and as
provenance the chat (name, type, id), the message id, `forwarded_from`, `via_bot` and the media it
references (`photo`, `file`, `media_type`). Service messages (joins, pins) are skipped and counted.

Refused whole: JSON that is not one of the two shapes (another program's export, or a Telegram
version whose layout differs), with what was found. Rejected alone, by message id: a message that
is not an object, has no id, or has no text (a photo or sticker alone is no advert); a date that
cannot be read keeps the post without its time, with a warning.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from mare.ingest.decode import NESTING_FIX, NestingError, decode_bytes, load_json, read_limited
from mare.ingest.parsed import Envelope, ParsedContribution
from mare.ingest.posts import Post, PostReader, posts_contribution
from mare.ingest.problems import ContributionError, Problem

SHAPE_FIX = (
    "export with Telegram Desktop: Settings > Advanced > Export Telegram data (or a chat's "
    "'Export chat history'), format 'Machine-readable JSON'; send result.json as written"
)
_MEDIA = ("photo", "file", "thumbnail", "media_type", "sticker_emoji", "mime_type")


def looks_like_telegram(path: Path) -> bool:
    """True for a JSON file whose start is a Telegram Desktop export (not a Mare contribution)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", "ignore")
    except OSError:
        return False
    if '"envelope"' in head or '"records"' in head:
        return False
    return '"messages"' in head or '"chats"' in head or "Here is the data you requested" in head


def _text(raw: Any) -> str | None:
    """The message text: a string, or strings and entities ({"type", "text"}) joined; None if neither."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, list):
        parts: list[str] = []
        for item in raw:
            if isinstance(item, str):
                parts.append(item)
            elif isinstance(item, dict) and isinstance(item.get("text"), str):
                parts.append(item["text"])
            else:
                return None
        return "".join(parts)
    return None


def _date(message: dict[str, Any]) -> str | None:
    raw = message.get("date")
    if isinstance(raw, str):
        try:
            return dt.datetime.fromisoformat(raw).isoformat()
        except ValueError:
            pass
    unix = message.get("date_unixtime")
    if isinstance(unix, str | int) and str(unix).isdigit():
        return dt.datetime.fromtimestamp(int(unix), dt.UTC).isoformat()
    return None


def _chats(data: Any, name: str) -> list[dict[str, Any]]:
    """The chats of an export, or ContributionError saying what was found instead."""
    if isinstance(data, dict) and isinstance(data.get("messages"), list):
        return [data]
    if isinstance(data, dict) and isinstance(data.get("chats"), dict):
        chats: list[dict[str, Any]] = []
        for section in ("chats", "left_chats"):
            listed = (data.get(section) or {}).get("list") if isinstance(data.get(section), dict) else None
            if listed is None and section == "chats":
                break
            chats += [c for c in listed or [] if isinstance(c, dict)]
        else:
            return chats
    found = (
        f"an object with keys {', '.join(sorted(map(str, data))[:8])}"
        if isinstance(data, dict)
        else f"a JSON {type(data).__name__}"
    )
    raise ContributionError(
        [
            Problem(
                name,
                None,
                None,
                f"not a Telegram Desktop export this version of Mare reads: found {found}, where "
                'a chat ({"name", "type", "id", "messages": [...]}) or a full export '
                '({"chats": {"list": [...]}}) was expected; nothing was stored',
                SHAPE_FIX,
            )
        ]
    )


def read_telegram_posts(path: Path, encoding: str | None = None) -> tuple[list[Post], list[Problem]]:
    """The posts of a Telegram export, and the problems met (raises ContributionError for the file)."""
    name = path.name
    text, problems = decode_bytes(read_limited(path, name), name, encoding)
    try:
        data = load_json(text)
    except NestingError as exc:
        raise ContributionError([Problem(name, None, None, str(exc), NESTING_FIX)]) from None
    except json.JSONDecodeError as exc:
        raise ContributionError(
            [Problem(name, exc.lineno, None, f"not valid JSON: {exc.msg} (column {exc.colno})", SHAPE_FIX)]
        ) from None
    posts: list[Post] = []
    service = 0
    for number, chat in enumerate(_chats(data, name), start=1):
        chat_id = chat.get("id", number)
        chat_name = str(chat.get("name") or f"chat {chat_id}")
        chat_type = str(chat.get("type") or "chat")
        messages = chat.get("messages")
        if not isinstance(messages, list):
            problems.append(
                Problem(
                    name,
                    None,
                    "messages",
                    f"chat {chat_name!r} ({chat_id}) has no list of messages; it was skipped",
                    SHAPE_FIX,
                )
            )
            continue
        for position, message in enumerate(messages, start=1):
            if not isinstance(message, dict):
                problems.append(
                    Problem(
                        name,
                        position,
                        None,
                        f"chat {chat_name!r}: message {position} (by position) is not a JSON object; "
                        "it was not read",
                        SHAPE_FIX,
                    )
                )
                continue
            msg_id = message.get("id")
            if isinstance(msg_id, bool) or not isinstance(msg_id, int):
                problems.append(
                    Problem(
                        name,
                        position,
                        "id",
                        f"chat {chat_name!r}: message {position} (by position) has no numeric id; "
                        "it was not read",
                        SHAPE_FIX,
                    )
                )
                continue
            if message.get("type", "message") != "message":
                service += 1
                continue
            body = _text(message.get("text"))
            if body is None:
                problems.append(
                    Problem(
                        name,
                        msg_id,
                        "text",
                        f"chat {chat_name!r}, message {msg_id}: 'text' is neither a string nor a list "
                        "of strings and text entities; the message was not read",
                        SHAPE_FIX,
                    )
                )
                continue
            if not body.strip():
                media = next((str(message[k]) for k in ("media_type", "photo", "file") if message.get(k)), "")
                problems.append(
                    Problem(
                        name,
                        msg_id,
                        "text",
                        f"chat {chat_name!r}, message {msg_id}: no text"
                        + (f" (only {media})" if media else "")
                        + "; not stored as an advert",
                        "nothing to do: a post without text offers nothing to read",
                    )
                )
                continue
            posted = _date(message)
            if posted is None:
                problems.append(
                    Problem(
                        name,
                        msg_id,
                        "date",
                        f"chat {chat_name!r}, message {msg_id}: date {message.get('date')!r} is not a "
                        "date and time (nor is date_unixtime); the post was kept without its time",
                        "send the export as Telegram wrote it (date: YYYY-MM-DDTHH:MM:SS)",
                        "warning",
                    )
                )
            provenance = [f"telegram {chat_type} {chat_name!r} ({chat_id}), message {msg_id}"]
            if message.get("forwarded_from"):
                provenance.append(f"forwarded from {message['forwarded_from']}")
            if message.get("via_bot"):
                provenance.append(f"via bot {message['via_bot']}")
            files = [f"{k}: {message[k]}" for k in _MEDIA if message.get(k)]
            if files:
                provenance.append("media " + ", ".join(files))
            author_id = message.get("from_id") or message.get("actor_id")
            posts.append(
                Post(
                    key=f"tg-{chat_id}-{msg_id}",
                    row=msg_id,
                    platform="telegram",
                    text=body,
                    posted_at=posted,
                    author=str(message["from"]) if message.get("from") else None,
                    author_id=str(author_id) if author_id else None,
                    provenance=provenance,
                )
            )
    if not posts and not problems:
        problems.append(
            Problem(
                name,
                None,
                None,
                f"the export holds no messages with text ({service} service messages)",
                "export the chat's history with its messages",
                "warning",
            )
        )
    return posts, problems


def read_telegram_contribution(
    path: Path, envelope: Envelope, encoding: str | None = None, read_post: PostReader | None = None
) -> ParsedContribution:
    """A Telegram export as a contribution (posts as advert records)."""
    posts, problems = read_telegram_posts(path, encoding)
    return posts_contribution(path.name, path, "telegram", envelope, posts, problems, read_post)
