"""The `secret://contracts/recent` resource."""

from __future__ import annotations

from secret_mcp.context import ToolContext
from secret_mcp.contracts import state_of


async def recent_contracts(ctx: ToolContext) -> list[dict]:
    """Contracts this session instantiated or executed, newest last."""
    return list(state_of(ctx).recent)
