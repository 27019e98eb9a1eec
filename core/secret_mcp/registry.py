"""The object passed to `secret_mcp_register`: packs add tools, resources and prompts; the core owns the rest."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Iterable

import attrs

from .tools import ToolSpec, spec_of


class CollisionError(Exception):
    """Two packs registered the same tool, resource or prompt name."""


@attrs.frozen
class ResourceSpec:
    uri: str
    fn: Callable[..., Awaitable[Any]]  # async fn(ctx: ToolContext, **uri_params) -> dict | list | str
    name: str
    description: str
    mime_type: str = "application/json"


@attrs.frozen
class PromptSpec:
    name: str
    fn: Callable[..., Any]  # fn(**args) -> str | list of messages
    description: str
    title: str | None = None


@attrs.define
class Registered:
    plugin: str
    spec: Any


class Registry:
    """Collects what every pack registers, remembering which pack registered what."""

    def __init__(self) -> None:
        self.tools: dict[str, Registered] = {}
        self.resources: dict[str, Registered] = {}
        self.prompts: dict[str, Registered] = {}
        self.apps: dict[str, Registered] = {}  # ui:// URI -> ui.UiApp (MCP Apps)
        self._plugin = "?"

    def for_plugin(self, plugin: str) -> "Registry":
        """Attribute what follows to `plugin` (the core calls this before each pack's hook)."""
        self._plugin = plugin
        return self

    @staticmethod
    def _add(table: dict[str, Registered], kind: str, key: str, plugin: str, spec: Any) -> None:
        if key in table:
            raise CollisionError(
                f"{kind} {key!r} is registered by both pack {table[key].plugin!r} and pack {plugin!r}; "
                f"uninstall or exclude one of them (--exclude {plugin})"
            )
        table[key] = Registered(plugin, spec)

    def tool(self, fn: Callable[..., Awaitable[Any]]) -> None:
        """Add one function decorated with @tool."""
        spec: ToolSpec = spec_of(fn)
        self._add(self.tools, "tool", spec.name, self._plugin, spec)

    def add_tools(self, *fns: Callable[..., Awaitable[Any]]) -> None:
        for fn in fns:
            self.tool(fn)

    def resource(
        self,
        uri: str,
        fn: Callable[..., Awaitable[Any]],
        *,
        name: str | None = None,
        description: str | None = None,
        mime_type: str = "application/json",
    ) -> None:
        spec = ResourceSpec(uri, fn, name or fn.__name__, description or (fn.__doc__ or "").strip(), mime_type)
        self._add(self.resources, "resource", uri, self._plugin, spec)

    def prompt(self, fn: Callable[..., Any], *, name: str | None = None, title: str | None = None) -> None:
        spec = PromptSpec(name or fn.__name__, fn, (fn.__doc__ or "").strip(), title)
        self._add(self.prompts, "prompt", spec.name, self._plugin, spec)

    def ui_app(self, uri: str, html: Callable[[], str], *, tools: Iterable[str] | Callable[[ToolSpec], bool],
               name: str, description: str = "") -> None:
        """An MCP App: `html()` is served at the `ui://` `uri`; the selected tools (names, or a predicate over
        every offered tool's ToolSpec) carry `_meta.ui.resourceUri` in tools/list."""
        from .ui import UiApp, selector

        if not uri.startswith("ui://"):
            raise ValueError(f"an MCP App's URI must start with ui://, got {uri!r}")
        self._add(self.apps, "app", uri, self._plugin, UiApp(uri, html, name, description, selector(tools)))

    def tools_of(self, plugin: str) -> list[str]:
        return sorted(name for name, reg in self.tools.items() if reg.plugin == plugin)
