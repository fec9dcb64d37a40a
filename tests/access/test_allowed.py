"""The action policy: each rule of `allowed()` fires where it should, with a reason saying what is missing."""

from __future__ import annotations

import pytest

from mare.access.policy import ACTIONS, HUB_AGENCY, ROLES, SYSTEM_ROLE, ActionTarget, Viewer, allowed


def who(agency: str, *roles: str, user: str = "u") -> Viewer:
    return Viewer(user, agency, frozenset(roles))


CASES = [
    # (viewer, action, target, granted, rule)
    (who("IT-SCO", "contributor"), "review", None, False, "action-role"),
    (who("IT-SCO", "analyst"), "review", None, True, "review-allowed"),
    (who("IT-SCO", "contributor"), "judge", None, False, "action-role"),
    (who("IT-SCO", "supervisor"), "judge", None, True, "judge-allowed"),
    (who("IT-SCO", "analyst"), "crosscheck", None, False, "hub-only"),
    (who(HUB_AGENCY, "analyst"), "crosscheck", None, True, "crosscheck-allowed"),
    (who(HUB_AGENCY, SYSTEM_ROLE), "crosscheck", None, True, "crosscheck-allowed"),
    (who("IT-SCO", "contributor"), "contribute", ActionTarget(owner="IT-SCO"), True, "contribute-allowed"),
    (who("IT-SCO", "contributor"), "contribute", ActionTarget(owner="DE-BKA"), False, "own-agency"),
    (who("IT-SCO", "dpo"), "contribute", None, False, "action-role"),
    (who("IT-SCO", "contributor"), "export", None, False, "action-role"),
    (who("IT-SCO", "dpo"), "erase", ActionTarget(owner="IT-SCO"), True, "erase-allowed"),
    (who("IT-SCO", "dpo"), "erase", ActionTarget(owner="DE-BKA"), False, "own-agency"),
    (who("IT-SCO", "dpo"), "erase", None, False, "own-agency"),
    (who(HUB_AGENCY, "dpo"), "erase", ActionTarget(owner="DE-BKA"), True, "erase-allowed"),
    (who("IT-SCO", "analyst"), "erase", ActionTarget(owner="IT-SCO"), False, "action-role"),
    (who("IT-SCO", "dpo"), "retention.run", None, False, "hub-only"),
    (who(HUB_AGENCY, SYSTEM_ROLE), "retention.run", None, True, "retention.run-allowed"),
    (
        who("IT-SCO", "analyst"),
        "consent.request",
        ActionTarget(owner="IT-SCO"),
        False,
        "owner-needs-no-consent",
    ),
    (
        who("IT-SCO", "contributor"),
        "consent.request",
        ActionTarget(owner="DE-BKA"),
        True,
        "consent.request-allowed",
    ),
    (who("IT-SCO", "contributor"), "consent.decide", ActionTarget(owner="DE-BKA"), False, "owner-decides"),
    (
        who("DE-BKA", "contributor"),
        "consent.decide",
        ActionTarget(owner="DE-BKA"),
        True,
        "consent.decide-allowed",
    ),
    (who("DE-BKA", "analyst"), "consent.decide", ActionTarget(owner="DE-BKA"), False, "action-role"),
    (
        who("IT-SCO", "supervisor", user="bob"),
        "consent.approve",
        ActionTarget(owner="DE-BKA", requester="bob", requester_agency="IT-SCO"),
        False,
        "four-eyes",
    ),
    (
        who("FR-OCRIEST", "supervisor", user="carla"),
        "consent.approve",
        ActionTarget(owner="DE-BKA", requester="bob", requester_agency="IT-SCO"),
        False,
        "approver-agency",
    ),
    (
        who("IT-SCO", "supervisor", user="carla"),
        "consent.approve",
        ActionTarget(owner="DE-BKA", requester="bob", requester_agency="IT-SCO"),
        True,
        "consent.approve-allowed",
    ),
    (who("IT-SCO", "admin"), "agencies.manage", None, False, "hub-only"),
    (
        who("IT-SCO", "admin"),
        "accounts.manage",
        ActionTarget(owner="IT-SCO"),
        True,
        "accounts.manage-allowed",
    ),
    (who("IT-SCO", "admin"), "accounts.manage", ActionTarget(owner="DE-BKA"), False, "own-agency"),
    (who(HUB_AGENCY, "dpo"), "audit.read", None, True, "audit.read-allowed"),
    (who("IT-SCO", "dpo"), "audit.read", None, False, "hub-only"),
    (who(HUB_AGENCY, "admin"), "audit.read", None, False, "action-role"),
    (who(HUB_AGENCY, "admin"), "audit.verify", None, True, "audit.verify-allowed"),
    # watchlists and alerts: the list owner's own, its analysts and supervisors only (the hub too)
    (
        who("IT-SCO", "analyst"),
        "watchlist.manage",
        ActionTarget(owner="IT-SCO"),
        True,
        "watchlist.manage-allowed",
    ),
    (who("IT-SCO", "contributor"), "watchlist.manage", ActionTarget(owner="IT-SCO"), False, "action-role"),
    (who("IT-SCO", "supervisor"), "watchlist.read", ActionTarget(owner="DE-BKA"), False, "list-owner"),
    (who(HUB_AGENCY, "supervisor"), "watchlist.read", ActionTarget(owner="IT-SCO"), False, "list-owner"),
    (
        who(HUB_AGENCY, "analyst"),
        "watchlist.manage",
        ActionTarget(owner=HUB_AGENCY),
        True,
        "watchlist.manage-allowed",
    ),
    (who("IT-SCO", "analyst"), "watchlist.read", None, False, "list-owner"),
    (who("IT-SCO", "analyst"), "alerts.read", ActionTarget(owner="IT-SCO"), True, "alerts.read-allowed"),
    (who("IT-SCO", "dpo"), "alerts.read", ActionTarget(owner="IT-SCO"), False, "action-role"),
    (who("FR-OCRIEST", "analyst"), "alerts.acknowledge", ActionTarget(owner="IT-SCO"), False, "list-owner"),
    (
        who("IT-SCO", "supervisor"),
        "alerts.acknowledge",
        ActionTarget(owner="IT-SCO"),
        True,
        "alerts.acknowledge-allowed",
    ),
    (who(HUB_AGENCY, SYSTEM_ROLE), "watchlist.check", None, True, "watchlist.check-allowed"),
    (who(HUB_AGENCY, "analyst"), "watchlist.check", None, False, "action-role"),
    # reports: analysts and supervisors write them (and the hub's scheduled processing); what they hold is
    # read through the viewer's own read policy
    (who("IT-SCO", "analyst"), "report.generate", None, True, "report.generate-allowed"),
    (who(HUB_AGENCY, SYSTEM_ROLE), "report.generate", None, True, "report.generate-allowed"),
    (who("IT-SCO", "contributor"), "report.generate", None, False, "action-role"),
    (who(HUB_AGENCY, "dpo"), "report.generate", None, False, "action-role"),
    (who("IT-SCO", SYSTEM_ROLE), "watchlist.check", None, False, "hub-only"),
    # early warnings: a run is the hub's; each recipient agency's analysts read their own warnings only
    (who(HUB_AGENCY, "admin"), "warnings.run", None, True, "warnings.run-allowed"),
    (who(HUB_AGENCY, SYSTEM_ROLE), "warnings.run", None, True, "warnings.run-allowed"),
    (who("IT-SCO", "supervisor"), "warnings.run", None, False, "hub-only"),
    (who("IT-SCO", "analyst", SYSTEM_ROLE), "warnings.detect", None, True, "warnings.detect-allowed"),
    (who("IT-SCO", "analyst"), "warnings.detect", None, False, "action-role"),
    (who("IT-SCO", "analyst"), "warnings.read", ActionTarget(owner="IT-SCO"), True, "warnings.read-allowed"),
    (who("IT-SCO", "analyst"), "warnings.read", ActionTarget(owner="DE-BKA"), False, "recipient-only"),
    (who(HUB_AGENCY, "supervisor"), "warnings.read", ActionTarget(owner="IT-SCO"), False, "recipient-only"),
    (who("IT-SCO", "contributor"), "warnings.read", ActionTarget(owner="IT-SCO"), False, "action-role"),
    (who("IT-SCO", "dpo"), "warnings.acknowledge", ActionTarget(owner="IT-SCO"), False, "action-role"),
]


