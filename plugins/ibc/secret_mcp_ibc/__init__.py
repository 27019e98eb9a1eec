"""The IBC pack: ICS-20 transfers with their ack/timeout outcome, channel reads and denom traces (docs/protocol-notes.md#ibc)."""

from __future__ import annotations

from secret_mcp.api import hookimpl


@hookimpl
def secret_mcp_register(registry):
    from .channels import secret_get_ibc_channel, secret_get_ibc_channels
    from .denoms import secret_get_ibc_denom_trace
    from .status import secret_get_ibc_transfer_status
    from .transfer import secret_ibc_transfer

    registry.add_tools(secret_ibc_transfer, secret_get_ibc_transfer_status, secret_get_ibc_channels,
                       secret_get_ibc_channel, secret_get_ibc_denom_trace)


@hookimpl
def secret_mcp_requires():
    return {"wallet": "to choose the wallet that signs"}
