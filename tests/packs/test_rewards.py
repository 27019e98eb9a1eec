"""The rewards pack through a real MCP client against the sandbox chain (rewards accrue every block), both eras."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.helpers import call_err, call_ok, connect
from tests.tx.fixtures import B, C, accept, balance, funded_wallet, home, recording, sandbox, server_on  # noqa: F401

pytestmark = pytest.mark.anyio
WITHDRAW = "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward"


async def staked_wallet(client, sandbox) -> tuple[str, str, str]:
    """A fresh wallet staking 20 SCRT with Alpha and 10 SCRT with Gamma: (address, alpha, gamma)."""
    out = await call_ok(client, "secret_get_validators", {"status": "bonded", "sort_by": "moniker"})
    vals = {v["moniker"].split()[1]: v["operator_address"] for v in out["validators"]}
    me = await funded_wallet(client, sandbox, uscrt=100_000_000)
    await call_ok(client, "secret_delegate", {"validator": vals["Alpha"], "amount": "20 SCRT"})
    await call_ok(client, "secret_delegate", {"validator": vals["Gamma"], "amount": "10 SCRT"})
    return me, vals["Alpha"], vals["Gamma"]


def sequence(sandbox, address: str) -> int:
    from secret_sandbox_chain.testing import account

    return int(account(sandbox.url, address)["sequence"])


async def test_rewards_accrue_then_withdraw_all_in_one_transaction(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me, alpha, gamma = await staked_wallet(client, sandbox)
        sandbox.chain.advance(blocks=3)
        early = await call_ok(client, "secret_get_rewards", {})
        sandbox.chain.advance(blocks=3)
        later = await call_ok(client, "secret_get_rewards", {"address": me})
        before = balance(sandbox, me)
        out = await call_ok(client, "secret_withdraw_rewards", {})
        after = await call_ok(client, "secret_get_rewards", {})
    per = {r["validator_address"]: Decimal(r["uscrt"]) for r in later["validators"]}
    assert set(per) == {alpha, gamma} and all(v > 0 for v in per.values())
    assert Decimal(later["total_uscrt"]) == sum(per.values()) > Decimal(early["total_uscrt"]) > 0  # grows every block
    assert Decimal(later["total_scrt"]) * 1_000_000 == Decimal(later["total_uscrt"])  # exact, no float rounding
    (coin,) = later["total"]
    assert coin["withdrawable"] == str(int(Decimal(coin["amount"])))
    assert later["withdraw_address"] == me
    assert out["messages"] == [WITHDRAW, WITHDRAW] and sorted(out["validators"]) == sorted([alpha, gamma])
    paid, fee = int(out["withdrawn"]["amount"]), int(out["fee"]["amount"])
    # The withdraw's own block adds a little more than what was pending before it; the fraction stays behind.
    assert paid >= int(Decimal(later["total_uscrt"])) and out["paid_to"] == me
    assert balance(sandbox, me) == before + paid - fee
    assert after["total_uscrt"] == "0"  # nothing pending right after the withdrawal


async def test_withdraw_from_one_validator(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        _me, alpha, gamma = await staked_wallet(client, sandbox)
        sandbox.chain.advance(blocks=2)
        out = await call_ok(client, "secret_withdraw_rewards", {"validator": gamma})
        left = await call_ok(client, "secret_get_rewards", {})
    assert out["messages"] == [WITHDRAW] and out["validators"] == [gamma] and int(out["withdrawn"]["amount"]) > 0
    rest = {r["validator_address"]: Decimal(r["uscrt"]) for r in left["validators"]}
    assert rest[gamma] == 0 and rest[alpha] > 0


async def test_rewards_go_to_the_withdraw_address(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me, _alpha, _gamma = await staked_wallet(client, sandbox)
        changed = await call_ok(client, "secret_set_withdraw_address", {"address": B})
        seen = await call_ok(client, "secret_get_rewards", {})
        sandbox.chain.advance(blocks=3)
        mine, theirs = balance(sandbox, me), balance(sandbox, B)
        out = await call_ok(client, "secret_withdraw_rewards", {})
        mine_after, theirs_after = balance(sandbox, me), balance(sandbox, B)
        await call_ok(client, "secret_set_withdraw_address", {"address": me})  # back to the default
        back = await call_ok(client, "secret_get_rewards", {})
    assert changed["withdraw_address"] == B and changed["messages"] == ["/cosmos.distribution.v1beta1.MsgSetWithdrawAddress"]
    assert seen["withdraw_address"] == B and out["paid_to"] == B
    paid = int(out["withdrawn"]["amount"])
    assert paid > 0 and theirs_after == theirs + paid  # the rewards went to B ...
    assert mine_after == mine - int(out["fee"]["amount"])  # ... and the wallet only paid the fee
    assert back["withdraw_address"] == me


async def test_previews_say_how_much_and_where_to(mode, sandbox, home):
    look, seen = recording(accept)

    async with connect(server_on(sandbox), mode, elicitation_callback=look) as client:
        me, _alpha, gamma = await staked_wallet(client, sandbox)
        sandbox.chain.advance(blocks=2)
        pending = await call_ok(client, "secret_get_rewards", {})
        await call_ok(client, "secret_withdraw_rewards", {"validator": gamma})
        await call_ok(client, "secret_set_withdraw_address", {"address": B})
        await call_ok(client, "secret_set_withdraw_address", {"address": me})
    withdraw, away, home_again = seen[2:]  # after the two delegations
    (gamma_pending,) = [int(Decimal(r["uscrt"])) for r in pending["validators"] if r["validator_address"] == gamma]
    assert withdraw.startswith("Withdraw staking rewards from 1 validator(s) in one transaction")
    pending_line = next(line for line in withdraw.splitlines() if line.startswith("Pending now: about "))
    assert pending_line.endswith(f" SCRT ({gamma_pending}uscrt)") and gamma_pending > 0
    assert f"Paid to: {me}" in withdraw and "To: " not in withdraw  # the wallet itself receives nobody else's
    assert "Estimated fee:" in withdraw and "Sign doc: " in withdraw
    assert f"To: {B}" in away and f"Withdraw address: {B}" in away and "not to the wallet" in away
    assert f"Withdraw address: {me} (this wallet itself: the default)" in home_again and "To: " not in home_again


async def test_rewards_being_withdrawn_never_pay_the_fee(mode, sandbox, home):
    # The withdrawal's plan credits the pending rewards (a later message of the same transaction may spend
    # them), but the chain takes the fee before any message runs: a wallet that cannot pay the fee itself must
    # be told so before the person is asked, not after signing.
    look, seen = recording(accept)

    async with connect(server_on(sandbox), mode, elicitation_callback=look) as client:
        me, _alpha, _gamma = await staked_wallet(client, sandbox)
        left = balance(sandbox, me)  # 70 SCRT less two delegation fees; send all but 100uscrt away at a known fee
        await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": f"{left - 10_000 - 100}uscrt",
                                                     "gas": 800_000})
        sandbox.chain.advance(blocks=3)
        asked, start = len(seen), sequence(sandbox, me)
        err = await call_err(client, "secret_withdraw_rewards", {})
    assert balance(sandbox, me) == 100 and sequence(sandbox, me) == start  # a withdrawal's fee is ~440uscrt
    assert err["code"] == "INSUFFICIENT_FUNDS" and len(seen) == asked  # refused before asking, nothing signed


async def test_withdraw_address_must_be_on_the_allow_list(mode, sandbox, home):
    # Redirecting rewards sends future funds elsewhere, so the recipient allow-list applies to it.
    async with connect(server_on(sandbox, allowed_recipients=(B,)), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox, uscrt=5_000_000)
        refused = await call_err(client, "secret_set_withdraw_address", {"address": C})
        allowed = await call_ok(client, "secret_set_withdraw_address", {"address": B})
    assert refused["code"] == "POLICY_REFUSED" and "allow-list" in refused["message"]
    assert allowed["withdraw_address"] == B and sequence(sandbox, me) == 1


async def test_community_pool_is_exact_and_grows(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        first = await call_ok(client, "secret_get_community_pool", {})
        sandbox.chain.advance(blocks=2)
        second = await call_ok(client, "secret_get_community_pool", {})
    # 2% community tax of a 1 SCRT block reward, plus dust: at least 0.02 SCRT per block.
    assert Decimal(second["uscrt"]) - Decimal(first["uscrt"]) >= 2 * 20_000
    assert Decimal(second["scrt"]) * 1_000_000 == Decimal(second["uscrt"])
    assert second["pool"][0]["denom"] == "uscrt" and second["pool"][0]["amount"] == second["uscrt"]


async def test_reward_errors_send_nothing(mode, sandbox, home):
    from secret_sandbox_chain.crypto import to_valoper

    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        nobody = await call_err(client, "secret_get_rewards", {})
        me = await funded_wallet(client, sandbox, uscrt=5_000_000)
        none = await call_err(client, "secret_withdraw_rewards", {})
        other = await call_err(client, "secret_withdraw_rewards", {"validator": to_valoper(B)})
        bad_val = await call_err(client, "secret_withdraw_rewards", {"validator": B})
        bad_to = await call_err(client, "secret_set_withdraw_address", {"address": "secret1nope"})
        empty = await call_ok(client, "secret_get_rewards", {})
    assert nobody["code"] == "NO_ADDRESS"
    assert none["code"] == other["code"] == "NO_DELEGATION" and bad_val["code"] == bad_to["code"] == "INVALID_ADDRESS"
    assert empty["validators"] == [] and empty["total_uscrt"] == "0"
    assert sequence(sandbox, me) == 0 and balance(sandbox, me) == 5_000_000


async def test_read_only_mode_keeps_only_the_reads(mode, home):
    from tests.helpers import make_server

    async with connect(make_server(read_only=True), mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert tools["secret_get_rewards"].annotations.read_only_hint
    assert tools["secret_get_community_pool"].annotations.read_only_hint
    assert not {"secret_withdraw_rewards", "secret_set_withdraw_address"} & set(tools)
