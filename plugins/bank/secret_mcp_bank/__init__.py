"""The bank pack: balances, SCRT sends and multi-sends (through the core tx pipeline), supply, denom metadata."""

from __future__ import annotations

from secret_mcp.api import hookimpl


@hookimpl
def secret_mcp_register(registry):
    from .queries import (
        secret_get_balance,
        secret_get_denom_metadata,
        secret_get_total_supply,
    )
    from .send import secret_multi_send, secret_send_tokens

    registry.add_tools(secret_get_balance, secret_send_tokens, secret_multi_send, secret_get_total_supply,
                       secret_get_denom_metadata)


@hookimpl
def secret_mcp_requires():
    return {"wallet": "to choose the wallet that signs"}
