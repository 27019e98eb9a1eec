"""The accounts pack: an account's on-chain record, its transactions, and how many it has sent and received."""

from __future__ import annotations

from secret_mcp.api import hookimpl


@hookimpl
def secret_mcp_register(registry):
    from .tools import secret_get_account, secret_get_account_transactions, secret_get_account_tx_count

    registry.add_tools(secret_get_account, secret_get_account_transactions, secret_get_account_tx_count)


@hookimpl
def secret_mcp_requires():
    return {"wallet": "for the active wallet's address"}
