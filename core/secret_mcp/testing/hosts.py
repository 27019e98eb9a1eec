"""Servers for tests: a plugin host with only the packs you name, plus in-process test plugins.

`plugin_host()` loads every installed pack, as `secret-mcp serve` does; `plugin_host("wallet", "mypack")` only
those (by entry-point or distribution name); `plugin_host(entry_points=False)` none (the core alone). A
misspelled hook in any of them fails here, as it fails the real start-up.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from ..config import Config
from ..plugins import PluginHost
from ..server import build_server
from .chain import chain_id_of

Plugins = Mapping[str, Any] | Iterable[tuple[str, Any]]


def plugin_host(*packs: str, register: Plugins = (), exclude: Sequence[str] = (),
                entry_points: bool = True) -> PluginHost:
    """A host with the core, the named installed packs (all when none is named) but those in `exclude`, then the
    objects in `register` (an object with @hookimpl methods, or a module) registered in-process, given as
    (name, object) pairs or a {name: object} mapping."""
    host = PluginHost(include=list(packs) if packs else None, exclude=exclude, load_entrypoints=entry_points)
    for name, plugin in (register.items() if isinstance(register, Mapping) else register):
        host.register(plugin, name)
    return host


def make_server(*packs: str, register: Plugins = (), host: PluginHost | None = None, **config: Any) -> Any:
    """An MCP server (pass it to `connect`) built from Config(**config) with `plugin_host(*packs, register=...)`,
    or with `host` when given. With no pack named, the config's own `plugins` / `exclude` choose, as in serve."""
    cfg = Config(**config)
    if host is None:
        host = plugin_host(*(packs or cfg.plugins or ()), register=register, exclude=cfg.exclude)
    return build_server(cfg, host=host)


def server_on(sandbox: Any, *packs: str, register: Plugins = (), host: PluginHost | None = None,
              **config: Any) -> Any:
    """`make_server` whose network is this running sandbox (network "sandbox", its LCD, its chain id).

    The cache stays on, in SECRET_MCP_HOME: a read after a send must see the change, so invalidation is tested too.
    """
    config.setdefault("network", "sandbox")
    config.setdefault("lcd_urls", (sandbox.url,))
    config.setdefault("chain_id", chain_id_of(sandbox))
    return make_server(*packs, register=register, host=host, **config)
