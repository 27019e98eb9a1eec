"""secret-mcp-wrap: the tutorial pack (docs/tutorial-pack.md). Wraps SCRT into a SNIP-20 token that is backed
one to one by SCRT (sSCRT), and reads what the token says about itself. It imports only `secret_mcp.api`."""

from __future__ import annotations

from secret_mcp.api import hookimpl


@hookimpl
def secret_mcp_register(registry):
    # Imported here, not at the top: the server imports every pack at start-up and pays only for what it runs.
    from .tools import secret_wrap, secret_wrap_info

    registry.add_tools(secret_wrap_info, secret_wrap)


@hookimpl
def secret_mcp_requires(config):
    # secret_wrap signs with the active wallet, which the wallet pack creates and chooses.
    return {"wallet": "to choose the wallet that wraps"}
