"""Viewing keys and permits, kept with the wallet they belong to by the core keystore; never returned by tools.

They sit where the wallet's recovery phrase sits (OS keyring, encrypted file keystore, or sealed in memory for
a session-only wallet), so a key made in one server process still works after a restart with the same home.
A signed permit is kept as a secret too: whoever holds it can read the balances it allows.
Scope: chain id + token contract + wallet address (viewing keys); chain id + wallet address + name (permits).
"""

from __future__ import annotations

import json
from typing import Any

from secret_mcp.context import ToolContext
from secret_mcp.errors import SecretMCPError
from secret_mcp.security import for_app

VK, PERMIT = "viewing_key", "permit"


def wallet_of(ctx: ToolContext, address: str) -> str | None:
    """The name of this server's wallet with `address` (the active one first), or None."""
    keystore = for_app(ctx.app).keystore
    active = ctx.session.active_wallet
    for name in ([active] if active else []) + sorted(keystore.wallets):
        wallet = keystore.wallets.get(name)
        if wallet is not None and wallet.address == address:
            return name
    return None


def _vk_id(ctx: ToolContext, token: str, address: str) -> str:
    return f"{ctx.network.chain_id}/{token}/{address}"


def _permit_id(ctx: ToolContext, address: str, name: str) -> str:
    return f"{ctx.network.chain_id}/{address}/{name}"


def _put(ctx: ToolContext, address: str, kind: str, key_id: str, value: str) -> str:
    name = wallet_of(ctx, address)
    if name is None:  # keys are made for the active wallet, so this means it was removed meanwhile
        raise SecretMCPError("UNKNOWN_WALLET", f"No wallet of this server has address {address}.", [])
    return for_app(ctx.app).keystore.put_secret(name, kind, key_id, value)


def _get(ctx: ToolContext, address: str, kind: str, key_id: str) -> str | None:
    name = wallet_of(ctx, address)
    return None if name is None else for_app(ctx.app).keystore.get_secret(name, kind, key_id)


def _forget(ctx: ToolContext, address: str, kind: str, key_id: str) -> bool:
    name = wallet_of(ctx, address)
    return name is not None and for_app(ctx.app).keystore.forget_secret(name, kind, key_id)


def keep_viewing_key(ctx: ToolContext, token: str, address: str, key: str) -> str:
    """Keep the key; returns where it is kept ("keyring", "file" or "memory")."""
    return _put(ctx, address, VK, _vk_id(ctx, token, address), key)


def viewing_key(ctx: ToolContext, token: str, address: str) -> str | None:
    return _get(ctx, address, VK, _vk_id(ctx, token, address))


def forget_viewing_key(ctx: ToolContext, token: str, address: str) -> bool:
    return _forget(ctx, address, VK, _vk_id(ctx, token, address))


def keep_permit(ctx: ToolContext, address: str, name: str, permit: dict[str, Any]) -> str:
    return _put(ctx, address, PERMIT, _permit_id(ctx, address, name), json.dumps(permit, sort_keys=True))


def permit(ctx: ToolContext, address: str, name: str) -> dict[str, Any] | None:
    text = _get(ctx, address, PERMIT, _permit_id(ctx, address, name))
    return None if text is None else json.loads(text)


def forget_permit(ctx: ToolContext, address: str, name: str) -> bool:
    return _forget(ctx, address, PERMIT, _permit_id(ctx, address, name))
