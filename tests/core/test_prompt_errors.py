"""Prompt argument errors reach the client as JSON-RPC invalid params (-32602) naming the argument, in both eras.

Before: the SDK wrapped every prompt failure in a bare ValueError (-32603 "Internal server error" in the 2026 era,
code 0 in the handshake era) and logged a traceback.
"""

from __future__ import annotations

import logging

import pytest
from mcp import MCPError
from mcp.types import INTERNAL_ERROR, INVALID_PARAMS

from secret_mcp.testing import connect, make_server, plugin_host
from tests.helpers import B

pytestmark = pytest.mark.anyio


async def refused(client, name: str, args: dict | None = None) -> MCPError:
    with pytest.raises(MCPError) as info:
        await client.get_prompt(name, args or {})
    assert "Traceback" not in info.value.message
    return info.value


async def test_bad_or_missing_prompt_arguments_are_invalid_params(mode, home, caplog):
    caplog.set_level(logging.DEBUG)
    async with connect(make_server(), mode) as client:
        # A value outside the prompt's Literal: the argument and the allowed values are named.
        bad_status = await refused(client, "governance_digest", {"status": "open"})
        # A value the prompt checks itself (SecretMCPError inside the prompt function).
        bad_voter = await refused(client, "governance_digest", {"voter": "secret1notanaddress"})
        # A required argument left out (core prompt).
        missing = await refused(client, "safe_transfer_checklist", {"amount": "1 SCRT"})
        # An argument the prompt does not take.
        extra = await refused(client, "portfolio_overview", {"adress": B})
        unknown = await refused(client, "no_such_prompt")
        huge = await refused(client, "governance_digest", {"voter": "secret1" + "q" * 100_000})
        # Good arguments still render, on the same connection.
        ok = await client.get_prompt("safe_transfer_checklist", {"recipient": B, "amount": "1 SCRT"})

    assert bad_status.code == INVALID_PARAMS
    assert "governance_digest" in bad_status.message and "'status'" in bad_status.message
    assert "'voting_period'" in bad_status.message and "ask again" in bad_status.message
    assert bad_status.data == {"prompt": "governance_digest", "arguments": ["status"]}

    assert bad_voter.code == INVALID_PARAMS
    assert "voter: not a valid bech32 address" in bad_voter.message and "notanaddress" not in bad_voter.message
    assert bad_voter.data["argument"] == "voter" and bad_voter.data["code"] == "INVALID_ADDRESS"
    assert bad_voter.data["suggestions"] and "secret1" in bad_voter.data["suggestions"][0]

    assert missing.code == INVALID_PARAMS
    assert "needs the argument 'recipient'" in missing.message and "safe_transfer_checklist" in missing.message
    assert missing.data == {"prompt": "safe_transfer_checklist", "missing": ["recipient"]}

    assert extra.code == INVALID_PARAMS and "no argument 'adress'" in extra.message and "address" in extra.message
    assert extra.data["unknown"] == ["adress"] and extra.data["arguments"] == ["address"]

    assert unknown.code == INVALID_PARAMS and "Unknown prompt 'no_such_prompt'" in unknown.message
    assert {"governance_digest", "safe_transfer_checklist", "portfolio_overview"} <= set(unknown.data["available"])

    # The bad value is not echoed at all (its length is): the message stays short by itself.
    assert huge.code == INVALID_PARAMS and len(huge.message) < 1_200 and "100007 characters given" in huge.message

    assert B in ok.messages[0].content.text
    # Argument errors are the caller's, not the server's: no traceback in the server log either.
    assert not [r for r in caplog.records if r.exc_info or r.exc_text], [r.getMessage() for r in caplog.records]


async def test_a_prompt_that_crashes_is_an_internal_error_without_details(mode, home, caplog):
    # A bug in a prompt (not an argument problem) stays -32603, its details in the server log only.
    from secret_mcp import hookimpl

    def broken_prompt(topic: str = "") -> str:
        """A prompt with a bug."""
        raise RuntimeError("secret internals: /home/someone/.config")

    class Pack:
        @hookimpl
        def secret_mcp_register(self, registry):
            registry.prompt(broken_prompt)

    host = plugin_host("network", register={"broken": Pack()})
    caplog.set_level(logging.DEBUG)
    async with connect(make_server(host=host), mode) as client:
        err = await refused(client, "broken_prompt", {"topic": "x"})
    assert err.code == INTERNAL_ERROR and "broken_prompt" in err.message and "internals" not in err.message
    assert any("broken_prompt" in r.getMessage() and (r.exc_info or r.exc_text) for r in caplog.records)
