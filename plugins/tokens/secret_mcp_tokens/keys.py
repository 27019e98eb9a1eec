"""Viewing keys (created or set on chain, kept with the wallet by the keystore) and SNIP-24 query permits."""

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
from .vault import forget_permit, forget_viewing_key, keep_permit, keep_viewing_key


class KeyStored(BaseModel):
    token: str
    address: str
    txhash: str
    stored: bool = Field(description="The key is kept encrypted with the wallet; it is never shown")
    kept_in: Literal["keyring", "file", "memory"] = Field(
        description="Where: the OS keyring or encrypted file (survives restarts), or memory (this session only)")


class PermitMade(BaseModel):
    permit_name: str
    signer: str
    allowed_tokens: list[str]
    permissions: list[str]
    chain_id: str
    kept_in: Literal["keyring", "file", "memory"] = Field(description="Where the signed permit is kept (never shown)")


@tool(effect="writes", title="Create a viewing key", needs_wallet=True)
async def secret_token_create_viewing_key(ctx: ToolContext, token: TokenArg) -> KeyStored:
    """Have the token contract create a viewing key for the active wallet; kept with the wallet, never shown."""
    t = await resolve(ctx, token)
    me = owner(ctx)
    out, data = await execute(ctx, t, {"create_viewing_key": {"entropy": base64.b64encode(os.urandom(32)).decode()}},
                              summary=f"Create a viewing key on {t.symbol}", tool="secret_token_create_viewing_key")
    key = ((data or {}).get("create_viewing_key") or {}).get("key")
    if not key:
        raise SecretMCPError("TOKEN_FAILURE", "The token did not return a viewing key.", [], {"txhash": out.txhash})
    kept_in = keep_viewing_key(ctx, t.address, me, key)
    return KeyStored(token=t.address, address=me, txhash=out.txhash, stored=True, kept_in=kept_in)


@tool(effect="writes", title="Set a viewing key", needs_wallet=True)
async def secret_token_set_viewing_key(
    ctx: ToolContext, token: TokenArg,
    key: Annotated[str, Field(min_length=1, max_length=256, description="The viewing key to set (kept secret)")],
) -> KeyStored:
    """Set the active wallet's viewing key on a token to a chosen value; kept with the wallet, never shown."""
    t = await resolve(ctx, token)
    me = owner(ctx)
    out, _data = await execute(ctx, t, {"set_viewing_key": {"key": key}}, summary=f"Set a viewing key on {t.symbol}",
                               tool="secret_token_set_viewing_key")
    kept_in = keep_viewing_key(ctx, t.address, me, key)
    return KeyStored(token=t.address, address=me, txhash=out.txhash, stored=True, kept_in=kept_in)


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
    """Sign a SNIP-24 query permit with the active wallet (offline, free). Kept with the wallet; use it with
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
    kept_in = keep_permit(ctx, signer.address, permit_name, permit)
    return PermitMade(permit_name=permit_name, signer=signer.address, allowed_tokens=allowed,
                      permissions=list(permissions), chain_id=chain_id, kept_in=kept_in)


class KeyForgotten(BaseModel):
    address: str
    token: str | None = None
    permit_name: str | None = None
    forgotten: bool = Field(description="False when nothing was kept under that token or permit name")


@tool(effect="local", title="Forget a viewing key or permit", needs_wallet=True)
async def secret_token_forget_key(
    ctx: ToolContext, token: Annotated[str | None, Field(description="Forget the viewing key for this token")] = None,
    permit_name: Annotated[str | None, Field(description="Or forget the permit with this name")] = None,
) -> KeyForgotten:
    """Delete the active wallet's kept viewing key for a token, or a kept permit. The key stays valid on chain:
    to revoke it, set a new one with secret_token_set_viewing_key."""
    if (token is None) == (permit_name is None):
        raise SecretMCPError("INVALID_ARGUMENTS", "Give either token or permit_name.", [])
    me = owner(ctx)
    if permit_name is not None:
        return KeyForgotten(address=me, permit_name=permit_name, forgotten=forget_permit(ctx, me, permit_name))
    t = await resolve(ctx, token or "")
    return KeyForgotten(address=me, token=t.address, forgotten=forget_viewing_key(ctx, t.address, me))
