"""Shared inputs of the adverts tests: a Telegram export and a posts CSV, written as the tests need."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mare.analyse.adverts.extract import advert_gazetteer
from mare.analyse.geo.gazetteer import Gazetteer

PHONE = "+905321234567"
SECRET_PHONE = "+9647701234567"


def telegram_export(path: Path, messages: list[dict[str, Any]], **chat: Any) -> Path:
    """A single-chat Telegram Desktop export (result.json) with these messages."""
    data = {
        "name": "Safe Trips Europe",
        "type": "public_channel",
        "id": 1700012345,
        **chat,
        "messages": messages,
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def message(msg_id: int, text: Any, **extra: Any) -> dict[str, Any]:
    """One Telegram message as the export writes it."""
    return {
        "id": msg_id,
        "type": "message",
        "date": f"2026-03-0{1 + msg_id % 9}T10:15:00",
        "date_unixtime": "1772360100",
        "from": "Safe Trips Europe",
        "from_id": "channel1700012345",
        "text": text,
        **extra,
    }


@pytest.fixture(scope="session")
def gaz() -> Gazetteer:
    """The adverts' gazetteer, built once for the session (a few seconds)."""
    return advert_gazetteer()
