"""secret-mcp core: the plugin host, services and public API that packs build on.

A pack needs only what this module exports: `hookimpl`, `tool`, `ToolContext`, `SecretMCPError`, `Network`.
They are imported lazily so that loading a pack (or the CLI) stays cheap.
"""

from __future__ import annotations

from typing import Any

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("secret_mcp")

_LAZY = {
    "tool": ("secret_mcp.tools", "tool"),
    "ToolContext": ("secret_mcp.context", "ToolContext"),
    "SecretMCPError": ("secret_mcp.errors", "SecretMCPError"),
    "Network": ("secret_mcp.networks", "Network"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'secret_mcp' has no attribute {name!r}")


__all__ = ["hookimpl", "__version__", *_LAZY]
