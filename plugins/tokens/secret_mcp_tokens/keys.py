"""Viewing keys (created on chain, kept in this session's vault) and SNIP-24 query permits signed by the wallet."""

from __future__ import annotations

import base64
import json
import os
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from secret_mcp.context import ToolContext
from secret_mcp.errors import SecretMCPError
from secret_mcp.tools import tool
from secret_mcp.tx import active_signer

from .common import TokenArg, execute, owner
from .registry import resolve
from .vault import permit_slot, vault, vk_slot


class KeyStored(BaseModel):
    token: str
    address: str
    txhash: str
    stored: bool = Field(description="The key is kept (encrypted, in memory) for this session; it is never shown")


class PermitMade(BaseModel):
    permit_name: str
    signer: str
    allowed_tokens: list[str]
    permissions: list[str]
    chain_id: str


@tool(effect="writes", title="Create a viewing key", needs_wallet=True)
async def secret_token_create_viewing_key(ctx: ToolContext, token: TokenArg) -> KeyStored:
    """Have the token contract create a viewing key for the active wallet; kept for this session, never shown."""
    t = await resolve(ctx, token)
    me = owner(ctx)
    out, data = await execute(ctx, t, {"create_viewing_key": {"entropy": base64.b64encode(os.urandom(32)).decode()}},
                              summary=f"Create a viewing key on {t.symbol}", tool="secret_token_create_viewing_key")
    key = ((data or {}).get("create_viewing_key") or {}).get("key")
    if not key:
        raise SecretMCPError("TOKEN_FAILURE", "The token did not return a viewing key.", [], {"txhash": out.txhash})
    vault(ctx).put(vk_slot(ctx, t.address, me), key)
    return KeyStored(token=t.address, address=me, txhash=out.txhash, stored=True)


@tool(effect="writes", title="Set a viewing key", needs_wallet=True)
async def secret_token_set_viewing_key(
    ctx: ToolContext, token: TokenArg,
    key: Annotated[str, Field(min_length=1, max_length=256, description="The viewing key to set (kept secret)")],
) -> KeyStored:
    """Set the active wallet's viewing key on a token to a chosen value; kept for this session, never shown."""
    t = await resolve(ctx, token)
    me = owner(ctx)
    out, _data = await execute(ctx, t, {"set_viewing_key": {"key": key}}, summary=f"Set a viewing key on {t.symbol}",
                               tool="secret_token_set_viewing_key")
    vault(ctx).put(vk_slot(ctx, t.address, me), key)
    return KeyStored(token=t.address, address=me, txhash=out.txhash, stored=True)


def sign_bytes(chain_id: str, name: str, tokens: list[str], permissions: list[str]) -> bytes:
    """The amino StdSignDoc of SNIP-24 (§6.3): sorted keys, compact, cosmjs' <>& escapes."""
    doc = {"account_number": "0", "chain_id": chain_id,
           "fee": {"amount": [{"amount": "0", "denom": "uscrt"}], "gas": "1"}, "memo": "",
           "msgs": [{"type": "query_permit",
                     "value": {"allowed_tokens": tokens, "permissions": permissions, "permit_name": name}}],
           "sequence": "0"}
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


@tool(effect="local", title="Create a query permit", needs_wallet=True)
async def secret_token_create_permit(
    ctx: ToolContext,
    permit_name: Annotated[str, Field(min_length=1, max_length=64, description="A name (revocable by this name)")],
    tokens: Annotated[list[str], Field(min_length=1, max_length=20, description="Token addresses or symbols it may be used on")],
    permissions: Annotated[list[Literal["balance", "history", "allowance", "owner"]], Field(min_length=1)] = ["balance", "history"],  # noqa: B006
) -> PermitMade:
    """Sign a SNIP-24 query permit with the active wallet (offline, free). Kept for this session; use it with
    `permit_name` in secret_token_balance / secret_token_history instead of a viewing key."""
    signer = active_signer(ctx)
    from secret_mcp.security import for_app

    allowed = [(await resolve(ctx, t)).address for t in tokens]
    chain_id = ctx.network.chain_id
    signature = for_app(ctx.app).keystore.sign(signer.wallet, sign_bytes(chain_id, permit_name, allowed, list(permissions)))
    permit = {"params": {"permit_name": permit_name, "allowed_tokens": allowed, "chain_id": chain_id,
                         "permissions": list(permissions)},
              "signature": {"pub_key": {"type": "tendermint/PubKeySecp256k1",
                                        "value": base64.b64encode(signer.public_key).decode()},
                            "signature": base64.b64encode(signature).decode()}}
    vault(ctx).put(permit_slot(ctx, signer.address, permit_name), permit)
    return PermitMade(permit_name=permit_name, signer=signer.address, allowed_tokens=allowed,
                      permissions=list(permissions), chain_id=chain_id)
