"""Read-only bank tools."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field
from secret_mcp.api import (
    ChainError, CoinView, SecretMCPError, ToolContext, coin_view, denom_path, tool, validate_denom,
)

BANK = "/cosmos/bank/v1beta1"
Limit = Annotated[int, Field(ge=1, le=200)]
Offset = Annotated[int, Field(ge=0)]


class Balance(BaseModel):
    address: str
    scrt: str = Field(description="SCRT balance (uscrt / 10^6)")
    uscrt: str = Field(description="uscrt balance, an integer as text")
    balances: list[CoinView] = Field(description="Every denom held (zero balances are omitted by the chain)")


class Supply(BaseModel):
    supply: list[CoinView]
    total: int | None = Field(None, description="How many denoms exist, when the node counts them")
    offset: int
    limit: int
    has_more: bool


class DenomUnit(BaseModel):
    denom: str
    exponent: int
    aliases: list[str] = []


class DenomMetadata(BaseModel):
    base: str
    display: str
    name: str
    symbol: str
    description: str
    denom_units: list[DenomUnit]


class DenomMetadataList(BaseModel):
    metadatas: list[DenomMetadata]
    note: str | None = None



@tool(effect="reads", title="Get balance")
async def secret_get_balance(
    ctx: ToolContext,
    address: str | None = None,
) -> Balance:
    """All balances of an address (default: active wallet); SCRT in SCRT and uscrt."""
    addr = ctx.address_or_active(address)
    body = await ctx.query(f"{BANK}/balances/{addr}", {"pagination.limit": 1000}, data_class="balances", addresses=[addr])
    coins = [coin_view(b["denom"], b["amount"]) for b in body.get("balances") or []]
    uscrt = next((c.amount for c in coins if c.denom == "uscrt"), "0")
    return Balance(address=addr, scrt=coin_view("uscrt", uscrt).scrt or "0", uscrt=uscrt, balances=coins)


@tool(effect="reads", title="Total supply")
async def secret_get_total_supply(
    ctx: ToolContext,
    denom: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Supply:
    """Total supply of one denom, or of all."""
    if denom:
        validate_denom(denom)
        body = await ctx.query(f"{BANK}/supply/by_denom", {"denom": denom}, data_class="params")
        coin = body.get("amount") or {}
        if int(coin.get("amount") or 0) == 0:
            raise SecretMCPError("UNKNOWN_DENOM", f"No supply of {denom!r} exists on {ctx.network.name}.",
                                 ["List every denom with secret_get_total_supply and no denom."], {"denom": denom})
        return Supply(supply=[coin_view(coin["denom"], coin["amount"])], total=1, offset=0, limit=1, has_more=False)
    params = {"pagination.limit": limit, "pagination.offset": offset, "pagination.count_total": "true"}
    body = await ctx.query(f"{BANK}/supply", params, data_class="params")
    coins = [coin_view(c["denom"], c["amount"]) for c in body.get("supply") or []]
    page = body.get("pagination") or {}
    total = int(page["total"]) if str(page.get("total") or "0") != "0" else None
    more = bool(page.get("next_key")) or (total is not None and offset + len(coins) < total)
    return Supply(supply=coins, total=total, offset=offset, limit=limit, has_more=more)


def _metadata(m: dict[str, Any]) -> DenomMetadata:
    units = [DenomUnit(denom=u.get("denom", ""), exponent=int(u.get("exponent") or 0), aliases=u.get("aliases") or [])
             for u in m.get("denom_units") or []]
    return DenomMetadata(base=m.get("base", ""), display=m.get("display", ""), name=m.get("name", ""),
                         symbol=m.get("symbol", ""), description=m.get("description", ""), denom_units=units)


@tool(effect="reads", title="Denom metadata")
async def secret_get_denom_metadata(
    ctx: ToolContext,
    denom: str | None = None,
) -> DenomMetadataList:
    """Display unit, exponent and symbol of one denom, or of all."""
    if denom:
        try:
            body = await ctx.query(f"{BANK}/denoms_metadata/{denom_path(denom)}", data_class="params")
        except ChainError as exc:
            if exc.code != "CHAIN_NOT_FOUND":
                raise
            raise SecretMCPError("UNKNOWN_DENOM", f"{denom!r} has no registered metadata on {ctx.network.name}.",
                                 ["Many denoms (IBC tokens) have none; their base unit is what balances show."],
                                 {"denom": denom}) from None
        return DenomMetadataList(metadatas=[_metadata(body.get("metadata") or {})])
    body = await ctx.query(f"{BANK}/denoms_metadata", {"pagination.limit": 200}, data_class="params")
    items = [_metadata(m) for m in body.get("metadatas") or []]
    note = None if items else "This chain registers no denom metadata; uscrt is SCRT with exponent 6."
    return DenomMetadataList(metadatas=items, note=note)
