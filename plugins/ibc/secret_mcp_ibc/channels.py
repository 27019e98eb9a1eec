"""IBC channels: listing and reading them, and which chain (and bech32 prefix) sits at the other end."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from secret_mcp.api import ChainError, SecretMCPError, ToolContext, tool

CHANNELS = "/ibc/core/channel/v1/channels"
_CHANNEL_ID = re.compile(r"^channel-\d{1,10}$")
_PORT_ID = re.compile(r"^[A-Za-z0-9._+\-#\[\]<>]{2,128}$")  # ICS-24 identifier characters

# Counterparty chain-id stem -> bech32 account prefix, for when the LCD names the chain but not its prefix.
KNOWN_PREFIXES = {
    "cosmoshub": "cosmos", "osmosis": "osmo", "juno": "juno", "axelar-dojo": "axelar", "stargaze": "stars",
    "akashnet": "akash", "noble": "noble", "kaiyo": "kujira", "injective": "inj", "evmos_9001": "evmos",
    "crescent": "cre", "sommelier": "somm", "stride": "stride", "quicksilver": "quick", "secret": "secret",
    "pulsar": "secret", "neutron": "neutron", "agoric": "agoric", "jackal": "jkl", "composable": "centauri",
}
# Channels whose client state this LCD may not expose: (our chain id, channel) -> counterparty chain id.
KNOWN_COUNTERPARTIES = {("secret-sandbox-1", "channel-0"): "cosmoshub-sandbox"}

ChannelArg = Annotated[str, Field(description="e.g. 'channel-0'")]  # on this chain
PortArg = str  # the port id; 'transfer' for token transfers


class Channel(BaseModel):
    channel_id: str
    port_id: str
    state: str = Field(description="STATE_OPEN, STATE_CLOSED, ...; transfers need STATE_OPEN")
    ordering: str
    counterparty_channel_id: str
    counterparty_port_id: str
    connection_hops: list[str]
    version: str


class ChannelPage(BaseModel):
    channels: list[Channel]
    next_key: str | None = Field(description="Pass as `page_key` for the next page; None on the last page")
    total: int | None = None


class Counterparty(BaseModel):
    chain_id: str | None = Field(description="The chain at the other end, when known")
    prefix: str | None = Field(description="Its bech32 account prefix, when known")
    source: Literal["client_state", "known_channel", "unknown"] = Field(
        description="client_state = read from the channel's light client on chain; known_channel = this server's "
                    "table of channels whose client state the LCD does not expose; unknown = not determined")


class ChannelInfo(Channel):
    counterparty_chain: Counterparty


def check_channel_id(channel: str, field: str = "channel") -> str:
    text = (channel or "").strip()
    if not _CHANNEL_ID.match(text):
        raise SecretMCPError("INVALID_CHANNEL", f"{field}: {text!r} is not a channel id (channel-<number>).",
                             ["List channels with secret_get_ibc_channels."], {"field": field})
    return text


def check_port_id(port: str) -> str:
    if not _PORT_ID.match(port or ""):
        raise SecretMCPError("INVALID_PORT", f"port: {port!r} is not a port id.", ["Use 'transfer' for tokens."],
                             {"field": "port"})
    return port


def _channel(raw: dict, channel_id: str | None = None, port_id: str | None = None) -> Channel:
    cp = raw.get("counterparty") or {}
    return Channel(channel_id=raw.get("channel_id") or channel_id or "", port_id=raw.get("port_id") or port_id or "",
                   state=str(raw.get("state", "")), ordering=str(raw.get("ordering", "")),
                   counterparty_channel_id=str(cp.get("channel_id", "")),
                   counterparty_port_id=str(cp.get("port_id", "")),
                   connection_hops=list(raw.get("connection_hops") or []), version=str(raw.get("version", "")))


def prefix_of(chain_id: str) -> str | None:
    # Longest known stem wins: "axelar-dojo-1" -> "axelar-dojo", "cosmoshub-4" / "cosmoshub-sandbox" -> "cosmoshub".
    parts = chain_id.split("-")
    for i in range(len(parts), 0, -1):
        if "-".join(parts[:i]) in KNOWN_PREFIXES:
            return KNOWN_PREFIXES["-".join(parts[:i])]
    return None


async def get_channel(ctx: ToolContext, channel: str, port: str = "transfer") -> Channel:
    channel, port = check_channel_id(channel), check_port_id(port)
    try:
        body = await ctx.query(f"{CHANNELS}/{channel}/ports/{port}", data_class="params")
    except ChainError as exc:
        if exc.code == "CHAIN_NOT_FOUND":
            raise SecretMCPError("UNKNOWN_CHANNEL", f"There is no channel {channel} on port {port} on "
                                 f"{ctx.network.name}.", ["List channels with secret_get_ibc_channels."],
                                 {"channel": channel, "port": port}) from None
        raise
    return _channel(body.get("channel") or {}, channel, port)


async def counterparty(ctx: ToolContext, channel: str, port: str = "transfer") -> Counterparty:
    """Which chain the channel leads to: from its client state when the LCD has it, else the known table."""
    try:
        body = await ctx.query(f"{CHANNELS}/{channel}/ports/{port}/client_state", data_class="params")
        chain_id = str(((body.get("identified_client_state") or {}).get("client_state") or {}).get("chain_id") or "")
    except ChainError:
        chain_id = ""  # route missing (the sandbox) or client unreadable: fall back to the table
    if chain_id:
        return Counterparty(chain_id=chain_id, prefix=prefix_of(chain_id), source="client_state")
    known = KNOWN_COUNTERPARTIES.get((ctx.network.chain_id, channel))
    if known:
        return Counterparty(chain_id=known, prefix=prefix_of(known), source="known_channel")
    return Counterparty(chain_id=None, prefix=None, source="unknown")


@tool(effect="reads", title="IBC channels")
async def secret_get_ibc_channels(
    ctx: ToolContext,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
    page_key: Annotated[str | None, Field(description="The previous page's next_key")] = None,
) -> ChannelPage:
    """IBC channels: port, state, counterparty."""
    params: dict = {"pagination.limit": limit, "pagination.count_total": "true"}
    if page_key:
        params["pagination.key"] = page_key
    body = await ctx.query(CHANNELS, params, data_class="params")
    page = body.get("pagination") or {}
    total = int(page["total"]) if str(page.get("total") or "0") != "0" else None
    return ChannelPage(channels=[_channel(c) for c in body.get("channels") or []],
                       next_key=page.get("next_key") or None, total=total)


@tool(effect="reads", title="IBC channel")
async def secret_get_ibc_channel(ctx: ToolContext, channel: ChannelArg, port: PortArg = "transfer") -> ChannelInfo:
    """One IBC channel: state, counterparty, and the chain it leads to."""
    info = await get_channel(ctx, channel, port)
    return ChannelInfo(**info.model_dump(), counterparty_chain=await counterparty(ctx, info.channel_id, info.port_id))
