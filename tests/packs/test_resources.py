"""Resources and prompts through a real MCP client in both protocol eras, against the sandbox chain."""

from __future__ import annotations

import json

import pytest

from secret_mcp import resources, testing
from secret_mcp.testing import call_ok, connect

UNFUNDED = "secret1me70k2r7x9r9tp2d8qnj0m5t5vmk5q0elr9dd6"
WALLET_KEYS = {"name", "address", "watch_only", "storage", "persisted", "active", "signer"}


def make_server(**config):
    host = testing.plugin_host("network", "wallet", "sandbox")
    assert host.pm.is_registered(resources)  # the core's resources come with every host
    return testing.make_server(host=host, **config)


async def read(client, uri: str) -> dict:
    result = await client.read_resource(uri)
    assert result.contents[0].mime_type == "application/json"
    return json.loads(result.contents[0].text)


@pytest.mark.anyio
async def test_lists_static_resources_templates_and_prompts(mode, home):
    async with connect(make_server(), mode) as client:
        static = {str(r.uri) for r in (await client.list_resources()).resources}
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert {resources.SESSION_STATE, resources.NETWORK_CONFIG, resources.WALLETS_LIST} <= static
    assert {"secret://account/{address}", "secret://tx/{hash}"} <= templates
    assert {"portfolio_overview", "safe_transfer_checklist"} <= set(prompts)
    assert {a.name: a.required for a in prompts["safe_transfer_checklist"].arguments} == {"recipient": True, "amount": True}


@pytest.mark.anyio
async def test_session_state_and_wallets_follow_the_tools(mode, home):
    async with connect(make_server(), mode) as client:
        before = await read(client, resources.SESSION_STATE)
        assert await read(client, resources.WALLETS_LIST) == {"wallets": [], "active": None}
        made = await call_ok(client, "secret_create_wallet", {"name": "main"})
        await call_ok(client, "secret_import_wallet", {"name": "watch", "address": UNFUNDED})
        after = await read(client, resources.SESSION_STATE)
        wallets = await read(client, resources.WALLETS_LIST)
    assert before["state"] == "network_configured" and before["active_wallet"] is None
    assert before["network"] == {"name": "sandbox", "chain_id": "secret-sandbox-1", "kind": "sandbox", "simulated": True}
    assert before["connected"] is False  # reading state must not start the chain
    address = made["wallet"]["address"]
    assert after["state"] == "active" and after["active_wallet"] == {"name": "main", "address": address}
    assert after["wallet_count"] == 2
    assert wallets["active"] == "main"
    assert [(w["name"], w["address"], w["watch_only"], w["persisted"]) for w in wallets["wallets"]] == [
        ("main", address, False, False), ("watch", UNFUNDED, True, False)]
    assert all(set(w) == WALLET_KEYS for w in wallets["wallets"])  # public facts only, nothing else
    assert [w["signer"] for w in wallets["wallets"]] == ["server_key", None]  # a watched address signs nothing


@pytest.mark.anyio
async def test_network_config(mode, home):
    async with connect(make_server(), mode) as client:
        config = await read(client, resources.NETWORK_CONFIG)
        await call_ok(client, "secret_configure_network", {"network": "localsecret"})
        local = await read(client, resources.NETWORK_CONFIG)
    assert config["preset"] == "sandbox" and config["chain_id"] == "secret-sandbox-1" and config["simulated"] is True
    assert config["gas_price"].endswith("uscrt") and {"mainnet", "testnet", "sandbox"} <= set(config["available"])
    assert local["preset"] == "localsecret" and local["chain_id"] == "secretdev-1" and local["simulated"] is False
    assert local["lcd_endpoints"] == ["http://localhost:1317"]


