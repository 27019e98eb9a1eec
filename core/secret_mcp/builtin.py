"""The core's built-in plugin: network presets for mainnet, testnet and LocalSecret."""

from __future__ import annotations

from . import hookimpl
from .networks import CORE_PRESETS


@hookimpl
def secret_mcp_networks():
    return list(CORE_PRESETS)
