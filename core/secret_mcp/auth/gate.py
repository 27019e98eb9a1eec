"""The MCP-level gate of an OAuth request: whose request it is, and what its scopes allow.

A server middleware (the SDK runs it around every inbound message, in the sender's context, where the SDK's
auth middleware left the verified token): it runs the request as the token's principal (principals.py) and
keeps write tools from a token without `secret:write`: tools/list leaves them out, tools/call refuses them
with a structured error before anything runs. tools/list also shows each principal only the tools of its own
network (every tool stays registered on a server of many principals: principals.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ..errors import SecretMCPError
from . import WRITE_SCOPE

if TYPE_CHECKING:
    from ..app import App
    from .principals import Principals


def needs_write(app: "App", name: Any) -> bool:
    registered = app.registry.tools.get(name) if isinstance(name, str) else None
    return registered is not None and registered.spec.writes_chain


def scope_refusal(name: str) -> dict[str, Any]:
    from .. import results

    exc = SecretMCPError(
        "INSUFFICIENT_SCOPE", f"{name} writes to the chain, and this access token lacks the {WRITE_SCOPE} scope.",
        [f"Sign in again granting {WRITE_SCOPE}, or use the read tools."], {"required_scope": WRITE_SCOPE})
    return results.failure(exc).model_dump(mode="json", by_alias=True, exclude_none=True)


class PrincipalGate:
    def __init__(self, app: "App", principals: "Principals") -> None:
        self.app, self.principals = app, principals

    async def __call__(self, ctx: Any, call_next: Any) -> Any:
        from mcp.server.auth.middleware.auth_context import get_access_token

        token = get_access_token()
        if token is None:  # the HTTP layer lets no request without a valid token this far
            return await call_next(ctx)
        can_write = WRITE_SCOPE in token.scopes
        if ctx.method == "tools/call" and not can_write:
            name = (ctx.params or {}).get("name")
            if needs_write(self.app, name):
                return scope_refusal(str(name))
        principal = await self.principals.get((token.claims or {}).get("iss"), token.subject or token.client_id)

        async def call() -> Any:
            result = await call_next(ctx)
            # Filtered while the principal's session is current: the tools of its network, and writes only
            # with secret:write.
            return self._listed(result, can_write) if ctx.method == "tools/list" else result

        try:
            result = await self.principals.run(principal, call)
        except SecretMCPError as exc:  # the principal's state could not be loaded or saved (Redis down)
            if ctx.method != "tools/call":
                from mcp import MCPError
                from mcp.types import INTERNAL_ERROR

                raise MCPError(code=INTERNAL_ERROR, message=exc.message) from None
            from .. import results

            return results.failure(exc).model_dump(mode="json", by_alias=True, exclude_none=True)
        return result

    def _shown(self, name: Any, can_write: bool) -> bool:
        registered = self.app.registry.tools.get(name) if isinstance(name, str) else None
        if registered is None:
            return True
        return self.app._available(registered.spec) and (can_write or not registered.spec.writes_chain)

    def _listed(self, result: Any, can_write: bool) -> Any:
        if isinstance(result, BaseModel):
            return result.model_copy(update={"tools": [t for t in result.tools if self._shown(t.name, can_write)]})
        if isinstance(result, dict) and isinstance(result.get("tools"), list):
            return result | {"tools": [t for t in result["tools"] if self._shown(t.get("name"), can_write)]}
        return result
