"""The network pack: choose the chain, and see what it is, what gas costs and whether it is healthy."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from secret_mcp.api import (
    MISSING_DESCRIPTION, NETWORK_CONFIG, Network, SecretMCPError, ToolContext, can_ask_person, extra, fee_for, gather,
    hookimpl, parse_dec_coin, scrt, tool,
)


class NetworkInfo(BaseModel):
    name: str
    chain_id: str
    kind: str = Field(description="mainnet, testnet, local, sandbox or custom")
    simulated: bool = Field(description="True when the chain is a local simulation and its tokens are worthless")
    lcd_endpoints: list[str]
    node_chain_id: str = Field(description="Chain id the node itself reports")
    latest_height: int
    latest_block_time: str
    node_version: str
    cosmos_sdk_version: str
    minimum_gas_price: str = Field(description="What the node accepts, e.g. '0.0125uscrt'")
    gas_price: str = Field(description="What this server pays per gas unit, e.g. '0.1uscrt'")
    explorer: str | None
    session_state: str
    warnings: list[str]
    missing: list[str] = Field([], description=MISSING_DESCRIPTION)


class GasTier(BaseModel):
    gas_price: str
    fee_for_25k_gas_uscrt: int
    fee_for_25k_gas_scrt: str
    fee_for_200k_gas_uscrt: int


class GasPrices(BaseModel):
    denom: str
    node_minimum: str
    low: GasTier
    average: GasTier
    high: GasTier
    note: str


class EndpointHealth(BaseModel):
    url: str
    ok: bool
    latency_ms: float | None
    latest_height: int | None
    chain_id: str | None
    breaker: str
    error: str | None


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"]
    network: str
    chain_id: str
    endpoints: list[EndpointHealth]
    cache: dict[str, Any]
    pool: dict[str, Any]


async def _node_facts(ctx: ToolContext, missing: list[str]) -> tuple[dict, dict, dict]:
    """node_info decides whether the node answers; the latest block and its config only add to it."""
    node, latest, config = await gather(  # one round trip for the three
        ctx.query("/cosmos/base/tendermint/v1beta1/node_info", data_class="node_info"),
        extra(ctx.query("/cosmos/base/tendermint/v1beta1/blocks/latest", cached=False), "latest_block", missing, {}),
        extra(ctx.query("/cosmos/base/node/v1beta1/config", data_class="params"), "minimum_gas_price", missing, {}))
    return node, latest, config


async def _info(ctx: ToolContext, *, tolerant: bool = False) -> NetworkInfo:
    """What the node says; with `tolerant`, an unreachable node becomes a warning instead of an error."""
    network = ctx.network
    missing: list[str] = []
    try:
        node, latest, config = await _node_facts(ctx, missing)
    except SecretMCPError as exc:
        if not tolerant:
            raise
        node, latest, config = {}, {}, {}
        missing.clear()  # the node did not answer at all: the warning says so
        unreachable = f"Could not reach the node: {exc.message}"
    else:
        unreachable = None
    header = (latest.get("sdk_block") or latest.get("block") or {}).get("header", {})
    app_version = node.get("application_version") or {}
    node_chain = (node.get("default_node_info") or {}).get("network", "")
    warnings = [unreachable] if unreachable else []
    if network.simulated:
        warnings.append("This is a SIMULATED local chain (the sandbox): its tokens are worthless; nothing here is real.")
    if network.real_funds:
        warnings.append("This is MAINNET: transactions move real funds.")
    if node_chain and node_chain != network.chain_id:
        warnings.append(f"The node reports chain id {node_chain}, but this network expects {network.chain_id}.")
    return NetworkInfo(
        name=network.name,
        chain_id=network.chain_id,
        kind=network.kind,
        simulated=network.simulated,
        lcd_endpoints=list(ctx.session.urls),
        node_chain_id=node_chain,
        latest_height=int(header.get("height", 0)),
        latest_block_time=header.get("time", ""),
        node_version=app_version.get("version", ""),
        cosmos_sdk_version=app_version.get("cosmos_sdk_version", ""),
        minimum_gas_price=_short_dec_coin(config.get("minimum_gas_price", "")),
        gas_price=f"{network.gas_price}{network.fee_denom}",
        explorer=network.explorer_tx_url,
        session_state=ctx.session.state.value,
        warnings=warnings,
        missing=missing,
    )


def _short_dec_coin(text: str) -> str:
    amount, denom = parse_dec_coin(text)
    return f"{format(amount, 'f')}{denom}" if denom else text


def _switch_target(ctx: ToolContext, args: dict[str, Any]) -> Network:
    return ctx.resolve_network(args.get("network"), lcd_urls=tuple(args.get("lcd_url") or ()),
                                   chain_id=args.get("chain_id"))


async def _confirm_switch(ctx: ToolContext, args: dict[str, Any]) -> str | None:
    """Mainnet, and any endpoint that is not a built-in preset, are the person's choice, never the model's alone."""
    try:
        target = _switch_target(ctx, args)
    except SecretMCPError:
        return None  # the body refuses the same arguments with the same error
    current = ctx.session.network
    if target.kind not in ("mainnet", "custom") or target == current:
        return None
    urls = ", ".join(target.lcd_urls)
    if target.kind == "mainnet":
        question = (f"Switch secret-mcp to Secret Network MAINNET ({target.chain_id})? "
                    f"Transactions there move real funds. LCD endpoint(s): {urls}.")
    else:
        question = (f"Switch secret-mcp to a custom LCD endpoint: {urls} (chain id {target.chain_id})? "
                    "It is not a built-in network: whoever runs it sees every query and can answer anything. "
                    "Spending limits apply as for real funds.")
    if not can_ask_person(ctx):
        flag = "--network mainnet" if target.kind == "mainnet" else f"--lcd-url URL --chain-id {target.chain_id}"
        raise SecretMCPError(
            "PERSON_MUST_CONFIGURE",
            "Only the person can choose this network, and this client cannot ask them. Nothing was changed.",
            [f"Ask the person to configure it themselves: start the server with {flag}, or set network / "
             "lcd_urls / chain_id in the secret-mcp config file, then restart it.",
             "Or use an MCP client that supports elicitation, so the person can confirm the switch."],
            {"network": target.name, "kind": target.kind, "chain_id": target.chain_id},
        )
    return question


@tool(effect="local", title="Configure network", confirm=_confirm_switch)
async def secret_configure_network(
    ctx: ToolContext,
    network: Annotated[str, Field(description="sandbox, testnet, mainnet, localsecret, or custom with lcd_url")],
    lcd_url: list[str] | None = None,  # LCD URLs to use instead of the preset's
    chain_id: str | None = None,  # of a custom endpoint
) -> NetworkInfo:
    """Switch to another network and describe its node."""
    target = _switch_target(ctx, {"network": network, "lcd_url": lcd_url, "chain_id": chain_id})
    await ctx.switch_network(target)
    return await _info(ctx, tolerant=True)


@tool(title="Network info")
async def secret_get_network_info(ctx: ToolContext) -> NetworkInfo:
    """Current network: chain id, endpoints, latest block, gas prices."""
    return await _info(ctx)


@tool(title="Gas prices")
async def secret_get_gas_prices(ctx: ToolContext) -> GasPrices:
    """Node minimum gas price; low/average/high tiers with example fees."""
    network = ctx.network
    config = await ctx.query("/cosmos/base/node/v1beta1/config", data_class="params")
    node_min, denom = parse_dec_coin(config.get("minimum_gas_price", ""))
    denom = denom or network.fee_denom
    average = max(network.gas_price, node_min)
    tiers = {"low": max(node_min, average / 2), "average": average, "high": average * Decimal("2.5")}

    def tier(price: Decimal) -> GasTier:
        fee = fee_for(25_000, price)
        return GasTier(
            gas_price=f"{format(price.normalize(), 'f')}{denom}",
            fee_for_25k_gas_uscrt=fee,
            fee_for_25k_gas_scrt=scrt(fee),
            fee_for_200k_gas_uscrt=fee_for(200_000, price),
        )

    return GasPrices(
        denom=denom,
        node_minimum=f"{format(node_min, 'f')}{denom}",
        low=tier(tiers["low"]),
        average=tier(tiers["average"]),
        high=tier(tiers["high"]),
        note="A fee below gas x node minimum is refused by the node. A SCRT transfer uses roughly 25k gas.",
    )


@tool(title="Health check")
async def secret_health_check(ctx: ToolContext) -> Health:
    """Each LCD endpoint: reachable, latency, height, circuit breaker."""
    network = ctx.network
    pool = await ctx.pool()
    endpoints = [EndpointHealth(**{k: e.get(k) for k in EndpointHealth.model_fields}) for e in await pool.health()]
    healthy = sum(1 for e in endpoints if e.ok)
    status = "ok" if healthy == len(endpoints) else "degraded" if healthy else "down"
    cache = await ctx.cache()
    return Health(
        status=status, network=network.name, chain_id=network.chain_id, endpoints=endpoints,
        cache=cache.stats(), pool=pool.stats(),
    )


async def network_config(ctx: ToolContext) -> dict:
    """The configured network: preset, chain id, LCD endpoints, gas price, and whether it is simulated."""
    network = ctx.session.network
    if network is None:
        return {"configured": False, "hint": "Call secret_configure_network."}
    return {
        "configured": True,
        "preset": network.name,
        "kind": network.kind,
        "chain_id": network.chain_id,
        "lcd_endpoints": list(ctx.session.urls),
        "gas_price": f"{network.gas_price}{network.fee_denom}",
        "fee_denom": network.fee_denom,
        "simulated": network.simulated,
        "real_funds": network.real_funds,
        "explorer": network.explorer_tx_url,
        "available": sorted(ctx.networks),
    }


@hookimpl
def secret_mcp_register(registry):
    registry.add_tools(secret_configure_network, secret_get_network_info, secret_get_gas_prices, secret_health_check)
    registry.resource(NETWORK_CONFIG, network_config, name="network_config")
