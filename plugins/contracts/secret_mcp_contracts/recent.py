"""The `secret://contracts/recent` resource."""

from __future__ import annotations

from secret_mcp.api import ToolContext, contract_state


async def recent_contracts(ctx: ToolContext) -> list[dict]:
    """Contracts this session instantiated or executed, newest last."""
    return list(contract_state(ctx).recent)
