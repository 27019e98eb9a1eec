"""Delegate, undelegate and redelegate: each tool checks its request against the chain and returns a Plan."""

from __future__ import annotations

from typing import Annotated, Any

import attrs
from pydantic import Field
from secret_mcp.api import (
    Amount, AmountText, CoinView, Plan, SecretMCPError, ToolContext, TxResult, coin_view, parse_amount, quote, tool,
)

from .chain import (
    STAKING,
    delegation,
    duration,
    get_validator,
    unbonding_seconds,
    validator_address,
    view,
)

AmountArg = Annotated[AmountText, Field(description="e.g. '10 SCRT'")]  # or '10000000uscrt', or a number with denom
DenomArg = str | None  # the unit of a bare-number amount: 'SCRT' or 'uscrt'
MemoArg = Annotated[str, Field(max_length=256, description="Public")]  # visible on chain
GasArg = Annotated[int | None, Field(gt=0, le=100_000_000)]  # gas limit; default: simulated + margin
JailedArg = Annotated[bool, Field(description="Only if the person insists")]  # a jailed validator earns nothing


class StakingTxResult(TxResult):
    validator: str = Field(description="The validator delegated to / undelegated from / redelegated to")
    amount: CoinView
    completion_time: str | None = Field(None, description="Undelegate: when the tokens return to the balance; "
                                                          "redelegate: when the destination is free again")
    rewards_paid: CoinView | None = Field(None, description="Pending rewards the chain paid out with this change")


@attrs.frozen
class Checked:
    """A staking request that passed every check: its message, amount and preview lines."""

    msg: Any
    value: Amount
    lines: tuple[str, ...] = ()


def _stake(amount: str, denom: str | None) -> Amount:
    value = parse_amount(amount, denom)
    if value.denom != "uscrt":
        raise SecretMCPError("INVALID_DENOM", f"amount: only SCRT can be staked, not {value.denom}.",
                             ["Give the amount in SCRT or uscrt."], {"field": "amount"})
    return value


def _describe(val: dict, valoper: str) -> str:
    """One preview line about a validator: the address asked for (validated), the node's moniker quoted."""
    v = view(val, 0)
    jailed = ", JAILED" if v.jailed else ""
    return f"{quote(v.moniker)} ({valoper}), commission {v.commission_percent}%, {v.status}{jailed}"


def _refuse_jailed(val: dict, allow: bool) -> None:
    if val.get("jailed") and not allow:
        v = view(val, 0)
        raise SecretMCPError(
            "VALIDATOR_JAILED",
            f"{quote(v.moniker)} ({v.operator_address}) is jailed: the chain removed it from the active set as a "
            "penalty (downtime or double signing). A delegation to it earns no rewards while it is jailed and is exposed to "
            "further slashing. Nothing was sent.",
            ["Choose another validator: secret_get_validators with status='bonded'.",
             "Only if the person insists after reading this, call again with allow_jailed=true."],
            {"validator": v.operator_address})


async def _staked(ctx: ToolContext, me: str, valoper: str, value: Amount | None, field: str) -> int:
    """What `me` has staked with `valoper`; refuses when there is nothing or less than `value`."""
    staked = await delegation(ctx, me, valoper)
    if not staked:
        raise SecretMCPError("NO_DELEGATION", f"{field}: {me} has nothing staked with {valoper}. Nothing was sent.",
                             ["See where the wallet has staked with secret_get_delegations."],
                             {"field": field, "validator": valoper})
    if value is not None and value.amount > staked:
        raise SecretMCPError(
            "INSUFFICIENT_DELEGATION",
            f"amount: {value.display} is more than the {coin_view('uscrt', staked).display} staked with {valoper}. "
            "Nothing was sent.", ["Use a smaller amount, or amount='all'."],
            {"field": "amount", "staked": str(staked), "requested": str(value.amount)})
    return staked


