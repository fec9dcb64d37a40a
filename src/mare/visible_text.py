"""Text from contributions made safe to show: control and invisible formatting characters as escapes.

Values come from agencies' files, so they may hold ANSI escapes, bidirectional overrides and isolates
that reorder what follows them (U+202E makes "exe.doc" read "cod.exe"), zero-width characters that
hide a difference between two names, or the Unicode tag block. `visible` writes each such character
as an escape (``\\x1b``, ``\\u202e``) so it is inert and can be seen; the joiners U+200C and U+200D,
part of Persian and Indic names, are kept. The terminal (`mare.cli.display`), the web pages
(`mare.server.app`) and the reports (`mare.products.render`) all show values through it. Outside the
layers: it imports nothing of Mare, and every layer may use it.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

# C0 controls (but tab and newline), DEL and C1 controls; then the invisible formatting characters
# that reorder or hide text: bidi marks, embeddings, overrides and isolates, zero-width characters,
# line and paragraph separators, the BOM, interlinear annotation and the Unicode tag block.
CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
INVISIBLE = "\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f\u3164\ufeff\ufff9-\ufffb"
TAGS = "\U000e0000-\U000e007f"
_UNSAFE = re.compile(f"[{CONTROL}{INVISIBLE}{TAGS}]")
_UNSAFE_VALUE = re.compile(f"[\t\n{CONTROL}{INVISIBLE}{TAGS}]")


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


def template_value(value: Any) -> Any:
    """Jinja's `finalize` for HTML: every string a template prints made visible (tab and newline kept);
    markup the templates build themselves (macros, `tojson`) passes as it is, its values already done."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value, keep_lines=True)
    return value