@pytest.mark.anyio
async def test_account_and_tx_templates(mode, home):
    async with connect(make_server(), mode) as client:
        wallet = (await call_ok(client, "secret_create_wallet", {"name": "w"}))["wallet"]["address"]
        funded = await call_ok(client, "secret_sandbox_faucet", {"address": wallet, "amount_uscrt": 3_000_000})
        acct = await read(client, f"secret://account/{wallet}")
        empty = await read(client, f"secret://account/{UNFUNDED}")
        tx = await read(client, f"secret://tx/{funded['txhash']}")
        missing = await read(client, "secret://tx/" + "AB" * 32)
        bad = await read(client, "secret://account/secret1nope")
    assert acct["exists"] is True and acct["network"] == "sandbox" and acct["simulated"] is True
    assert {"denom": "uscrt", "amount": "3000000"}.items() <= next(
        b for b in acct["balances"] if b["denom"] == "uscrt").items()
    assert empty["exists"] is False and empty["balances"] == [] and empty["sequence"] is None
    assert tx["status"] == "success" and tx["txhash"] == funded["txhash"].upper() and tx["height"] > 0
    assert "MsgSend" in tx["message_types"] and tx["summary"].startswith("MsgSend: success")
    assert missing["status"] == "not_found"
    assert bad["error"]["code"] == "INVALID_ADDRESS"


@pytest.mark.anyio
async def test_prompts_render_with_arguments(mode, home):
    async with connect(make_server(), mode) as client:
        check = await client.get_prompt("safe_transfer_checklist", {"recipient": UNFUNDED, "amount": "2 SCRT"})
        overview = await client.get_prompt("portfolio_overview", {})
    text = check.messages[0].content.text
    assert UNFUNDED in text and "2 SCRT" in text and "secret_confirm_transaction" in text
    assert "active wallet" in overview.messages[0].content.text


@pytest.mark.anyio
async def test_network_switch_notifies_subscribers():
    # Only the 2026-07-28 era can subscribe (subscriptions/listen); handshake-era MCPServer has no resources/subscribe.
    import anyio

    async with connect(make_server(), "auto") as client:
        async with client.listen(resource_subscriptions=[resources.NETWORK_CONFIG, resources.SESSION_STATE]) as sub:
            await call_ok(client, "secret_configure_network", {"network": "localsecret"})
            seen = set()
            with anyio.fail_after(5):
                async for event in sub:
                    seen.add(str(event.uri))
                    if len(seen) == 2:
                        break
    assert seen == {resources.NETWORK_CONFIG, resources.SESSION_STATE}


@pytest.mark.anyio
@pytest.mark.filterwarnings("ignore:resources/(un)?subscribe is removed")  # the handshake era is what is tested here
async def test_network_switch_notifies_handshake_era_subscribers():
    import anyio

    seen: list[str] = []
    got = anyio.Event()

    async def on_message(message):
        uri = getattr(getattr(message, "params", None), "uri", None)
        if getattr(message, "method", None) == "notifications/resources/updated":
            seen.append(str(uri))
            got.set()

    async with connect(make_server(), "legacy", message_handler=on_message) as client:
        assert client.server_capabilities.resources.subscribe is True
        await client.subscribe_resource(resources.NETWORK_CONFIG)
        await call_ok(client, "secret_configure_network", {"network": "localsecret"})
        with anyio.fail_after(5):
            await got.wait()
        await client.unsubscribe_resource(resources.NETWORK_CONFIG)
        await call_ok(client, "secret_configure_network", {"network": "sandbox"})
        await anyio.sleep(0.2)  # an unsubscribed URI must stay quiet
    assert seen == [resources.NETWORK_CONFIG]  # session/state was never subscribed here


@pytest.mark.anyio
async def test_address_arguments_complete_with_wallet_addresses(mode, home):
    from mcp.types import PromptReference, ResourceTemplateReference

    async with connect(make_server(), mode) as client:
        made = (await call_ok(client, "secret_create_wallet", {"name": "main"}))["wallet"]["address"]
        await call_ok(client, "secret_import_wallet", {"name": "watch", "address": UNFUNDED})
        account = ResourceTemplateReference(uri="secret://account/{address}")
        every = await client.complete(account, {"name": "address", "value": "secret1"})
        one = await client.complete(account, {"name": "address", "value": made[:12]})
        prompt = await client.complete(PromptReference(name="safe_transfer_checklist"), {"name": "amount", "value": "1"})
    assert sorted(every.completion.values) == sorted([made, UNFUNDED])
    assert one.completion.values == [made] or made[:12] == UNFUNDED[:12]
    assert prompt.completion.values == []  # nothing sensible to suggest for an amount
