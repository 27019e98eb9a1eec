"""Error messages never echo huge inputs: a long value is cut to its start plus "…(N chars)" and every text is
capped (errors.shorten, applied where an error is serialized), while the code and structure stay intact."""

from __future__ import annotations

import re

import pytest

from secret_mcp.errors import MAX_TEXT, SecretMCPError, shorten
from secret_mcp.security.redact import REDACTED
from secret_mcp.testing import call_err, connect, make_server
from tests.security.test_keys import MNEMONIC, PRIVKEY

BIG = "Q" * 100_000

# tool, arguments carrying the 100 KB value, the error code it must still give
CASES = [
    ("secret_token_info", {"token": BIG}, "UNKNOWN_TOKEN"),
    ("secret_get_balance", {"address": BIG}, "INVALID_ADDRESS"),
    ("secret_set_active_wallet", {"name": BIG}, "UNKNOWN_WALLET"),
    ("secret_configure_network", {"network": BIG}, "UNKNOWN_NETWORK"),
    ("secret_get_transaction", {"hash": BIG}, "INVALID_TX_HASH"),
]
NOT_ECHOED = {"INVALID_ADDRESS", "INVALID_TX_HASH"}


@pytest.mark.anyio
async def test_a_100kb_argument_comes_back_short_and_structured(mode, home):
    async with connect(make_server(), mode) as client:
        for name, args, code in CASES:
            result = await client.call_tool(name, args)
            err = await call_err(client, name, args)
            assert err["code"] == code, (name, err)
            assert len(err["message"]) <= MAX_TEXT + 40, (name, len(err["message"]))
            if code in NOT_ECHOED:  # validators name the field and the value's length, never the value
                assert "100000 characters given" in err["message"] and "QQ" not in err["message"], err["message"]
            else:  # the cut value: 100,000 characters plus the quotes / full stop around it in the message
                assert re.search(r"…\(10000[0-5] chars\)", err["message"]), (name, err["message"])
                assert "Q" * 60 in err["message"] and "Q" * 65 not in err["message"]  # its start, for recognition
            assert all(len(s) <= MAX_TEXT + 40 for s in err["suggestions"])
            assert len(str(err.get("details", {}))) < 2_000, (name, err.get("details"))
            text = result.content[0].text  # the text form shows the same shortened message
            assert len(text) < 3_000 and text.startswith(f"Error {code}: ")
            assert "chars)" in text or "characters given" in text


def test_short_texts_are_untouched_and_shortening_is_stable():
    normal = "Not found on sandbox (secret-sandbox-1): tx " + "AB" * 32 + " not found"
    assert shorten(normal) == normal
    once = shorten("value " + "z" * 5_000 + " end")
    assert once == "value " + "z" * 64 + "…(5000 chars) end" and shorten(once) == once


def test_long_text_without_a_long_value_is_capped():
    words = "lorem ipsum " * 20_000
    out = shorten(words)
    assert len(out) <= MAX_TEXT + 40 and out.endswith(f"…(cut, {len(words)} chars in all)")


def test_cutting_never_leaves_part_of_a_secret():
    # A key glued to a long value, and a phrase straddling the cut: both are redacted before anything is cut, so
    # no half key or 11-word tail of a phrase survives for later redaction to miss.
    glued = shorten(f"bad value {PRIVKEY}" + "x" * 1_000)
    assert PRIVKEY[:16] not in glued and glued.startswith(f"bad value {REDACTED}x")
    straddling = shorten("y " * 480 + MNEMONIC)
    assert not any(word in straddling for word in MNEMONIC.split()[:3]) and REDACTED in straddling


def test_the_exception_keeps_its_full_text_for_the_core():
    # The core reads some messages back (e.g. a contract's encrypted error, decrypted after the fact): only the
    # client's copy is shortened.
    exc = SecretMCPError("CHAIN_ERROR", "encrypted: " + "A" * 2_000, ["s" * 3_000], {"chain_message": "B" * 5_000})
    assert exc.message == "encrypted: " + "A" * 2_000 and len(exc.details["chain_message"]) == 5_000
    body = exc.to_dict()
    assert body["message"] == "encrypted: " + "A" * 64 + "…(2000 chars)"
    assert body["suggestions"] == ["s" * 64 + "…(3000 chars)"]
    assert body["details"] == {"chain_message": "B" * 64 + "…(5000 chars)"}
