"""The swap tools: list pools, quote a swap, swap (a Plan: the core checks, previews, asks, signs and sends it)."""

from __future__ import annotations

import base64
import json
from fractions import Fraction
from typing import Annotated

import attrs
from pydantic import BaseModel, Field
from secret_mcp.api import (
    Amount, AmountText, ContractMessages, ContractTx, Plan, SecretMCPError, ToolContext, query, quote as chain_text,
    token_units, tool,
)

from . import pools, pricing

# Short on purpose: the model reads every tool's text in every conversation (see CONTRIBUTING.md).
OfferArg = Annotated[str, Field(description="What you give: 'SCRT', or a token symbol or address")]
AmountArg = Annotated[AmountText, Field(description="In whole units, e.g. '2.5'")]
PoolArg = Annotated[str | None, Field(description="Pair address; default: the only pool with that asset")]
SlippageArg = Annotated[str, Field(description="Percent, e.g. '1'; beyond it the swap fails")]
BeliefArg = Annotated[str | None, Field(description="An earlier quote's belief_price, to pin the price guard")]


class AssetView(BaseModel):
    kind: str = Field(description="'native' or 'token'")
    id: str = Field(description="Denom or token contract address")
    symbol: str
    decimals: int
    reserve: str = Field(description="Pool reserve in base units")
    reserve_display: str


class PoolView(BaseModel):
    address: str
    assets: list[AssetView]
    total_share: str
    price: str = Field(description="Spot price, e.g. '1 SCRT = 0.5 SUSD'")


class Pools(BaseModel):
    network: str
    pools: list[PoolView]


class Quote(BaseModel):
    pool: str
    offer_asset: str
    offer_id: str
    offer_amount: str = Field(description="Base units")
    offer_display: str
    ask_asset: str
    ask_id: str
    return_amount: str = Field(description="What you would receive now, base units, after the commission")
    return_display: str
    commission_amount: str = Field(description="0.3 % of the gross return, left in the pool (ask asset, base units)")
    spread_amount: str = Field(description="Return lost to price impact versus the spot price (base units)")
    belief_price: str = Field(description="Offer units per ask unit at this quote; the swap's price guard uses it")
    max_spread: str = Field(description="The slippage tolerance as a fraction")
    min_receive: str = Field(description="Least the swap may return with this guard (base units)")
    min_receive_display: str
    reserves: dict[str, str] = Field(description="Pool reserves (symbol -> base units) the quote was computed on")


class SwapDone(BaseModel):
    pool: str
    offered: str
    received: str = Field(description="Base units of the ask asset actually received")
    received_display: str
    commission_amount: str
    min_receive: str


class SwapTx(ContractTx):
    swap: SwapDone | None = Field(None, description="What the pair reported (decrypted wasm attributes)")


def _view(p: pools.Pool) -> PoolView:
    assets = [AssetView(kind=a.kind, id=a.id, symbol=a.symbol, decimals=a.decimals, reserve=str(r),
                        reserve_display=pricing.display(r, a.decimals)) for a, r in zip(p.assets, p.reserves)]
    (a, b), (ra, rb) = p.assets, p.reserves
    price = "empty pool"
    if ra and rb:
        per = Fraction(rb, 10**b.decimals) / Fraction(ra, 10**a.decimals)
        price = f"1 {a.symbol} = {float(per):.6g} {b.symbol}"
    return PoolView(address=p.address, assets=assets, total_share=str(p.total_share), price=price)


@tool(effect="reads", title="Swap pools")
async def secret_swap_pools(ctx: ToolContext, add_pair: Annotated[str | None, Field(
        description="A pair address to check and remember")] = None) -> Pools:
    """Known x*y=k pools (on the sandbox: SCRT/SUSD) with reserves and spot price."""
    if add_pair:
        added = await pools.load(ctx, add_pair)
        pools.remember(ctx, added.address)
    found = [await pools.load(ctx, a) for a in await pools.known_addresses(ctx)]
    return Pools(network=ctx.network.name, pools=[_view(p) for p in found])


@attrs.frozen
class SwapPlan:
    pool: pools.Pool
    offer: pools.Asset
    ask: pools.Asset
    units: int
    quote: Quote