async def plan_delegate(ctx: ToolContext, args: dict[str, Any]) -> Checked:
    from secret_sdk.protobuf.cosmos.base.v1beta1 import (
        Coin,  # protobuf on first use, not at start-up
    )
    from secret_sdk.protobuf.cosmos.staking.v1beta1 import MsgDelegate

    me = ctx.address_or_active(None)
    valoper = validator_address(args["validator"])
    value = _stake(args["amount"], args.get("denom"))
    val = await get_validator(ctx, valoper)
    _refuse_jailed(val, bool(args.get("allow_jailed")))
    msg = MsgDelegate(delegator_address=me, validator_address=valoper, amount=Coin(denom="uscrt", amount=str(value.amount)))
    return Checked(msg, value, (f"Validator: {_describe(val, valoper)}", *view(val, 0).warnings))


async def plan_undelegate(ctx: ToolContext, args: dict[str, Any]) -> Checked:
    from secret_sdk.protobuf.cosmos.base.v1beta1 import (
        Coin,  # protobuf on first use, not at start-up
    )
    from secret_sdk.protobuf.cosmos.staking.v1beta1 import MsgUndelegate

    me = ctx.address_or_active(None)
    valoper = validator_address(args["validator"])
    everything = str(args["amount"]).strip().lower() == "all"
    value = None if everything else _stake(args["amount"], args.get("denom"))
    val = await get_validator(ctx, valoper)
    staked = await _staked(ctx, me, valoper, value, "validator")
    value = value or Amount("uscrt", staked)
    msg = MsgUndelegate(delegator_address=me, validator_address=valoper,
                        amount=Coin(denom="uscrt", amount=str(value.amount)))
    wait = duration(await unbonding_seconds(ctx))
    return Checked(msg, value, (f"Undelegate: {value.display} of {coin_view('uscrt', staked).display} staked",
                                f"Validator: {_describe(val, valoper)}",
                                f"Unbonding takes {wait}: the tokens earn nothing and cannot be moved until then."))


async def plan_redelegate(ctx: ToolContext, args: dict[str, Any]) -> Checked:
    from secret_sdk.protobuf.cosmos.base.v1beta1 import (
        Coin,  # protobuf on first use, not at start-up
    )
    from secret_sdk.protobuf.cosmos.staking.v1beta1 import MsgBeginRedelegate

    me = ctx.address_or_active(None)
    src = validator_address(args["source_validator"], "source_validator")
    dst = validator_address(args["destination_validator"], "destination_validator")
    if src == dst:
        raise SecretMCPError("INVALID_INPUT", "destination_validator: it is the source validator.",
                             ["Pick a different destination."], {"field": "destination_validator"})
    value = _stake(args["amount"], args.get("denom"))
    src_val = await get_validator(ctx, src, "source_validator")
    dst_val = await get_validator(ctx, dst, "destination_validator")
    _refuse_jailed(dst_val, bool(args.get("allow_jailed")))
    await _staked(ctx, me, src, value, "source_validator")
    body = await ctx.query(f"{STAKING}/delegators/{me}/redelegations", {"pagination.limit": 1000}, cached=False)
    for r in body.get("redelegation_responses") or []:
        if r["redelegation"]["validator_dst_address"] == src:
            until = max(e["redelegation_entry"]["completion_time"] for e in r["entries"])
            raise SecretMCPError(
                "REDELEGATION_IN_PROGRESS",
                f"source_validator: tokens were redelegated to {src} recently; the chain forbids redelegating away "
                f"from it until {until} (no hopping between validators). Nothing was sent.",
                ["Wait until then, or undelegate instead (secret_undelegate).", "See secret_get_redelegations."],
                {"field": "source_validator", "until": until})
    msg = MsgBeginRedelegate(delegator_address=me, validator_src_address=src, validator_dst_address=dst,
                             amount=Coin(denom="uscrt", amount=str(value.amount)))
    wait = duration(await unbonding_seconds(ctx))
    return Checked(msg, value, (f"Redelegate: {value.display}", f"From validator: {_describe(src_val, src)}",
                                f"To validator: {_describe(dst_val, dst)}", *view(dst_val, 0).warnings,
                                f"The tokens stay staked; they cannot be redelegated again from the destination "
                                f"for {wait}."))


def _uscrt(text: str) -> int:
    """'12uscrt' or '3uatom,12uscrt' -> 12 (event amounts are sdk.Coins strings)."""
    parts = [p.removesuffix("uscrt") for p in text.split(",") if p.endswith("uscrt")]
    return sum(int(p) for p in parts if p.isdigit())


