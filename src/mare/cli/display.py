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

# C0 controls (but tab and newline), DEL and C1 controls; then the invisible formatting characters
# that reorder or hide text: bidi marks, embeddings, overrides and isolates, zero-width characters,
# line and paragraph separators, the BOM, interlinear annotation and the Unicode tag block
# (the joiners U+200C and U+200D, part of Persian and Indic names, are kept).
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_INVISIBLE = "\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb"
_TAGS = "\U000e0000-\U000e007f"
_UNSAFE = re.compile(f"[{_CONTROL}{_INVISIBLE}{_TAGS}]")
_UNSAFE_VALUE = re.compile(f"[\t\n{_CONTROL}{_INVISIBLE}{_TAGS}]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x09:
        return "\\t"
    if code == 0x0A:
        return "\\n"
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def visible(text: str, *, keep_lines: bool = False) -> str:
    """Control and invisible formatting characters written as escapes (tab and newline kept if asked)."""
    pattern = _UNSAFE if keep_lines else _UNSAFE_VALUE
    return pattern.sub(_escape_char, text)


def shown(value: Any) -> str:
    """A data value as it may go into a Rich string or table cell: inert, visible, markup escaped."""
    if value is None:
        return ""
    return escape(visible(str(value)))


def json_safe(text: str) -> str:
    """JSON text with C1 controls and invisible formatting characters escaped as \\uXXXX (same data)."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_INVISIBLE}]")


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
