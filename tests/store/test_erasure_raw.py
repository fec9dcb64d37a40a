"""Erasure rewrites kept raw files without the erased records, and only them."""

from __future__ import annotations

import json

from mare.store.erasure import _redact_jsonl


def test_ftm_lines_of_erased_entities_and_their_links_go_others_stay() -> None:
    lines = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["Zaher"]}},
        {"id": "p10", "schema": "Person", "properties": {"name": ["p1 is not me"]}},
        {"id": "a1", "schema": "Associate", "properties": {"person": ["p1"], "associate": ["p10"]}},
        {"id": "a2", "schema": "Associate", "properties": {"person": ["p10"], "associate": ["x"]}},
    ]
    data = ("\n".join(json.dumps(line) for line in lines) + "\nnot json\n").encode()
    kept = _redact_jsonl(data, {"p1"}).decode().splitlines()
    ids = [json.loads(line)["id"] for line in kept if line.startswith("{")]
    assert ids == ["p10", "a2"]
    assert "not json" in kept
