"""Read-only staking tools: validators, one validator, delegations, unbonding and redelegations."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from secret_mcp.api import CoinView, MISSING_DESCRIPTION, ToolContext, coin_view, extra, gather, tool

from .chain import (
    STAKING,
    ValidatorView,
    all_validators,
    delegation,
    get_validator,
    percent,
    total_bonded,
    validator_address,
    view,
)

AddressArg = str | None  # a delegator's secret1… address; each tool's description says the default
SORT_KEYS = {
    "voting_power": (lambda v: Decimal(v.tokens.amount) if v.status == "bonded" else Decimal(-1), True),
    "commission": (lambda v: Decimal(v.commission_percent), False),
    "moniker": (lambda v: v.moniker.lower(), False),
}


class ValidatorList(BaseModel):
    validators: list[ValidatorView]
    total: int = Field(description="How many validators match the status filter")
    offset: int
    limit: int
    has_more: bool
    total_bonded: CoinView = Field(description="All bonded tokens: the base of voting_power_percent")
    bonded_validators: int = Field(description="Size of the active set")


class ValidatorDetail(ValidatorView):
    voting_power_percent: str | None = Field(description="Share of all bonded tokens, in %, 0 unless bonded")
    delegators: int | None = Field(None, description="Number of delegations to this validator")
    your_delegation: CoinView | None = Field(None, description="What the active wallet has staked here")
    missing: list[str] = Field([], description=MISSING_DESCRIPTION)


class DelegationView(BaseModel):
    validator_address: str
    moniker: str
    amount: CoinView
    shares: str
    validator_status: str
    validator_jailed: bool | None


class Delegations(BaseModel):
    delegator: str
    delegations: list[DelegationView]
    total: CoinView
    missing: list[str] = Field([], description=MISSING_DESCRIPTION)


class UnbondingEntry(BaseModel):
    validator_address: str
    moniker: str
    amount: CoinView = Field(description="What will be returned at completion_time")
    initial_amount: CoinView
    creation_height: int
    completion_time: str


class Unbondings(BaseModel):
    delegator: str
    entries: list[UnbondingEntry]
    total: CoinView
    note: str
    missing: list[str] = Field([], description=MISSING_DESCRIPTION)


class RedelegationEntry(BaseModel):
    source_validator: str
    destination_validator: str
    amount: CoinView = Field(description="What was moved (now staked with the destination)")
    creation_height: int
    completion_time: str = Field(description="Until then the destination cannot be redelegated from again")


class Redelegations(BaseModel):
    delegator: str
    entries: list[RedelegationEntry]
    note: str


async def _monikers(ctx: ToolContext) -> dict[str, dict]:
    return {v["operator_address"]: v for v in await all_validators(ctx)}


@tool(effect="reads", title="List validators")
async def secret_get_validators(
    ctx: ToolContext,
    status: Literal["all", "bonded", "unbonding", "unbonded"] = "all",  # bonded = the active set, earning rewards
    sort_by: Literal["voting_power", "commission", "moniker"] = "voting_power",  # largest, cheapest first; A-Z
    jailed: Annotated[bool | None, Field(description="true: only jailed; false: no jailed")] = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
    offset: Annotated[int, Field(ge=0)] = 0,
) -> ValidatorList:
    """Validators: status, jailed, commission, voting power share."""
    raw = await all_validators(ctx)
    # The base of every share comes from the same answer as the tokens, so the shares always add up.
    bonded = sum(int(v.get("tokens") or 0) for v in raw if v.get("status") == "BOND_STATUS_BONDED")
    views = [view(v, bonded) for v in raw]
    active = sum(1 for v in views if v.status == "bonded")
    if status != "all":
        views = [v for v in views if v.status == status]
    if jailed is not None:
        views = [v for v in views if v.jailed == jailed]
    key, descending = SORT_KEYS[sort_by]
    views.sort(key=lambda v: v.operator_address)  # a stable tie order
    views.sort(key=key, reverse=descending)
    page = views[offset:offset + limit]
    return ValidatorList(validators=page, total=len(views), offset=offset, limit=limit,
                         has_more=offset + len(page) < len(views), total_bonded=coin_view("uscrt", bonded),
                         bonded_validators=active)


@tool(effect="reads", title="Get validator")
async def secret_get_validator(
    ctx: ToolContext,
    validator: Annotated[str, Field(description="secretvaloper1…")],
) -> ValidatorDetail:
    """One validator, with delegators and your stake."""
    valoper = validator_address(validator, "validator")
    missing: list[str] = []
    me = ctx.session.active_wallet_address()
    # The validator and the three lookups that add to it, in one round trip.
    raw, bonded, page, amount = await gather(
        get_validator(ctx, valoper),
        extra(total_bonded(ctx), "voting_power_percent", missing),
        extra(ctx.query(f"{STAKING}/validators/{valoper}/delegations",
                        {"pagination.limit": 1, "pagination.count_total": "true"}, data_class="validators"),
              "delegators", missing, {}),
        extra(delegation(ctx, me, valoper), "your_delegation", missing) if me else _none(),
    )
    base = view(raw, bonded or 0).model_dump()
    if bonded is None:
        base["voting_power_percent"] = None
    count = int((page.get("pagination") or {}).get("total") or 0) or None
    mine = coin_view("uscrt", amount) if amount is not None else None
    order = ("voting_power_percent", "delegators", "your_delegation")  # as they appear in the result
    return ValidatorDetail(**base, delegators=count, your_delegation=mine, missing=[m for m in order if m in missing])


async def _none() -> None:
    return None


@tool(effect="reads", title="Get delegations")
async def secret_get_delegations(ctx: ToolContext, address: AddressArg = None) -> Delegations:
    """Delegations (default: active wallet), per validator."""
    who = ctx.address_or_active(address)
    body = await ctx.query(f"{STAKING}/delegations/{who}", {"pagination.limit": 1000}, addresses=[who])
    missing: list[str] = []
    vals = await extra(_monikers(ctx), "validators", missing, {})  # names and states only add to the delegations
    if missing:
        missing = ["moniker", "validator_status", "validator_jailed"]
    out = []
    for d in body.get("delegation_responses") or []:
        valoper = d["delegation"]["validator_address"]
        v = vals.get(valoper, {})
        out.append(DelegationView(validator_address=valoper, moniker=(v.get("description") or {}).get("moniker", ""),
                                  amount=coin_view("uscrt", d["balance"]["amount"]), shares=d["delegation"]["shares"],
                                  validator_status=view(v, 0).status if v else "unspecified",
                                  validator_jailed=bool(v.get("jailed")) if not missing else None))
    total = sum(int(d.amount.amount) for d in out)
    return Delegations(delegator=who, delegations=out, total=coin_view("uscrt", total), missing=missing)


@tool(effect="reads", title="Get unbonding delegations")
async def secret_get_unbonding(ctx: ToolContext, address: AddressArg = None) -> Unbondings:
    """Unbonding delegations (default: active wallet), with completion times."""
    who = ctx.address_or_active(address)
    # Entries mature with time, not with a transaction: no cache could know when to drop them.
    body = await ctx.query(f"{STAKING}/delegators/{who}/unbonding_delegations", {"pagination.limit": 1000},
                           cached=False)
    missing: list[str] = []
    vals = await extra(_monikers(ctx), "moniker", missing, {})
    entries = []
    for u in body.get("unbonding_responses") or []:
        moniker = (vals.get(u["validator_address"], {}).get("description") or {}).get("moniker", "")
        for e in u.get("entries") or []:
            entries.append(UnbondingEntry(
                validator_address=u["validator_address"], moniker=moniker, amount=coin_view("uscrt", e["balance"]),
                initial_amount=coin_view("uscrt", e["initial_balance"]), creation_height=int(e["creation_height"]),
                completion_time=e["completion_time"]))
    entries.sort(key=lambda e: e.completion_time)
    total = sum(int(e.amount.amount) for e in entries)
    return Unbondings(delegator=who, entries=entries, total=coin_view("uscrt", total), missing=missing,
                      note="Unbonding tokens earn no rewards and cannot be moved; they return to the balance "
                           "automatically at completion_time.")


@tool(effect="reads", title="Get redelegations")
async def secret_get_redelegations(ctx: ToolContext, address: AddressArg = None) -> Redelegations:
    """Redelegations in progress (default: active wallet), with completion times."""
    who = ctx.address_or_active(address)
    body = await ctx.query(f"{STAKING}/delegators/{who}/redelegations", {"pagination.limit": 1000}, cached=False)
    entries = [
        RedelegationEntry(source_validator=r["redelegation"]["validator_src_address"],
                          destination_validator=r["redelegation"]["validator_dst_address"],
                          amount=coin_view("uscrt", e["redelegation_entry"]["initial_balance"]),
                          creation_height=int(e["redelegation_entry"]["creation_height"]),
                          completion_time=e["redelegation_entry"]["completion_time"])
        for r in body.get("redelegation_responses") or [] for e in r.get("entries") or []
    ]
    entries.sort(key=lambda e: e.completion_time)
    return Redelegations(delegator=who, entries=entries,
                         note="Tokens redelegated to a validator cannot be redelegated away from it again until the "
                              "entry completes (they can still be undelegated).")


async def top_validators(ctx: ToolContext) -> dict[str, Any]:
    """The 20 largest active validators: voting power share, commission, jailed status (JSON)."""
    raw = await all_validators(ctx)
    bonded = sum(int(v.get("tokens") or 0) for v in raw if v.get("status") == "BOND_STATUS_BONDED")
    views = sorted((view(v, bonded) for v in raw if not v.get("jailed")),
                   key=lambda v: Decimal(v.tokens.amount), reverse=True)
    views = [v for v in views if v.status == "bonded"][:20]
    cumulative, rows = Decimal(0), []
    for rank, v in enumerate(views, 1):
        cumulative += Decimal(v.voting_power_percent)
        rows.append({"rank": rank, "operator_address": v.operator_address, "moniker": v.moniker,
                     "voting_power_percent": v.voting_power_percent, "cumulative_percent": percent(cumulative / 100),
                     "commission_percent": v.commission_percent, "warnings": v.warnings})
    return {"network": ctx.network.name, "chain_id": ctx.network.chain_id, "total_bonded": coin_view("uscrt", bonded)
            .model_dump(), "validators": rows}


__all__ = ["secret_get_validators", "secret_get_validator", "secret_get_delegations", "secret_get_unbonding",
           "secret_get_redelegations", "top_validators", "validator_address"]
