"""The transactions pack: get, search, check status, estimate gas and simulate."""

from __future__ import annotations

from secret_mcp.api import hookimpl


@hookimpl
def secret_mcp_register(registry):
    from .lookup import (
        secret_get_transaction,
        secret_get_transaction_status,
        secret_search_transactions,
    )
    from .simulate import secret_estimate_gas, secret_simulate_transaction

    registry.add_tools(secret_get_transaction, secret_search_transactions, secret_get_transaction_status,
                       secret_estimate_gas, secret_simulate_transaction)


@hookimpl
def secret_mcp_requires():
    return {"wallet": "for the active wallet that simulations and estimates use"}
