"""Every tool of tools/list, called over stdio by ONE `secret-mcp serve` process against the sandbox chain.

The client has no elicitation, as Claude Desktop: each confirmation comes back as CONFIRMATION_REQUIRED and is
redeemed with secret_confirm_transaction. The test fails when tools/list has a tool this script never called,
so a new tool must be added here (with a real assertion on what it returns).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any

import bech32
import pytest

from tests.contracts.sandbox_addresses import COUNTER, TOKEN
from secret_mcp.testing import call_err, call_ok
from tests.helpers import A, B, C, MNEMONIC_A

BIN = Path(sys.executable).parent / "secret-mcp"
ATOM = "ibc/" + hashlib.sha256(b"transfer/channel-0/uatom").hexdigest().upper()  # the genesis voucher
COSMOS = bech32.bech32_encode("cosmos", bech32.convertbits(bytes([7] * 20), 8, 5))
WASM = b"\0asm\x01\0\0\0" + b"secret-mcp every-tool module"


class Script:
    """Calls tools, remembering which ones were called."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.called: set[str] = set()

    async def ok(self, name: str, args: dict | None = None) -> dict:
        self.called.add(name)
        return await call_ok(self.client, name, args)

    async def err(self, name: str, args: dict | None = None) -> dict:
        self.called.add(name)
        return await call_err(self.client, name, args)

    async def pending(self, name: str, args: dict) -> dict:
        """A call that needs the person: returns the CONFIRMATION_REQUIRED body (nothing done yet)."""
        self.called.add(name)
        result = await self.client.call_tool(name, args)
        body = result.structured_content
        assert result.is_error and body["error"]["code"] == "CONFIRMATION_REQUIRED", body
        assert body["preview"] and body["confirmation_code"]
        return body

    async def write(self, name: str, args: dict | None = None) -> dict:
        """A call the person may have to approve: a code asked for is redeemed; returns the tool's own result."""
        self.called.add(name)
        result = await self.client.call_tool(name, args or {})
        body = result.structured_content
        if not result.is_error:
            return body
        assert body["error"]["code"] == "CONFIRMATION_REQUIRED", body
        done = await self.ok("secret_confirm_transaction", {"code": body["confirmation_code"], "tool": name})
        assert done["tool"] == name and done["status"] == "done", done
        return done["result"]


@pytest.mark.anyio
async def test_every_tool_over_stdio(sandbox, tmp_path):
    from mcp import Client, StdioServerParameters

    wasm = tmp_path / "tiny.wasm"
    wasm.write_bytes(WASM)
    env = {**os.environ, "SECRET_MCP_HOME": str(tmp_path / "home"), "SECRET_MCP_NETWORK": "sandbox",
           "SECRET_MCP_LCD_URL": sandbox.url, "SECRET_MCP_SANDBOX_URLS": sandbox.url, "SECRET_MCP_CHAIN_ID": sandbox.chain.chain_id}
    params = StdioServerParameters(command=str(BIN), args=["serve"], env=env)
    async with Client(params) as client:
        listed = {t.name for t in (await client.list_tools()).tools}
        s = Script(client)
        await network_reads(s, sandbox)
        me = await wallets(s)
        await bank_and_transactions(s, me)
        await blockchain_and_accounts(s, me)
        await staking_and_rewards(s, me)
        await governance(s, me)
        await contracts(s, me, wasm)
        await tokens(s, me)
        await ibc(s, me)
        await grants_and_signing(s, me)
        await network_switch(s, sandbox)
        await wallet_removal(s)
    missing = listed - s.called
    assert not missing, f"tools/list has tools this script never calls: {sorted(missing)}"
    assert len(listed) >= 60


async def network_reads(s: Script, sandbox: Any) -> None:
    info = await s.ok("secret_get_network_info")
    assert info["chain_id"] == sandbox.chain.chain_id and info["simulated"] is True
    gas = await s.ok("secret_get_gas_prices")
    assert gas["denom"] == "uscrt" and gas["low"]["gas_price"] == gas["node_minimum"] == info["minimum_gas_price"]
    health = await s.ok("secret_health_check")
    assert health["status"] == "ok" and health["endpoints"][0]["url"] == sandbox.url


