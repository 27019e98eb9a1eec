"""The core's resources and prompts: session state, accounts and transactions by URI, and two guided prompts.

Registered like any pack's (this module implements `secret_mcp_register`); the plugin host registers it as
the core plugin "resources". `resource_changed` tells subscribed clients that a resource has new content;
what MCPServer leaves out for handshake-era clients (resources/subscribe, completion) is the MCP adapter's
(legacy_protocol.py).
"""

from __future__ import annotations

import logging
from typing import Any

from . import hookimpl
from .addresses import validate_address
from .amounts import coin_view
from .context import ToolContext
from .errors import ChainError
from .uris import NETWORK_CONFIG, SERVER_METRICS, SESSION_STATE, WALLETS_LIST, account_uri, tx_uri  # noqa: F401 (names packs knew here)

log = logging.getLogger("secret_mcp.resources")


async def resource_changed(ctx: ToolContext, *uris: str) -> None:
    """Tell subscribers these resources changed (the same as `ctx.resource_changed`)."""
    await ctx.resource_changed(*uris)


async def session_state(ctx: ToolContext) -> dict:
    """The session: state machine value, network, active wallet and whether the chain is connected."""
    session = ctx.session
    network = session.network
    return {
        "state": session.state.value,
        "network": None if network is None else {
            "name": network.name, "chain_id": network.chain_id, "kind": network.kind, "simulated": network.simulated,
        },
        "active_wallet": None if session.active_wallet is None else {
            "name": session.active_wallet, "address": session.active_wallet_address(),
        },
        "wallet_count": len(session.wallets),
        "connected": session.connected,
    }


async def account(ctx: ToolContext, address: str) -> dict:
    """An account on the current network: number, sequence and every balance (cached briefly; refreshed after
    this server's own transactions touch the address)."""
    addr = validate_address(address)
    try:
        body = await ctx.query(f"/cosmos/auth/v1beta1/accounts/{addr}", data_class="account", addresses=[addr])
        acc = body.get("account") or {}
    except ChainError as exc:
        if exc.code != "CHAIN_NOT_FOUND":
            raise
        acc = None  # never received funds: not on chain yet, which is an answer, not an error
    base = (acc or {}).get("base_vesting_account", acc or {})
    base = base.get("base_account", base)
    balances = await ctx.query(
        f"/cosmos/bank/v1beta1/balances/{addr}", {"pagination.limit": 1000}, data_class="balances", addresses=[addr]
    )
    return {
        "address": addr,
        "network": ctx.network.name,
        "exists": acc is not None,
        "account_number": int(base["account_number"]) if "account_number" in base else None,
        "sequence": int(base["sequence"]) if "sequence" in base else None,
        "balances": [coin_view(b["denom"], b["amount"]).model_dump(mode="json") for b in balances.get("balances") or []],
        "simulated": ctx.network.simulated,
    }


async def transaction(ctx: ToolContext, hash: str) -> dict:  # noqa: A002 - the URI variable is {hash}
    """A transaction by hash: status (success, failed, not_found) and a short summary of what it did."""
    from .tx.lookup import check_hash, get_tx, tx_info

    txhash = check_hash(hash)
    response = await get_tx(ctx, txhash)
    if response is None:
        return {"txhash": txhash, "status": "not_found", "network": ctx.network.name,
                "note": "Unknown to this node: not yet committed, on another network, or pruned."}
    info = tx_info(ctx, response, with_events=False)
    kinds = [str(m.get("@type", "")).rsplit(".", 1)[-1] for m in info.messages]
    return {
        "txhash": info.txhash, "status": info.status, "height": info.height, "code": info.code,
        "timestamp": info.timestamp, "gas_used": info.gas_used, "gas_wanted": info.gas_wanted,
        "fee": [c.model_dump(mode="json") for c in info.fee], "memo": info.memo, "message_types": kinds,
        "summary": f"{', '.join(kinds) or 'no messages'}: {info.status} at height {info.height}",
        "network": ctx.network.name, "explorer_url": info.explorer_url, "raw_log": info.raw_log if info.code else "",
    }


async def server_metrics(ctx: ToolContext) -> dict:
    """This server's metrics: calls, errors by code and latency per tool; cache hit rate; transactions by outcome;
    LCD pool requests, failures, retries and circuit breakers (the same numbers as GET /metrics over HTTP)."""
    return ctx.metrics.snapshot()


def portfolio_overview(address: str = "") -> str:
    """Summarise a wallet's holdings, staking and recent activity on the current network."""
    who = f"the address {address}" if address else "the active wallet (secret_get_active_wallet)"
    return (
        f"Give me a portfolio overview of {who} on the current Secret Network.\n"
        "1. Say which network this is (secret_get_network_info); if it is the sandbox, say its tokens are worthless.\n"
        "2. Show every balance (secret_get_balance), SCRT with both SCRT and uscrt amounts.\n"
        "3. If staking tools exist: delegations, unbonding and pending rewards.\n"
        "4. The five most recent transactions, one line each.\n"
        "Read only: do not send, delegate or vote. Never ask me for a recovery phrase or private key."
    )


def safe_transfer_checklist(recipient: str, amount: str) -> str:
    """Walk through the checks to make before sending tokens, then send only after explicit approval."""
    return (
        f"I want to send {amount} to {recipient}. Before anything is sent, go through this checklist with me:\n"
        "1. Network: which one is active (secret_get_network_info)? Mainnet moves real funds.\n"
        "2. Recipient: is it a valid secret1… address, and did I give it exactly (no copy from memory)?\n"
        "3. Amount and denom: SCRT or uscrt (1 SCRT = 1,000,000 uscrt)? Restate it in both units.\n"
        "4. Balance: does the active wallet hold the amount plus the fee (secret_get_balance)?\n"
        "5. Fee and limits: show the estimated fee; note any spending limit that could refuse it.\n"
        "Then call the send tool. I will be shown a confirmation: do not treat anything as sent until the tool "
        "returns a transaction hash, and never call secret_confirm_transaction unless I said yes to that preview."
    )


@hookimpl
def secret_mcp_register(registry: Any) -> None:
    registry.resource(SESSION_STATE, session_state, name="session_state")
    registry.resource("secret://account/{address}", account, name="account")
    registry.resource("secret://tx/{hash}", transaction, name="transaction")
    registry.resource(SERVER_METRICS, server_metrics, name="server_metrics")
    registry.prompt(portfolio_overview, title="Portfolio overview")
    registry.prompt(safe_transfer_checklist, title="Safe transfer checklist")
