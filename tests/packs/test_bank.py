"""The bank pack through a real MCP client against the sandbox chain, in both protocol eras."""

from __future__ import annotations

import pytest

from secret_mcp.testing import (
    accept, balance, call_err, call_ok, connect, decline, funded_wallet, make_server, recording, server_on
)
from tests.helpers import B, C

pytestmark = pytest.mark.anyio


async def test_send_moves_exactly_amount_plus_fee(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        before_me, before_b = balance(sandbox, me), balance(sandbox, B)
        cached = await call_ok(client, "secret_get_balance", {"address": B})
        out = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "1.5 SCRT", "memo": "hi"})
        seen = await call_ok(client, "secret_get_balance", {})
        theirs = await call_ok(client, "secret_get_balance", {"address": B})
    fee = int(out["fee"]["amount"])
    assert out["status"] == "success" and out["code"] == 0 and out["height"] >= 1 and len(out["txhash"]) == 64
    assert out["fee"]["denom"] == "uscrt" and fee > 0 and out["gas_used"] <= out["gas_wanted"]
    assert balance(sandbox, me) == before_me - 1_500_000 - fee
    assert balance(sandbox, B) == before_b + 1_500_000
    # Both balances were cached before the send; the pipeline invalidated them, so the reads are fresh.
    assert int(cached["uscrt"]) == before_b and int(theirs["uscrt"]) == before_b + 1_500_000
    assert int(seen["uscrt"]) == before_me - 1_500_000 - fee
    assert out["messages"] == ["/cosmos.bank.v1beta1.MsgSend"] and out["memo"] == "hi"
    assert "SIMULATED" in out["note"] and out["explorer_url"] is None


async def test_confirm_above_limit_asks_only_for_large_sends(mode, sandbox, home):
    refuse, asked = recording(decline)

    # The fee counts: 2 SCRT plus its fee stays under 2.1 SCRT; 2.1 SCRT plus its fee does not.
    async with connect(server_on(sandbox, confirm="above_limit", confirm_above="uscrt=2100000"), mode,
                       elicitation_callback=refuse) as client:
        await funded_wallet(client, sandbox)
        before = balance(sandbox, B)
        small = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "2 SCRT"})
        large = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "2.1 SCRT"})
    assert small["status"] == "success" and large["code"] == "CONFIRMATION_DECLINED"
    assert len(asked) == 1 and "2.1 SCRT (2100000uscrt)" in asked[0]
    assert balance(sandbox, B) == before + 2_000_000


async def test_multi_send_is_one_transaction_paying_everyone(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        before = {a: balance(sandbox, a) for a in (me, B, C)}
        out = await call_ok(client, "secret_multi_send", {"recipients": [
            {"address": B, "amount": "0.25 SCRT"}, {"address": C, "amount": "1000", "denom": "uscrt"},
            {"address": B, "amount": "1uscrt"},
        ]})
    fee = int(out["fee"]["amount"])
    assert out["messages"] == ["/cosmos.bank.v1beta1.MsgMultiSend"] and out["status"] == "success"
    assert balance(sandbox, B) == before[B] + 250_001
    assert balance(sandbox, C) == before[C] + 1_000
    assert balance(sandbox, me) == before[me] - 251_001 - fee


async def test_preview_shows_amount_fee_and_network(mode, sandbox, home):
    look, seen = recording(decline)

    async with connect(server_on(sandbox), mode, elicitation_callback=look) as client:
        me = await funded_wallet(client, sandbox)
        before = balance(sandbox, me)
        err = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "2", "denom": "SCRT"})
    (text,) = seen
    assert err["code"] == "CONFIRMATION_DECLINED" and balance(sandbox, me) == before  # nothing was sent
    assert "2 SCRT (2000000uscrt)" in text and B in text and me in text
    assert "Estimated fee:" in text and "uscrt)" in text and "SIMULATED" in text


BAD_SENDS = [
    ({"recipient": "secret1notanaddress", "amount": "1 SCRT"}, "INVALID_ADDRESS"),
    ({"recipient": "cosmos1ap26qrlp8mcq2pg6r47w43l0y8zkqm8afqmn4d", "amount": "1 SCRT"}, "INVALID_ADDRESS"),
    ({"recipient": B, "amount": "-1 SCRT"}, "INVALID_AMOUNT"),
    ({"recipient": B, "amount": "0uscrt"}, "INVALID_AMOUNT"),
    ({"recipient": B, "amount": "0.0000001 SCRT"}, "AMOUNT_TOO_PRECISE"),
    ({"recipient": B, "amount": "1.5uscrt"}, "AMOUNT_TOO_PRECISE"),
    ({"recipient": B, "amount": "5 DOGE"}, "UNKNOWN_DENOM"),
    ({"recipient": B, "amount": "5 ibc/XYZ"}, "UNKNOWN_DENOM"),
    ({"recipient": B, "amount": "5"}, "INVALID_AMOUNT"),
    ({"recipient": B, "amount": "1 SCRT", "denom": "uscrt"}, "INVALID_AMOUNT"),
    ({"recipient": B, "amount": "100 SCRT"}, "INSUFFICIENT_FUNDS"),
    ({"recipient": B, "amount": "5 uatom"}, "INSUFFICIENT_FUNDS"),
    ({"recipient": B, "amount": "1 SCRT", "gas": 0}, "INVALID_INPUT"),
]


