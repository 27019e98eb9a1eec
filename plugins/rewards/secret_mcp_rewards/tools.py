"""Reward tools. The chain keeps rewards as 18-decimal DecCoins; a withdrawal pays only the whole uscrt part."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field

from secret_mcp.api import (
    Amount, CoinView, MISSING_DESCRIPTION, Plan, SecretMCPError, ToolContext, TxResult, USCRT_PER_SCRT, coin_view,
    extra, tool, validate_address,
)

DIST = "/cosmos/distribution/v1beta1"
GasArg = Annotated[int | None, Field(gt=0, le=100_000_000)]  # gas limit; default: simulated + margin


class DecAmount(BaseModel):
    """A reward amount exactly as the chain holds it (fractions of the base unit included)."""

    denom: str
    amount: str = Field(description="Exact amount in the base denom, e.g. '12345.678' uscrt")
    scrt: str | None = Field(None, description="The same in SCRT (exact) when the denom is uscrt")
    withdrawable: str = Field(description="Whole base units a withdrawal pays now (the fraction stays behind)")


class ValidatorReward(BaseModel):
    validator_address: str
    rewards: list[DecAmount]
    uscrt: str = Field(description="Exact uscrt reward from this validator")
    scrt: str


class Rewards(BaseModel):
    delegator: str
    withdraw_address: str | None = Field(description="Where withdrawn rewards are paid (null: see missing)")
    validators: list[ValidatorReward]
    total: list[DecAmount]
    total_uscrt: str
    total_scrt: str
    missing: list[str] = Field([], description=MISSING_DESCRIPTION)


class CommunityPool(BaseModel):
    pool: list[DecAmount]
    uscrt: str
    scrt: str


class WithdrawResult(TxResult):
    withdrawn: CoinView = Field(description="uscrt paid out by this transaction (sum over validators)")
    validators: list[str] = Field(description="Validators the rewards were withdrawn from")
    paid_to: str = Field(description="The withdraw address that received them")


class WithdrawAddressResult(TxResult):
    withdraw_address: str


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if Decimal(text) == 0 else text


def dec_amount(coin: dict) -> DecAmount:
    amount = Decimal(coin.get("amount") or 0)
    denom = coin.get("denom", "")
    return DecAmount(denom=denom, amount=_plain(amount), scrt=_plain(amount / USCRT_PER_SCRT) if denom == "uscrt" else None,
                     withdrawable=str(int(amount)))


def _uscrt(coins: list[dict]) -> Decimal:
    return sum((Decimal(c.get("amount") or 0) for c in coins if c.get("denom") == "uscrt"), Decimal(0))



async def _withdraw_address(ctx: ToolContext, delegator: str) -> str:
    body = await ctx.query(f"{DIST}/delegators/{delegator}/withdraw_address", cached=False)
    return body.get("withdraw_address") or delegator


@tool(effect="reads", title="Get staking rewards")
async def secret_get_rewards(
    ctx: ToolContext,
    address: str | None = None,
) -> Rewards:
    """Pending staking rewards (default: active wallet), exact, per validator and in total."""
    who = ctx.address_or_active(address)
    body = await ctx.query(f"{DIST}/delegators/{who}/rewards", cached=False)
    per = []
    for r in body.get("rewards") or []:
        uscrt = _uscrt(r.get("reward") or [])
        per.append(ValidatorReward(validator_address=r["validator_address"],
                                   rewards=[dec_amount(c) for c in r.get("reward") or []],
                                   uscrt=_plain(uscrt), scrt=_plain(uscrt / USCRT_PER_SCRT)))
    total = _uscrt(body.get("total") or [])
    missing: list[str] = []
    to = await extra(_withdraw_address(ctx, who), "withdraw_address", missing)
    return Rewards(delegator=who, withdraw_address=to, validators=per,
                   total=[dec_amount(c) for c in body.get("total") or []], total_uscrt=_plain(total),
                   total_scrt=_plain(total / USCRT_PER_SCRT), missing=missing)


@tool(effect="reads", title="Community pool")
async def secret_get_community_pool(ctx: ToolContext) -> CommunityPool:
    """Funds governance can spend, in SCRT and uscrt."""
    body = await ctx.query(f"{DIST}/community_pool", cached=False)  # grows every block
    coins = body.get("pool") or []
    uscrt = _uscrt(coins)
    return CommunityPool(pool=[dec_amount(c) for c in coins], uscrt=_plain(uscrt), scrt=_plain(uscrt / USCRT_PER_SCRT))


async def _withdraw_plan(ctx: ToolContext, validator: str | None) -> tuple[str, list[str], list[Any], Decimal, str]:
    from secret_sdk.protobuf.cosmos.distribution.v1beta1 import MsgWithdrawDelegatorReward  # on first use

    me = ctx.address_or_active(None)
    if validator:
        validator = validate_address(validator, "secretvaloper", field="validator")
    body = await ctx.query(f"{DIST}/delegators/{me}/validators", cached=False)
    mine = list(body.get("validators") or [])
    if not mine or (validator and validator not in mine):
        where = f"with {validator}" if validator else "with any validator"
        raise SecretMCPError("NO_DELEGATION", f"{me} has no delegation {where}, so there are no rewards to withdraw.",
                             ["See the delegations with secret_get_delegations."], {"validator": validator})
    targets = [validator] if validator else mine
    msgs = [MsgWithdrawDelegatorReward(delegator_address=me, validator_address=v) for v in targets]
    rewards = await ctx.query(f"{DIST}/delegators/{me}/rewards", cached=False)
    pending = sum((_uscrt(r.get("reward") or []) for r in rewards.get("rewards") or []
                   if r["validator_address"] in targets), Decimal(0))
    return me, targets, msgs, pending, await _withdraw_address(ctx, me)


def _event_uscrt(text: str) -> int:
    """'12uscrt' or '3uatom,12uscrt' -> 12 (event amounts are sdk.Coins strings)."""
    parts = [p.removesuffix("uscrt") for p in text.split(",") if p.endswith("uscrt")]
    return sum(int(p) for p in parts if p.isdigit())


def _own_events(tx: TxResult, first: int, count: int) -> list[Any]:
    """Events of this plan's messages (msg_index in [first, first + count)), plus events that name no message
    (older chains). In a batch, rewards another message paid out (a delegation change) are not this tool's."""
    mine = {str(i) for i in range(first, first + count)}
    return [e for e in tx.events if e.attributes.get("msg_index", str(first)) in mine]


