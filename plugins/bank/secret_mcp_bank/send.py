"""Sending tokens: one MsgSend, or one MsgMultiSend paying several recipients in a single atomic transaction."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field
from secret_mcp.api import (
    Amount, AmountText, Plan, SecretMCPError, ToolContext, TxResult, parse_amount, proto_coins, sender_of, tool,
    validate_address,
)

AmountArg = Annotated[AmountText, Field(description="e.g. '1.5 SCRT'")]  # or '1500000uscrt', or a number with denom
DenomArg = str | None  # the unit of a bare-number amount: 'SCRT', 'uscrt' or a base denom
MemoArg = Annotated[str, Field(max_length=256, description="Public")]
GasArg = Annotated[int | None, Field(gt=0, le=100_000_000)]  # gas limit; default: simulated + margin


class Payment(BaseModel):
    address: str
    amount: AmountText = Field(description="e.g. '1.5 SCRT'")
    denom: str | None = None


def _send_plan(ctx: ToolContext, recipient: str, amount: str, denom: str | None) -> tuple[str, Amount, Any]:
    from secret_sdk.protobuf.cosmos.bank.v1beta1 import MsgSend

    to = validate_address(recipient, field="recipient")
    value = parse_amount(amount, denom)
    return to, value, MsgSend(from_address=sender_of(ctx), to_address=to, amount=proto_coins([value]))


def _multi_plan(ctx: ToolContext, payments: list[Any]) -> tuple[list[tuple[str, Amount]], Any]:
    from secret_sdk.protobuf.cosmos.bank.v1beta1 import Input, MsgMultiSend, Output

    if not payments:
        raise SecretMCPError("INVALID_INPUT", "Give at least one recipient.", [])
    plan = []
    for i, p in enumerate(payments):
        p = p if isinstance(p, Payment) else Payment.model_validate(p)
        plan.append((validate_address(p.address, field=f"recipients[{i}].address"),
                     parse_amount(p.amount, p.denom, field=f"recipients[{i}].amount")))
    outputs = {}
    for to, value in plan:  # one output per address: the chain would accept duplicates, readers would not
        outputs.setdefault(to, []).append(value)
    msg = MsgMultiSend(inputs=[Input(address=sender_of(ctx), coins=proto_coins([v for _, v in plan]))],
                       outputs=[Output(address=to, coins=proto_coins(vals)) for to, vals in outputs.items()])
    return plan, msg


@tool(effect="moves_funds", title="Send tokens", needs_wallet=True)
async def secret_send_tokens(
    ctx: ToolContext,
    recipient: str,
    amount: AmountArg,
    denom: DenomArg = None,
    memo: MemoArg = "",
    gas: GasArg = None,
) -> Plan[TxResult]:
    """Send SCRT (or another denom) from the active wallet to one address."""
    to, value, msg = _send_plan(ctx, recipient, amount, denom)
    return Plan(f"Send {value.display} to {to}", [msg], amounts=[value], receivers=[to], memo=memo, gas=gas)


@tool(effect="moves_funds", title="Send to several recipients", needs_wallet=True)
async def secret_multi_send(
    ctx: ToolContext,
    recipients: Annotated[list[Payment], Field(min_length=1, max_length=100)],
    memo: MemoArg = "",
    gas: GasArg = None,
) -> Plan[TxResult]:
    """Pay several addresses in ONE atomic transaction: all or none."""
    plan, msg = _multi_plan(ctx, recipients)
    return Plan(f"Multi-send to {len(plan)} recipient(s) in ONE transaction", [msg], amounts=[v for _, v in plan],
                receivers=[to for to, _ in plan], lines=[f"Pay {to}: {value.display}" for to, value in plan],
                memo=memo, gas=gas)
