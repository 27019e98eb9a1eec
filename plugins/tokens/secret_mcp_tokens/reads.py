"""Token reads: info, registry, and authenticated balance/history (kept viewing key, given key, or permit)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, Field
from secret_mcp.api import SecretMCPError, ToolContext, can_ask_person, query, tool, validate_address

from .common import TokenArg
from .registry import Token, describe, describe_with_info, display, known, resolve
from .vault import (
    PERMIT,
    VK,
    ask_to_release,
    describe_scope,
    out_of_scope,
    permit_id,
    permits_by_token,
    refuse_release,
    release,
    vk_id,
)

# The tools' descriptions say what these are: the address defaults to the active wallet; a given viewing key
# replaces the kept one; permit_name names a permit made with secret_token_create_permit.
AddressArg = str | None
KeyArg = str | None
PermitArg = str | None


class TokenInfo(BaseModel):
    address: str
    name: str
    symbol: str
    decimals: int
    code_hash: str
    total_supply: str | None = Field(None, description="In base units; null when the token keeps it private")


class TokenList(BaseModel):
    network: str
    tokens: list[TokenInfo]
    permits: dict[str, list[str]] = Field(
        default_factory=dict, description="The active wallet's kept query permits (permit_name) by token address")


class TokenBalance(BaseModel):
    token: str
    symbol: str
    address: str
    amount: str = Field(description="Base units (integer string)")
    display: str = Field(description="Amount in whole tokens, with the symbol")


class TokenHistory(BaseModel):
    token: str
    address: str
    total: int | None = None
    txs: list[dict[str, Any]]


def _info(t: Token, supply: Any = None) -> TokenInfo:
    return TokenInfo(address=t.address, name=t.name, symbol=t.symbol, decimals=t.decimals, code_hash=t.code_hash,
                     total_supply=None if supply is None else str(supply))


async def authenticated(ctx: ToolContext, t: Token, address: str, name: str, body: dict[str, Any],
                        key: str | None, permit_name: str | None) -> dict[str, Any]:
    """Ask with a permit (query `with_permit`) or a viewing key; a wrong key becomes WRONG_VIEWING_KEY."""
    if permit_name:
        kept = release(ctx, address, PERMIT, permit_id(ctx, address, permit_name))
        permit = None if kept is None else json.loads(kept)
        if permit is None:
            raise SecretMCPError("UNKNOWN_PERMIT", f"No permit {permit_name!r} is kept for {address}.",
                                 ["Create one with secret_token_create_permit."], {"permit_name": permit_name})
        msg = {"with_permit": {"permit": permit, "query": {name: body}}}
    else:
        key = key or release(ctx, address, VK, vk_id(ctx, t.address, address))
        if not key:
            raise SecretMCPError("NO_VIEWING_KEY", f"No viewing key is kept for {address} on {t.symbol}.",
                                 ["Create one with secret_token_create_viewing_key (or set one, or use a permit)."],
                                 {"token": t.address, "address": address})
        msg = {name: {"address": address, "key": key, **body}}
    answer = await query(ctx, t.address, msg)
    if isinstance(answer, dict) and "viewing_key_error" in answer:
        raise SecretMCPError("WRONG_VIEWING_KEY", f"{t.symbol} refused the viewing key for {address}: "
                             f"{(answer['viewing_key_error'] or {}).get('msg', '')}",
                             ["Create a fresh key with secret_token_create_viewing_key, or use a permit."],
                             {"token": t.address, "address": address})
    if not isinstance(answer, dict) or name not in answer:
        raise SecretMCPError("UNEXPECTED_ANSWER", f"{t.symbol} answered {name} unexpectedly.", [], {"answer": answer})
    return answer[name]


async def _confirm_kept_item(ctx: ToolContext, args: dict[str, Any]) -> str | None:
    """Ask the person before a kept viewing key or permit goes to an endpoint it was not made for."""
    permit_name = args.get("permit_name")
    if args.get("viewing_key") and not permit_name:
        return None  # the model gave the key itself: nothing kept is sent
    try:
        who = ctx.address_or_active(args.get("address"))
        if permit_name:
            kind, key_id, what = PERMIT, permit_id(ctx, who, permit_name), f"the query permit {permit_name!r} of {who}"
        else:
            t = await resolve(ctx, args.get("token") or "")
            kind, key_id, what = VK, vk_id(ctx, t.address, who), f"the viewing key of {who} for {t.symbol}"
    except SecretMCPError:
        return None  # the body refuses the same arguments with the same error
    scope = out_of_scope(ctx, who, kind, key_id)
    if scope is None:
        return None
    urls = ", ".join(ctx.session.urls) or ctx.network.name
    if not can_ask_person(ctx):
        raise refuse_release(ctx, who, kind, key_id, scope)  # nobody can approve it, and no code stands in
    ask_to_release(ctx, who, kind, key_id)
    return (f"Send {what}, kept for {describe_scope(scope)}, to {urls} ({ctx.network.chain_id})? Whoever runs that "
            "endpoint could read it from the query and use it to read this balance and history.")


@tool(title="Token info")
async def secret_token_info(ctx: ToolContext, token: TokenArg) -> TokenInfo:
    """A SNIP-20 token's name, symbol, decimals, code hash, public total supply."""
    text = token.strip()
    if text.lower().startswith("secret1"):  # a first look reads token_info once, for the token and its supply
        t, info = await describe_with_info(ctx, validate_address(text, field="token"))
    else:
        t, info = await resolve(ctx, token), None
    if info is None:
        info = (await query(ctx, t.address, {"token_info": {}})).get("token_info")
    return _info(t, (info or {}).get("total_supply"))


