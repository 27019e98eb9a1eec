"""What became of an IBC transfer: the far chain's ack (success or error) or the timeout, found in the relayer's
MsgAcknowledgement / MsgTimeout tx on this chain by its `packet_src_channel` + `packet_sequence` events.

In the core because two packs need it: the IBC pack's status tool and the transactions pack's status tool.
"""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, Field

from .context import ToolContext
from .errors import SecretMCPError
from .tx.lookup import search

Outcome = Literal["pending", "acknowledged", "refunded_error", "refunded_timeout"]
EXPLAIN = {
    "pending": "Sent; the destination chain has not answered yet (or no relayer has carried the answer back). "
               "The tokens are held in escrow. Check again in a minute.",
    "acknowledged": "The destination chain received the tokens. On this chain they stay in the channel's escrow "
                    "(native tokens) or were burned (vouchers going home): that is normal.",
    "refunded_error": "The destination chain refused the packet (see `error`); the tokens were refunded to the sender.",
    "refunded_timeout": "Nobody delivered the packet before its timeout; the tokens were refunded to the sender.",
}


class TransferStatus(BaseModel):
    channel: str
    sequence: int
    status: Outcome
    explanation: str
    send_txhash: str | None = Field(None, description="The transfer's own transaction")
    result_txhash: str | None = Field(None, description="The relayer's acknowledgement or timeout transaction")
    result_height: int | None = None
    acknowledgement: str | None = Field(None, description="The raw ack JSON from the destination chain")
    error: str | None = None


def _attrs(event: dict) -> dict[str, str]:
    return {str(a.get("key", "")): str(a.get("value", "")) for a in event.get("attributes") or []}


def _ours(event: dict, kind: str, channel: str, sequence: int) -> bool:
    a = _attrs(event)
    return event.get("type") == kind and a.get("packet_src_channel") == channel and \
        a.get("packet_sequence") == str(sequence)


def _ack_details(response: dict, channel: str, sequence: int) -> tuple[str | None, str | None]:
    """(ack JSON, error) of our packet: the fungible_token_packet events that follow its acknowledge_packet
    (one relayer tx can carry several packets)."""
    ack, error, inside = None, None, False
    for event in response.get("events") or []:
        if event.get("type") == "acknowledge_packet":
            inside = _ours(event, "acknowledge_packet", channel, sequence)
        elif inside and event.get("type") == "fungible_token_packet":
            a = _attrs(event)
            ack = a.get("acknowledgement", ack)
            error = a.get("error", error)
    if ack and error is None:
        try:
            error = json.loads(ack).get("error")
        except (ValueError, AttributeError):
            pass
    return ack, error


async def _find(ctx: ToolContext, kind: str, channel: str, sequence: int) -> dict | None:
    query = f"{kind}.packet_src_channel='{channel}' AND {kind}.packet_sequence='{sequence}'"
    responses, _ = await search(ctx, query, limit=10, order="asc")
    for r in responses:  # a relay that lost the race to another relayer fails; only the successful one counts
        if int(r.get("code", 0)) == 0 and any(_ours(e, kind, channel, sequence) for e in r.get("events") or []):
            return r
    return None


async def transfer_status(ctx: ToolContext, channel: str, sequence: int) -> TransferStatus:
    sent = await _find(ctx, "send_packet", channel, sequence)
    if sent is None:
        raise SecretMCPError("PACKET_NOT_FOUND", f"No transfer sent packet {sequence} on {channel} on "
                             f"{ctx.network.name}.", ["Use the packet (channel, sequence) from secret_ibc_transfer's "
                             "result, on the same network."], {"channel": channel, "sequence": sequence})
    base = {"channel": channel, "sequence": sequence, "send_txhash": str(sent.get("txhash", "")).upper()}
    acked = await _find(ctx, "acknowledge_packet", channel, sequence)
    if acked is not None:
        ack, error = _ack_details(acked, channel, sequence)
        status: Outcome = "refunded_error" if error else "acknowledged"
        return TransferStatus(**base, status=status, explanation=EXPLAIN[status], acknowledgement=ack, error=error,
                              result_txhash=str(acked["txhash"]).upper(), result_height=int(acked.get("height", 0)))
    timed = await _find(ctx, "timeout_packet", channel, sequence)
    if timed is not None:
        return TransferStatus(**base, status="refunded_timeout", explanation=EXPLAIN["refunded_timeout"],
                              result_txhash=str(timed["txhash"]).upper(), result_height=int(timed.get("height", 0)))
    return TransferStatus(**base, status="pending", explanation=EXPLAIN["pending"])


def sent_packets(response: dict) -> list[tuple[str, int]]:
    """(source channel, sequence) of every packet a committed tx sent, in order."""
    out = []
    for event in response.get("events") or []:
        a = _attrs(event)
        if event.get("type") == "send_packet" and a.get("packet_sequence", "").isdigit():
            out.append((a.get("packet_src_channel", ""), int(a["packet_sequence"])))
    return out


async def ibc_outcomes(ctx: ToolContext, response: dict) -> list[TransferStatus]:
    """The IBC outcome of each packet a committed, successful tx sent."""
    if int(response.get("code", 0)) != 0:
        return []
    return [await transfer_status(ctx, channel, seq) for channel, seq in sent_packets(response)]
