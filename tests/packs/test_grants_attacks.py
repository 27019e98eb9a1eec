"""Agent grants attacked as a model acting on its own would: codes redeemed by another worker, plans the grants'
allow-lists do not cover, grants replaced while older ones stay. In-process MCP client on the sandbox."""

from __future__ import annotations

import pytest

from secret_mcp.testing import accept, balance, call_err, call_ok, connect, make_server, recording, sequence, server_on
from tests.helpers import B, C
from tests.redis_server import redis_client, redis_server, redis_url  # noqa: F401 (fixtures)

pytestmark = pytest.mark.anyio
NO_LIMITS = {"spend_limit_per_tx": "", "spend_limit_daily": "", "confirm": "always"}


async def _code(client, name: str, args: dict) -> str:
    asked = await client.call_tool(name, args)
    body = asked.structured_content
    assert asked.is_error and body["error"]["code"] == "CONFIRMATION_REQUIRED", body
    return body["confirmation_code"]


async def test_an_agent_code_is_redeemed_by_another_worker(mode, sandbox, home, redis_url, monkeypatch):
    # Two workers share the codes (Redis) and the file keystore: an agent-signed plan approved on one is signed by
    # the agent key on the other (before: CONFIRMATION_STALE, the other worker took the wallet's own key).
    monkeypatch.setenv("SECRET_MCP_KEYSTORE_PASSPHRASE", "test passphrase")
    cfg = dict(network="sandbox", lcd_urls=(sandbox.url,), chain_id=sandbox.chain.chain_id, cache_url=redis_url,
               state_key="k" * 32, **NO_LIMITS)
    async with connect(make_server(**cfg), mode) as one:
        made = await call_ok(one, "secret_create_wallet", {"name": "w", "persist": True, "backend": "file"})
        me = made["wallet"]["address"]
        sandbox.faucet(me, 20_000_000)
        await call_ok(one, "secret_confirm_transaction", {"code": await _code(
            one, "secret_grant_agent", {"send_limit": "1 SCRT", "fee_limit": "0.5 SCRT"})})
        code = await _code(one, "secret_send_tokens", {"recipient": B, "amount": "0.1 SCRT"})
        me0, b0 = balance(sandbox, me), balance(sandbox, B)
        async with connect(make_server(**cfg), mode) as two:
            await call_ok(two, "secret_set_active_wallet", {"name": "w"})
            done = await call_ok(two, "secret_confirm_transaction", {"code": code})
    sent = done["result"]
    assert done["status"] == "done" and sent["status"] == "success"
    assert sent["messages"] == ["/cosmos.authz.v1beta1.MsgExec"] and sent["sender"] == me
    fee = int(sent["fee"]["amount"])
    assert balance(sandbox, B) == b0 + 100_000 and balance(sandbox, me) == me0 - 100_000 - fee
    assert sequence(sandbox, me) == 1  # the grant only: the wallet's own key signed nothing else


def _bonded(sandbox) -> list[str]:
    from secret_sandbox_chain.testing import http

    vals = http().get(f"{sandbox.url}/cosmos/staking/v1beta1/validators").json()["validators"]
    return [v["operator_address"] for v in vals if v["status"] == "BOND_STATUS_BONDED" and not v["jailed"]]


async def test_a_plan_outside_the_grants_allow_lists_is_refused_before_signing(mode, sandbox, home):
    # A delegate to a validator, or a send to a recipient, outside the grant's allow-list: refused before signing,
    # naming the list (before: signed and broadcast with a fixed gas, the fee taken from the person's fee grant and
    # the chain's "unauthorized" shown as a rejected signature).
    vals = _bonded(sandbox)
    async with connect(server_on(sandbox, **NO_LIMITS), mode, elicitation_callback=accept) as client:
        me = (await call_ok(client, "secret_create_wallet", {"name": "w"}))["wallet"]["address"]
        sandbox.faucet(me, 20_000_000)
        granted = await call_ok(client, "secret_grant_agent", {
            "send_limit": "1 SCRT", "recipients": [B], "stake_limit": "2 SCRT", "validators": [vals[0]],
            "fee_limit": "0.5 SCRT"})
        agent = granted["agent"]
        me0 = balance(sandbox, me)
        for args in ({}, {"gas": 200_000}):
            err = await call_err(client, "secret_delegate", {"validator": vals[1], "amount": "1 SCRT", **args})
            assert err["code"] == "AGENT_NOT_AUTHORIZED", err
            assert err["details"]["missing"] == ["/cosmos.staking.v1beta1.MsgDelegate"]
            assert vals[1] in err["message"] and "allow-list" in err["message"]
            err = await call_err(client, "secret_send_tokens", {"recipient": C, "amount": "0.1 SCRT", **args})
            assert err["code"] == "AGENT_NOT_AUTHORIZED" and C in err["message"] and "allow-list" in err["message"]
            assert err["details"]["missing"] == ["/cosmos.bank.v1beta1.MsgSend"]
        assert balance(sandbox, me) == me0 and sequence(sandbox, agent) == 0  # nothing signed, no fee spent
        # inside the lists it goes through
        done = await call_ok(client, "secret_delegate", {"validator": vals[0], "amount": "1 SCRT"})
        assert done["messages"] == ["/cosmos.authz.v1beta1.MsgExec"]
        done = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "0.1 SCRT"})
        assert done["messages"] == ["/cosmos.authz.v1beta1.MsgExec"]


async def test_a_new_grant_says_which_earlier_grants_the_agent_keeps(mode, sandbox, home):
    # The chain replaces a grant of the same message type and keeps the others: a "send only" grant after a stake
    # and vote grant must not read as if the agent could then only send (before: the preview listed the new
    # grant alone).
    vals = _bonded(sandbox)
    callback, shown = recording(accept)
    async with connect(server_on(sandbox, **NO_LIMITS), mode, elicitation_callback=callback) as client:
        me = (await call_ok(client, "secret_create_wallet", {"name": "w"}))["wallet"]["address"]
        sandbox.faucet(me, 20_000_000)
        await call_ok(client, "secret_grant_agent", {"stake_limit": "5 SCRT", "validators": [vals[0]], "vote": True})
        assert "It keeps" not in shown[-1]
        await call_ok(client, "secret_grant_agent", {"send_limit": "0.1 SCRT", "stake_limit": "1 SCRT",
                                                     "validators": [vals[0]]})
        preview = shown[-1]
        assert "It keeps these earlier grants (revoke them with secret_revoke_grant):" in preview
        assert "- /cosmos.gov.v1.MsgVote (GenericAuthorization), until " in preview
        assert "MsgDelegate (StakeAuthorization)" not in preview.split("It keeps")[1]  # replaced, not kept
        listed = await call_ok(client, "secret_list_grants")
        assert {g["msg_type"] for g in listed["granted"] if g["msg_type"]} == {
            "/cosmos.bank.v1beta1.MsgSend", "/cosmos.staking.v1beta1.MsgDelegate", "/cosmos.gov.v1.MsgVote"}
