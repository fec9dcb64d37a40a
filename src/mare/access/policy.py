"""The one access policy: may this viewer see this data, for this purpose, and why.

Every read path (repository, search, cross-check, analyses, products, exports, API, pages, CLI)
asks `decide()`; nothing reads hub data around it. Rules follow ../DOMAIN.md: data-owner
principle, handling codes H0-H3, hit/no-hit for minors and restricted data; a superseded version
of a contribution is history, read for oversight only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, get_args

Visibility = Literal["full", "hit", "none"]
Purpose = Literal["crime_fighting", "judicial", "oversight", "administration"]
PURPOSES: tuple[Purpose, ...] = ("crime_fighting", "judicial", "oversight", "administration")
ROLES = ("contributor", "analyst", "supervisor", "dpo", "admin")
HUB_AGENCY = "HUB"

CAVEATS = {
    "H0": "H0: use only to prevent and combat crime.",
    "H1": "H1: not to be used in judicial proceedings without the provider's permission.",
    "H2": "H2: not to be passed on without the provider's permission.",
    "H3": "H3: other restrictions apply — see the provider's conditions.",
}


@dataclass(frozen=True, slots=True)
class Viewer:
    """Someone reading hub data: a user of an agency, with roles."""

    user: str
    agency: str
    roles: frozenset[str] = frozenset({"analyst"})

    @property
    def is_hub(self) -> bool:
        """True for staff of the hub itself."""
        return self.agency == HUB_AGENCY

    def has(self, *roles: str) -> bool:
        """True when the viewer holds any of these roles."""
        return any(r in self.roles for r in roles)


@dataclass(frozen=True, slots=True)
class DataMeta:
    """What the policy needs to know about a piece of data (never its content)."""

    owner: str
    handling_code: str
    restrictions: dict[str, Any] | None = None
    minor: bool = False
    kind: str = "record"
    superseded: bool = False  # its contribution was replaced by a newer version (kept for oversight)


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer, with the rule that gave it and the caveats to show beside the data."""

    visibility: Visibility
    rule: str
    reason: str
    caveats: tuple[str, ...] = field(default_factory=tuple)

    @property
    def full(self) -> bool:
        """True when the content may be shown."""
        return self.visibility == "full"


def _restriction_caveats(meta: DataMeta) -> tuple[str, ...]:
    caveats = [CAVEATS.get(meta.handling_code, "")]
    text = (meta.restrictions or {}).get("text")
    if text:
        caveats.append(f"Provider's conditions: {text}")
    return tuple(c for c in caveats if c)


def decide(
    viewer: Viewer,
    meta: DataMeta,
    purpose: Purpose = "crime_fighting",
    today: date | None = None,
    consented: bool = False,
) -> Decision:
    """Decide what of this data the viewer may see, for this purpose."""
    caveats = _restriction_caveats(meta)
    if meta.superseded and purpose != "oversight":
        return Decision(
            "none",
            "superseded",
            f"{meta.owner} replaced this with a newer version of its contribution; "
            "earlier versions are kept for oversight only",
        )
    if viewer.agency == meta.owner:
        return Decision("full", "owner", f"{viewer.agency} owns this data", caveats)
    if purpose == "oversight":
        if viewer.is_hub and viewer.has("dpo", "supervisor"):
            return Decision(
                "full",
                "oversight",
                "hub supervisor or data-protection officer, for oversight only",
                (*caveats, "For oversight only."),
            )
        return Decision("none", "oversight-role", "oversight needs the hub's supervisor or DPO role")
    if not viewer.has("analyst", "supervisor"):
        return Decision(
            "hit",
            "role",
            "only analysts see other agencies' data; you are told that "
            f"a match exists and to ask {meta.owner}",
        )
    if consented:
        return Decision(
            "full",
            "consent",
            f"released to {viewer.agency} by {meta.owner}'s consent (or an approved threat-to-life override)",
            caveats,
        )
    if meta.minor:
        return Decision("hit", "minor", f"data on minors answer hit/no-hit only: ask {meta.owner}")
    rules = meta.restrictions or {}
    code = meta.handling_code
    if code == "H3" or rules:
        denied = rules.get("agencies_denied") or []
        allowed = rules.get("agencies_allowed") or []
        if viewer.agency in denied:
            return Decision("hit", "h3-denied", f"{meta.owner} denies access to {viewer.agency}")
        if allowed and viewer.agency not in allowed and not viewer.is_hub:
            return Decision("hit", "h3-allowed", f"{meta.owner} shares this only with {', '.join(allowed)}")
        expires = rules.get("expires")
        if expires and date.fromisoformat(expires) < (today or date.today()):
            return Decision(
                "hit",
                "h3-expired",
                f"{meta.owner}'s permission expired on {expires}; ask them again",
            )
        if rules.get("ask_first"):
            return Decision(
                "hit", "h3-ask-first", f"{meta.owner} asks to be consulted first: request consent"
            )
    if code == "H2" and not viewer.is_hub:
        return Decision(
            "hit",
            "h2",
            f"H2: not passed on to other agencies without {meta.owner}'s permission: request consent",
        )
    if code == "H1" and purpose == "judicial":
        return Decision("hit", "h1-judicial", f"H1: not for judicial use without {meta.owner}'s permission")
    if purpose not in ("crime_fighting", "judicial"):
        return Decision("none", "purpose", f"purpose {purpose!r} does not allow reading content")
    return Decision(
        "full",
        f"{code.lower()}-analyst",
        f"{code} data open to analysts for crime-fighting purposes",
        caveats,
    )


