"""Read-only governance tools: proposals, one proposal with its tally, one vote."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from secret_mcp.api import ChainError, SecretMCPError, ToolContext, coin_view, gather, tool, validate_address

from .views import (
    GOV,
    STATUSES,
    ProposalDetail,
    ProposalSummary,
    get_proposal,
    summary,
    tally,
    tally_inputs,
)

IdArg = Annotated[int, Field(ge=1)]


class ProposalList(BaseModel):
    proposals: list[ProposalSummary]
    total: int | None
    offset: int
    limit: int
    has_more: bool


class VoteOptionView(BaseModel):
    option: str
    weight: str = Field(description="Share of the voter's power on this option, e.g. '1' or '0.7'")


class VoteView(BaseModel):
    proposal_id: int
    voter: str
    voted: bool
    options: list[VoteOptionView] = []
    metadata: str = ""
    note: str | None = None


def _short(option: str) -> str:
    return option.removeprefix("VOTE_OPTION_").lower()


@tool(effect="reads", title="List proposals")
async def secret_get_proposals(
    ctx: ToolContext,
    status: Literal["all", "deposit_period", "voting_period", "passed", "rejected", "failed"] = "all",
    limit: Annotated[int, Field(ge=1, le=100)] = 20,
    offset: Annotated[int, Field(ge=0)] = 0,
) -> ProposalList:
    """Governance proposals, newest first."""
    query = {"pagination.limit": limit, "pagination.offset": offset, "pagination.count_total": "true",
             "pagination.reverse": "true"}
    if status != "all":
        query["proposal_status"] = STATUSES[status]
    body = await ctx.query(f"{GOV}/proposals", query, data_class="proposals", cached=False)
    items = [summary(p) for p in body.get("proposals") or []]
    page = body.get("pagination") or {}
    total = int(page["total"]) if str(page.get("total") or "0") != "0" else None
    more = bool(page.get("next_key")) or (total is not None and offset + len(items) < total)
    return ProposalList(proposals=items, total=total if total is not None else (len(items) if not offset else None),
                        offset=offset, limit=limit, has_more=more)


def _seconds_until(text: str | None) -> int | None:
    if not text:
        return None
    # RFC 3339 with up to 9 fractional digits: whole seconds are precise enough for "ends in".
    end = datetime.fromisoformat(text.rstrip("Z").split(".")[0]).replace(tzinfo=timezone.utc)
    return max(0, int((end - datetime.now(timezone.utc)).total_seconds()))


@tool(effect="reads", title="Get proposal")
async def secret_get_proposal(ctx: ToolContext, proposal_id: IdArg) -> ProposalDetail:
    """One proposal: text, deposits, deadlines, live tally and outlook."""
    # The proposal, and what its tally and deposit rule need, in one round trip.
    raw, (live, tallying, pool) = await gather(get_proposal(ctx, proposal_id), tally_inputs(ctx, proposal_id))
    base = summary(raw)
    missing: list[str] = []
    if tallying is None:
        missing.append("min_deposit")
    gov = tallying or {}
    minimum = [coin_view(c["denom"], c["amount"]) for c in gov.get("expedited_min_deposit" if base.expedited
                                                                   else "min_deposit") or []]
    short = []
    if base.status == "deposit_period":
        if missing:  # without the minimum, what the deposit lacks is unknown too
            missing.append("deposit_missing")
        have = {c.denom: int(c.amount) for c in base.total_deposit}
        short = [coin_view(m.denom, int(m.amount) - have.get(m.denom, 0)) for m in minimum
                 if int(m.amount) > have.get(m.denom, 0)]
    ends = _seconds_until(base.voting_end_time) if base.status == "voting_period" else None
    votes = tally(raw, live, tallying, pool)
    if votes is None:
        missing.append("tally")
    return ProposalDetail(**base.model_dump(), metadata=raw.get("metadata") or "",
                          failed_reason=raw.get("failed_reason") or "",
                          tally=votes, min_deposit=minimum, deposit_missing=short,
                          voting_ends_in_seconds=ends, missing=missing)


@tool(effect="reads", title="Get vote")
async def secret_get_vote(
    ctx: ToolContext, proposal_id: IdArg,
    voter: str | None = None,
) -> VoteView:
    """How `voter` (default: active wallet) voted on a proposal."""
    if voter:
        who = validate_address(voter, field="voter")
    else:
        who = ctx.session.active_wallet_address()
        if who is None:
            raise SecretMCPError("NO_ADDRESS", "No voter given and no active wallet.",
                                 ["Pass voter, or choose a wallet with secret_set_active_wallet."])
    raw = await get_proposal(ctx, proposal_id)
    try:
        body = await ctx.query(f"{GOV}/proposals/{proposal_id}/votes/{who}", cached=False)
    except ChainError as exc:
        # The chain answers "not found" as InvalidArgument (400) or NotFound (404), depending on the version.
        if exc.code not in ("CHAIN_NOT_FOUND", "CHAIN_BAD_REQUEST"):
            raise
        ended = raw.get("status") not in (STATUSES["voting_period"], STATUSES["deposit_period"])
        note = ("The chain deletes votes once voting ends, so a past vote cannot be shown." if ended
                else "No vote from this address yet.")
        return VoteView(proposal_id=proposal_id, voter=who, voted=False, note=note)
    vote = body.get("vote") or {}
    return VoteView(proposal_id=proposal_id, voter=who, voted=True, metadata=vote.get("metadata") or "",
                    options=[VoteOptionView(option=_short(o["option"]), weight=_plain(o["weight"]))
                             for o in vote.get("options") or []])


def _plain(text: str) -> str:
    return format(Decimal(text).normalize(), "f")


__all__ = ["secret_get_proposals", "secret_get_proposal", "secret_get_vote"]
