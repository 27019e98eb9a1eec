"""The send path over stdio (`secret-mcp serve` as a subprocess, as Claude Desktop runs it), both eras."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from mnemonic import Mnemonic
from secret_sdk.key.mnemonic import MnemonicKey

from secret_mcp.testing import accept, balance, call_err, call_ok
from tests.helpers import B

BIN = Path(sys.executable).parent / "secret-mcp"


@pytest.mark.anyio
async def test_send_over_stdio(mode, sandbox, home):
    from mcp import Client, StdioServerParameters

    phrase = Mnemonic("english").generate(256)
    me = MnemonicKey(phrase).acc_address
    sandbox.faucet(me, 10_000_000)
    env = {**os.environ, "SECRET_MCP_HOME": str(home), "SECRET_MCP_NETWORK": "sandbox",
           "SECRET_MCP_LCD_URL": sandbox.url, "SECRET_MCP_CHAIN_ID": sandbox.chain.chain_id}
    params = StdioServerParameters(command=str(BIN), args=["serve"], env=env)
    before_me, before_b = balance(sandbox, me), balance(sandbox, B)
    async with Client(params, mode=mode, elicitation_callback=accept) as client:
        await call_ok(client, "secret_import_wallet", {"name": "w", "mnemonic": phrase})
        out = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "0.25 SCRT"})
        bad = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "0.0000001 SCRT"})
    assert out["status"] == "success" and bad["code"] == "AMOUNT_TOO_PRECISE"
    assert balance(sandbox, B) == before_b + 250_000
    assert balance(sandbox, me) == before_me - 250_000 - int(out["fee"]["amount"])
