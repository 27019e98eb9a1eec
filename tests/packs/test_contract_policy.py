"""Policy over contract calls: the SNIP-20 amounts and recipients/spenders a message names, and native funds sent
to a contract, meet the allow-list and the token limits, whichever tool builds the message. Both eras, against the
sandbox SNIP-20 (real encryption): a refused call asks nothing, signs nothing and moves nothing."""

from __future__ import annotations

import pytest

from tests.contracts.sandbox_addresses import COUNTER, TOKEN
from tests.helpers import call_err, call_ok, connect, make_server
from tests.packs.test_tokens import deposit
from tests.tx.fixtures import B, C, accept, balance, funded_wallet, home, recording, sandbox, server_on  # noqa: F401

pytestmark = pytest.mark.anyio


def sequence(sandbox, address: str) -> int:
    from secret_sandbox_chain.testing import account

    return int(account(sandbox.url, address)["sequence"])


def token_balance(sandbox, address: str) -> int:
    # The token's own ledger, read from the chain's state (no viewing key needed for the test's own look).
    return int(sandbox.chain.store.get(f"compute/state/{TOKEN}/bal/{address}", "0"))


def allowance(sandbox, owner: str, spender: str) -> int:
    entry = sandbox.chain.store.get(f"compute/state/{TOKEN}/allow/{owner}/{spender}") or {"amount": "0"}
    return int(entry["amount"])


async def test_token_moves_to_a_stranger_are_refused_by_the_allow_list(mode, sandbox, home):
    look, shown = recording(accept)
    # B may receive; the token contract may receive the SCRT of a deposit; C is a stranger.
    async with connect(server_on(sandbox, allowed_recipients=(B, TOKEN)), mode, elicitation_callback=look) as client:
        me = await funded_wallet(client, sandbox)
        await deposit(client, 2_000_000)
        seq, scrt, theirs = sequence(sandbox, me), balance(sandbox, me), token_balance(sandbox, C)
        asked = len(shown)
        refused = {
            "transfer tool": await call_err(client, "secret_token_transfer",
                                            {"token": "SSCRT", "recipient": C, "amount": "0.5"}),
            "send tool": await call_err(client, "secret_token_send", {"token": TOKEN, "recipient": C, "amount": "0.5"}),
            "raw transfer": await call_err(client, "secret_execute_contract", {
                "contract": TOKEN, "msg": {"transfer": {"recipient": C, "amount": "500000"}}}),
            "raw allowance": await call_err(client, "secret_execute_contract", {
                "contract": TOKEN, "msg": {"increase_allowance": {"spender": C, "amount": "500000"}}}),
            # One stranger in a batch refuses the whole transaction, the harmless increment too.
            "batch": await call_err(client, "secret_batch_execute", {"messages": [
                {"contract": COUNTER, "msg": {"increment": {}}},
                {"contract": TOKEN, "msg": '{"increase_allowance":{"spender":"%s","amount":"1"}}' % C}]}),
            # Native funds sent to a contract that is not on the list: the contract receives them.
            "funds to a contract": await call_err(client, "secret_execute_contract", {
                "contract": COUNTER, "msg": {"increment": {}}, "funds": "1uscrt"}),
        }
        unchanged = (sequence(sandbox, me), balance(sandbox, me), len(shown))
        # The same moves to an address on the list go through: the refusals were about C alone.
        sent = await call_ok(client, "secret_execute_contract", {
            "contract": TOKEN, "msg": {"transfer": {"recipient": B, "amount": "250000"}}})
        allowed = await call_ok(client, "secret_token_transfer", {"token": "SSCRT", "recipient": B, "amount": "0.25"})
    for what, err in refused.items():
        assert err["code"] == "POLICY_REFUSED", what
    for what in ("transfer tool", "send tool", "raw transfer", "raw allowance", "batch"):
        assert f"recipient {C} is not on the allow-list" in refused[what]["message"], what
    assert f"recipient {COUNTER} is not on the allow-list" in refused["funds to a contract"]["message"]
    assert unchanged == (seq, scrt, asked)  # nothing signed, no fee, and the person was not even asked
    assert sent["status"] == allowed["status"] == "success"
    assert token_balance(sandbox, C) == theirs and allowance(sandbox, me, C) == 0
    assert token_balance(sandbox, me) == 2_000_000 - 500_000 and token_balance(sandbox, B) >= 500_000
    # The person saw the token amount and the recipient of the raw execution, marked as on the list.
    raw = next(t for t in shown if t.startswith(f"Execute a message on contract {TOKEN}") and "Token amount" in t)
    assert f"To: {B} (on the allow-list)" in raw
    assert f'Token amount: 0.25 "SSCRT" (250000 base units of {TOKEN})' in raw
    assert f'Execute on {TOKEN}: "{{\\"transfer\\": {{\\"amount\\": \\"250000\\"' in raw


async def test_token_limits_apply_to_raw_executions_and_the_token_tools(mode, sandbox, home):
    # A real-money kind (the same chain as "custom"): limits apply, keyed by the token's contract address.
    server = make_server(network="custom", lcd_urls=(sandbox.url,), chain_id=sandbox.chain.chain_id,
                         spend_limit_per_tx=f"uscrt=100000000,{TOKEN}=300000")
    async with connect(server, mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        await deposit(client, 2_000_000)
        seq = sequence(sandbox, me)
        over_tool = await call_err(client, "secret_token_transfer", {"token": TOKEN, "recipient": B, "amount": "0.300001"})
        over_raw = await call_err(client, "secret_execute_contract", {
            "contract": TOKEN, "msg": {"transfer": {"recipient": B, "amount": "300001"}}})
        # Two transfers of 200000 in one batch are 400000 of the token in one transaction.
        over_batch = await call_err(client, "secret_batch_execute", {"messages": [
            {"contract": TOKEN, "msg": {"transfer": {"recipient": B, "amount": "200000"}}},
            {"contract": TOKEN, "msg": {"transfer": {"recipient": C, "amount": "200000"}}}]})
        over_allowance = await call_err(client, "secret_execute_contract", {
            "contract": TOKEN, "msg": {"increase_allowance": {"spender": C, "amount": "300001"}}})
        unsigned = sequence(sandbox, me)
        ok = await call_ok(client, "secret_token_transfer", {"token": TOKEN, "recipient": B, "amount": "0.3"})
    for err in (over_tool, over_raw, over_batch, over_allowance):
        assert err["code"] == "POLICY_REFUSED" and f"{TOKEN} is above the per-transaction limit" in err["message"]
    assert "400000" in over_batch["message"] and "300001" in over_raw["message"]
    assert unsigned == seq and allowance(sandbox, me, C) == 0
    assert ok["status"] == "success" and token_balance(sandbox, me) == 2_000_000 - 300_000
