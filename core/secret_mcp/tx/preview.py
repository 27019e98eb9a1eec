"""The network line every preview ends with: which chain, and whether its tokens are real or worthless."""

from __future__ import annotations


from ..context import ToolContext


def network_line(ctx: ToolContext) -> str:
    net = ctx.network
    if net.simulated:
        return f"Network: {net.name} ({net.chain_id}) - a SIMULATED chain, tokens are worthless"
    if net.real_funds:
        return f"Network: {net.name} ({net.chain_id}) - REAL funds"
    return f"Network: {net.name} ({net.chain_id})"
