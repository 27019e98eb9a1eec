"""`secret_ibc_transfer`: one ICS-20 MsgTransfer through the core tx pipeline, receiver checked for the far chain."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Annotated, Any

import attrs
import bech32
from pydantic import BaseModel, Field

from secret_mcp.addresses import validate_address
from secret_mcp.amounts import Amount, parse_amount
from secret_mcp.context import ToolContext
from secret_mcp.errors import SecretMCPError
from secret_mcp.tools import tool
from secret_mcp.tx import TxResult, preview, send_messages

from .channels import ChannelArg, Counterparty, check_channel_id, counterparty, get_channel

DEFAULT_TIMEOUT_MINUTES = 10  # long enough for relayers on a busy day, short enough to get a refund soon
MAX_TIMEOUT_MINUTES = 7 * 24 * 60


class Packet(BaseModel):
    source_channel: str
    source_port: str = "transfer"
    sequence: int | None = Field(description="Packet sequence on the source channel (from send_packet)")
    destination_channel: str
    timeout_timestamp: str = Field(description="Nanoseconds since the epoch (a string: it exceeds 2^53)")
    timeout_at: str = Field(description="The same deadline in RFC 3339 UTC")


class IBCTransferResult(TxResult):
    packet: Packet
    counterparty_chain: Counterparty
    next_step: str = Field(description="How to learn whether the far chain accepted the tokens")


@attrs.frozen
class Plan:
    value: Amount
    receiver: str
    counterparty: Counterparty
    msg: Any  # ibc.applications.transfer.v1.MsgTransfer
    destination_channel: str


def _sender(ctx: ToolContext) -> str:
    address = ctx.session.active_wallet_address()
    if address is None:
        raise SecretMCPError("NO_ACTIVE_WALLET", "This needs an active wallet.",
                             ["Choose one with secret_set_active_wallet."])
    return address


def _receiver(receiver: str, cp: Counterparty) -> str:
    if cp.prefix:
        return validate_address(receiver, cp.prefix, field="receiver")
    hrp, _ = bech32.bech32_decode((receiver or "").strip())
    if hrp is None:  # unknown far chain: at least the address must be well-formed bech32
        raise SecretMCPError("INVALID_ADDRESS", f"receiver: {receiver!r} is not a valid bech32 address.",
                             ["Copy the address from the destination chain's wallet."], {"field": "receiver"})
    return validate_address(receiver, hrp, field="receiver")


def _timeout_ns(minutes: float) -> int:
    if not 0 < minutes <= MAX_TIMEOUT_MINUTES:  # the schema says so too; callers inside Python get the same error
        raise SecretMCPError("INVALID_TIMEOUT", f"timeout_minutes: {minutes} is not in (0, {MAX_TIMEOUT_MINUTES}].",
                             ["Give the minutes from now after which the transfer is refunded, e.g. 10."],
                             {"field": "timeout_minutes"})
    return time.time_ns() + int(minutes * 60 * 1e9)


async def plan(ctx: ToolContext, args: dict[str, Any]) -> Plan:
    from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin  # protobuf on first use, not at start-up
    from secret_sdk.protobuf.ibc.applications.transfer.v1 import MsgTransfer

    sender = _sender(ctx)
    value = parse_amount(args["amount"], args.get("denom"))
    timeout = _timeout_ns(float(args.get("timeout_minutes", DEFAULT_TIMEOUT_MINUTES)))
    channel = await get_channel(ctx, check_channel_id(args["channel"]), "transfer")
    if channel.state != "STATE_OPEN":
        raise SecretMCPError("CHANNEL_NOT_OPEN", f"{channel.channel_id} is {channel.state}; only open channels carry "
                             "transfers.", ["Pick an open channel with secret_get_ibc_channels."],
                             {"channel": channel.channel_id})
    cp = await counterparty(ctx, channel.channel_id, channel.port_id)
    receiver = _receiver(args["receiver"], cp)
    msg = MsgTransfer(source_port=channel.port_id, source_channel=channel.channel_id,
                      token=Coin(denom=value.denom, amount=str(value.amount)), sender=sender, receiver=receiver,
                      timeout_timestamp=timeout, memo=args.get("memo") or "")
    return Plan(value, receiver, cp, msg, channel.counterparty_channel_id)


def _far_chain(cp: Counterparty) -> str:
    if cp.source == "unknown":
        return "Destination chain: UNKNOWN (the receiver's prefix could not be checked against it)"
    return f"Destination chain: {cp.chain_id} (prefix {cp.prefix}; from {cp.source.replace('_', ' ')})"


async def _confirm(ctx: ToolContext, args: dict[str, Any]) -> str | None:
    try:
        p = await plan(ctx, args)
    except SecretMCPError:
        return None  # the body fails the same check with a clear error, before anything is sent
    minutes = float(args.get("timeout_minutes", DEFAULT_TIMEOUT_MINUTES))
    return await preview(ctx, f"IBC transfer of {p.value.display} over {p.msg.source_channel}", amounts=[p.value],
                         recipients=[p.receiver], messages=[p.msg], memo=p.msg.memo,
                         lines=[_far_chain(p.counterparty), f"Refunded if not received within {minutes:g} minutes"])


def _sequence(result: TxResult) -> int | None:
    for event in result.events:
        if event.type == "send_packet" and event.attributes.get("packet_sequence", "").isdigit():
            return int(event.attributes["packet_sequence"])
    return None


@tool(effect="moves_funds", title="IBC transfer", needs_wallet=True, confirm=_confirm)
async def secret_ibc_transfer(
    ctx: ToolContext,
    channel: ChannelArg,
    receiver: Annotated[str, Field(description="On the other chain, e.g. osmo1…")],
    amount: Annotated[str, Field(description="e.g. '1.5 SCRT', or base units with denom")],
    denom: str | None = None,  # the unit of a bare-number amount, e.g. an ibc/… denom
    timeout_minutes: Annotated[float, Field(gt=0, le=MAX_TIMEOUT_MINUTES)] = DEFAULT_TIMEOUT_MINUTES,  # then refunded
    memo: Annotated[str, Field(max_length=256, description="Public")] = "",
) -> IBCTransferResult:
    """IBC transfer from the active wallet to another chain."""
    p = await plan(ctx, {"channel": channel, "receiver": receiver, "amount": amount, "denom": denom,
                         "timeout_minutes": timeout_minutes, "memo": memo})
    result = await send_messages(ctx, [p.msg], summary=f"IBC transfer {p.value.display} to {p.receiver} over "
                                 f"{p.msg.source_channel}", amounts=[p.value], recipients=[p.receiver], memo=memo,
                                 tool="secret_ibc_transfer")
    seq = _sequence(result)
    deadline = datetime.fromtimestamp(p.msg.timeout_timestamp / 1e9, timezone.utc).isoformat(timespec="seconds")
    packet = Packet(source_channel=p.msg.source_channel, source_port=p.msg.source_port, sequence=seq,
                    destination_channel=p.destination_channel, timeout_timestamp=str(p.msg.timeout_timestamp),
                    timeout_at=deadline.replace("+00:00", "Z"))
    follow = f"secret_get_ibc_transfer_status(channel={p.msg.source_channel!r}, sequence={seq})"
    out = IBCTransferResult(**result.model_dump(), packet=packet, counterparty_chain=p.counterparty, next_step=follow)
    out._response = result.response
    return out
