"""The rewards pack: staking rewards (exact decimals), withdrawing them, the withdraw address, the community pool."""

from __future__ import annotations

from secret_mcp.api import hookimpl


@hookimpl
def secret_mcp_register(registry):
    from .tools import secret_get_community_pool, secret_get_rewards, secret_set_withdraw_address, secret_withdraw_rewards

    registry.add_tools(secret_get_rewards, secret_withdraw_rewards, secret_set_withdraw_address, secret_get_community_pool)


@hookimpl
def secret_mcp_requires():
    return {"wallet": "to choose the wallet that signs"}
