"""The grants pack: limits the chain enforces. The person grants the wallet's agent key capped x/authz
authorizations and an x/feegrant fee allowance; the core then signs that wallet's plans with the agent key
(docs/agent-grants.md). Tools: grant, list, revoke."""

from __future__ import annotations

from secret_mcp.api import hookimpl


@hookimpl
def secret_mcp_register(registry):
    from .tools import secret_grant_agent, secret_list_grants, secret_revoke_grant

    registry.add_tools(secret_grant_agent, secret_list_grants, secret_revoke_grant)


@hookimpl
def secret_mcp_requires():
    return {"wallet": "to choose the wallet that grants"}
