"""What MCPServer leaves out for handshake-era clients: resources/subscribe + unsubscribe, completion/complete
(known wallet addresses) and logging/setLevel. Part of the MCP adapter: it registers low-level request handlers
(`server.lowlevel`, see SecretMCPServer) and keys subscriptions by the SDK session's connection."""

from __future__ import annotations

import weakref
from typing import Any


def _connection_of(ctx: Any) -> Any:
    # The SDK's ServerSession has no public handle on its connection (one per client, outliving the per-request
    # session proxy), and subscriptions must be kept per connection: this is the one private access here.
    return ctx.session._connection


class LegacySubscriptions:
    """`resources/subscribe` for handshake-era clients: MCPServer serves only 2026's `subscriptions/listen`.

    `ctx.session` is a per-request proxy, so subscriptions are kept per connection (weakly: a closed connection
    drops out) with the latest proxy, whose standalone channel can still notify after that request ended.
    """

    def __init__(self) -> None:
        self._watching: "weakref.WeakKeyDictionary[Any, tuple[Any, set[str]]]" = weakref.WeakKeyDictionary()

    async def subscribe(self, ctx: Any, params: Any) -> Any:
        from mcp.types import EmptyResult

        connection = _connection_of(ctx)
        _old, uris = self._watching.get(connection, (None, set()))
        self._watching[connection] = (ctx.session, uris | {str(params.uri)})
        return EmptyResult()

    async def unsubscribe(self, ctx: Any, params: Any) -> Any:
        from mcp.types import EmptyResult

        entry = self._watching.get(_connection_of(ctx))
        if entry is not None:
            entry[1].discard(str(params.uri))
        return EmptyResult()

    async def updated(self, uri: str) -> None:
        for connection, (session, uris) in list(self._watching.items()):
            if uri in uris:
                try:
                    await session.send_resource_updated(uri)
                except Exception:  # that connection is gone: forget it
                    self._watching.pop(connection, None)


ADDRESS_ARGS = {("ref/resource", "secret://account/{address}", "address"), ("ref/prompt", "portfolio_overview", "address"),
                ("ref/prompt", "safe_transfer_checklist", "recipient")}


async def complete(ctx: Any, params: Any) -> Any:
    """completion/complete: known wallet addresses for address arguments; nothing to suggest elsewhere."""
    from mcp.types import CompleteResult, Completion

    ref = params.ref
    key = (ref.type, getattr(ref, "uri", None) or getattr(ref, "name", None), params.argument.name)
    values: list[str] = []
    app = ctx.lifespan_context  # build_server's lifespan yields the App
    if key in ADDRESS_ARGS and hasattr(app, "session"):
        typed = params.argument.value or ""
        values = sorted({w.address for w in app.session.wallets.values() if w.address.startswith(typed)})[:100]
    return CompleteResult(completion=Completion(values=values, total=len(values), has_more=False))


async def set_level(_ctx: Any, _params: Any) -> Any:
    """logging/setLevel (handshake era): accepted; this server sends no log messages to clients (stderr only)."""
    from mcp.types import EmptyResult

    return EmptyResult()


def install_legacy_protocol(server: Any) -> LegacySubscriptions:
    """Serve what MCPServer leaves out: resources/subscribe + unsubscribe (handshake era; the capability
    `resources.subscribe` follows by itself), completion/complete and logging/setLevel. The subscriptions are
    returned for the App (`app.subscriptions`), which `ctx.resource_changed` notifies."""
    from mcp.types import CompleteRequestParams, SetLevelRequestParams, SubscribeRequestParams, UnsubscribeRequestParams

    subs = LegacySubscriptions()
    lowlevel = server.lowlevel  # the adapter's one door to the SDK's low-level server (server.py says why)
    lowlevel.add_request_handler("resources/subscribe", SubscribeRequestParams, subs.subscribe)
    lowlevel.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, subs.unsubscribe)
    lowlevel.add_request_handler("completion/complete", CompleteRequestParams, complete)
    lowlevel.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)
    return subs
