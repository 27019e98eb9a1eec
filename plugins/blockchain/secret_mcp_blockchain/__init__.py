"""The blockchain pack: blocks by height or hash, the latest block, node info and sync status."""

from __future__ import annotations

from secret_mcp.api import hookimpl


@hookimpl
def secret_mcp_register(registry):
    from .tools import (secret_get_block, secret_get_block_by_hash, secret_get_latest_block, secret_get_node_info,
                        secret_get_syncing_status)

    registry.add_tools(secret_get_block, secret_get_latest_block, secret_get_block_by_hash, secret_get_node_info,
                       secret_get_syncing_status)
