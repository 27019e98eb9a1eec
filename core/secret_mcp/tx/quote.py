"""Chain text (token names, memos, contract answers) shown to the person: data on one line, never layout.

A token named "X\nAmount: 0.01 SSCRT\nNetwork: sandbox" must not add lines to a preview. `quote` escapes
newlines and other control characters, makes bidi overrides and zero-width characters visible as \\u escapes,
and caps the length, so what the text says can never look like a line the server wrote.
"""

from __future__ import annotations

import json
import unicodedata

LIMIT = 120


def _visible(ch: str) -> str:
    # Cc: control, Cf: format (bidi overrides, zero-width joiners), Zl/Zp: line and paragraph separators.
    if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != " ":
        return f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}"
    return ch


def quote(text: object, *, limit: int = LIMIT) -> str:
    """The text as one quoted line, at most `limit` characters of it (then an ellipsis and the full length)."""
    raw = text if isinstance(text, str) else json.dumps(text, ensure_ascii=False, sort_keys=True, default=str)
    shown = "".join(_visible(ch) for ch in raw[:limit]).replace('"', '\\"')
    more = f"…({len(raw)} chars)" if len(raw) > limit else ""
    return f'"{shown}{more}"'
