"""The wallet pack: create, import, list, choose and remove wallets; `secret-mcp wallet ...` on the terminal.

Key material lives in the core keystore (`secret_mcp.security`); this pack only exposes it by name.
"""

from __future__ import annotations

from secret_mcp.api import hookimpl


@hookimpl
def secret_mcp_register(registry):
    from .tools import TOOLS

    from .resource import WALLETS_LIST, wallets_list

    registry.add_tools(*TOOLS)
    registry.resource(WALLETS_LIST, wallets_list, name="wallets_list")


@hookimpl
def secret_mcp_register_commands(cli):
    from .cli import wallet

    cli.add_command(wallet)
