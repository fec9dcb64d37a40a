"""The access policy: one decision per read, with its rule and reason (DOMAIN.md rules)."""

from __future__ import annotations

from datetime import date

import pytest

from mare.access.policy import DataMeta, Viewer, decide

HUB_ANALYST = Viewer("hana", "HUB", frozenset({"analyst"}))
IT_ANALYST = Viewer("ivo", "IT-SCO", frozenset({"analyst"}))
FR_ANALYST = Viewer("fleur", "FR-OCRIEST", frozenset({"analyst"}))
IT_CONTRIBUTOR = Viewer("ida", "IT-SCO", frozenset({"contributor"}))
HUB_DPO = Viewer("dora", "HUB", frozenset({"dpo"}))
OWNER = Viewer("otto", "DE-BKA", frozenset({"contributor"}))


def meta(code: str, minor: bool = False, **rules: object) -> DataMeta:
    return DataMeta(owner="DE-BKA", handling_code=code, restrictions=dict(rules) or None, minor=minor)


@pytest.mark.parametrize(
    ("viewer", "data", "visibility", "rule"),
    [
        (OWNER, meta("H3", minor=True, agencies_denied=["DE-BKA"]), "full", "owner"),
        (HUB_ANALYST, meta("H0"), "full", "h0-analyst"),
        (IT_ANALYST, meta("H0"), "full", "h0-analyst"),
        (IT_ANALYST, meta("H1"), "full", "h1-analyst"),
        (IT_ANALYST, meta("H2"), "hit", "h2"),
        (HUB_ANALYST, meta("H2"), "full", "h2-analyst"),
        (IT_ANALYST, meta("H0", minor=True), "hit", "minor"),
        (HUB_ANALYST, meta("H0", minor=True), "hit", "minor"),
        (IT_CONTRIBUTOR, meta("H0"), "hit", "role"),
        (IT_ANALYST, meta("H3", agencies_allowed=["IT-SCO"]), "full", "h3-analyst"),
        (FR_ANALYST, meta("H3", agencies_allowed=["IT-SCO"]), "hit", "h3-allowed"),
        (IT_ANALYST, meta("H3", agencies_denied=["IT-SCO"]), "hit", "h3-denied"),
        (IT_ANALYST, meta("H3", agencies_allowed=["IT-SCO"], expires="2020-01-01"), "hit", "h3-expired"),
        (IT_ANALYST, meta("H3", agencies_allowed=["IT-SCO"], ask_first=True), "hit", "h3-ask-first"),
    ],
)
def test_rules(viewer: Viewer, data: DataMeta, visibility: str, rule: str) -> None:
    decision = decide(viewer, data, today=date(2026, 11, 22))
    assert (decision.visibility, decision.rule) == (visibility, rule)
    assert decision.reason


def test_h1_caveat_on_display_and_no_judicial_use() -> None:
    shown = decide(IT_ANALYST, meta("H1"))
    assert any("judicial" in c for c in shown.caveats)
    judicial = decide(IT_ANALYST, meta("H1"), purpose="judicial")
    assert judicial.visibility == "hit"


def test_h3_free_text_is_shown() -> None:
    decision = decide(IT_ANALYST, meta("H3", agencies_allowed=["IT-SCO"], text="Call SO22 first"))
    assert any("Call SO22 first" in c for c in decision.caveats)


def test_oversight_needs_hub_dpo() -> None:
    assert decide(HUB_DPO, meta("H2"), purpose="oversight").visibility == "full"
    assert decide(IT_ANALYST, meta("H0"), purpose="oversight").visibility == "none"


def test_consent_releases_h2() -> None:
    assert decide(IT_ANALYST, meta("H2"), consented=True).visibility == "full"


def test_superseded_version_is_history_for_oversight_only() -> None:
    old = DataMeta(owner="DE-BKA", handling_code="H0", superseded=True)
    for viewer in (OWNER, HUB_ANALYST, IT_ANALYST, IT_CONTRIBUTOR, HUB_DPO):
        for purpose in ("crime_fighting", "judicial", "administration"):
            decision = decide(viewer, old, purpose=purpose)
            assert (decision.visibility, decision.rule) == ("none", "superseded")
            assert "newer version" in decision.reason and "DE-BKA" in decision.reason
        # consent does not release a replaced version either
        assert decide(viewer, old, consented=True).rule == "superseded"
    assert (decide(HUB_DPO, old, purpose="oversight").visibility, "oversight") == ("full", "oversight")
    assert decide(HUB_DPO, old, purpose="oversight").rule == "oversight"
    assert decide(OWNER, old, purpose="oversight").rule == "owner"
    assert decide(IT_ANALYST, old, purpose="oversight").visibility == "none"
    assert decide(OWNER, DataMeta(owner="DE-BKA", handling_code="H0")).rule == "owner"
