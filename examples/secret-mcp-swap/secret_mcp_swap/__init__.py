"""secret-mcp-swap: an example third-party pack. Quotes and swaps on Terraswap/SecretSwap-style x*y=k pairs
between native SCRT and a SNIP-20 token. It uses only the core's public modules (no other pack)."""

from __future__ import annotations

from secret_mcp.api import hookimpl


@hookimpl
def secret_mcp_register(registry):
    from .tools import secret_swap, secret_swap_pools, secret_swap_quote

    registry.add_tools(secret_swap_pools, secret_swap_quote, secret_swap)