def _own_events(tx: TxResult, first: int) -> list[Any]:
    """Events of this plan's one message (msg_index `first`), plus events that name no message (older chains).
    In a batch the other messages' events, such as their own reward payouts, are not this tool's."""
    mine = str(first)
    return [e for e in tx.events if e.attributes.get("msg_index", mine) == mine]


def _plan(checked: Checked, target: str, action: str, *, event: str | None, memo: str, gas: int | None,
          funds_leave: bool = False, receivers: tuple[str, ...] = ()) -> Plan[StakingTxResult]:
    async def finish(ctx: ToolContext, tx: TxResult, first: int) -> StakingTxResult:
        events = _own_events(tx, first)
        completion = next((e.attributes.get("completion_time") for e in events if event and e.type == event), None)
        # Changing a delegation makes the chain pay out its pending rewards first; say so, or the balance surprises.
        paid = sum(_uscrt(e.attributes.get("amount", "")) for e in events if e.type == "withdraw_rewards")
        return StakingTxResult(**tx.model_dump(), validator=target, amount=checked.value.view(),
                               completion_time=completion, rewards_paid=coin_view("uscrt", paid) if paid else None)

    return Plan(action, [checked.msg], amounts=[checked.value] if funds_leave else [], receivers=receivers,
                lines=checked.lines, memo=memo, gas=gas, finish=finish)


@tool(effect="moves_funds", title="Delegate", needs_wallet=True)
async def secret_delegate(
    ctx: ToolContext,
    validator: Annotated[str, Field(description="secretvaloper1…")],
    amount: AmountArg, denom: DenomArg = None, allow_jailed: JailedArg = False, memo: MemoArg = "", gas: GasArg = None,
) -> Plan[StakingTxResult]:
    """Stake SCRT from the active wallet with a validator (jailed ones are refused)."""
    checked = await plan_delegate(ctx, {"validator": validator, "amount": amount, "denom": denom,
                                        "allow_jailed": allow_jailed})
    valoper = checked.msg.validator_address
    # The validator receives the stake: an allow-list must name it.
    return _plan(checked, valoper, f"Delegate {checked.value.display} to {valoper}", event=None, memo=memo, gas=gas,
                 funds_leave=True, receivers=(valoper,))


@tool(effect="moves_funds", title="Undelegate", needs_wallet=True)
async def secret_undelegate(
    ctx: ToolContext,
    validator: Annotated[str, Field(description="secretvaloper1…")],
    amount: Annotated[AmountText, Field(description="e.g. '10 SCRT', or 'all'")],
    denom: DenomArg = None, memo: MemoArg = "", gas: GasArg = None,
) -> Plan[StakingTxResult]:
    """Start unbonding staked SCRT from a validator."""
    checked = await plan_undelegate(ctx, {"validator": validator, "amount": amount, "denom": denom})
    # The tokens come back to the wallet itself: nothing leaves it, nobody else receives anything.
    valoper = checked.msg.validator_address
    return _plan(checked, valoper, f"Undelegate {checked.value.display} from {valoper}", event="unbond", memo=memo,
                 gas=gas)


@tool(effect="writes", title="Redelegate", needs_wallet=True)
async def secret_redelegate(
    ctx: ToolContext,
    source_validator: Annotated[str, Field(description="secretvaloper1…")],
    destination_validator: Annotated[str, Field(description="secretvaloper1…")],
    amount: AmountArg, denom: DenomArg = None, allow_jailed: JailedArg = False, memo: MemoArg = "", gas: GasArg = None,
) -> Plan[StakingTxResult]:
    """Move staked SCRT to another validator at once, without unbonding."""
    checked = await plan_redelegate(ctx, {"source_validator": source_validator, "amount": amount, "denom": denom,
                                          "destination_validator": destination_validator, "allow_jailed": allow_jailed})
    src, dst = checked.msg.validator_src_address, checked.msg.validator_dst_address
    # The stake stays the wallet's (no amount leaves it), but the destination validator receives it.
    return _plan(checked, dst, f"Redelegate {checked.value.display} from {src} to {dst}", event="redelegate", memo=memo,
                 gas=gas, receivers=(dst,))


__all__ = ["secret_delegate", "secret_undelegate", "secret_redelegate"]