async def wallets(s: Script) -> str:
    made = await s.ok("secret_create_wallet", {"name": "main"})
    me = made["wallet"]["address"]
    assert me.startswith("secret1") and made["wallet"]["storage"] == "memory" and made["wallet"]["active"] is True
    other = await s.ok("secret_import_wallet", {"name": "other", "mnemonic": MNEMONIC_A})
    assert other["wallet"]["address"] == A and other["warnings"]
    watch = await s.ok("secret_import_wallet", {"name": "watch", "address": B})
    assert watch["wallet"]["watch_only"] is True
    listed = await s.ok("secret_list_wallets")
    assert {w["name"] for w in listed["wallets"]} == {"main", "other", "watch"} and listed["active"] == "main"
    switched = await s.ok("secret_set_active_wallet", {"name": "other"})
    assert switched["address"] == A and switched["active"] is True
    await s.ok("secret_set_active_wallet", {"name": "main"})
    active = await s.ok("secret_get_active_wallet")
    assert active["active"]["address"] == me
    refused = await s.err("secret_export_wallet", {"name": "main"})
    assert refused["code"] == "EXPORT_NOT_AVAILABLE"
    funded = await s.ok("secret_sandbox_faucet", {"address": me, "amount_uscrt": 500_000_000})
    assert funded["address"] == me and funded["balance_uscrt"] == 500_000_000
    return me


async def bank_and_transactions(s: Script, me: str) -> None:
    bal = await s.ok("secret_get_balance")
    assert bal["address"] == me and int(bal["uscrt"]) == 500_000_000
    meta = await s.ok("secret_get_denom_metadata", {"denom": "uscrt"})
    assert meta["metadatas"][0]["base"] == "uscrt"
    supply = await s.ok("secret_get_total_supply", {"denom": "uscrt"})
    assert supply["supply"][0]["denom"] == "uscrt" and int(supply["supply"][0]["amount"]) > 500_000_000
    sent = await s.write("secret_send_tokens", {"recipient": B, "amount": "1.5 SCRT", "memo": "every tool"})
    assert sent["status"] == "success" and len(sent["txhash"]) == 64
    multi = await s.write("secret_multi_send", {"recipients": [{"address": B, "amount": "1uscrt"},
                                                                   {"address": C, "amount": "2uscrt"}]})
    assert multi["messages"] == ["/cosmos.bank.v1beta1.MsgMultiSend"] and multi["status"] == "success"
    est = await s.ok("secret_estimate_gas", {"recipient": B, "amount": "1 SCRT"})
    assert 0 < est["gas_used"] < est["gas_limit"] and est["sender"] == me
    msg = {"@type": "/cosmos.bank.v1beta1.MsgSend", "from_address": me, "to_address": B,
           "amount": [{"denom": "uscrt", "amount": "5"}]}
    sim = await s.ok("secret_simulate_transaction", {"messages": [msg]})
    assert sim["would_succeed"] is True and sim["gas_used"] > 0
    got = await s.ok("secret_get_transaction", {"hash": sent["txhash"]})
    assert got["txhash"] == sent["txhash"] and got["memo"] == "every tool"
    status = await s.ok("secret_get_transaction_status", {"hash": sent["txhash"]})
    assert status["status"] == "success" and status["height"] == sent["height"]
    found = await s.ok("secret_search_transactions", {"query": f"message.sender='{me}'", "order": "asc"})
    assert [t["txhash"] for t in found["txs"]][:2] == [sent["txhash"], multi["txhash"]]


async def blockchain_and_accounts(s: Script, me: str) -> None:
    latest = await s.ok("secret_get_latest_block")
    block = await s.ok("secret_get_block", {"height": latest["height"]})
    by_hash = await s.ok("secret_get_block_by_hash", {"hash": block["hash"]})
    assert block["height"] == latest["height"] == by_hash["height"] > 1
    node = await s.ok("secret_get_node_info")
    assert node["network"] == block["chain_id"]
    sync = await s.ok("secret_get_syncing_status")
    assert sync["syncing"] is False
    account = await s.ok("secret_get_account")
    assert account["address"] == me and int(account["sequence"]) == 2
    history = await s.ok("secret_get_account_transactions", {"role": "sent"})
    assert len(history["txs"]) == 2
    count = await s.ok("secret_get_account_tx_count")
    assert count["sent"] == 2


