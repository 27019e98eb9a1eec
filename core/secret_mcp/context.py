"""ToolContext: everything a tool may use, injected by the core so packs keep no globals."""

from __future__ import annotations

import logging
import weakref
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Protocol, TypeVar

import attrs

from .uris import NETWORK_CONFIG, SESSION_STATE

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context

    from .cache import Cache
    from .config import Config
    from .metrics import Metrics
    from .networks import Network
    from .pool import ClientPool
    from .security.keystore import Keystore
    from .security.services import Security
    from .session import Session

log = logging.getLogger("secret_mcp.context")
T = TypeVar("T")


class AppView(Protocol):
    """The App as the layers below it see it: the context cannot import app.py (a higher layer), so the App
    hands itself in as this. Services are built by the App from config and the plugin hooks."""

    config: "Config"
    session: "Session"
    host: Any  # the plugin host; `host.hook` calls the packs' hook implementations
    networks: dict[str, "Network"]
    registry: Any  # what the packs registered (secret_mcp.registry.Registry)
    server: Any  # the MCP server the tools are registered on (None before it is attached)
    security: "Security"
    metrics: "Metrics"
    runner: Any  # the MCP adapter's tool paths (execute, execute_plan) for tools that run other tools
    subscriptions: Any  # handshake-era resource subscriptions (`updated(uri)`), set by the MCP adapter

    def resolve_network(self, name: str | None = None, *, lcd_urls: Any = (), chain_id: str | None = None,
                        field: str = "lcd_url") -> "Network": ...

    def sync_tools(self) -> bool: ...

    def check_allowed(self, spec: Any) -> None: ...
# Packs' own per-App state (token tables, approvals, ...), by pack-chosen name: gone with the App.
_PACK_STATE: "weakref.WeakKeyDictionary[Any, dict[str, Any]]" = weakref.WeakKeyDictionary()


@attrs.define
class ToolContext:
    app: AppView
    mcp: "Context | None" = None

    @property
    def session(self) -> "Session":
        return self.app.session

    @property
    def config(self) -> "Config":
        return self.app.config

    @property
    def network(self) -> "Network":
        return self.session.require_network()

    @property
    def hooks(self) -> Any:
        return self.app.host.hook

    @property
    def security(self) -> "Security":
        """The App's security services: keystore, limits, confirmation codes, audit log."""
        return self.app.security

    @property
    def keystore(self) -> "Keystore":
        """The server's keystore: wallets, signing and secrets kept with a wallet."""
        return self.app.security.keystore

    @property
    def metrics(self) -> "Metrics":
        """The App's counters (calls, transactions, cache, pool)."""
        return self.app.metrics

    def pack_state(self, name: str, factory: Callable[[], T]) -> T:
        """This server's state object for `name` (a pack's own name), made by `factory()` on first use."""
        states = _PACK_STATE.get(self.app)
        if states is None:
            states = _PACK_STATE[self.app] = {}
        if name not in states:
            states[name] = factory()
        return states[name]

    @property
    def networks(self) -> Mapping[str, "Network"]:
        """The network presets the installed packs offer, by name."""
        return self.app.networks

    def resolve_network(self, name: str | None = None, *, lcd_urls: Iterable[str] = (),
                        chain_id: str | None = None) -> "Network":
        """A preset by name, or a custom network from LCD URLs (+ chain id); UNKNOWN_NETWORK etc. otherwise."""
        return self.app.resolve_network(name, lcd_urls=tuple(lcd_urls), chain_id=chain_id)

    def address_or_active(self, address: str | None, field: str = "address") -> str:
        """The given address (validated), or the active wallet's when none is given."""
        from .addresses import validate_address
        from .errors import SecretMCPError

        if address:
            return validate_address(address, field=field)
        active = self.session.active_wallet_address()
        if active is None:
            raise SecretMCPError("NO_ADDRESS", "No address given and no active wallet.",
                                 ["Pass an address, or choose a wallet with secret_set_active_wallet."])
        return active

    async def pool(self) -> "ClientPool":
        return await self.session.connect()

    async def cache(self) -> "Cache":
        return await self.session.cache()

    async def query(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        data_class: str = "default",
        addresses: Iterable[str] = (),
        cached: bool = True,
    ) -> dict:
        """GET an LCD path through the pool, cached by data class unless `cached=False`."""
        pool = await self.pool()
        if not cached:
            return await pool.get(path, params)
        cache = await self.cache()
        key = path if not params else f"{path}?{sorted((k, str(v)) for k, v in params.items())}"
        return await cache.get_or_fetch(data_class, key, lambda: pool.get(path, params), addresses=addresses)

    async def progress(self, done: float, total: float | None = None, message: str | None = None) -> None:
        if self.mcp is not None:
            await self.mcp.report_progress(done, total, message)

    async def switch_network(self, network: "Network") -> None:
        """Move the session to another network and tell the client when the tool list changed."""
        await self.session.switch_network(network)
        if self.app.sync_tools() and self.mcp is not None:
            await notify_tools_changed(self.mcp)
        await self.resource_changed(NETWORK_CONFIG, SESSION_STATE)

    async def resource_changed(self, *uris: str) -> None:
        """Tell subscribers these resources changed: 2026-07-28 `subscriptions/listen` streams and handshake-era
        `resources/subscribe` sessions. A failed notification never fails the tool that changed something."""
        legacy = self.app.subscriptions
        for uri in uris:
            if self.mcp is not None:
                try:
                    await self.mcp.notify_resource_updated(uri)
                except Exception:  # no subscription bus on this connection
                    log.debug("could not publish resource update for %s", uri)
            if legacy is not None:
                await legacy.updated(uri)


async def notify_tools_changed(mcp: "Context") -> None:
    # Modern-era clients listen on the subscription bus; handshake-era clients get the legacy notification.
    try:
        await mcp.notify_tools_changed()
    except Exception:  # no subscription bus on this connection
        pass
    try:
        await mcp.session.send_tool_list_changed()
    except Exception:  # modern era has no back-channel for it
        pass