# --- actions ----------------------------------------------------------------------------------

Action = Literal[
    "review",  # read the review queue: candidate pairs and their explanations
    "judge",  # record same / not same on a candidate pair
    "crosscheck",  # re-run the cross-check over everything held
    "contribute",  # send a contribution on behalf of an agency
    "export",  # bulk export of records
    "erase",  # erase records now
    "retention.read",  # list records due for review
    "retention.extend",  # keep a record past its review date
    "retention.run",  # erase every record whose review is due
    "consent.request",  # ask an owner to release a record
    "consent.decide",  # grant or refuse a request, as the owner
    "consent.override",  # start a threat-to-life override
    "consent.approve",  # approve another person's override (four eyes)
    "accounts.read",  # list users, agencies and tokens
    "accounts.manage",  # add or disable users and their tokens
    "agencies.manage",  # register or disable agencies
    "audit.verify",  # verify the audit chain and read its head
    "audit.read",  # read or export audit entries
    "notifications.read",  # read the viewer's agency's notifications
    "watchlist.read",  # list the viewer's agency's watchlists and their entries
    "watchlist.manage",  # create a watchlist, add and remove its entries
    "watchlist.check",  # match records against every agency's watchlists (the hub's own processing)
    "alerts.read",  # read the alerts raised on the viewer's agency's watchlists
    "alerts.acknowledge",  # acknowledge such an alert
    "warnings.run",  # run the early-warning detectors for every recipient agency
    "warnings.detect",  # the detectors' own reads under one recipient's view (the hub's own processing)
    "warnings.read",  # read the early warnings raised for the viewer's agency
    "warnings.acknowledge",  # acknowledge such a warning
    "report.generate",  # write a report (daily, vessels, initiation, notification, situation)
]
ACTIONS: tuple[Action, ...] = get_args(Action)
SYSTEM_ROLE = "system"

_ACTION_ROLES: dict[str, tuple[str, ...]] = {
    "review": ("analyst", "supervisor"),
    "judge": ("analyst", "supervisor"),
    "crosscheck": ("analyst", "supervisor", "admin", SYSTEM_ROLE),
    "contribute": ("contributor", "analyst", "supervisor", "admin", SYSTEM_ROLE),
    "export": ("analyst", "supervisor"),
    "erase": ("dpo", "admin"),
    "retention.read": ("supervisor", "dpo", "admin"),
    "retention.extend": ("supervisor", "dpo", "admin"),
    "retention.run": ("dpo", "admin", SYSTEM_ROLE),
    "consent.request": ROLES,
    "consent.decide": ("contributor", "supervisor", "admin"),
    "consent.override": ("analyst", "supervisor", "admin"),
    "consent.approve": ("supervisor", "admin"),
    "accounts.read": ("supervisor", "dpo", "admin"),
    "accounts.manage": ("admin",),
    "agencies.manage": ("admin",),
    "audit.verify": ("supervisor", "dpo", "admin"),
    "audit.read": ("supervisor", "dpo"),
    "notifications.read": ROLES,
    "watchlist.read": ("analyst", "supervisor"),
    "watchlist.manage": ("analyst", "supervisor"),
    "watchlist.check": (SYSTEM_ROLE,),
    "alerts.read": ("analyst", "supervisor"),
    "alerts.acknowledge": ("analyst", "supervisor"),
    "report.generate": ("analyst", "supervisor", SYSTEM_ROLE),
    "warnings.run": ("analyst", "supervisor", "admin", SYSTEM_ROLE),
    "warnings.detect": (SYSTEM_ROLE,),
    "warnings.read": ("analyst", "supervisor"),
    "warnings.acknowledge": ("analyst", "supervisor"),
}
#: Actions only the hub's own staff may take (whatever their roles at an agency).
_HUB_ONLY = frozenset(
    {
        "crosscheck",
        "retention.run",
        "agencies.manage",
        "audit.verify",
        "audit.read",
        "watchlist.check",
        "warnings.run",
    }
)
#: Actions on another agency's data or accounts that only the hub's staff may take; others act on their own.
_OWN_AGENCY_UNLESS_HUB = frozenset(
    {"contribute", "erase", "retention.read", "retention.extend", "accounts.read", "accounts.manage"}
)