async def staking_and_rewards(s: Script, me: str) -> None:
    vals = (await s.ok("secret_get_validators", {"status": "bonded", "jailed": False}))["validators"]
    v1, v2 = vals[0]["operator_address"], vals[1]["operator_address"]
    one = await s.ok("secret_get_validator", {"validator": v1})
    assert one["operator_address"] == v1 and one["moniker"]
    put = await s.write("secret_delegate", {"validator": v1, "amount": "20 SCRT"})
    assert put["status"] == "success"
    moved = await s.write("secret_redelegate", {"source_validator": v1, "destination_validator": v2, "amount": "5 SCRT"})
    assert moved["status"] == "success"
    out = await s.write("secret_undelegate", {"validator": v1, "amount": "3 SCRT"})
    assert out["status"] == "success"
    held = await s.ok("secret_get_delegations")
    assert {d["validator_address"]: d["amount"]["amount"] for d in held["delegations"]} == {v1: "12000000", v2: "5000000"}
    unbonding = await s.ok("secret_get_unbonding")
    assert [(e["validator_address"], e["amount"]["amount"]) for e in unbonding["entries"]] == [(v1, "3000000")]
    redelegations = await s.ok("secret_get_redelegations")
    assert [(e["source_validator"], e["destination_validator"]) for e in redelegations["entries"]] == [(v1, v2)]
    rewards = await s.ok("secret_get_rewards")
    assert rewards["delegator"] == me and {v["validator_address"] for v in rewards["validators"]} == {v1, v2}
    withdrawn = await s.write("secret_withdraw_rewards")
    assert withdrawn["status"] == "success" and int(withdrawn["withdrawn"]["amount"]) > 0
    batch = await s.write("secret_batch", {"calls": [
        {"tool": "secret_delegate", "arguments": {"validator": v2, "amount": "1 SCRT"}},
        {"tool": "secret_send_tokens", "arguments": {"recipient": me, "amount": "1uscrt"}}]})
    assert batch["status"] == "success" and [st["tool"] for st in batch["steps"]] == ["secret_delegate", "secret_send_tokens"]
    changed = await s.write("secret_set_withdraw_address", {"address": me})
    assert changed["status"] == "success" and changed["withdraw_address"] == me
    pool = await s.ok("secret_get_community_pool")
    assert float(pool["uscrt"]) > 0 and pool["pool"][0]["denom"] == "uscrt"


async def governance(s: Script, me: str) -> None:
    listed = await s.ok("secret_get_proposals", {"status": "voting_period"})
    open_id = listed["proposals"][0]["id"]
    one = await s.ok("secret_get_proposal", {"proposal_id": open_id})
    assert one["status"] == "voting_period"
    sub = await s.write("secret_submit_proposal", {"title": "Every tool", "summary": "A stdio walk.",
                                                       "initial_deposit": "2 SCRT"})
    assert sub["status"] == "success" and sub["proposal_status"] == "deposit_period"
    dep = await s.write("secret_deposit_proposal", {"proposal_id": sub["proposal_id"], "amount": "1 SCRT"})
    assert dep["status"] == "success"
    vote = await s.write("secret_vote_proposal", {"proposal_id": open_id, "option": "yes"})
    assert vote["status"] == "success"
    mine = await s.ok("secret_get_vote", {"proposal_id": open_id})
    assert mine["voted"] is True and mine["options"] == [{"option": "yes", "weight": "1"}]


async def contracts(s: Script, me: str, wasm: Path) -> None:
    before = (await s.ok("secret_query_contract", {"address": COUNTER, "query_msg": {"get_count": {}}}))["answer"]
    inc = await s.write("secret_execute_contract", {"contract": COUNTER, "msg": {"increment": {}}})
    assert inc["responses"][0]["data"] == {"increment": {"count": before["count"] + 1}}
    both = await s.write("secret_batch_execute", {"messages": [{"contract": COUNTER, "msg": {"increment": {}}}] * 2})
    assert [r["data"]["increment"]["count"] for r in both["responses"]] == [before["count"] + 2, before["count"] + 3]
    up = await s.write("secret_upload_contract", {"path": str(wasm)})
    code_id = up["responses"][0]["code_id"]
    codes = await s.ok("secret_list_codes")
    assert code_id in [c["code_id"] for c in codes["codes"]]
    info = await s.ok("secret_get_code_info", {"code_id": code_id})
    assert info["code_hash"] == hashlib.sha256(WASM).hexdigest()
    made = await s.write("secret_instantiate_contract", {"code_id": 2, "init_msg": {"count": 5},
                                                             "label": "every-tool", "admin": me})
    mine = made["responses"][0]["address"]
    contract = await s.ok("secret_get_contract_info", {"address": mine})
    assert contract["admin"] == me and contract["code_id"] == 2 and contract["label"] == "every-tool"
    migrated = await s.write("secret_migrate_contract", {"contract": mine, "code_id": 2, "msg": {}})
    assert migrated["status"] == "success"
    history = await s.ok("secret_get_contract_history", {"address": mine})
    assert [e["operation"] for e in history["entries"]] == ["INIT", "MIGRATE"]


