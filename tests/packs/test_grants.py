"""The grants pack and the agent signer, in-process through the MCP client on the sandbox (both eras):
grant -> the agent sends within the limit (MsgExec, fee from the granter) -> beyond the limit the chain refuses
-> a plan outside the grant is refused before signing -> revoke -> agent mode off and nothing left on chain."""

from __future__ import annotations

import pytest

from tests.contracts.sandbox_addresses import COUNTER
from secret_mcp.testing import accept, balance, call_err, call_ok, connect, funded_wallet, recording, server_on
from tests.helpers import B

pytestmark = pytest.mark.anyio
NO_LIMITS = {"spend_limit_per_tx": "", "spend_limit_daily": "", "confirm": "always"}


async def _grants(sandbox, granter: str, grantee: str) -> list[dict]:
    from secret_sandbox_chain.testing import http

    r = http().get(f"{sandbox.url}/cosmos/authz/v1beta1/grants", params={"granter": granter, "grantee": grantee})
    return r.json()["grants"]


async def test_grant_send_beyond_refuse_revoke(mode, sandbox, home):
    callback, shown = recording(accept)
    async with connect(server_on(sandbox, **NO_LIMITS), mode=mode, elicitation_callback=callback) as client:
        me = await funded_wallet(client, sandbox, uscrt=20_000_000)
        granted = await call_ok(client, "secret_grant_agent", {"send_limit": "1 SCRT", "fee_limit": "0.5 SCRT", "days": 2})
        agent = granted["agent"]
        assert granted["status"] == "success" and granted["agent_mode"] is True and agent.startswith("secret1")
        preview = shown[-1]
        assert f"Agent key {agent}: held by this server, no funds of its own." in preview
        assert "- send up to 1 SCRT (1000000uscrt) in total from w, to any address" in preview
        assert "- spend up to 0.5 SCRT (500000uscrt) of w's funds on its own transaction fees" in preview
        assert "Revoke everything at any time with secret_revoke_grant (one transaction)." in preview
        assert balance(sandbox, agent) == 0

        listed = await call_ok(client, "secret_list_grants")
        assert listed["agent"] == agent and listed["agent_mode"] is True
        kinds = {g["kind"]: g for g in listed["granted"]}
        assert kinds["SendAuthorization"]["remaining"][0]["amount"] == "1000000"
        assert kinds["SendAuthorization"]["msg_type"] == "/cosmos.bank.v1beta1.MsgSend"
        assert kinds["BasicAllowance"]["remaining"][0]["amount"] == "500000" and kinds["BasicAllowance"]["expiration"]

        # within the limit: signed by the agent key as MsgExec, the fee taken from the wallet through the grant
        me0, b0 = balance(sandbox, me), balance(sandbox, B)
        sent = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "0.4 SCRT"})
        assert sent["messages"] == ["/cosmos.authz.v1beta1.MsgExec"]
        assert "Signed by the agent key " + agent in shown[-1]
        fee = int(sent["fee"]["amount"])
        assert balance(sandbox, B) == b0 + 400_000 and balance(sandbox, me) == me0 - 400_000 - fee
        assert balance(sandbox, agent) == 0
        # the audit names the person's wallet as "from" and the agent key as the signer, never the agent as "from"
        [entry] = [e for e in _audit(home) if e["tool"] == "secret_send_tokens"]
        assert entry["from"] == me and entry["signer"] == agent and entry["outcome"] == "success"
        assert all(e.get("from") in (None, me) for e in _audit(home, raw=True))
        left = await call_ok(client, "secret_list_grants")
        assert {g["kind"]: g for g in left["granted"]}["SendAuthorization"]["remaining"][0]["amount"] == "600000"

        # beyond the limit, server limits off: the chain refuses (its simulation, then with a fixed gas its block)
        err = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "0.7 SCRT"})
        assert err["code"] == "GRANT_LIMIT_EXCEEDED" and "requested amount is more than spend limit" in err["message"]
        assert err["details"]["stage"] == "simulate"
        err = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "0.7 SCRT", "gas": 80_000})
        assert err["code"] == "GRANT_LIMIT_EXCEEDED" and err["details"]["stage"] == "deliver" and err["details"]["code"] == 5
        assert "requested amount is more than spend limit" in err["details"]["raw_log"]
        assert balance(sandbox, B) == b0 + 400_000

        # a plan outside the grant is refused before signing, naming the missing authorization
        err = await call_err(client, "secret_delegate", {"validator": _any_validator(sandbox), "amount": "1 SCRT"})
        assert err["code"] == "AGENT_NOT_AUTHORIZED" and err["details"]["missing"] == ["/cosmos.staking.v1beta1.MsgDelegate"]
        # Secret's enclave never runs a contract call under MsgExec: refused before signing, saying why
        err = await call_err(client, "secret_execute_contract", {"contract": COUNTER, "msg": {"increment": {}}})
        assert err["code"] == "AGENT_NOT_AUTHORIZED" and "enclave" in err["message"]
        assert err["details"]["missing"] == ["/secret.compute.v1beta1.MsgExecuteContract"]

        revoked = await call_ok(client, "secret_revoke_grant")
        assert revoked["status"] == "success"
        assert await _grants(sandbox, me, agent) == []
        after = await call_ok(client, "secret_list_grants")
        assert after["agent_mode"] is False and after["granted"] == []


