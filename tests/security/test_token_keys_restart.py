"""Viewing keys and permits outlive the server: two `secret-mcp serve` processes in turn, one home, file keystore."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from mnemonic import Mnemonic
from secret_sdk.key.mnemonic import MnemonicKey

from tests.contracts.sandbox_addresses import TOKEN
from secret_mcp.testing import accept, call_err, call_ok

BIN = Path(sys.executable).parent / "secret-mcp"
HAND_KEY = "hand made viewing key 42"


@pytest.mark.anyio
async def test_viewing_key_and_permit_survive_a_restart(sandbox, tmp_path):
    from mcp import Client, StdioServerParameters

    phrase = Mnemonic("english").generate(256)
    me = MnemonicKey(phrase).acc_address
    sandbox.faucet(me, 20_000_000)
    env = {**os.environ, "SECRET_MCP_HOME": str(tmp_path), "SECRET_MCP_NETWORK": "sandbox",
           "SECRET_MCP_LCD_URL": sandbox.url, "SECRET_MCP_CHAIN_ID": sandbox.chain.chain_id,
           "SECRET_MCP_KEYSTORE_PASSPHRASE": "a passphrase for the test"}
    params = StdioServerParameters(command=str(BIN), args=["serve"], env=env)
    async with Client(params, elicitation_callback=accept) as first:
        await call_ok(first, "secret_import_wallet", {"name": "keep", "mnemonic": phrase, "persist": True,
                                                      "backend": "file"})
        await call_ok(first, "secret_execute_contract", {"contract": TOKEN, "msg": {"deposit": {}},
                                                         "funds": "2000000uscrt"})
        kept = await call_ok(first, "secret_token_set_viewing_key", {"token": TOKEN, "key": HAND_KEY})
        permit = await call_ok(first, "secret_token_create_permit", {"permit_name": "p", "tokens": [TOKEN]})
    async with Client(params) as second:  # a new process: nothing in memory, the same home
        await call_ok(second, "secret_set_active_wallet", {"name": "keep"})
        by_key = await call_ok(second, "secret_token_balance", {"token": TOKEN})
        by_permit = await call_ok(second, "secret_token_history", {"token": TOKEN, "permit_name": "p"})
        forgot = await call_ok(second, "secret_token_forget_key", {"token": "SSCRT"})
        gone = await call_err(second, "secret_token_balance", {"token": TOKEN})
    assert kept["stored"] is True and kept["kept_in"] == "file" and permit["kept_in"] == "file"
    assert by_key["amount"] == "2000000" and by_key["address"] == me
    assert [next(iter(tx["action"])) for tx in by_permit["txs"]] == ["deposit"]
    assert forgot == {"address": me, "token": TOKEN, "permit_name": None, "forgotten": True}
    assert gone["code"] == "NO_VIEWING_KEY"
    assert (tmp_path / "data" / "keystore" / "secrets" / "keep.json").exists()
    # Neither the key nor the permit's signature is in clear in any file of the home (keystore, audit, cache).
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert HAND_KEY.encode() not in data and b"tendermint/PubKeySecp256k1" not in data, path
