"""Plugin host: a pluggy manager that loads packs from entry points one at a time.

pluggy's own loader stops at the first broken plugin; loading each entry point ourselves means a broken
pack is reported (name and error) while every other pack still loads.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import logging
import traceback
from typing import Any, Iterable, Sequence

import attrs
import pluggy

from . import hookspecs

log = logging.getLogger("secret_mcp.plugins")
GROUP = "secret_mcp"

# The core's own plugins, listed once (like llm's default plugins): they use the same hooks as every pack.
# "module" registers the module, "module:Class" an instance (which the App binds to its service).
BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = (
    ("core", "secret_mcp.builtin"),  # network presets for mainnet, testnet and LocalSecret
    ("security", "secret_mcp.security.plugin:SecurityPlugin"),  # limits, 24-hour window, confirmation codes
    ("metrics", "secret_mcp.metrics:MetricsPlugin"),  # transaction outcomes and new client pools, per App
    ("resources", "secret_mcp.resources"),  # the core's resources and prompts (session state, account, tx)
)


def _builtin(target: str) -> Any:
    module, _, attr = target.partition(":")
    loaded = importlib.import_module(module)
    return getattr(loaded, attr)() if attr else loaded


@attrs.frozen
class PluginInfo:
    name: str
    distribution: str | None
    version: str | None
    error: str | None = None


def _matches(ep: md.EntryPoint, names: Iterable[str]) -> bool:
    dist = ep.dist.name if ep.dist else ""
    wanted = {n.strip().lower() for n in names if n.strip()}
    return ep.name.lower() in wanted or dist.lower() in wanted or dist.lower().removeprefix("secret-mcp-") in wanted


class UnknownHookError(Exception):
    """A pack implements a hook that does not exist (a misspelling): start-up stops, naming the pack."""


class PluginHost:
    """Owns the PluginManager and what was loaded (or failed to load)."""

    def __init__(
        self,
        *,
        include: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        load_entrypoints: bool = True,
    ) -> None:
        self.pm = pluggy.PluginManager("secret_mcp")
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        for name, target in BUILTIN_PLUGINS:
            self.register(_builtin(target), name, distribution="secret-mcp-core")
        if load_entrypoints:
            self.load_entrypoints(include=include, exclude=exclude)

    def register(self, plugin: Any, name: str, *, distribution: str | None = None, version: str | None = None) -> None:
        self.pm.register(plugin, name=name)
        self._check_hooks(name, distribution)
        if version is None and distribution:
            try:
                version = md.version(distribution)
            except md.PackageNotFoundError:
                version = None
        self.infos[name] = PluginInfo(name, distribution, version)

    def load_entrypoints(self, *, include: Sequence[str] | None = None, exclude: Sequence[str] = ()) -> None:
        seen: set[str] = set()
        for ep in sorted(md.entry_points(group=GROUP), key=lambda e: e.name):
            if ep.name in seen or ep.name in self.infos:
                continue  # the same distribution can be visible twice on sys.path
            seen.add(ep.name)
            if include is not None and not _matches(ep, include):
                continue
            if exclude and _matches(ep, exclude):
                continue
            dist = ep.dist.name if ep.dist else None
            version = ep.dist.version if ep.dist else None
            try:
                plugin = ep.load()
                self.pm.register(plugin, name=ep.name)
            except pluggy.PluginValidationError as exc:
                raise UnknownHookError(f"pack {ep.name} ({dist}): {exc}") from None
            except Exception as exc:  # any failure in a third-party import must not take the server down
                message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
                log.error("plugin %s (%s) failed to load: %s", ep.name, dist, message)
                self.infos[ep.name] = PluginInfo(ep.name, dist, version, error=message)
                continue
            self.infos[ep.name] = PluginInfo(ep.name, dist, version)
            self._check_hooks(ep.name, dist)

    def _check_hooks(self, name: str, dist: str | None) -> None:
        """A hook implementation with no hook of that name (`secret_mcp_regsiter`) would be silently ignored:
        it is an error naming the pack, and start-up stops."""
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            unknown = self._unknown_hooks()
            raise UnknownHookError(
                f"pack {name} ({dist or 'not installed'}) implements unknown hook(s) {', '.join(unknown)}: "
                f"check the spelling against docs/plugin-hooks.md ({exc})"
            ) from None

    def _unknown_hooks(self) -> list[str]:
        out = []
        for hook_name in dir(self.pm.hook):
            caller = getattr(self.pm.hook, hook_name)
            if hook_name.startswith("_") or not hasattr(caller, "get_hookimpls") or caller.spec is not None:
                continue
            if any(not impl.optionalhook for impl in caller.get_hookimpls()):
                out.append(hook_name)
        return sorted(out)

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def loaded(self) -> list[str]:
        return [name for name, info in self.infos.items() if info.error is None]

    def errors(self) -> list[PluginInfo]:
        return [info for info in self.infos.values() if info.error is not None]

    def hooks_of(self, name: str) -> list[str]:
        plugin = self.pm.get_plugin(name)
        if plugin is None:
            return []
        return sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [])

    def impls(self, hook_name: str) -> list[tuple[str, Any]]:
        """(plugin name, function) for each implementation of a hook, in registration order."""
        caller = getattr(self.pm.hook, hook_name)
        return [(impl.plugin_name, impl.function) for impl in reversed(caller.get_hookimpls())]
