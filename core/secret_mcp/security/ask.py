"""Whether the person can be asked right now (the client declared elicitation), for confirm functions that
must not fall back to a confirmation code: a code travels through the conversation, so the model could
redeem it without the person. Such a confirm function refuses instead when nobody can be asked."""

from __future__ import annotations

from typing import Any


def can_ask_person(ctx: Any) -> bool:
    """True when this call's client can show the person a question (MCP elicitation, either protocol era)."""
    return client_can_elicit(getattr(ctx, "mcp", None))


def client_can_elicit(mcp_ctx: Any) -> bool:
    """The same, from the MCP request context itself (what the core's resolvers get)."""
    caps = getattr(mcp_ctx, "client_capabilities", None) if mcp_ctx is not None else None
    return caps is not None and getattr(caps, "elicitation", None) is not None
