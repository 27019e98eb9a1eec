"""App: one server process's state (config, plugins, registry, networks, session)."""

from __future__ import annotations

import inspect
import json
import logging
from pathlib import Path
from typing import Any, Callable

import attrs

from mcp.server import MCPServer

from .config import Config
from .context import ToolContext
from .tools import ToolSpec
from .errors import SecretMCPError
from .metrics import Metrics
from .networks import Network
from .paths import cache_dir
from .plugins import PluginHost
from .registry import Registry
from .security.redact import redact
from .security.services import Security, build_security
from .session import Session

log = logging.getLogger("secret_mcp.app")


def _record(prepared: Any) -> dict[str, Any]:
    """A prepared plan as the JSON record a confirmation code keeps (imported on first use: protobuf stays lazy)."""
    from .tx.carry import to_record

    return to_record(prepared)


def collect_networks(host: PluginHost) -> dict[str, Network]:
    networks: dict[str, Network] = {}
    for plugin, impl in host.impls("secret_mcp_networks"):
        for network in impl() or []:
            if network.name in networks:
                log.warning("network %r from plugin %s replaces an earlier preset", network.name, plugin)
            networks[network.name] = network
    return networks


def collect_registry(host: PluginHost) -> Registry:
    registry = Registry()
    for plugin, impl in host.impls("secret_mcp_register"):
        impl(registry=registry.for_plugin(plugin))
    return registry


