"""Rewards on the sandbox chain (docs/protocol-notes.md#distribution): allocation every block, withdrawal,
withdraw address, commission."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Context, Decimal

import httpx
import pytest
from secret_sdk.key.raw import RawKey
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
from secret_sdk.protobuf.cosmos.distribution import v1beta1 as di
from secret_sdk.protobuf.cosmos.staking import v1beta1 as st

from secret_sandbox_chain import testing
from secret_sandbox_chain.chain import GENESIS_ADDRESSES
from secret_sandbox_chain.modules.staking import operator_private_key

pytestmark = pytest.mark.anyio

D = "/cosmos/distribution/v1beta1"
S = "/cosmos/staking/v1beta1"
PROVISION = 1_000_000  # uscrt minted per block by the sandbox
_C = Context(prec=90)


from tests.sandbox.lcdkit import ACCOUNTS, _signer, events, fee_paid, get, tx  # noqa: E402,F401


async def balance(sandbox, addr: str) -> int:
    return testing.balance(sandbox.url, addr)


def _q(x: Decimal, places: int, rounding=ROUND_DOWN) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=_C)


def _amount(dec_coins: list[dict], denom: str = "uscrt") -> Decimal:
    return sum((Decimal(c["amount"]) for c in dec_coins if c["denom"] == denom), Decimal(0))


async def _validator(sandbox, moniker: str) -> dict:
    vals = (await get(sandbox, f"{S}/validators"))["validators"]
    return next(v for v in vals if v["description"]["moniker"].split()[1] == moniker)


async def test_params_foundation_tax_and_community_pool_shapes(sandbox):
    params = (await get(sandbox, f"{D}/params"))["params"]
    assert list(params) == ["community_tax", "base_proposer_reward", "bonus_proposer_reward", "withdraw_addr_enabled",
                            "secret_foundation_tax", "secret_foundation_address", "minimum_restake_threshold",
                            "restake_period"]
    assert params["community_tax"] == "0.020000000000000000" and params["withdraw_addr_enabled"] is True
    tax = await get(sandbox, f"{D}/foundation_tax")
    assert tax == {"tax": params["secret_foundation_tax"], "foundation_address": params["secret_foundation_address"]}
    threshold = await get(sandbox, f"{D}/restake_threshold")
    assert threshold == {"threshold": params["minimum_restake_threshold"]}
    sandbox.chain.advance(1)  # every block feeds the community pool
    pool = (await get(sandbox, f"{D}/community_pool"))["pool"]
    assert pool[0]["denom"] == "uscrt" and len(pool[0]["amount"].split(".")[1]) == 18


async def test_rewards_accrue_exactly_per_block(sandbox):
    """One block after a fresh delegation its reward is exactly its share of (provision + that block's fees)."""
    a = ACCOUNTS["a"]
    gamma = (await _validator(sandbox, "Gamma"))["operator_address"]
    res = await tx(sandbox, "a", st.MsgDelegate(delegator_address=a, validator_address=gamma,
                                                 amount=Coin(denom="uscrt", amount="300000000")))
    assert res["code"] == 0, res["raw_log"]
    # right after (re)delegating, nothing is pending: the delegation's start point is now
    assert (await get(sandbox, f"{D}/delegators/{a}/rewards/{gamma}"))["rewards"] == []

    params = (await get(sandbox, f"{D}/params"))["params"]
    foundation = params["secret_foundation_address"]
    foundation_before = await balance(sandbox, foundation)
    vals = (await get(sandbox, f"{S}/validators", status="BOND_STATUS_BONDED"))["validators"]
    val = next(v for v in vals if v["operator_address"] == gamma)
    shares = Decimal((await get(sandbox, f"{S}/validators/{gamma}/delegations/{a}"))["delegation_response"]
                     ["delegation"]["shares"])

    sandbox.chain.advance(1)

    collected = Decimal(PROVISION + fee_paid(res))  # the delegate tx's fee is distributed in the next block
    tax, community = Decimal(params["secret_foundation_tax"]), Decimal(params["community_tax"])
    total_power = sum(int(v["tokens"]) // 1_000_000 for v in vals)
    fraction = _q(Decimal(int(val["tokens"]) // 1_000_000) / Decimal(total_power), 18, ROUND_HALF_EVEN)
    reward = _q(_q(collected * (1 - community - tax), 18) * fraction, 18)
    commission = _q(reward * Decimal(val["commission"]["commission_rates"]["rate"]), 18)
    per_share = _q((reward - commission) / Decimal(val["delegator_shares"]), 36)
    expected = _q(shares * per_share, 18)

    got = await get(sandbox, f"{D}/delegators/{a}/rewards/{gamma}")
    assert _amount(got["rewards"]) == expected and expected > 0
    assert await balance(sandbox, foundation) == foundation_before + int(collected * tax)
    total = await get(sandbox, f"{D}/delegators/{a}/rewards")
    assert {"validator_address": gamma, "reward": got["rewards"]} in total["rewards"]
    assert _amount(total["total"]) == sum(_amount(r["reward"]) for r in total["rewards"])
    assert gamma in (await get(sandbox, f"{D}/delegators/{a}/validators"))["validators"]


async def test_withdraw_moves_rewards_to_the_balance_then_to_the_withdraw_address(sandbox):
    b, d = ACCOUNTS["b"], ACCOUNTS["d"]
    alpha = (await _validator(sandbox, "Alpha"))["operator_address"]
    res = await tx(sandbox, "b", st.MsgDelegate(delegator_address=b, validator_address=alpha,
                                                 amount=Coin(denom="uscrt", amount="200000000")))
    assert res["code"] == 0, res["raw_log"]
    sandbox.chain.advance(3)
    pending = _amount((await get(sandbox, f"{D}/delegators/{b}/rewards/{alpha}"))["rewards"])
    assert pending > 0
    outstanding = _amount((await get(sandbox, f"{D}/validators/{alpha}/outstanding_rewards"))["rewards"]["rewards"])
    assert outstanding >= pending

    before = await balance(sandbox, b)
    res = await tx(sandbox, "b", di.MsgWithdrawDelegatorReward(delegator_address=b, validator_address=alpha))
    assert res["code"] == 0, res["raw_log"]
    (ev,) = events(res, "withdraw_rewards")
    got = int(ev["amount"].removesuffix("uscrt"))
    assert ev["validator"] == alpha and ev["delegator"] == b
    assert got >= int(pending)  # the tx's own block added one more allocation
    assert await balance(sandbox, b) == before - fee_paid(res) + got
    assert (await get(sandbox, f"{D}/delegators/{b}/rewards/{alpha}"))["rewards"] == []

    res = await tx(sandbox, "b", di.MsgSetWithdrawAddress(delegator_address=b, withdraw_address=d))
    assert res["code"] == 0, res["raw_log"]
    assert events(res, "set_withdraw_address")[0]["withdraw_address"] == d
    assert (await get(sandbox, f"{D}/delegators/{b}/withdraw_address")) == {"withdraw_address": d}

    sandbox.chain.advance(2)
    before_b, before_d = await balance(sandbox, b), await balance(sandbox, d)
    res = await tx(sandbox, "b", di.MsgWithdrawDelegatorReward(delegator_address=b, validator_address=alpha))
    assert res["code"] == 0, res["raw_log"]
    got = int(events(res, "withdraw_rewards")[0]["amount"].removesuffix("uscrt"))
    assert got > 0
    assert await balance(sandbox, d) == before_d + got
    assert await balance(sandbox, b) == before_b - fee_paid(res)


async def test_withdraw_errors_and_community_pool_funding(sandbox):
    c = ACCOUNTS["c"]
    delta = (await _validator(sandbox, "Delta"))["operator_address"]
    res = await tx(sandbox, "c", di.MsgWithdrawDelegatorReward(delegator_address=c, validator_address=delta))
    assert (res["codespace"], res["code"]) == ("staking", 19)
    assert res["raw_log"].endswith("no delegation for (address, validator) tuple")
    err = await get(sandbox, f"{D}/delegators/{c}/rewards/{delta}", expect=500)
    assert err["message"] == "no delegation for (address, validator) tuple: unknown request"

    pool_before = _amount((await get(sandbox, f"{D}/community_pool"))["pool"])
    res = await tx(sandbox, "c", di.MsgFundCommunityPool(amount=[Coin(denom="uscrt", amount="777000")], depositor=c))
    assert res["code"] == 0, res["raw_log"]
    pool_after = _amount((await get(sandbox, f"{D}/community_pool"))["pool"])
    assert pool_after >= pool_before + 777000


async def test_validator_commission_accrues_and_is_withdrawn_by_the_operator(sandbox):
    delta = await _validator(sandbox, "Delta")  # 20% commission
    addr = delta["operator_address"]
    sandbox.chain.advance(2)
    commission = _amount((await get(sandbox, f"{D}/validators/{addr}/commission"))["commission"]["commission"])
    assert commission > 0
    info = await get(sandbox, f"{D}/validators/{addr}")
    assert info["operator_address"].startswith("secret1") and _amount(info["commission"]) == commission
    res = await tx(sandbox, ("operator", 3), di.MsgWithdrawValidatorCommission(validator_address=addr))
    assert res["code"] == 0, res["raw_log"]
    got = int(events(res, "withdraw_commission")[0]["amount"].removesuffix("uscrt"))
    assert got >= int(commission)
    left = _amount((await get(sandbox, f"{D}/validators/{addr}/commission"))["commission"]["commission"])
    assert left < 1  # only the sub-uscrt remainder stays
