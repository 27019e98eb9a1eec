"""`secret_ibc_transfer`: one ICS-20 MsgTransfer as a Plan, its receiver checked for the far chain."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Annotated, Any

import attrs
import bech32
from pydantic import BaseModel, Field
from secret_mcp.api import (
    Amount, AmountText, Plan, SecretMCPError, ToolContext, TxResult, parse_amount, quote, tool, validate_address,
)

from .channels import (
    ChannelArg,
    Counterparty,
    check_channel_id,
    counterparty,
    get_channel,
)

# A float like the argument it defaults: a code's arguments read back from Redis must digest the same.
DEFAULT_TIMEOUT_MINUTES = 10.0  # long enough for relayers on a busy day, short enough to get a refund soon
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
class Checked:
    """A transfer that passed every check: what it moves, to whom, and over which channel."""

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
        # Never the value itself: a phrase pasted as a receiver would land in the error, the log and the audit.
        raise SecretMCPError("INVALID_ADDRESS", f"receiver: not a valid bech32 address ({len(receiver or '')} characters).",
                             ["Copy the address from the destination chain's wallet."], {"field": "receiver"})
    return validate_address(receiver, hrp, field="receiver")


def _timeout_ns(minutes: float) -> int:
    if not 0 < minutes <= MAX_TIMEOUT_MINUTES:  # the schema says so too; callers inside Python get the same error
        raise SecretMCPError("INVALID_TIMEOUT", f"timeout_minutes: {minutes} is not in (0, {MAX_TIMEOUT_MINUTES}].",
                             ["Give the minutes from now after which the transfer is refunded, e.g. 10."],
                             {"field": "timeout_minutes"})
    return time.time_ns() + int(minutes * 60 * 1e9)


async def check(ctx: ToolContext, args: dict[str, Any]) -> Checked:
    from secret_sdk.protobuf.cosmos.base.v1beta1 import (
        Coin,  # protobuf on first use, not at start-up
    )
    from secret_sdk.protobuf.ibc.applications.transfer.v1 import MsgTransfer

    sender = _sender(ctx)
    value = parse_amount(args["amount"], args.get("denom"))
    timeout = _timeout_ns(float(args.get("timeout_minutes", DEFAULT_TIMEOUT_MINUTES)))
    source = check_channel_id(args["channel"])
    channel = await get_channel(ctx, source, "transfer")
    if channel.state != "STATE_OPEN":
        raise SecretMCPError("CHANNEL_NOT_OPEN", f"{source} is {quote(channel.state, limit=40)}; only open channels "
                             "carry transfers.", ["Pick an open channel with secret_get_ibc_channels."],
                             {"channel": source})
    cp = await counterparty(ctx, source, "transfer")
    receiver = _receiver(args["receiver"], cp)
    # The ids the caller asked for, not what the node echoes back: the message goes where the person said.
    msg = MsgTransfer(source_port="transfer", source_channel=source,
                      token=Coin(denom=value.denom, amount=str(value.amount)), sender=sender, receiver=receiver,
                      timeout_timestamp=timeout, memo=args.get("memo") or "")
    return Checked(value, receiver, cp, msg, channel.counterparty_channel_id)


def _far_chain(cp: Counterparty) -> str:
    if cp.source == "unknown":
        return "Destination chain: UNKNOWN (the receiver's prefix could not be checked against it)"
    return f"Destination chain: {quote(cp.chain_id, limit=60)} (prefix {cp.prefix}; from {cp.source.replace('_', ' ')})"


def _sequence(events: list[Any]) -> int | None:
    for event in events:
        if event.type == "send_packet" and event.attributes.get("packet_sequence", "").isdigit():
            return int(event.attributes["packet_sequence"])
    return None


@tool(effect="moves_funds", title="IBC transfer", needs_wallet=True)
async def secret_ibc_transfer(
    ctx: ToolContext,
    channel: ChannelArg,
    receiver: Annotated[str, Field(description="On the other chain, e.g. osmo1…")],
    amount: Annotated[AmountText, Field(description="e.g. '1.5 SCRT', or base units with denom")],
    denom: str | None = None,  # the unit of a bare-number amount, e.g. an ibc/… denom
    timeout_minutes: Annotated[float, Field(gt=0, le=MAX_TIMEOUT_MINUTES)] = DEFAULT_TIMEOUT_MINUTES,  # then refunded
    memo: Annotated[str, Field(max_length=256, description="Public")] = "",
) -> Plan[IBCTransferResult]:
    """IBC transfer from the active wallet to another chain."""
    p = await check(ctx, {"channel": channel, "receiver": receiver, "amount": amount, "denom": denom,
                          "timeout_minutes": timeout_minutes, "memo": memo})
    msg = p.msg

    async def finish(ctx: ToolContext, result: TxResult, first: int) -> IBCTransferResult:
        mine = str(first)  # this plan's message; events that name no message (older chains) count too
        seq = _sequence([e for e in result.events if e.attributes.get("msg_index", mine) == mine])
        deadline = datetime.fromtimestamp(msg.timeout_timestamp / 1e9, timezone.utc).isoformat(timespec="seconds")
        packet = Packet(source_channel=msg.source_channel, source_port=msg.source_port, sequence=seq,
                        destination_channel=p.destination_channel, timeout_timestamp=str(msg.timeout_timestamp),
                        timeout_at=deadline.replace("+00:00", "Z"))
        follow = f"secret_get_ibc_transfer_status(channel={msg.source_channel!r}, sequence={seq})"
        out = IBCTransferResult(**result.model_dump(), packet=packet, counterparty_chain=p.counterparty,
                                next_step=follow)
        out._response = result.response
        return out

    # The allow-list sees the far chain's receiver, as it always has; the escrow on this side only holds the tokens.
    return Plan(f"IBC transfer of {p.value.display} to {p.receiver} over {msg.source_channel}", [msg],
                amounts=[p.value], receivers=[p.receiver], memo=memo, finish=finish, lines=[
                    f"Receiver on the other chain: {p.receiver}",
                    f"Channel: {msg.source_port}/{msg.source_channel} on this chain -> "
                    f"{quote(p.destination_channel, limit=40)} on the other chain",
                    _far_chain(p.counterparty),
                    f"Refunded if not received within {timeout_minutes:g} minutes"])