#: Actions on a list owner's own data (watchlists and their alerts): the owner agency only, the hub included
#: (the hub's staff keep lists of their own but neither read nor manage another agency's).
_LIST_OWNER_ONLY = frozenset({"watchlist.read", "watchlist.manage", "alerts.read", "alerts.acknowledge"})
#: Early warnings belong to their recipient agency: only its analysts read and acknowledge them.
_RECIPIENT_ONLY = frozenset({"warnings.read", "warnings.acknowledge"})


@dataclass(frozen=True, slots=True)
class ActionTarget:
    """What an action is about (never content): the agency that owns it, and who asked for it."""

    owner: str | None = None
    requester: str | None = None
    requester_agency: str | None = None


@dataclass(frozen=True, slots=True)
class Permission:
    """The answer to `allowed()`, with the rule that gave it and a human reason."""

    granted: bool
    action: str
    rule: str
    reason: str

    def __bool__(self) -> bool:
        return self.granted


def allowed(viewer: Viewer, action: Action, target: ActionTarget | None = None) -> Permission:
    """May this viewer take this action on this target? The rule that fired and why."""
    target = target or ActionTarget()
    if action not in _ACTION_ROLES:
        return Permission(False, action, "unknown-action", f"unknown action {action!r}")
    roles = _ACTION_ROLES[action]
    if not viewer.has(*roles):
        return Permission(
            False,
            action,
            "action-role",
            f"{action} needs one of the roles {', '.join(roles)}; "
            f"{viewer.user} holds {', '.join(sorted(viewer.roles)) or 'none'}",
        )
    if action in _HUB_ONLY and not viewer.is_hub:
        return Permission(False, action, "hub-only", f"{action} is reserved to the hub's staff")
    if action in _OWN_AGENCY_UNLESS_HUB and not viewer.is_hub and target.owner not in (None, viewer.agency):
        return Permission(
            False,
            action,
            "own-agency",
            f"{action} on {target.owner}'s data or accounts is for {target.owner} or the hub",
        )
    if action in _OWN_AGENCY_UNLESS_HUB and not viewer.is_hub and target.owner is None:
        return Permission(False, action, "own-agency", f"{action} across agencies is for the hub's staff")
    if action in _LIST_OWNER_ONLY and target.owner != viewer.agency:
        return Permission(
            False,
            action,
            "list-owner",
            f"{action}: watchlists and their alerts are {target.owner or 'their owner'}'s own; "
            f"only {target.owner or 'the owner agency'} reads or manages them",
        )
    if action in _RECIPIENT_ONLY and target.owner not in (None, viewer.agency):
        return Permission(
            False,
            action,
            "recipient-only",
            f"{action}: early warnings for {target.owner} are computed from what {target.owner} may see; "
            f"only {target.owner} reads them",
        )
    if action in ("consent.request", "consent.override") and target.owner == viewer.agency:
        return Permission(
            False, action, "owner-needs-no-consent", "your agency owns this record: no consent is needed"
        )
    if action == "consent.decide" and target.owner != viewer.agency:
        return Permission(
            False, action, "owner-decides", f"only the owner ({target.owner}) decides on this request"
        )
    if action == "consent.approve":
        if viewer.user == target.requester:
            return Permission(
                False, action, "four-eyes", "four eyes: the override must be approved by a second person"
            )
        if viewer.agency not in (target.requester_agency, HUB_AGENCY):
            return Permission(
                False,
                action,
                "approver-agency",
                "the approver must belong to the requesting agency or the hub",
            )
    return Permission(
        True,
        action,
        f"{action}-allowed",
        f"{viewer.user} ({viewer.agency}, {', '.join(sorted(viewer.roles))}) may {action}",
    )
