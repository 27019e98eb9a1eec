"""secret_batch: several write tools' plans as ONE transaction, ONE preview, ONE confirmation."""

from __future__ import annotations

import pytest

from secret_mcp.testing import (
    accept, balance, call_err, call_ok, connect, funded_wallet, recording, sequence, server_on
)
from tests.helpers import B, C

pytestmark = pytest.mark.anyio


async def test_batch_is_one_transaction_with_one_question(mode, sandbox, home):
    answer, asked = recording(accept)
    async with connect(server_on(sandbox), mode, elicitation_callback=answer) as client:
        me = await funded_wallet(client, sandbox)
        before = {a: balance(sandbox, a) for a in (me, B, C)}
        out = await call_ok(client, "secret_batch", {"calls": [
            {"tool": "secret_send_tokens", "arguments": {"recipient": B, "amount": "1 SCRT"}},
            {"tool": "secret_multi_send", "arguments": {"recipients": [{"address": C, "amount": "2 SCRT"},
                                                                       {"address": B, "amount": "3uscrt"}]}},
        ], "memo": "two steps"})
    fee = int(out["fee"]["amount"])
    assert len(asked) == 1
    preview = asked[0]
    assert "Step 1: Send 1 SCRT (1000000uscrt)" in preview and "Step 2: Multi-send to 2 recipient(s)" in preview
    assert "Sign doc: " in preview and "Estimated fee" in preview and 'Memo: "two steps"' in preview
    assert out["messages"] == ["/cosmos.bank.v1beta1.MsgSend", "/cosmos.bank.v1beta1.MsgMultiSend"]
    assert [s["tool"] for s in out["steps"]] == ["secret_send_tokens", "secret_multi_send"]
    assert all(s["result"]["txhash"] == out["txhash"] for s in out["steps"])
    assert balance(sandbox, B) == before[B] + 1_000_003 and balance(sandbox, C) == before[C] + 2_000_000
    assert balance(sandbox, me) == before[me] - 3_000_003 - fee


async def test_failing_step_moves_nothing(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox, uscrt=5_000_000)
        before = {a: balance(sandbox, a) for a in (me, B)}
        seq = sequence(sandbox, me)
        # The second step asks for more than the wallet holds: the balance check refuses the whole batch.
        err = await call_err(client, "secret_batch", {"calls": [
            {"tool": "secret_send_tokens", "arguments": {"recipient": B, "amount": "1 SCRT"}},
            {"tool": "secret_send_tokens", "arguments": {"recipient": B, "amount": "10 SCRT"}},
        ]})
    assert err["code"] == "INSUFFICIENT_FUNDS"
    assert balance(sandbox, me) == before[me] and balance(sandbox, B) == before[B] and sequence(sandbox, me) == seq


async def test_batch_refuses_reads_unknown_tools_and_arguments(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        await funded_wallet(client, sandbox)
        read = await call_err(client, "secret_batch", {"calls": [{"tool": "secret_get_balance", "arguments": {}}]})
        local = await call_err(client, "secret_batch", {"calls": [{"tool": "secret_create_wallet", "arguments": {"name": "x"}}]})
        nested = await call_err(client, "secret_batch", {"calls": [{"tool": "secret_batch", "arguments": {"calls": []}}]})
        unknown = await call_err(client, "secret_batch", {"calls": [{"tool": "secret_nope", "arguments": {}}]})
        typo = await call_err(client, "secret_batch", {"calls": [
            {"tool": "secret_send_tokens", "arguments": {"recipent": B, "amount": "1 SCRT"}}]})
    for err in (read, local, nested, unknown, typo):
        assert err["code"] == "INVALID_INPUT" and "calls[0]" in err["message"]
    assert "does not write to the chain" in read["message"] and "does not write to the chain" in local["message"]
    assert "unknown argument(s) for secret_send_tokens: recipent" in typo["message"]


async def test_batch_limits_apply_to_the_total(mode, sandbox, home):
    from secret_mcp.testing import make_server

    server = make_server(network="custom", lcd_urls=(sandbox.url,), chain_id=sandbox.chain.chain_id,
                         spend_limit_per_tx="uscrt=3000000")
    async with connect(server, mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        before = balance(sandbox, me)
        # Each step alone is under the limit; together (with the fee) they are not.
        err = await call_err(client, "secret_batch", {"calls": [
            {"tool": "secret_send_tokens", "arguments": {"recipient": B, "amount": "1.5 SCRT"}},
            {"tool": "secret_send_tokens", "arguments": {"recipient": C, "amount": "1.5 SCRT"}},
        ]})
    assert err["code"] == "POLICY_REFUSED" and "per-transaction limit" in err["message"]
    assert balance(sandbox, me) == before
