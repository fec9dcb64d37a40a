"""The hub's closed lists that option help texts name, importable without the hub.

Typer reads every command's options when `mare` starts (even for `--help`), and the modules that
define these lists load the store, DuckDB and more. So the lists are written here once more, and
tests/test_cli_startup.py checks each equals its source, which stays the one the code obeys.
"""

from __future__ import annotations

#: mare.hub.accounts.AGENCY_TYPES
AGENCY_TYPES = ("member_state", "partner", "international_organisation", "hub")
#: mare.hub.audit.ACTIONS
ACTIONS = (
    "collection", "alteration", "consultation", "disclosure", "combination", "erasure", "login",
    "authorisation", "consent", "override", "retention", "administration", "processing",
)  # fmt: skip
#: mare.hub.profiles.SUSPECT_CATEGORIES
SUSPECT_CATEGORIES = ("suspect", "convicted")
#: mare.hub.search.QUERY_KINDS
QUERY_KINDS = ("name", "place", "phone", "email", "handle", "iban", "imo", "mmsi", "document", "plate")
#: mare.hub.watchlists.ENTRY_KINDS
ENTRY_KINDS = ("person", "phone", "document", "plate", "vessel", "iban", "handle", "email")
#: mare.hub.search.MAX_LIMIT
MAX_LIMIT = 500
