"""Staking reads shared by the tools, the resource and the write checks: validators, pool, delegations."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field
from secret_mcp.api import ChainError, CoinView, SecretMCPError, ToolContext, coin_view, validate_address

STAKING = "/cosmos/staking/v1beta1"
PAGE = 500  # validators per LCD page; mainnet has a few hundred including unbonded ones
STATUS_NAMES = {"BOND_STATUS_BONDED": "bonded", "BOND_STATUS_UNBONDING": "unbonding",
                "BOND_STATUS_UNBONDED": "unbonded", "BOND_STATUS_UNSPECIFIED": "unspecified"}
Status = Literal["bonded", "unbonding", "unbonded", "unspecified"]


class ValidatorView(BaseModel):
    operator_address: str = Field(description="secretvaloper1… address")
    moniker: str
    status: Status = Field(description="Only 'bonded' validators sign blocks and earn rewards")
    jailed: bool = Field(description="Jailed validators were punished (downtime/double signing) and earn nothing")
    tokens: CoinView = Field(description="Tokens delegated to the validator (self-bond included)")
    voting_power_percent: str = Field(description="Share of all bonded tokens, in %, 0 unless bonded")
    commission_percent: str = Field(description="Commission rate on rewards, in %")
    max_commission_percent: str
    max_change_percent_per_day: str
    website: str = ""
    details: str = ""
    identity: str = ""
    unbonding_time: str | None = Field(None, description="When an unbonding validator stops unbonding")
    warnings: list[str] = []


def percent(fraction: Decimal, places: int = 4) -> str:
    """0.05 -> '5'; exact Decimal, rounded half-even to `places` decimals, no trailing zeros."""
    value = (fraction * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return "0" if value == 0 else format(value.normalize(), "f")


def validator_address(value: str, field: str = "validator") -> str:
    return validate_address(value, "secretvaloper", field=field)


def view(v: dict[str, Any], total_bonded: int) -> ValidatorView:
    status = STATUS_NAMES.get(v.get("status", ""), "unspecified")
    tokens = int(v.get("tokens") or 0)
    rates = (v.get("commission") or {}).get("commission_rates") or {}
    rate = Decimal(rates.get("rate") or 0)
    desc = v.get("description") or {}
    share = Decimal(tokens) / total_bonded if status == "bonded" and total_bonded else Decimal(0)
    warnings = []
    if v.get("jailed"):
        warnings.append("JAILED: this validator was punished and is out of the active set; delegations to it earn "
                        "no rewards until it is unjailed.")
    elif status != "bonded":
        warnings.append(f"Not in the active set ({status}): delegations to it earn no rewards.")
    if rate >= 1:
        warnings.append("Commission is 100%: delegators receive no rewards at all.")
    elif rate >= Decimal("0.2"):
        warnings.append(f"High commission ({percent(rate)}%).")
    unbonding = v.get("unbonding_time")
    return ValidatorView(
        operator_address=v.get("operator_address", ""), moniker=desc.get("moniker", ""), status=status,
        jailed=bool(v.get("jailed")), tokens=coin_view("uscrt", tokens), voting_power_percent=percent(share),
        commission_percent=percent(rate), max_commission_percent=percent(Decimal(rates.get("max_rate") or 0)),
        max_change_percent_per_day=percent(Decimal(rates.get("max_change_rate") or 0)),
        website=desc.get("website", ""), details=desc.get("details", ""), identity=desc.get("identity", ""),
        unbonding_time=unbonding if status == "unbonding" and unbonding else None, warnings=warnings,
    )


async def total_bonded(ctx: ToolContext) -> int:
    body = await ctx.query(f"{STAKING}/pool", data_class="validators")
    return int((body.get("pool") or {}).get("bonded_tokens") or 0)


async def all_validators(ctx: ToolContext) -> list[dict]:
    """Every validator, following the LCD's pages (next_key) until the last one."""
    out: list[dict] = []
    key: str | None = None
    for _ in range(20):  # 10,000 validators is far beyond any real chain; stop rather than loop forever
        params: dict[str, Any] = {"pagination.limit": PAGE}
        if key:
            params["pagination.key"] = key
        body = await ctx.query(f"{STAKING}/validators", params, data_class="validators")
        out += body.get("validators") or []
        key = (body.get("pagination") or {}).get("next_key")
        if not key:
            break
    return out


async def get_validator(ctx: ToolContext, address: str, field: str = "validator") -> dict:
    valoper = validator_address(address, field)
    try:
        body = await ctx.query(f"{STAKING}/validators/{valoper}", data_class="validators")
    except ChainError as exc:
        if exc.code != "CHAIN_NOT_FOUND":
            raise
        raise SecretMCPError(
            "UNKNOWN_VALIDATOR", f"{field}: no validator {valoper} exists on {ctx.network.name}.",
            ["List validators with secret_get_validators and copy the operator address (secretvaloper1…)."],
            {"field": field, "validator": valoper}) from None
    return body["validator"]


async def delegation(ctx: ToolContext, delegator: str, valoper: str) -> int | None:
    """uscrt the delegator has staked with the validator, or None when there is no delegation."""
    try:
        body = await ctx.query(f"{STAKING}/validators/{valoper}/delegations/{delegator}", cached=False)
    except ChainError as exc:
        if exc.code != "CHAIN_NOT_FOUND":
            raise
        return None
    return int(((body.get("delegation_response") or {}).get("balance") or {}).get("amount") or 0)


async def unbonding_seconds(ctx: ToolContext) -> int | None:
    body = await ctx.query(f"{STAKING}/params", data_class="params")
    text = str((body.get("params") or {}).get("unbonding_time") or "")
    try:
        return int(Decimal(text.rstrip("s")))
    except ArithmeticError:
        return None


def duration(seconds: int | None) -> str:
    if seconds is None:
        return "the chain's unbonding period"
    if seconds >= 86400 and seconds % 86400 == 0:
        return f"{seconds // 86400} days"
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds // 3600} hours"
    return f"{seconds} seconds"

