"""The blockchain pack on the sandbox: blocks by height and hash, node info, sync status."""

from __future__ import annotations

import pytest

from secret_mcp.testing import accept, call_err, call_ok, connect, funded_wallet, server_on
from tests.helpers import B

pytestmark = pytest.mark.anyio


async def test_blocks_by_height_and_hash(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        await funded_wallet(client, sandbox)
        sent = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "1uscrt"})
        block = await call_ok(client, "secret_get_block", {"height": sent["height"]})
        latest = await call_ok(client, "secret_get_latest_block")
        by_hash = await call_ok(client, "secret_get_block_by_hash", {"hash": "0x" + block["hash"].lower()})
        future = await call_err(client, "secret_get_block", {"height": latest["height"] + 1000})
        zero = await call_err(client, "secret_get_block", {"height": 0})
        malformed = await call_err(client, "secret_get_block_by_hash", {"hash": "12ab"})
        unknown = await call_err(client, "secret_get_block_by_hash", {"hash": "00" * 32})
    assert block["height"] == sent["height"] and sent["txhash"] in block["tx_hashes"] and block["num_txs"] >= 1
    assert block["chain_id"] == sandbox.chain.chain_id and block["proposer"].startswith("secretvalcons1")
    assert len(block["hash"]) == 64 and block["time"].endswith("Z")
    assert latest["height"] >= block["height"] and by_hash == block
    assert future["code"] == "BLOCK_NOT_FOUND" and future["details"]["latest_height"] >= latest["height"]
    assert zero["code"] == "INVALID_INPUT"
    assert malformed["code"] == "INVALID_BLOCK_HASH" and unknown["code"] == "BLOCK_NOT_FOUND"


async def test_block_by_hash_needs_rpc(mode, sandbox, home):
    # Under a path prefix the sandbox answers unknown routes with 501 Not Implemented, as a real LCD does for
    # /block_by_hash (CometBFT RPC is another port there): the tool must say so clearly, not crash.
    async with connect(server_on(sandbox, lcd_urls=(sandbox.url + "/lcd-only",)), mode) as client:
        err = await call_err(client, "secret_get_block_by_hash", {"hash": "AB" * 32})
    assert err["code"] == "CAPABILITY_UNAVAILABLE" and "secret_get_block" in err["suggestions"][0]


async def test_node_info_and_syncing(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        node = await call_ok(client, "secret_get_node_info")
        sync = await call_ok(client, "secret_get_syncing_status")
    assert node["network"] == sandbox.chain.chain_id and node["moniker"] == "sandbox" and node["app_name"]
    assert node["cometbft_version"].startswith("0.38") and node["cosmos_sdk_version"]
    assert sync["syncing"] is False and sync["latest_height"] >= 1 and sync["note"] == "The node is in sync."
    assert sync["block_age_seconds"] >= 0
