"""secret_batch over stdio, both protocol eras: withdraw rewards, delegate them and send, as ONE transaction."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from mcp.types import ElicitResult

from secret_mcp.testing import balance, call_err, call_ok, sequence
from tests.helpers import B

pytestmark = pytest.mark.anyio
BIN = Path(sys.executable).parent / "secret-mcp"


async def test_withdraw_delegate_and_send_in_one_transaction_over_stdio(mode, sandbox, tmp_path):
    from mcp import Client, StdioServerParameters

    shown: list[str] = []

    async def approve(_ctx, params):
        shown.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    env = {**os.environ, "SECRET_MCP_HOME": str(tmp_path), "SECRET_MCP_NETWORK": "sandbox",
           "SECRET_MCP_LCD_URL": sandbox.url, "SECRET_MCP_SANDBOX_URLS": sandbox.url,
           "SECRET_MCP_CHAIN_ID": sandbox.chain.chain_id}
    async with Client(StdioServerParameters(command=str(BIN), args=["serve"], env=env), mode=mode,
                      elicitation_callback=approve) as client:
        me = (await call_ok(client, "secret_create_wallet", {"name": "w"}))["wallet"]["address"]
        sandbox.faucet(me, 30_000_000)
        vals = (await call_ok(client, "secret_get_validators", {"status": "bonded", "jailed": False}))["validators"]
        v1 = vals[0]["operator_address"]
        await call_ok(client, "secret_delegate", {"validator": v1, "amount": "20 SCRT"})
        sandbox.chain.advance(blocks=50)
        pending = int(float((await call_ok(client, "secret_get_rewards", {}))["total_uscrt"]))
        # Spend more than the wallet holds alone: only the rewards withdrawn first in the same tx make it possible.
        spare = balance(sandbox, me)
        assert pending > 600_000, pending  # enough rewards that the delegation below needs them
        delegate = spare - 200_000 + pending // 2
        before_b, start, asked = balance(sandbox, B), sequence(sandbox, me), len(shown)
        out = await call_ok(client, "secret_batch", {"calls": [
            {"tool": "secret_withdraw_rewards", "arguments": {}},
            {"tool": "secret_delegate", "arguments": {"validator": v1, "amount": f"{delegate}uscrt"}},
            {"tool": "secret_send_tokens", "arguments": {"recipient": B, "amount": "1000uscrt"}},
        ]})
        # A failing step (a validator that does not exist) moves nothing: no question, no signature.
        bad = await call_err(client, "secret_batch", {"calls": [
            {"tool": "secret_send_tokens", "arguments": {"recipient": B, "amount": "1000uscrt"}},
            {"tool": "secret_delegate", "arguments": {"validator": v1[:-4] + "qqqq", "amount": "1 SCRT"}},
        ]})
    assert out["status"] == "success" and len(shown) == asked + 1
    assert out["messages"] == ["/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
                               "/cosmos.staking.v1beta1.MsgDelegate", "/cosmos.bank.v1beta1.MsgSend"]
    assert [s["tool"] for s in out["steps"]] == ["secret_withdraw_rewards", "secret_delegate", "secret_send_tokens"]
    preview = shown[-1]
    assert "Step 1: " in preview and "Step 2: " in preview and "Step 3: " in preview and "Sign doc: " in preview
    assert balance(sandbox, B) == before_b + 1000 and sequence(sandbox, me) == start + 1
    assert bad["code"] in ("INVALID_ADDRESS", "INVALID_INPUT", "VALIDATOR_NOT_FOUND")
    assert sequence(sandbox, me) == start + 1 and balance(sandbox, B) == before_b + 1000