class App:
    def __init__(self, config: Config, host: PluginHost) -> None:
        self.config = config
        self.host = host
        self.networks = collect_networks(host)
        self.registry = collect_registry(host)
        self.session = Session(self)
        self.server: MCPServer | None = None
        self.runner: Any = None  # the MCP adapter's tool paths, for tools that run another tool (set by it)
        self.subscriptions: Any = None  # handshake-era resource subscriptions (set by the MCP adapter)
        self._wrap: Callable[[App, ToolSpec], Any] | None = None
        self._users = 0
        # The services, built here from config and handed to tools through the context; the core's plugins
        # for them are bound before any tool runs.
        self.security: Security = build_security(
            config, wallets=self.session.wallets, kind_of=self._kind_of, revive=self._revive,
            sender=self.session.active_wallet_address, record=_record,
        )
        self.metrics = Metrics(config, self.session)
        self._bind("security", self.security)
        self._bind("metrics", self.metrics)
        try:
            self.session.network = self.resolve_network(config.network, lcd_urls=config.lcd_urls, chain_id=config.chain_id)
        except SecretMCPError as exc:
            log.error("configured network unavailable: %s", exc.message)

    def _bind(self, plugin_name: str, service: Any) -> None:
        plugin = self.host.pm.get_plugin(plugin_name)  # every PluginHost registers the core's plugins
        if plugin is not None and hasattr(plugin, "bind"):
            plugin.bind(service)

    def _kind_of(self, network_name: str) -> str | None:
        current = self.session.network
        if current is not None and current.name == network_name:
            return current.kind
        preset = self.networks.get(network_name)
        return preset.kind if preset else None

    def _revive(self, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        """A pending call's JSON arguments (read back from Redis) in the tool's own parameter types."""
        from .security.confirm import revive_args

        registered = self.registry.tools.get(tool)
        return revive_args(registered.spec.fn, args) if registered is not None else args

    # -- tools ---------------------------------------------------------------------------------------------

    def tool_specs(self) -> list[tuple[str, ToolSpec]]:
        """(plugin, spec) for every tool this configuration offers (read-only mode drops chain writes)."""
        out = []
        for name in sorted(self.registry.tools):
            reg = self.registry.tools[name]
            if self.config.read_only and reg.spec.writes_chain:
                continue
            out.append((reg.plugin, reg.spec))
        # The confirmation-code tool only makes sense when some offered tool can ask for confirmation.
        if not any(spec.confirm or spec.writes_chain for plugin, spec in out if plugin != "security"):
            out = [(plugin, spec) for plugin, spec in out if plugin != "security"]
        # A batch of write tools, and a signed tx for a signing request, only make sense when some pack writes.
        if not any(spec.writes_chain for plugin, spec in out if plugin != "security"):
            out = [(plugin, spec) for plugin, spec in out
                   if spec.name not in ("secret_batch", "secret_submit_signed_transaction")]
        return out

    def _available(self, spec: ToolSpec) -> bool:
        network = self.session.network
        return spec.network_kinds is None or (network is not None and network.kind in spec.network_kinds)

    def attach(self, server: MCPServer, wrap: Callable[["App", ToolSpec], Any]) -> None:
        """Register every tool, resource and prompt on the MCP server."""
        self.server, self._wrap = server, wrap
        for _plugin, spec in self.tool_specs():
            if self._available(spec):
                self._add_tool(spec)
        for uri in sorted(self.registry.resources):
            self._add_resource(self.registry.resources[uri].spec)
        from . import ui

        ui.install(server, self.registry)  # MCP Apps: ui:// pages
        from . import offered, prompts  # argument problems reach the client as -32602 naming the argument

        for name in sorted(self.registry.prompts):  # a prompt names only tools this server offers
            prompts.add(server, self.registry.prompts[name].spec, lambda text: offered.prompt_text(self, text))
        prompts.install(server)

    def _add_tool(self, spec: ToolSpec) -> None:
        assert self.server is not None and self._wrap is not None
        from . import schemas, ui

        full = self.config.full_schemas
        # Without full schemas no output schema is derived (a third of start-up) or advertised; the tool still
        # returns structuredContent, built by the core from the tool's pydantic model. Nor is the title sent: it
        # is for display only (clients show the name instead), and the model reads every byte of tools/list.
        self.server.add_tool(
            self._wrap(self, spec), name=spec.name, title=spec.title if full else None, description=spec.description,
            annotations=spec.annotations(full=full), structured_output=None if full else False,
            meta=ui.tool_meta(self.registry, spec),
        )
        registered = self.server.registered_tool(spec.name)  # the MCP adapter's (server.py): no public SDK way
        registered.parameters = schemas.input_schema(registered.parameters, full=full)
        if full:
            registered.fn_metadata.output_schema = schemas.output_schema(registered.fn_metadata.output_schema)

    def _add_resource(self, spec: Any) -> None:
        assert self.server is not None
        params = [p for p in inspect.signature(spec.fn).parameters.values()][1:]

        async def read(**kwargs: Any) -> str:
            try:
                value = await spec.fn(ToolContext(self), **kwargs)
            except SecretMCPError as exc:
                from .offered import suggestions

                exc.suggestions = suggestions(self, exc.suggestions)  # only tools this server offers
                value = {"error": exc.to_dict()}
            value = redact(value)
            return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

        read.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [p.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=str) for p in params], return_annotation=str
        )
        read.__annotations__ = {p.name: str for p in params} | {"return": str}
        read.__name__ = spec.name
        self.server.resource(spec.uri, name=spec.name, description=spec.description, mime_type=spec.mime_type)(read)

    def sync_tools(self) -> bool:
        """Add or remove network-specific tools after a network switch; True when the list changed."""
        if self.server is None:
            return False
        present = self.server.tool_names()
        changed = False
        for _plugin, spec in self.tool_specs():
            if spec.network_kinds is None:
                continue
            if self._available(spec) and spec.name not in present:
                self._add_tool(spec)
                changed = True
            elif not self._available(spec) and spec.name in present:
                self.server.remove_tool(spec.name)
                changed = True
        return changed

    def check_allowed(self, spec: ToolSpec) -> None:
        """Checks the core makes before any tool body runs."""
        if self.config.read_only and spec.writes_chain:
            raise SecretMCPError("READ_ONLY", "The server runs in read-only mode; this tool writes.", [])
        if spec.network_kinds is not None and not self._available(spec):
            kinds = ", ".join(sorted(spec.network_kinds))
            raise SecretMCPError(
                "TOOL_NOT_AVAILABLE_ON_NETWORK",
                f"{spec.name} works only on {kinds} networks.",
                ["Switch network with secret_configure_network."],
            )
        if spec.needs_wallet and self.session.active_wallet is None:
            raise SecretMCPError(
                "NO_ACTIVE_WALLET",
                "This tool needs an active wallet.",
                ["Create or import one with secret_create_wallet / secret_import_wallet, then secret_set_active_wallet."],
            )

    def write_notice(self, spec: ToolSpec) -> str | None:
        network = self.session.network
        if spec.writes_chain and network is not None and network.simulated:
            return f"Note: this ran on {network.name}, a simulated local chain; its tokens are worthless."
        return None

    def cache_directory(self) -> Path | None:
        if not self.config.cache:
            return None
        return self.config.cache_dir or cache_dir()

    def resolve_network(self, name: str | None = None, *, lcd_urls=(), chain_id: str | None = None,
                        field: str = "lcd_url") -> Network:
        """A preset by name, or a custom network from URLs (+ chain id).

        A network's kind comes from what it is, not from the name asked for: URLs outside the preset's own list
        (or, for the sandbox, not a chain this process runs) or another chain id make it kind "custom"."""
        from .networks import lcd_url_problem

        for i, url in enumerate(lcd_urls):
            problem = lcd_url_problem(url)
            if problem:
                raise SecretMCPError("INVALID_INPUT", f"{field}[{i}] {problem}.",
                                     ["Pass the LCD's base URL, like https://lcd.example.com"], {"fields": [f"{field}[{i}]"]})
        key = (name or "").strip().lower()
        base = self.networks.get(key) if key and key != "custom" else None
        if not lcd_urls:
            if key not in self.networks:
                raise SecretMCPError(
                    "UNKNOWN_NETWORK",
                    f"Unknown network {name!r}.",
                    [f"Choose one of: {', '.join(sorted(self.networks))}, or pass lcd_url for a custom endpoint."],
                    {"available": sorted(self.networks)},
                )
            network = self.networks[key]
            if chain_id and chain_id != network.chain_id:
                raise SecretMCPError(
                    "CHAIN_ID_MISMATCH",
                    f"Network {network.name} is {network.chain_id}, not {chain_id}.",
                    ["Omit chain_id, or pass lcd_url for a custom endpoint with that chain id."],
                )
            return network
        urls = tuple(u.rstrip("/") for u in lcd_urls)
        if base is not None and chain_id in (None, base.chain_id):
            own = {u.rstrip("/") for u in base.lcd_urls}
            if base.kind == "sandbox":  # sandboxes the person runs elsewhere, named in their own config
                own |= {u.rstrip("/") for u in self.config.sandbox_urls}
            if set(urls) <= own or (base.serves is not None and all(base.serves(u) for u in urls)):
                return attrs.evolve(base, lcd_urls=urls, launcher=None)
        return Network(
            name="custom",
            chain_id=chain_id or (base.chain_id if base else "secret-4"),
            lcd_urls=urls,
            kind="custom",
            gas_price=base.gas_price if base else "0.1",
            explorer_tx_url=base.explorer_tx_url if base else None,
            description=f"Custom LCD endpoint(s){f' with the {base.name} settings' if base else ''}.",
        )

    async def start(self) -> None:
        """Enter a connection (stdio: once; in-process tests: per client). The first one configures the session."""
        self._users += 1
        if self._users > 1:
            return
        self.host.hook.secret_mcp_session_started(session=self.session)

    async def stop(self) -> None:
        self._users -= 1
        if self._users > 0:
            return
        self.host.hook.secret_mcp_session_ended(session=self.session)
        await self.session.disconnect()
