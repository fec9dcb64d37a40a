"""Showing data on a terminal safely: one escaping function for every value a command prints.

Values come from contributions, so they may hold anything: ANSI or OSC-8 escape sequences,
clear-screen codes, bidirectional overrides that reorder what follows, or Rich markup such as
``[/]`` (which would crash the print) or ``[bold red]`` (which would restyle it). `shown` makes a
value inert and visible: control and invisible formatting characters are written as escapes
(``\\x1b``, ``\\u202e``) and markup is escaped so it prints as written. Every command prints data
values through `shown`; `SafeConsole` is the second wall for anything that slips through: it
makes control characters visible in every string it renders, and prints a line whose markup
does not parse as plain text instead of failing.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.errors import MarkupError
from rich.markup import escape
from rich.text import Text

from mare.visible_text import INVISIBLE, visible

__all__ = ["SafeConsole", "json_safe", "shown", "visible"]


def shown(value: Any) -> str:
    """A data value as it may go into a Rich string or table cell: inert, visible, markup escaped."""
    if value is None:
        return ""
    return escape(visible(str(value)))


def json_safe(text: str) -> str:
    """JSON text with C1 controls and invisible formatting characters escaped as \\uXXXX (same data)."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{INVISIBLE}]")


class SafeConsole(Console):
    """A Rich console that never lets a control character through, nor fails on markup."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("emoji", False)  # a name ":smile:" stays as written
        super().__init__(**kwargs)

    def render_str(self, text: str, **kwargs: Any) -> Text:
        """Every string rendered (prints, table cells, titles): escapes made visible, bad markup plain."""
        text = visible(text, keep_lines=True)
        try:
            return super().render_str(text, **kwargs)
        except MarkupError:
            kwargs["markup"] = False
            return super().render_str(text, **kwargs)