@tool(effect="writes", title="Withdraw rewards", needs_wallet=True)
async def secret_withdraw_rewards(
    ctx: ToolContext,
    validator: Annotated[str | None, Field(description="secretvaloper1…; default: all")] = None,
    gas: GasArg = None,
) -> Plan[WithdrawResult]:
    """Withdraw the active wallet's staking rewards (one validator or all)."""
    me, targets, msgs, pending, to = await _withdraw_plan(ctx, validator)
    whole = int(pending)  # a withdrawal pays the whole uscrt part; the fraction stays behind

    async def finish(ctx: ToolContext, tx: TxResult, first: int) -> WithdrawResult:
        events = _own_events(tx, first, len(msgs))
        paid = sum(_event_uscrt(e.attributes.get("amount", "")) for e in events if e.type == "withdraw_rewards")
        return WithdrawResult(**tx.model_dump(), withdrawn=coin_view("uscrt", paid), validators=targets, paid_to=to)

    # Rewards paid to the wallet itself are funds later messages of the same transaction may spend
    # ("withdraw, then delegate"); paid elsewhere they are a receiver's, for the allow-list.
    return Plan(f"Withdraw staking rewards from {len(targets)} validator(s) in one transaction", msgs,
                receivers=[to] if to != me else [], gas=gas, finish=finish,
                credits=[Amount("uscrt", whole)] if to == me and whole > 0 else [],
                lines=[f"Pending now: about {coin_view('uscrt', whole).display}", f"Paid to: {to}"])


@tool(effect="writes", title="Set rewards withdraw address", needs_wallet=True)
async def secret_set_withdraw_address(
    ctx: ToolContext,
    address: Annotated[str, Field(description="The wallet's own address restores the default")],
    gas: GasArg = None,
) -> Plan[WithdrawAddressResult]:
    """Set where the active wallet's staking rewards go."""
    from secret_sdk.protobuf.cosmos.distribution.v1beta1 import MsgSetWithdrawAddress  # on first use

    to = validate_address(address)
    me = ctx.address_or_active(None)
    msg = MsgSetWithdrawAddress(delegator_address=me, withdraw_address=to)

    async def finish(ctx: ToolContext, tx: TxResult, first: int) -> WithdrawAddressResult:
        return WithdrawAddressResult(**tx.model_dump(), withdraw_address=to)

    # Another address gains the right to every future reward: a receiver, for the allow-list. The wallet's own
    # address restores the default and names nobody else.
    return Plan(f"Change where staking rewards are paid: to {to}", [msg], receivers=[to] if to != me else [], gas=gas,
                finish=finish,
                lines=[f"Withdraw address: {to}" + (" (this wallet itself: the default)" if to == me else ""),
                       "From now on every reward withdrawal (and the rewards paid out when a delegation changes) goes "
                       "to this address" + (", not to the wallet." if to != me else ".")])
