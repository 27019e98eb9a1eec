"""`secret_get_ibc_transfer_status`: the outcome of one packet (the tracking itself is in secret_mcp.ibc)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from secret_mcp.api import ToolContext, TransferStatus, tool, transfer_status

from .channels import ChannelArg, check_channel_id


@tool(effect="reads", title="IBC transfer status")
async def secret_get_ibc_transfer_status(
    ctx: ToolContext,
    channel: ChannelArg,
    sequence: Annotated[int, Field(ge=1)],  # from secret_ibc_transfer's result
) -> TransferStatus:
    """Whether an IBC transfer is pending, acknowledged or refunded."""
    return await transfer_status(ctx, check_channel_id(channel), sequence)
