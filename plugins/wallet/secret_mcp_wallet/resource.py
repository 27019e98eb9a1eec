"""`secret://wallets/list`: every wallet this server knows, by public facts only (never key material)."""

from __future__ import annotations

from secret_mcp.context import ToolContext
from secret_mcp.resources import WALLETS_LIST
from secret_mcp.security import for_app

__all__ = ["WALLETS_LIST", "wallets_list"]


async def wallets_list(ctx: ToolContext) -> dict:
    """Wallet names, addresses, watch-only flag, where each is kept and whether it survives a restart."""
    for_app(ctx.app)  # the keystore fills session.wallets (persisted ones from the index) when bound
    wallets = [
        {
            "name": w.name,
            "address": w.address,
            "watch_only": w.watch_only,
            "storage": w.backend,
            "persisted": w.backend != "memory",
            "active": ctx.session.active_wallet == w.name,
        }
        for _name, w in sorted(ctx.session.wallets.items())
    ]
    return {"wallets": wallets, "active": ctx.session.active_wallet}
