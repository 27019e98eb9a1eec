"""redact_text skips each shape scan that cannot match (too short, no gap, no "="); the answer must be the same."""

from __future__ import annotations

import importlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

r = importlib.import_module("secret_mcp.security.redact")  # the package re-exports a function by that name
WORDS = ["abandon", "ability", "able", "about", "above", "absent", "act", "add"]
PIECES = st.one_of(
    st.text(alphabet="0123456789abcdefABCDEF", min_size=1, max_size=70),  # hex runs around 64
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", min_size=1, max_size=50),
    st.sampled_from(WORDS + [" ", ", ", '"', "'", "api_key_", "viewing_key: ", "set_viewing_key", "key", ":", "/txs/",
                             "-", "_", "\\n", "\\u0020", "1. ", "2) ", "\u200b", "ａｂｌｅ", "ABOUT", "abuot",
                             "abovex",
                             "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03", "hash: ", "="]),
    st.text(max_size=5),
)


def slow(text: str) -> str:
    """The same function with every scan run."""
    r._SHORTCUTS = False
    try:
        return r.redact_text(text)
    finally:
        r._SHORTCUTS = True


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))  # 30: room for a phrase with its separators
def test_shortcut_changes_nothing(text):
    assert r.redact_text(text) == slow(text)


@pytest.mark.parametrize("text", [
    "A" * 43 + "=",  # base64 of 32 bytes: exactly the shortest shape, so it is scanned
    "viewing_key: 'short'",  # labelled: short but still removed
    "api_key_abc",  # a generated viewing key
])
def test_short_secret_shapes_are_still_removed(text):
    assert r.redact_text(text) != text and r.REDACTED in r.redact_text(text)


def test_a_registered_short_secret_is_removed_quoted_or_whole():
    r.register_secret("Zq7!shortpass")
    assert r.redact_text("Zq7!shortpass") == r.REDACTED
    assert r.redact_text("key 'Zq7!shortpass'") == f"key '{r.REDACTED}'"
