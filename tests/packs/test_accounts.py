"""The accounts pack on the sandbox: account record, transactions by role with paging, counts."""

from __future__ import annotations

import pytest

from secret_mcp.testing import accept, call_err, call_ok, connect, funded_wallet, server_on
from tests.helpers import B

pytestmark = pytest.mark.anyio
NEVER_FUNDED = "secret1me70k2r7x9r9tp2d8qnj0m5t5vmk5q0elr9dd6"


async def test_account_record_before_and_after_signing(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        fresh = await call_ok(client, "secret_get_account", {})
        await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "1uscrt"})
        signed = await call_ok(client, "secret_get_account", {"address": me})
        missing = await call_err(client, "secret_get_account", {"address": NEVER_FUNDED})
        bad = await call_err(client, "secret_get_account", {"address": "secret1nope"})
    assert fresh["address"] == me and fresh["type"] == "BaseAccount" and fresh["sequence"] == 0
    assert fresh["pub_key"] is None and fresh["account_number"] > 0  # the key is set by the first signature
    assert signed["sequence"] == 1 and signed["account_number"] == fresh["account_number"]
    assert signed["pub_key"]["type"] == "/cosmos.crypto.secp256k1.PubKey" and len(signed["pub_key"]["key"]) == 44
    assert missing["code"] == "ACCOUNT_NOT_FOUND" and bad["code"] == "INVALID_ADDRESS"


async def test_transactions_by_role_and_counts(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox, name="me")
        first = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "1uscrt"})
        second = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "2uscrt"})
        everything = await call_ok(client, "secret_get_account_transactions", {"limit": 2})
        page2 = await call_ok(client, "secret_get_account_transactions", {"limit": 2, "page": 2})
        sent = await call_ok(client, "secret_get_account_transactions", {"role": "sent"})
        received = await call_ok(client, "secret_get_account_transactions", {"address": me, "role": "received"})
        counts = await call_ok(client, "secret_get_account_tx_count", {})
        nobody = await call_ok(client, "secret_get_account_tx_count", {"address": NEVER_FUNDED})
    # Received: the faucet's funding tx. Sent: our two sends. "all" merges them, newest first.
    assert [t["txhash"] for t in sent["txs"]] == [second["txhash"], first["txhash"]] and sent["total"] == 2
    assert len(received["txs"]) == 1 and received["txs"][0]["txhash"] not in (first["txhash"], second["txhash"])
    assert [t["txhash"] for t in everything["txs"]] == [second["txhash"], first["txhash"]]
    assert everything["total"] == 3 and everything["has_more"] is True
    assert [t["txhash"] for t in page2["txs"]] == [received["txs"][0]["txhash"]] and page2["has_more"] is False
    assert counts == {"address": me, "sent": 2, "received": 1, "sequence": 2}
    assert nobody == {"address": NEVER_FUNDED, "sent": 0, "received": 0, "sequence": None}