@pytest.mark.parametrize(("viewer", "action", "target", "granted", "rule"), CASES)
def test_rules(viewer: Viewer, action: str, target: ActionTarget | None, granted: bool, rule: str) -> None:
    answer = allowed(viewer, action, target)  # type: ignore[arg-type]
    assert (answer.granted, answer.rule) == (granted, rule), answer.reason
    assert bool(answer) is granted and answer.action == action and answer.reason


def test_the_reason_names_what_is_missing() -> None:
    answer = allowed(who("IT-SCO", "contributor", user="cleo"), "erase", ActionTarget(owner="IT-SCO"))
    assert answer.reason == "erase needs one of the roles dpo, admin; cleo holds contributor"
    assert allowed(who("X", "analyst"), "launch", None).rule == "unknown-action"  # type: ignore[arg-type]


def test_every_action_has_roles_and_nobody_without_roles_may_act() -> None:
    nobody = Viewer("n", HUB_AGENCY, frozenset())
    for action in ACTIONS:
        assert not allowed(nobody, action, ActionTarget(owner=HUB_AGENCY)).granted, action
        # the hub's own data (for actions on data), another agency's (for asking an owner)
        mine = ActionTarget(
            owner="DE-BKA" if action in ("consent.request", "consent.override") else HUB_AGENCY
        )
        holders = [r for r in (*ROLES, SYSTEM_ROLE) if allowed(who(HUB_AGENCY, r), action, mine).granted]
        assert holders, f"no role may {action}"
    system = who(HUB_AGENCY, SYSTEM_ROLE)
    assert not allowed(system, "judge").granted and not allowed(system, "export").granted
