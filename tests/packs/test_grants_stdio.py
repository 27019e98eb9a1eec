"""Issue 18's done test, over stdio (`secret-mcp serve` as a subprocess), both eras, with the server's own
spending limits switched off: grant -> the agent key sends within the limit, the fee paid by the granter -> a send
beyond the limit is refused BY THE CHAIN (included in a block, failed) -> revoke -> the agent holds nothing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from mnemonic import Mnemonic
from secret_sdk.key.mnemonic import MnemonicKey

from tests.helpers import call_err, call_ok
from tests.tx.fixtures import B, accept, balance, home, sandbox  # noqa: F401

BIN = Path(sys.executable).parent / "secret-mcp"
pytestmark = pytest.mark.anyio


def _lcd(sandbox, path: str, **params) -> tuple[int, dict]:
    from secret_sandbox_chain.testing import http

    r = http().get(f"{sandbox.url}{path}", params=params)
    return r.status_code, r.json()


def _fee_payer(tx: dict) -> str | None:
    payers = [e["attributes"]["fee_payer"] for e in tx["events"] if e["type"] == "tx" and "fee_payer" in e["attributes"]]
    return payers[0] if len(payers) == 1 else None


async def test_agent_grant_limit_enforced_by_the_chain_over_stdio(mode, sandbox, home):
    from mcp import Client, StdioServerParameters

    phrase = Mnemonic("english").generate(256)
    me = MnemonicKey(phrase).acc_address
    sandbox.faucet(me, 20_000_000)
    config = home / "no-limits.toml"  # the server's own limits off: only the chain's remain
    config.write_text('spend_limit_per_tx = ""\nspend_limit_daily = ""\n')
    env = {**os.environ, "SECRET_MCP_HOME": str(home), "SECRET_MCP_NETWORK": "sandbox", "SECRET_MCP_CONFIG": str(config),
           "SECRET_MCP_LCD_URL": sandbox.url, "SECRET_MCP_CHAIN_ID": sandbox.chain.chain_id}
    params = StdioServerParameters(command=str(BIN), args=["serve"], env=env)
    async with Client(params, mode=mode, elicitation_callback=accept) as client:
        await call_ok(client, "secret_import_wallet", {"name": "w", "mnemonic": phrase})
        granted = await call_ok(client, "secret_grant_agent", {"send_limit": "1 SCRT", "fee_limit": "0.5 SCRT", "days": 1})
        agent = granted["agent"]
        assert granted["status"] == "success" and granted["agent_mode"] is True

        me0, b0 = balance(sandbox, me), balance(sandbox, B)
        sent = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "0.4 SCRT"})
        assert sent["messages"] == ["/cosmos.authz.v1beta1.MsgExec"] and _fee_payer(sent) == me
        fee = int(sent["fee"]["amount"])
        assert balance(sandbox, B) == b0 + 400_000 and balance(sandbox, me) == me0 - 400_000 - fee
        assert balance(sandbox, agent) == 0  # the agent key never holds funds

        # 0.7 SCRT > the 0.6 SCRT left: with a fixed gas limit the tx goes to the chain, which includes and fails it
        me1 = balance(sandbox, me)
        err = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "0.7 SCRT", "gas": 80_000})
        assert err["code"] == "GRANT_LIMIT_EXCEEDED" and err["details"]["stage"] == "deliver"
        assert err["details"]["raw_log"] == ("failed to execute message; message index: 0: requested amount is more "
                                             "than spend limit: insufficient funds")
        assert err["details"]["height"] > 0  # in a block: the chain refused, not this server
        assert balance(sandbox, B) == b0 + 400_000 and balance(sandbox, me) == me1 - 1_000  # the fee only (80 000 gas)
        _, grants = _lcd(sandbox, "/cosmos/authz/v1beta1/grants", granter=me, grantee=agent)
        assert grants["grants"][0]["authorization"]["spend_limit"] == [{"denom": "uscrt", "amount": "600000"}]

        revoked = await call_ok(client, "secret_revoke_grant")
        assert revoked["status"] == "success" and _fee_payer(revoked) == me
        listed = await call_ok(client, "secret_list_grants")
        assert listed["agent"] == agent and listed["agent_mode"] is False and listed["granted"] == []

    # on chain the agent key can do nothing: no authorization, no fee allowance, no funds
    assert _lcd(sandbox, "/cosmos/authz/v1beta1/grants", granter=me, grantee=agent)[1]["grants"] == []
    assert _lcd(sandbox, f"/cosmos/authz/v1beta1/grants/grantee/{agent}")[1]["grants"] == []
    status, body = _lcd(sandbox, f"/cosmos/feegrant/v1beta1/allowance/{me}/{agent}")
    assert status == 404 and body["message"] == "fee-grant not found: not found"
    assert balance(sandbox, agent) == 0
