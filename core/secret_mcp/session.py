"""The session: which network we are on and (later) which wallet is active, as the seed's state machine.

uninitialized -> network_configured -> wallet_imported -> active. Connecting is lazy: nothing touches the
network (or starts the sandbox) until the first tool needs the chain, so start-up and tools/list stay fast.
"""

from __future__ import annotations

import contextlib
import enum
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import anyio

from .errors import SecretMCPError
from .networks import Network

if TYPE_CHECKING:
    from .cache import Cache
    from .config import Config
    from .pool import ClientPool


class Owner(Protocol):
    """What the session uses of the App that owns it (a higher layer): config, cache directory, plugin hooks."""

    config: "Config"
    host: Any  # the plugin host: `host.hook` calls every pack's hook implementations

    def cache_directory(self) -> Path | None: ...

log = logging.getLogger("secret_mcp.session")


class SessionState(str, enum.Enum):
    UNINITIALIZED = "uninitialized"
    NETWORK_CONFIGURED = "network_configured"
    WALLET_IMPORTED = "wallet_imported"
    ACTIVE = "active"


class Session:
    def __init__(self, app: Owner) -> None:
        self.app = app
        self.network: Network | None = None
        self.wallets: dict[str, Any] = {}  # filled by the wallet pack's keystore (issue 4)
        self.active_wallet: str | None = None
        self._pool: "ClientPool | None" = None
        self._cache: "Cache | None" = None
        self._launched: contextlib.ExitStack | None = None
        self._urls: tuple[str, ...] = ()
        self._lock = anyio.Lock()

    @property
    def state(self) -> SessionState:
        if self.network is None:
            return SessionState.UNINITIALIZED
        if not self.wallets:
            return SessionState.NETWORK_CONFIGURED
        if self.active_wallet is None:
            return SessionState.WALLET_IMPORTED
        return SessionState.ACTIVE

    @property
    def connected(self) -> bool:
        return self._pool is not None

    @property
    def urls(self) -> tuple[str, ...]:
        """The LCD URLs in use (for a launched sandbox, known only once connected)."""
        return self._urls or (self.network.lcd_urls if self.network else ())

    def active_wallet_address(self) -> str | None:
        """Address of the active wallet, if any (the wallet pack fills `wallets` with objects having .address)."""
        if self.active_wallet is None:
            return None
        wallet = self.wallets.get(self.active_wallet)
        return getattr(wallet, "address", None)

    def require_network(self) -> Network:
        if self.network is None:
            raise SecretMCPError(
                "NETWORK_NOT_CONFIGURED",
                "No network is configured.",
                ["Call secret_configure_network with 'sandbox', 'testnet', 'mainnet' or 'localsecret'."],
            )
        return self.network

    async def connect(self) -> "ClientPool":
        """The client pool of the current network, starting it (and a local chain) on first use."""
        if self._pool is not None:
            return self._pool
        async with self._lock:
            if self._pool is not None:
                return self._pool
            network = self.require_network()
            urls = network.lcd_urls
            stack = contextlib.ExitStack()
            if network.launcher is not None:
                try:
                    url = await anyio.to_thread.run_sync(lambda: stack.enter_context(network.launcher()))
                except Exception as exc:
                    stack.close()
                    raise SecretMCPError(
                        "NETWORK_START_FAILED",
                        f"Could not start the {network.name} chain: {exc}",
                        ["Check the server log on stderr.", "Try another network with secret_configure_network."],
                    ) from exc
                urls = (url,)
            if not urls:
                stack.close()
                raise SecretMCPError(
                    "NETWORK_NO_ENDPOINTS", f"Network {network.name} has no LCD endpoint.", ["Pass --lcd-url."]
                )
            from .cache import Cache  # imported on first use: start-up stays fast
            from .pool import ClientPool

            cfg = self.app.config
            self._pool = ClientPool(
                network,
                urls=urls,
                max_connections=cfg.max_connections,
                timeout=cfg.request_timeout,
                retries=cfg.retries,
                breaker_threshold=cfg.breaker_threshold,
                breaker_cooldown=cfg.breaker_cooldown,
            )
            self._cache = Cache(
                self.app.cache_directory(),
                enabled=cfg.cache,
                namespace=f"{network.chain_id}|{'|'.join(urls)}",
                url=cfg.cache_url,
            )
            self._launched = stack
            self._urls = tuple(urls)
            self.app.host.hook.secret_mcp_client_pool_created(pool=self._pool, network=network)
            return self._pool

    async def cache(self) -> "Cache":
        await self.connect()
        assert self._cache is not None
        return self._cache

    async def switch_network(self, network: Network) -> None:
        """Select another network; everything that belonged to the old one is closed and forgotten."""
        await self.disconnect()
        self.network = network
        self.app.host.hook.secret_mcp_network_changed(session=self, network=network)

    async def disconnect(self) -> None:
        async with self._lock:
            pool, cache, stack = self._pool, self._cache, self._launched
            self._pool = self._cache = self._launched = None
            self._urls = ()
        if pool is not None:
            await pool.aclose()
        if cache is not None:
            cache.close()
        if stack is not None:
            await anyio.to_thread.run_sync(stack.close)
