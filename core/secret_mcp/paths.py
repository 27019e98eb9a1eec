"""Where secret-mcp keeps its files, following the XDG base-directory spec.

`SECRET_MCP_HOME` puts everything under one directory (config/, cache/, data/, state/), which is
what tests and portable installs want. Otherwise each kind follows its XDG variable, falling back to
the spec's default under the home directory. Nothing here creates a directory: callers create what
they write to, so that merely asking for a path has no side effects.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "secret-mcp"


def _base(kind: str, xdg_var: str, default: str) -> Path:
    home = os.environ.get("SECRET_MCP_HOME")
    if home:
        return Path(home).expanduser() / kind
    xdg = os.environ.get(xdg_var)
    # The spec says a relative XDG value is invalid and must be ignored.
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / APP
    return Path.home() / default / APP


def config_dir() -> Path:
    """Settings (config.toml). Default ~/.config/secret-mcp."""
    return _base("config", "XDG_CONFIG_HOME", ".config")


def cache_dir() -> Path:
    """Disposable chain-query cache. Default ~/.cache/secret-mcp."""
    return _base("cache", "XDG_CACHE_HOME", ".cache")


def data_dir() -> Path:
    """Data worth keeping (e.g. encrypted wallets). Default ~/.local/share/secret-mcp."""
    return _base("data", "XDG_DATA_HOME", ".local/share")


def state_dir() -> Path:
    """State such as the audit log. Default ~/.local/state/secret-mcp."""
    return _base("state", "XDG_STATE_HOME", ".local/state")
