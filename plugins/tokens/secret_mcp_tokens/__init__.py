"""The tokens pack: SNIP-20 info, balances, transfers and history; viewing keys; SNIP-24 permits; a token registry."""

from __future__ import annotations

from secret_mcp.api import hookimpl


@hookimpl
def secret_mcp_register(registry):
    from .keys import (
        secret_token_create_permit,
        secret_token_create_viewing_key,
        secret_token_forget_key,
        secret_token_set_viewing_key,
    )
    from .reads import (
        secret_token_add,
        secret_token_balance,
        secret_token_history,
        secret_token_info,
        secret_token_list,
    )
    from .writes import secret_token_send, secret_token_transfer

    registry.add_tools(secret_token_info, secret_token_balance, secret_token_history, secret_token_add,
                       secret_token_list, secret_token_transfer, secret_token_send, secret_token_create_viewing_key,
                       secret_token_set_viewing_key, secret_token_create_permit, secret_token_forget_key)


@hookimpl
def secret_mcp_requires():
    return {"wallet": "to choose the wallet that signs"}