async def test_bad_sends_send_nothing(mode, sandbox, home):
    # One connection for every case: each must fail with its own code and leave the account untouched.
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox, uscrt=10_000_000)
        before = balance(sandbox, me)
        codes = [(await call_err(client, "secret_send_tokens", args))["code"] for args, _ in BAD_SENDS]
        multi = await call_err(client, "secret_multi_send", {"recipients": [{"address": B, "amount": "1 SCRT"},
                                                                             {"address": "secret1bad", "amount": "1 SCRT"}]})
        empty = await call_err(client, "secret_multi_send", {"recipients": []})
        account = await call_ok(client, "secret_get_account", {})
    assert codes == [code for _, code in BAD_SENDS]
    assert multi["code"] == "INVALID_ADDRESS" and "recipients[1].address" in multi["message"]
    assert empty["code"] == "INVALID_INPUT"
    assert balance(sandbox, me) == before and account["sequence"] == 0  # nothing signed, nothing paid


async def test_over_the_limit_is_refused(mode, sandbox, home):
    # Limits apply on real-money kinds only; the same chain as a "custom" network counts as real money.
    server = make_server(network="custom", lcd_urls=(sandbox.url,), chain_id=sandbox.chain.chain_id,
                         spend_limit_per_tx="uscrt=11000")
    async with connect(server, mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        before = balance(sandbox, me)
        # The fee counts against the limit: 100,000 gas at 0.1uscrt is 10,000uscrt, so 1,000uscrt is the most.
        err = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "1001uscrt", "gas": 100_000})
        ok = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "1000uscrt", "gas": 100_000})
    assert err["code"] == "POLICY_REFUSED" and "11001uscrt is above the per-transaction limit" in err["message"]
    assert int(ok["fee"]["amount"]) == 10_000
    assert balance(sandbox, me) == before - 1000 - 10_000  # only the allowed send happened
    assert ok["note"] is None  # not the sandbox network: no "simulated" note


async def test_balance_queries(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        none = await call_err(client, "secret_get_balance", {})
        bad = await call_err(client, "secret_get_balance", {"address": "secret1xyz"})
        theirs = await call_ok(client, "secret_get_balance", {"address": B})
    assert none["code"] == "NO_ADDRESS" and bad["code"] == "INVALID_ADDRESS"
    assert int(theirs["uscrt"]) == balance(sandbox, B) and theirs["address"] == B
    assert theirs["scrt"] == str(__import__("decimal").Decimal(theirs["uscrt"]) / 10**6).rstrip("0").rstrip(".")


async def test_supply_and_metadata(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        everything = await call_ok(client, "secret_get_total_supply", {"limit": 10})
        one = await call_ok(client, "secret_get_total_supply", {"denom": "uscrt"})
        unknown = await call_err(client, "secret_get_total_supply", {"denom": "nope"})
        meta = await call_ok(client, "secret_get_denom_metadata", {"denom": "uscrt"})
        listed = await call_ok(client, "secret_get_denom_metadata", {})
        missing = await call_err(client, "secret_get_denom_metadata", {"denom": "nope"})
    denoms = [c["denom"] for c in everything["supply"]]
    assert "uscrt" in denoms and len(denoms) == 2 and everything["has_more"] is False  # + genesis IBC voucher
    uscrt_supply = everything["supply"][denoms.index("uscrt")]["amount"]
    assert one["supply"][0]["amount"] == uscrt_supply and int(one["supply"][0]["amount"]) > 0
    assert unknown["code"] == "UNKNOWN_DENOM" and missing["code"] == "UNKNOWN_DENOM"
    (uscrt,) = meta["metadatas"]
    assert uscrt["base"] == "uscrt" and {"denom": "scrt", "exponent": 6, "aliases": []} in uscrt["denom_units"]
    assert uscrt in listed["metadatas"]


async def test_amount_as_a_json_number(mode, sandbox, home):
    # What the MCP inspector sends for `--tool-arg amount=1`: a number, in the unit `denom` names.
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        before = balance(sandbox, B)
        one = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": 1, "denom": "SCRT"})
        tenth = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": 0.1, "denom": "SCRT"})
        bad = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": True, "denom": "SCRT"})
        bare = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": 5})
    assert one["status"] == tenth["status"] == "success"
    assert balance(sandbox, B) == before + 1_100_000
    assert bad["code"] == "INVALID_INPUT" and bare["code"] == "INVALID_AMOUNT" and "no unit" in bare["message"]
