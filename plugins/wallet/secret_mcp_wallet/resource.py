"""`secret://wallets/list`: every wallet this server knows, by public facts only (never key material)."""

from __future__ import annotations

from secret_mcp.api import ToolContext, WALLETS_LIST

__all__ = ["WALLETS_LIST", "wallets_list"]


async def wallets_list(ctx: ToolContext) -> dict:
    """Wallet names, addresses, watch-only flag, where each is kept and whether it survives a restart."""
    wallets = [
        {
            "name": w.name,
            "address": w.address,
            "watch_only": w.watch_only,
            "signer": "wallet" if w.signs_elsewhere else None if w.watch_only else "server_key",
            "storage": w.backend,
            "persisted": w.backend != "memory",
            "active": ctx.session.active_wallet == w.name,
        }
        # the session's wallets, through the keystore: it adds the persisted ones (from the index) when bound
        for _name, w in sorted(ctx.keystore.wallets.items())
    ]
    return {"wallets": wallets, "active": ctx.session.active_wallet}
