"""The network pack through a real MCP client, against the embedded sandbox chain, in both protocol eras."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from mcp.types import ElicitResult

from tests.helpers import call_err, call_ok, connect, make_server

pytestmark = pytest.mark.anyio


async def test_network_info_on_sandbox(mode):
    async with connect(make_server(), mode) as client:
        info = await call_ok(client, "secret_get_network_info")
    assert info["name"] == "sandbox" and info["kind"] == "sandbox" and info["simulated"] is True
    assert info["chain_id"] == info["node_chain_id"] == "secret-sandbox-1"
    assert info["latest_height"] >= 1 and info["latest_block_time"].endswith("Z")
    assert info["minimum_gas_price"] == "0.0125uscrt"
    assert len(info["lcd_endpoints"]) == 1 and info["lcd_endpoints"][0].startswith("http://127.0.0.1:")
    assert any("SIMULATED" in w for w in info["warnings"])
    assert info["session_state"] == "network_configured"


async def test_gas_prices_follow_the_node(mode):
    async with connect(make_server(), mode) as client:
        gas = await call_ok(client, "secret_get_gas_prices")
    assert gas["denom"] == "uscrt" and gas["node_minimum"] == "0.0125uscrt"
    for tier in ("low", "average", "high"):
        price = Decimal(gas[tier]["gas_price"].removesuffix("uscrt"))
        assert price >= Decimal("0.0125")
        assert gas[tier]["fee_for_25k_gas_uscrt"] == math.ceil(price * 25_000)
        assert gas[tier]["fee_for_200k_gas_uscrt"] == math.ceil(price * 200_000)
    assert Decimal(gas["low"]["gas_price"][:-5]) <= Decimal(gas["average"]["gas_price"][:-5]) < Decimal(gas["high"]["gas_price"][:-5])


async def test_health_check_reports_the_endpoint(mode):
    async with connect(make_server(), mode) as client:
        health = await call_ok(client, "secret_health_check")
    assert health["status"] == "ok" and health["chain_id"] == "secret-sandbox-1"
    (endpoint,) = health["endpoints"]
    assert endpoint["ok"] is True and endpoint["latest_height"] >= 1 and endpoint["latency_ms"] > 0
    assert endpoint["breaker"] == "closed" and endpoint["error"] is None


async def test_unknown_network_is_a_clear_error(mode):
    async with connect(make_server(), mode) as client:
        err = await call_err(client, "secret_configure_network", {"network": "atlantis"})
    assert err["code"] == "UNKNOWN_NETWORK" and "mainnet" in err["suggestions"][0]


async def test_bad_url_is_refused(mode):
    async with connect(make_server(), mode) as client:
        err = await call_err(client, "secret_configure_network", {"network": "custom", "lcd_url": ["ftp://x"]})
    assert err["code"] == "INVALID_INPUT" and "lcd_url[0]" in err["message"]


async def test_switch_to_custom_endpoint_and_back(mode):
    from secret_sandbox_chain import launch

    callback, asked = answering("accept", True)
    with launch(port=0, chain_id="secret-other-7") as other:
        async with connect(make_server(), mode, elicitation_callback=callback) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert "secret_sandbox_faucet" in names
            info = await call_ok(
                client, "secret_configure_network",
                {"network": "custom", "lcd_url": [other.url], "chain_id": "secret-other-7"},
            )
            assert info["name"] == "custom" and info["node_chain_id"] == "secret-other-7"
            assert info["lcd_endpoints"] == [other.url] and info["simulated"] is False and info["kind"] == "custom"
            assert len(asked) == 1 and other.url in asked[0]  # a custom endpoint is the person's choice
            names = {t.name for t in (await client.list_tools()).tools}
            assert "secret_sandbox_faucet" not in names  # the faucet exists only on the sandbox network
            back = await call_ok(client, "secret_configure_network", {"network": "sandbox"})
            assert back["chain_id"] == "secret-sandbox-1"
            assert "secret_sandbox_faucet" in {t.name for t in (await client.list_tools()).tools}


def answering(action: str, confirm: bool = True):
    asked: list[str] = []

    async def callback(_ctx, params):
        asked.append(params.message)
        if action == "accept":
            return ElicitResult(action="accept", content={"confirm": confirm})
        return ElicitResult(action=action)

    return callback, asked


@pytest.mark.parametrize("action,confirm", [("decline", True), ("cancel", True), ("accept", False)])
async def test_mainnet_switch_refused_leaves_network_alone(mode, action, confirm):
    callback, asked = answering(action, confirm)
    async with connect(make_server(), mode, elicitation_callback=callback) as client:
        err = await call_err(client, "secret_configure_network", {"network": "mainnet"})
        info = await call_ok(client, "secret_get_network_info")
    assert len(asked) == 1 and "MAINNET" in asked[0] and "real funds" in asked[0]
    assert err["code"] == ("CONFIRMATION_CANCELLED" if action == "cancel" else "CONFIRMATION_DECLINED")
    assert info["name"] == "sandbox"


async def test_mainnet_switch_accepted(mode):
    callback, asked = answering("accept", True)
    async with connect(make_server(), mode, elicitation_callback=callback) as client:
        info = await call_ok(client, "secret_configure_network", {"network": "mainnet"})
    assert len(asked) == 1
    assert info["chain_id"] == "secret-4" and info["kind"] == "mainnet"
    assert any("MAINNET" in w for w in info["warnings"])
    assert "secret_sandbox_faucet" not in info.get("tools", [])


async def test_mainnet_switch_without_elicitation_is_refused(mode):
    # No confirmation code: the model could redeem it alone. The person configures mainnet themselves.
    async with connect(make_server(), mode) as client:
        result = await client.call_tool("secret_configure_network", {"network": "mainnet"})
        info = await call_ok(client, "secret_get_network_info")
    body = result.structured_content
    assert result.is_error and body["error"]["code"] == "PERSON_MUST_CONFIGURE" and "confirmation_code" not in body
    assert "--network mainnet" in body["error"]["suggestions"][0]
    assert info["name"] == "sandbox"


async def test_switching_between_non_mainnet_networks_asks_nothing(mode):
    callback, asked = answering("decline")
    async with connect(make_server(), mode, elicitation_callback=callback) as client:
        info = await call_ok(client, "secret_configure_network", {"network": "localsecret"})
    assert asked == [] and info["chain_id"] == "secretdev-1"
