"""MCP Apps (extension `io.modelcontextprotocol/ui`): `ui://` HTML resources, and the tools that name them.

A pack registers an app with `registry.ui_app(uri, html, tools=...)`; the core stamps `_meta.ui.resourceUri` on
the tools it selects (by name, or by a predicate over every offered tool, so an app can cover another pack's tools)
and serves the HTML as `text/html;profile=mcp-app`. Hosts that render apps show it next to the tool's result;
every other client gets the tool's usual text and structured content, unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Protocol

import attrs

from .tools import ToolSpec

if TYPE_CHECKING:
    from mcp.server import MCPServer


class Registry(Protocol):
    """The registry as this module reads it (registry.py imports this one, so not the other way round)."""

    apps: Mapping[str, Any]  # uri -> Registered(plugin, UiApp)

# The SDK's constants (mcp.server.apps), spelt out: importing that module would pull its extension machinery
# into start-up for two strings.
EXTENSION_ID = "io.modelcontextprotocol/ui"
APP_MIME_TYPE = "text/html;profile=mcp-app"


@attrs.frozen
class UiApp:
    uri: str
    html: Callable[[], str]  # called on each resources/read: the page is built (and cached) by its pack
    name: str
    description: str
    selects: Callable[[ToolSpec], bool]


def selector(tools: Iterable[str] | Callable[[ToolSpec], bool]) -> Callable[[ToolSpec], bool]:
    if callable(tools):
        return tools
    names = frozenset(tools)
    return lambda spec: spec.name in names


def tool_meta(registry: "Registry", spec: ToolSpec) -> dict[str, Any] | None:
    """`_meta` for a tool: the first app (by URI) that selects it, or None."""
    for uri in sorted(registry.apps):
        if registry.apps[uri].spec.selects(spec):
            return {"ui": {"resourceUri": uri}}
    return None


def install(server: "MCPServer", registry: "Registry") -> None:
    """Serve every registered app and advertise the extension (only when some pack registered an app)."""
    if not registry.apps:
        return
    from mcp.server.mcpserver.resources import FunctionResource

    for uri in sorted(registry.apps):
        app = registry.apps[uri].spec

        def read(html: Callable[[], str] = app.html) -> str:  # the SDK wants a plain function
            return html()

        # Static pack content, not chain data: served as is (no redaction pass over a bundled chart library).
        server.add_resource(FunctionResource.from_function(
            read, uri=uri, name=app.name, description=app.description, mime_type=APP_MIME_TYPE))
    # MCPServer advertises extensions only when given at construction; packs are known by then, apps not yet.
    server.lowlevel.extensions[EXTENSION_ID] = {}  # the adapter's door to the SDK's low-level server
