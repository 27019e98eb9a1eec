"""What loaded packs need (`secret_mcp_requires`) and which of those needs no loaded pack meets.

An unmet need is a warning, never a start-up error: a server with only read tools is still useful.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

import attrs

log = logging.getLogger("secret_mcp.needs")


@attrs.frozen
class Need:
    plugin: str  # who declared it
    pack: str  # the pack it needs (entry point name, e.g. "wallet")
    why: str

    def warning(self) -> str:
        return (f"{self.plugin} needs the {self.pack} pack ({self.why}), which is not loaded: "
                f"install secret-mcp-{self.pack}, or load it if --plugins / --exclude leave it out")


def declared(host: Any, config: Any) -> list[Need]:
    """Every need of every loaded plugin, in load order."""
    out = []
    for plugin, impl in host.impls("secret_mcp_requires"):
        wanted = inspect.signature(impl).parameters  # a pack may leave out the config argument
        answer = impl(**({"config": config} if "config" in wanted else {})) or {}
        out += [Need(plugin, str(pack).lower(), str(why)) for pack, why in dict(answer).items()]
    return out


def _is_loaded(host: Any, pack: str) -> bool:
    return any(info.error is None and (name.lower() == pack or (info.distribution or "").lower() in
                                       (pack, f"secret-mcp-{pack}"))
               for name, info in host.infos.items())


def unmet(host: Any, config: Any) -> list[Need]:
    return [need for need in declared(host, config) if not _is_loaded(host, need.pack)]


def warn(host: Any, config: Any) -> list[Need]:
    """Log each unmet need once (at start-up) and return them."""
    missing = unmet(host, config)
    for need in missing:
        log.warning("%s", need.warning())
    return missing
