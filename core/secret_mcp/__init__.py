"""secret-mcp core: the plugin host and services that packs build on.

A pack imports the core only from `secret_mcp.api` (docs/pack-api.md). The lazy names below stay for packs
written before it; they are imported on first use so that loading a pack (or the CLI) stays cheap.
"""

from __future__ import annotations

import warnings
from typing import Any

import pluggy

__version__ = "0.1.0"

# secret-sdk's betterproto imports pkg_resources, which warns on import; setuptools<81 (a core dependency) keeps it
# working, so the warning would only be noise in every server's log. Set here, before any module imports secret_sdk.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated as an API", category=UserWarning,
                        module=r"(betterproto|secret_sdk)(\.|$)")

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