@tool(title="Token balance", confirm=_confirm_kept_item)
async def secret_token_balance(ctx: ToolContext, token: TokenArg, address: AddressArg = None, viewing_key: KeyArg = None,
                               permit_name: PermitArg = None) -> TokenBalance:
    """Private SNIP-20 balance (default: active wallet), via the kept viewing key, a given one, or a permit."""
    t = await resolve(ctx, token)
    who = ctx.address_or_active(address)
    out = await authenticated(ctx, t, who, "balance", {}, viewing_key, permit_name)
    amount = int(out.get("amount", 0))
    return TokenBalance(token=t.address, symbol=t.symbol, address=who, amount=str(amount),
                        display=f"{display(amount, t.decimals)} {t.symbol}")


@tool(title="Token history", confirm=_confirm_kept_item)
async def secret_token_history(
    ctx: ToolContext, token: TokenArg, address: AddressArg = None, viewing_key: KeyArg = None,
    permit_name: PermitArg = None, page: Annotated[int, Field(ge=0)] = 0,
    page_size: Annotated[int, Field(ge=1, le=100)] = 10,
) -> TokenHistory:
    """SNIP-20 transaction history (default: active wallet), newest first."""
    t = await resolve(ctx, token)
    who = ctx.address_or_active(address)
    body = {"page": page, "page_size": page_size}
    out = await authenticated(ctx, t, who, "transaction_history", body, viewing_key, permit_name)
    return TokenHistory(token=t.address, address=who, total=out.get("total"), txs=list(out.get("txs") or []))


@tool(effect="local", title="Add a token")
async def secret_token_add(ctx: ToolContext, address: str) -> TokenInfo:
    """Add a SNIP-20 token contract to this session's list."""
    return _info(await describe(ctx, validate_address(address, field="address")))


@tool(title="List tokens")
async def secret_token_list(ctx: ToolContext) -> TokenList:
    """Known tokens: built in, discovered, added this session."""
    return TokenList(network=ctx.network.name, tokens=[_info(t) for t in await known(ctx)], permits=permits_by_token(ctx))
