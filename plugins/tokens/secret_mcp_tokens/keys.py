"""Viewing keys (created or set on chain, kept with the wallet by the keystore) and SNIP-24 query permits."""

from __future__ import annotations

import base64
import json
import os
from typing import Annotated, Any, Literal

import attrs
from pydantic import BaseModel, Field
from secret_mcp.api import ContractTx, Plan, SecretMCPError, ToolContext, active_signer, quote, tool

from .common import TokenArg, owner, token_plan
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


def _entropy() -> str:
    return base64.b64encode(os.urandom(32)).decode()


async def _key_plan(ctx: ToolContext, token: str, msg: dict[str, Any], verb: str) -> Plan[KeyStored]:
    """A viewing-key transaction. The preview names the token and the fee, never the key: the message (which holds
    a chosen key, or the entropy of a created one) is encrypted and not shown, and the plan says it holds a secret
    so its confirmation code never leaves this process."""
    t = await resolve(ctx, token)
    me = owner(ctx)
    chosen = (msg.get("set_viewing_key") or {}).get("key")

    async def then(ctx: ToolContext, out: ContractTx, data: Any) -> KeyStored:
        key = chosen or ((data or {}).get("create_viewing_key") or {}).get("key")
        if not key:
            raise SecretMCPError("TOKEN_FAILURE", "The token did not return a viewing key.", [], {"txhash": out.txhash})
        kept_in = keep_viewing_key(ctx, t.address, me, key)
        return KeyStored(token=t.address, address=me, txhash=out.txhash, stored=True, kept_in=kept_in)

    plan = await token_plan(ctx, t, msg, action=f"{verb} a viewing key for {quote(t.symbol, limit=20)} (a transaction: "
                            "it pays a fee)", then=then,
                            lines=[f"Token: {quote(t.name)} ({t.address})",
                                   "The key is kept encrypted with the wallet; it is not shown here or in results."])
    return attrs.evolve(plan, holds_secret=True)  # said outright, whatever the message recogniser reads


@tool(effect="writes", title="Create a viewing key", needs_wallet=True)
async def secret_token_create_viewing_key(ctx: ToolContext, token: TokenArg) -> Plan[KeyStored]:
    """Have a token create a viewing key for the active wallet; kept, never shown."""
    return await _key_plan(ctx, token, {"create_viewing_key": {"entropy": _entropy()}}, "Create")


@tool(effect="writes", title="Set a viewing key", needs_wallet=True)
async def secret_token_set_viewing_key(
    ctx: ToolContext, token: TokenArg,
    key: Annotated[str, Field(min_length=1, max_length=256)],
) -> Plan[KeyStored]:
    """Set the active wallet's viewing key on a token; kept, never shown."""
    return await _key_plan(ctx, token, {"set_viewing_key": {"key": key}}, "Set")


def sign_bytes(chain_id: str, name: str, tokens: list[str], permissions: list[str]) -> bytes:
    """The amino StdSignDoc of SNIP-24 (docs/protocol-notes.md#snip-24-permits): sorted keys, compact, cosmjs' <>& escapes."""
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
    permit_name: Annotated[str, Field(min_length=1, max_length=64)],
    tokens: Annotated[list[str], Field(min_length=1, max_length=20, description="Addresses or symbols")],
    permissions: Annotated[list[Literal["balance", "history", "allowance", "owner"]], Field(min_length=1)] = ["balance", "history"],  # noqa: B006
) -> PermitMade:
    """Sign a SNIP-24 query permit (offline, free); use it via `permit_name` instead of a viewing key."""
    signer = active_signer(ctx)

    allowed = [(await resolve(ctx, t)).address for t in tokens]
    chain_id = ctx.network.chain_id
    signature = ctx.keystore.sign(signer.wallet, sign_bytes(chain_id, permit_name, allowed, list(permissions)))
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
    ctx: ToolContext, token: str | None = None,
    permit_name: str | None = None,
) -> KeyForgotten:
    """Forget a kept viewing key (of `token`) or permit; the key stays valid on chain until a new one is set."""
    if (token is None) == (permit_name is None):
        raise SecretMCPError("INVALID_ARGUMENTS", "Give either token or permit_name.", [])
    me = owner(ctx)
    if permit_name is not None:
        return KeyForgotten(address=me, permit_name=permit_name, forgotten=forget_permit(ctx, me, permit_name))
    t = await resolve(ctx, token or "")
    return KeyForgotten(address=me, token=t.address, forgotten=forget_viewing_key(ctx, t.address, me))