def _audit(home, raw: bool = False) -> list[dict]:
    """The audit log's lines (raw), or one entry per attempt with its updates folded in."""
    import json

    lines = [json.loads(x) for x in (home / "state" / "audit.jsonl").read_text().splitlines()]
    if raw:
        return lines
    entries: dict[str, dict] = {}
    for line in lines:
        entries.setdefault(line["id"], {}).update({k: v for k, v in line.items() if v is not None})
    return list(entries.values())


def _any_validator(sandbox) -> str:
    from secret_sandbox_chain.testing import http

    vals = http().get(f"{sandbox.url}/cosmos/staking/v1beta1/validators").json()["validators"]
    return next(v["operator_address"] for v in vals if v["status"] == "BOND_STATUS_BONDED" and not v["jailed"])


async def test_grant_input_errors(sandbox, home):
    async with connect(server_on(sandbox), elicitation_callback=accept) as client:
        await funded_wallet(client, sandbox, uscrt=5_000_000)
        err = await call_err(client, "secret_grant_agent", {})
        assert err["code"] == "INVALID_INPUT"
        err = await call_err(client, "secret_grant_agent", {"stake_limit": "1 SCRT"})
        assert err["code"] == "INVALID_INPUT" and err["details"]["field"] == "validators"
        err = await call_err(client, "secret_revoke_grant")
        assert err["code"] == "NO_AGENT"


async def test_the_servers_own_limits_still_apply_in_agent_mode(sandbox, home):
    # The same chain as a "custom" network, where the server's limits apply (as they would on mainnet).
    limited = {"network": "custom", "spend_limit_per_tx": "uscrt=300000", "spend_limit_daily": ""}
    async with connect(server_on(sandbox, **limited), elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox, uscrt=5_000_000)
        granted = await call_ok(client, "secret_grant_agent", {"send_limit": "1 SCRT", "fee_limit": "0.1 SCRT"})
        b0 = balance(sandbox, B)
        err = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "0.4 SCRT"})
        assert err["code"] == "POLICY_REFUSED" and "per-transaction limit" in err["message"]
        assert balance(sandbox, B) == b0
        grants = await _grants(sandbox, me, granted["agent"])
        assert grants[0]["authorization"]["spend_limit"] == [{"denom": "uscrt", "amount": "1000000"}]  # untouched


async def test_grant_meets_the_allow_list_through_its_recipients(sandbox, home):
    # Before, the agent's own address counted as a receiver, so with an allow-list every grant was refused.
    from tests.helpers import C as stranger

    callback, shown = recording(accept)
    config = {**NO_LIMITS, "allowed_recipients": (B,)}
    async with connect(server_on(sandbox, **config), mode="auto", elicitation_callback=callback) as client:
        await funded_wallet(client, sandbox, uscrt=5_000_000)
        refused = await call_err(client, "secret_grant_agent", {"send_limit": "1 SCRT", "recipients": [stranger]})
        assert refused["code"] == "POLICY_REFUSED" and "allow-list" in refused["message"] and shown == []
        granted = await call_ok(client, "secret_grant_agent", {"send_limit": "1 SCRT", "recipients": [B]})
        assert granted["status"] == "success" and f"To: {B} (on the allow-list)" in shown[-1]
