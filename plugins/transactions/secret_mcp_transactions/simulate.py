"""Dry runs: gas and fee for a described send, or a simulation of arbitrary messages. Nothing is signed."""

from __future__ import annotations

import importlib
import math
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field
from secret_mcp.api import (
    AmountText, CoinView, Msg, SecretMCPError, ToolContext, TxEvent, active_signer, coin_view, estimate, events_of,
    fee_for, gas_price, parse_amount, simulate, tool, validate_address,
)


class GasEstimate(BaseModel):
    gas_used: int = Field(description="Gas the simulation used")
    gas_limit: int = Field(description="Gas limit a transaction would carry (gas used x the gas adjustment)")
    gas_price: str
    fee: CoinView
    sender: str
    note: str


class Simulation(BaseModel):
    would_succeed: bool
    gas_used: int
    gas_limit: int
    fee: CoinView
    messages: list[str]
    events: list[TxEvent]
    sender: str


def _note(ctx: ToolContext) -> str:
    note = "Estimate only: nothing was signed or sent. Gas can change slightly between now and signing."
    return note + (" Simulated chain (sandbox)." if ctx.network.simulated else "")


@tool(effect="reads", title="Estimate gas", needs_wallet=True)
async def secret_estimate_gas(
    ctx: ToolContext,
    recipient: str,
    amount: Annotated[AmountText, Field(description="e.g. '1.5 SCRT'")],
    denom: str | None = None,  # the unit of a bare-number amount
    memo: Annotated[str, Field(max_length=256)] = "",
) -> GasEstimate:
    """Gas and fee of a send from the active wallet, simulated."""
    from secret_sdk.protobuf.cosmos.bank.v1beta1 import (
        MsgSend,  # protobuf on first use, not at start-up
    )
    from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin

    to = validate_address(recipient, field="recipient")
    value = parse_amount(amount, denom)
    signer = active_signer(ctx)
    msg = MsgSend(from_address=signer.address, to_address=to, amount=[Coin(denom=value.denom, amount=str(value.amount))])
    est = await estimate(ctx, [msg], memo=memo, signer=signer)
    return GasEstimate(gas_used=est.gas_used, gas_limit=est.gas_limit, gas_price=f"{est.gas_price}{est.fee_denom}",
                       fee=coin_view(est.fee_denom, est.fee), sender=signer.address, note=_note(ctx))


def message_from_json(item: dict[str, Any], index: int) -> Msg:
    """Proto-JSON with '@type' -> the secret_sdk.protobuf message (unknown fields are refused, not dropped)."""
    import betterproto  # protobuf on first use, not at start-up

    field = f"messages[{index}]"
    type_url = str(item.get("@type", ""))
    package, _, name = type_url.lstrip("/").rpartition(".")
    try:
        cls = getattr(importlib.import_module(f"secret_sdk.protobuf.{package}"), name) if package else None
    except ImportError:
        cls = None
    if not (isinstance(cls, type) and issubclass(cls, betterproto.Message)):
        raise SecretMCPError("UNKNOWN_MESSAGE_TYPE", f"{field}: unknown message type {type_url!r}.",
                             ["Use a full type URL such as /cosmos.bank.v1beta1.MsgSend."], {"field": field})
    fields = {f.name for f in cls.__dataclass_fields__.values()}
    data = {k: v for k, v in item.items() if k != "@type"}
    unknown = sorted(k for k in data if betterproto.casing.snake_case(k) not in fields)
    if unknown:
        raise SecretMCPError("INVALID_MESSAGE", f"{field}: {type_url} has no field(s) {', '.join(unknown)}.",
                             [f"Fields of {name}: {', '.join(sorted(fields))}."], {"field": field})
    return Msg(type_url, cls().from_dict(data))


@tool(effect="reads", title="Simulate transaction", needs_wallet=True)
async def secret_simulate_transaction(
    ctx: ToolContext,
    messages: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=20,
                                                    description="Proto-JSON with '@type'")],
    memo: Annotated[str, Field(max_length=256)] = "",
) -> Simulation:
    """Dry-run messages from the active wallet: gas, fee, events; nothing is sent."""
    msgs = [message_from_json(m, i) for i, m in enumerate(messages)]
    signer = active_signer(ctx)
    used, out = await simulate(ctx, msgs, signer, memo=memo)
    limit = math.ceil(Decimal(used) * Decimal(ctx.config.gas_adjustment))
    fee = fee_for(limit, await gas_price(ctx))
    return Simulation(would_succeed=True, gas_used=used, gas_limit=limit, fee=coin_view(ctx.network.fee_denom, fee),
                      messages=[m.type_url for m in msgs], events=events_of(out.get("result") or {}), sender=signer.address)
