"""A transaction hash in a URL path (the LCD's /txs/<hash>, an explorer's /tx/<hash>, secret://tx/<hash>) survives
redaction, so an error about a tx lookup still says which transaction; a private key (64 hex, the same shape) is
still removed everywhere else, and a wallet's own key is removed even inside such a path."""

from __future__ import annotations

import base64

import pytest

from secret_mcp.security.redact import REDACTED, redact, redact_text
from secret_mcp.testing import call_err, call_ok, connect, make_server
from tests.security.test_keys import MNEMONIC, PRIVKEY

TXHASH = "9C4B" * 16
RAW_KEY = "5a" * 32  # key-shaped, never registered: only its shape and position decide


def test_tx_hashes_in_url_paths_survive():
    for text in (
        f"Could not reach the sandbox LCD for /cosmos/tx/v1beta1/txs/{TXHASH}: http://127.0.0.1:1 (HTTP 503).",
        f"https://www.mintscan.io/secret/tx/{TXHASH}",
        f"https://testnet.ping.pub/secret/tx/{TXHASH.lower()}",
        f"see https://explorer.example/transactions/0x{TXHASH} for details",
        f"resource secret://tx/{TXHASH}",
    ):
        assert redact_text(text) == text
    # In JSON: a path or explorer link under a key that is not hash-named.
    value = {"details": {"path": f"/cosmos/tx/v1beta1/txs/{TXHASH}"}, "explorer_url": f"https://www.mintscan.io/secret/tx/{TXHASH}"}
    assert redact(value) == value


def test_private_keys_in_the_same_sort_of_text_still_go():
    assert redact_text(f"Could not reach the LCD for /cosmos/auth/v1beta1/accounts/{RAW_KEY}: x") == \
        f"Could not reach the LCD for /cosmos/auth/v1beta1/accounts/{REDACTED}: x"
    assert redact_text(f"lookup of /cosmos/tx/v1beta1/txs/{TXHASH} failed; key {RAW_KEY}") == \
        f"lookup of /cosmos/tx/v1beta1/txs/{TXHASH} failed; key {REDACTED}"
    assert redact_text(f"/cosmos/notxs/{RAW_KEY}") == f"/cosmos/notxs/{REDACTED}"  # only whole path segments count
    assert redact_text(f"txs {RAW_KEY}") == f"txs {REDACTED}"  # a word, not a URL path
    assert redact_text(f"txs/{RAW_KEY}") == f"txs/{REDACTED}"  # no leading slash: not a URL path
    key_b64 = base64.b64encode(bytes.fromhex(RAW_KEY)).decode()
    assert redact_text(f"tx/ {key_b64}") == f"tx/ {REDACTED}"  # the pass is for hex right after the path only
    assert redact({"path": f"/cosmos/bank/v1beta1/balances/{RAW_KEY}"}) == {"path": f"/cosmos/bank/v1beta1/balances/{REDACTED}"}


@pytest.mark.anyio
async def test_failed_tx_lookup_names_its_hash_but_never_a_wallet_key(sandbox, home, mode):
    endpoint = sandbox.replica()
    try:
        server = make_server(network="sandbox", lcd_urls=(endpoint.url,), chain_id=sandbox.chain.chain_id,
                             cache=False, retries=0, breaker_threshold=100)
        async with connect(server, mode) as client:
            await call_ok(client, "secret_import_wallet", {"name": "k", "mnemonic": MNEMONIC})  # registers PRIVKEY
            endpoint.set_faults(error_rate=1.0)
            err = await call_err(client, "secret_get_transaction", {"hash": TXHASH})
            # The wallet's own private key, passed where a hash goes: the same path, yet removed.
            leak = await call_err(client, "secret_get_transaction", {"hash": PRIVKEY})
            named = await call_err(client, "secret_set_active_wallet", {"name": RAW_KEY})
    finally:
        endpoint.stop()
    assert err["code"] == "CHAIN_UNREACHABLE"
    assert f"/cosmos/tx/v1beta1/txs/{TXHASH}" in err["message"] and err["details"]["path"].endswith(TXHASH)
    assert leak["code"] == "CHAIN_UNREACHABLE" and f"/cosmos/tx/v1beta1/txs/{REDACTED}" in leak["message"]
    assert PRIVKEY.lower() not in str(leak).lower()
    assert named["code"] == "UNKNOWN_WALLET" and RAW_KEY not in str(named) and REDACTED in named["message"]


@pytest.mark.anyio
async def test_explorer_link_of_a_found_transaction_keeps_its_hash(sandbox, home):
    from tests.helpers import A

    txhash = sandbox.faucet(A, 1_000)["txhash"]
    # The mainnet preset (mintscan links) on the sandbox's LCD: the link is built as on mainnet.
    server = make_server(network="mainnet", lcd_urls=(sandbox.url,), chain_id=sandbox.chain.chain_id)
    async with connect(server) as client:
        out = await call_ok(client, "secret_get_transaction", {"hash": txhash})
    assert out["explorer_url"] == f"https://www.mintscan.io/secret/tx/{txhash.upper()}"