async def tokens(s: Script, me: str) -> None:
    listed = await s.ok("secret_token_list")
    assert TOKEN in [t["address"] for t in listed["tokens"]]
    info = await s.ok("secret_token_info", {"token": TOKEN})
    assert info["decimals"] == 6
    added = await s.ok("secret_token_add", {"address": TOKEN})
    assert added["symbol"] == info["symbol"]
    await s.write("secret_execute_contract", {"contract": TOKEN, "msg": {"deposit": {}}, "funds": "3000000uscrt"})
    made = await s.write("secret_token_create_viewing_key", {"token": TOKEN})
    assert made["stored"] is True and made["kept_in"] == "memory" and "api_key" not in str(made)
    by_made = await s.ok("secret_token_balance", {"token": TOKEN})
    assert by_made["amount"] == "3000000"
    chosen = await s.write("secret_token_set_viewing_key", {"token": TOKEN, "key": "every tool key"})
    assert chosen["stored"] is True and "every tool key" not in str(chosen)
    sent = await s.write("secret_token_transfer", {"token": TOKEN, "recipient": B, "amount": "1"})
    assert sent["status"] == "success"
    passed = await s.write("secret_token_send", {"token": TOKEN, "recipient": C, "amount": "0.5"})
    assert passed["status"] == "success"
    left = await s.ok("secret_token_balance", {"token": TOKEN})
    assert left["amount"] == "1500000"
    permit = await s.ok("secret_token_create_permit", {"permit_name": "p", "tokens": [TOKEN]})
    assert permit["signer"] == me and permit["allowed_tokens"] == [TOKEN]
    history = await s.ok("secret_token_history", {"token": TOKEN, "permit_name": "p"})
    assert history["total"] == 3 and [next(iter(tx["action"])) for tx in history["txs"]] == ["transfer", "transfer", "deposit"]
    forgot = await s.ok("secret_token_forget_key", {"permit_name": "p"})
    assert forgot["forgotten"] is True


async def ibc(s: Script, me: str) -> None:
    channels = await s.ok("secret_get_ibc_channels")
    assert "channel-0" in [c["channel_id"] for c in channels["channels"]]
    channel = await s.ok("secret_get_ibc_channel", {"channel": "channel-0"})
    assert channel["port_id"] == "transfer"
    trace = await s.ok("secret_get_ibc_denom_trace", {"denom": ATOM})
    assert trace["base_denom"] == "uatom"
    out = await s.write("secret_ibc_transfer", {"channel": "channel-0", "receiver": COSMOS, "amount": "1 SCRT"})
    assert out["status"] == "success"
    status = await s.ok("secret_get_ibc_transfer_status", {"channel": "channel-0",
                                                           "sequence": out["packet"]["sequence"]})
    assert status["send_txhash"] == out["txhash"] and status["status"] in ("pending", "acknowledged")


async def grants_and_signing(s: Script, me: str) -> None:
    none = await s.ok("secret_list_grants")
    assert none["address"] == me and none["granted"] == [] and none["agent_mode"] is False
    granted = await s.write("secret_grant_agent", {"send_limit": "1 SCRT", "fee_limit": "0.5 SCRT", "days": 1})
    assert granted["status"] == "success" and granted["agent_mode"] is True and granted["agent"].startswith("secret1")
    listed = await s.ok("secret_list_grants")
    assert listed["agent"] == granted["agent"] and listed["agent_mode"] is True and listed["granted"]
    revoked = await s.write("secret_revoke_grant")
    assert revoked["status"] == "success"
    after = await s.ok("secret_list_grants")
    assert after["granted"] == [] and after["agent_mode"] is False
    # A signed tx for a request this server never opened is refused before anything is broadcast.
    unknown = await s.err("secret_submit_signed_transaction", {"request_id": "nope", "tx_bytes": "AAAA"})
    assert unknown["code"] == "SIGNING_REQUEST_UNKNOWN"


async def network_switch(s: Script, sandbox: Any) -> None:
    same = await s.ok("secret_configure_network", {"network": "sandbox", "lcd_url": [sandbox.url],
                                                   "chain_id": sandbox.chain.chain_id})
    assert same["chain_id"] == sandbox.chain.chain_id
    # Mainnet needs the person, and this client cannot ask: refused, with no code the model could redeem.
    err = await s.err("secret_configure_network", {"network": "mainnet"})
    assert err["code"] == "PERSON_MUST_CONFIGURE" and "confirmation_code" not in err["details"]
    info = await s.ok("secret_get_network_info")
    assert info["name"] == "sandbox"


async def wallet_removal(s: Script) -> None:
    out = await s.write("secret_remove_wallet", {"name": "other"})
    assert out["removed"] == "other"
    listed = await s.ok("secret_list_wallets")
    assert {w["name"] for w in listed["wallets"]} == {"main", "watch"}
