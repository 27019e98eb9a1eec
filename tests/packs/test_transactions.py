"""The transactions pack on the sandbox: lookup, search with paging, status, gas estimate, simulation."""

from __future__ import annotations

import pytest

from secret_mcp.testing import accept, call_err, call_ok, connect, funded_wallet, server_on
from tests.helpers import B, C

pytestmark = pytest.mark.anyio
UNKNOWN = "AB" * 32


async def test_lookup_search_and_status(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        sent = [await call_ok(client, "secret_send_tokens", {"recipient": r, "amount": f"{n}uscrt", "memo": f"m{n}"})
                for n, r in ((1, B), (2, C), (3, B))]
        got = await call_ok(client, "secret_get_transaction", {"hash": sent[0]["txhash"].lower()})
        newest = await call_ok(client, "secret_search_transactions", {"query": f"message.sender='{me}'", "limit": 2})
        oldest = await call_ok(client, "secret_search_transactions",
                               {"query": f"message.sender='{me}'", "limit": 2, "page": 2})
        asc = await call_ok(client, "secret_search_transactions", {"query": f"message.sender='{me}'", "order": "asc"})
        past = await call_ok(client, "secret_search_transactions", {"query": f"message.sender='{me}'", "page": 9})
        status = await call_ok(client, "secret_get_transaction_status", {"hash": sent[1]["txhash"]})
        unknown = await call_ok(client, "secret_get_transaction_status", {"hash": UNKNOWN})
        missing = await call_err(client, "secret_get_transaction", {"hash": UNKNOWN})
        bad = await call_err(client, "secret_get_transaction", {"hash": "xyz"})
        empty = await call_err(client, "secret_search_transactions", {"query": "  "})
        nonsense = await call_err(client, "secret_search_transactions", {"query": "this is not a query"})
    assert got["txhash"] == sent[0]["txhash"] and got["status"] == "success" and got["memo"] == "m1"
    assert got["messages"][0]["@type"] == "/cosmos.bank.v1beta1.MsgSend" and got["messages"][0]["to_address"] == B
    assert got["fee"][0]["amount"] == sent[0]["fee"]["amount"] and any(e["type"] == "transfer" for e in got["events"])
    hashes = [s["txhash"] for s in sent]
    assert [t["txhash"] for t in newest["txs"]] == hashes[::-1][:2] and newest["total"] == 3 and newest["has_more"]
    assert [t["txhash"] for t in oldest["txs"]] == hashes[:1] and oldest["has_more"] is False
    assert [t["txhash"] for t in asc["txs"]] == hashes
    assert past["txs"] == [] and past["has_more"] is False
    assert status["status"] == "success" and status["height"] == sent[1]["height"]
    assert unknown["status"] == "unknown" and missing["code"] == "TX_NOT_FOUND"
    assert bad["code"] == "INVALID_TX_HASH" and empty["code"] == "INVALID_QUERY" and nonsense["code"] == "INVALID_QUERY"


async def test_failed_transaction_status(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        await funded_wallet(client, sandbox)
        # A send from a new wallet uses ~13 000 gas; 12 000 covers the ante handler (~11 000), not the transfer.
        err = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "1 SCRT", "gas": 12_000})
        status = await call_ok(client, "secret_get_transaction_status", {"hash": err["details"]["txhash"]})
        got = await call_ok(client, "secret_get_transaction", {"hash": err["details"]["txhash"]})
    assert status["status"] == "failed" and status["code"] == 11 and "out of gas" in status["raw_log"]
    assert got["status"] == "failed" and got["gas_wanted"] == 12_000


async def test_estimate_and_simulate_send_nothing(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        no_wallet = await call_err(client, "secret_estimate_gas", {"recipient": B, "amount": "1 SCRT"})
        me = await funded_wallet(client, sandbox)
        est = await call_ok(client, "secret_estimate_gas", {"recipient": B, "amount": "1 SCRT"})
        send = {"@type": "/cosmos.bank.v1beta1.MsgSend", "from_address": me, "to_address": B,
                "amount": [{"denom": "uscrt", "amount": "5"}]}
        sim = await call_ok(client, "secret_simulate_transaction", {"messages": [send, {**send, "to_address": C}]})
        too_much = await call_err(client, "secret_simulate_transaction",
                                  {"messages": [{**send, "amount": [{"denom": "uscrt", "amount": str(10**15)}]}]})
        bad_type = await call_err(client, "secret_simulate_transaction", {"messages": [{"@type": "/nope.v1.MsgX"}]})
        bad_field = await call_err(client, "secret_simulate_transaction", {"messages": [{**send, "to": B}]})
        bad_amount = await call_err(client, "secret_estimate_gas", {"recipient": B, "amount": "-1 SCRT"})
        account = await call_ok(client, "secret_get_account", {})
    assert no_wallet["code"] == "NO_ACTIVE_WALLET"
    assert 0 < est["gas_used"] < est["gas_limit"] and int(est["fee"]["amount"]) > 0 and est["sender"] == me
    assert "nothing was signed or sent" in est["note"]
    assert sim["would_succeed"] and sim["gas_used"] > est["gas_used"]  # two messages cost more than one
    assert sim["messages"] == ["/cosmos.bank.v1beta1.MsgSend"] * 2 and any(e["type"] == "transfer" for e in sim["events"])
    assert too_much["code"] == "INSUFFICIENT_FUNDS"
    assert bad_type["code"] == "UNKNOWN_MESSAGE_TYPE" and bad_field["code"] == "INVALID_MESSAGE"
    assert bad_amount["code"] == "INVALID_AMOUNT" and account["sequence"] == 0  # nothing was ever sent
