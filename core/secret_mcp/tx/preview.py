"""The network line every preview ends with: which chain, and whether its tokens are real or worthless."""

from __future__ import annotations

from ..context import ToolContext
from .review import network_line as _line, network_view


def network_line(ctx: ToolContext) -> str:
    return _line(network_view(ctx.network, ()))
