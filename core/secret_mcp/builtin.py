"""The core's built-in plugin: network presets for mainnet, testnet and LocalSecret; the sandbox pack as a need."""

from __future__ import annotations

from . import hookimpl
from .networks import CORE_PRESETS


@hookimpl
def secret_mcp_networks():
    return list(CORE_PRESETS)


@hookimpl
def secret_mcp_requires(config):
    # The default network is the sandbox, which only its pack provides.
    if config.network.strip().lower() == "sandbox" and not config.lcd_urls:
        return {"sandbox": "the configured network 'sandbox'"}
    return {}