async def _plan(ctx: ToolContext, offer: str, amount: str, pool: str | None, slippage_percent: str,
                belief_price: str | None) -> SwapPlan:
    p, side = await pools.choose(ctx, offer, pool)
    give, get = p.assets[side], p.assets[1 - side]
    units = token_units(amount, give.decimals)
    tolerance = pricing.slippage(slippage_percent)
    sim = await query(ctx, p.address, {"simulation": {"offer_asset": {"info": give.info(), "amount": str(units)}}})
    ret, commission, spread = (int(sim[k]) for k in ("return_amount", "commission_amount", "spread_amount"))
    if ret == 0:
        raise SecretMCPError("SWAP_TOO_SMALL", f"Offering {amount} {give.symbol} would return nothing.",
                             ["Offer a larger amount."], {"offer_units": str(units)})
    belief = pricing.decimal_text(pricing.parse_price(belief_price)) if belief_price else \
        pricing.belief_price(units, ret + commission)
    least = pricing.min_receive(units, belief, tolerance)
    quote = Quote(pool=p.address, offer_asset=give.symbol, offer_id=give.id, offer_amount=str(units),
                  offer_display=f"{pricing.display(units, give.decimals)} {give.symbol}", ask_asset=get.symbol,
                  ask_id=get.id, return_amount=str(ret), return_display=f"{pricing.display(ret, get.decimals)} {get.symbol}",
                  commission_amount=str(commission), spread_amount=str(spread), belief_price=belief,
                  max_spread=pricing.decimal_text(tolerance), min_receive=str(max(least, 0)),
                  min_receive_display=f"{pricing.display(max(least, 0), get.decimals)} {get.symbol}",
                  reserves={a.symbol: str(r) for a, r in zip(p.assets, p.reserves)})
    return SwapPlan(p, give, get, units, quote)


@tool(effect="reads", title="Swap quote")
async def secret_swap_quote(ctx: ToolContext, offer: OfferArg, amount: AmountArg, pool: PoolArg = None,
                            slippage_percent: SlippageArg = "1") -> Quote:
    """Simulate a swap: the return after the 0.3 % commission, price impact and minimum received; nothing is sent."""
    return (await _plan(ctx, offer, amount, pool, slippage_percent, None)).quote


def _symbol(asset: pools.Asset) -> str:
    """For the preview: a token's symbol is the token's own (chain) text, so it is quoted."""
    return asset.symbol if asset.kind == "native" else chain_text(asset.symbol, limit=20)


def _shown(units: int, asset: pools.Asset) -> str:
    return f"{pricing.display(units, asset.decimals)} {_symbol(asset)}"


async def _calls(ctx: ToolContext, plan: SwapPlan) -> ContractMessages:
    """The one message: what it moves (SCRT sent to the pair, or SNIP-20 tokens sent to it) is declared."""
    guard = {"belief_price": plan.quote.belief_price, "max_spread": plan.quote.max_spread}
    calls = await ContractMessages.start(ctx)
    if plan.offer.kind == "native":
        body = {"swap": {"offer_asset": {"info": plan.offer.info(), "amount": str(plan.units)}, **guard}}
        await calls.execute(ctx, plan.pool.address, body, code_hash=plan.pool.code_hash,
                            funds=[Amount(plan.offer.id, plan.units)])
        return calls
    # A token offer: SNIP-20 `send` to the pair, whose `receive` runs the swap in the same transaction.
    hook = base64.b64encode(json.dumps({"swap": guard}, separators=(",", ":")).encode()).decode()
    body = {"send": {"recipient": plan.pool.address, "recipient_code_hash": plan.pool.code_hash,
                     "amount": str(plan.units), "msg": hook}}
    await calls.execute(ctx, plan.offer.id, body, code_hash=plan.offer.code_hash,
                        token=(plan.offer.decimals, plan.offer.symbol))
    return calls


@tool(effect="moves_funds", title="Swap", needs_wallet=True)
async def secret_swap(ctx: ToolContext, offer: OfferArg, amount: AmountArg, pool: PoolArg = None,
                      slippage_percent: SlippageArg = "1", belief_price: BeliefArg = None) -> Plan[SwapTx]:
    """Swap SCRT or a SNIP-20 token on an x*y=k pool from the active wallet; the person confirms first. Beyond the
    slippage tolerance the pair refuses it: nothing moves, no fee."""
    plan = await _plan(ctx, offer, amount, pool, slippage_percent, belief_price)
    calls = await _calls(ctx, plan)
    q, (a, b) = plan.quote, plan.pool.assets
    least = int(q.min_receive)
    lines = [f"Pool: {q.pool} ({_symbol(a)}/{_symbol(b)})",
             f"You offer: {_shown(plan.units, plan.offer)}",
             f"Expected return: {_shown(int(q.return_amount), plan.ask)} (after the 0.3 % commission)",
             f"Minimum received: {_shown(least, plan.ask)} (slippage tolerance "
             f"{pricing.decimal_text(pricing.slippage(slippage_percent) * 100)} %; if the price moves further, the swap "
             "fails and nothing moves)"]

    async def then(ctx: ToolContext, out: ContractTx) -> SwapTx:
        event = next((e["attributes"] for e in out.wasm_events
                      if e["contract_address"] == plan.pool.address and e["attributes"].get("action") == "swap"), {})
        done = None
        if "return_amount" in event:
            got = int(event["return_amount"])
            done = SwapDone(pool=plan.pool.address, offered=q.offer_display, received=str(got),
                            received_display=f"{pricing.display(got, plan.ask.decimals)} {plan.ask.symbol}",
                            commission_amount=event.get("commission_amount", ""), min_receive=q.min_receive)
        result = SwapTx(**out.model_dump(), swap=done)
        result._response = out.response
        return result

    action = f"Swap {_shown(plan.units, plan.offer)} for at least {_shown(least, plan.ask)}"
    return calls.plan(action, lines=lines, then=then)
