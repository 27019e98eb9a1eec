"""gov v1 proposals as tools show them (v1beta1 cannot show text-only or multi-message proposals, docs/protocol-notes.md#governance)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field
from secret_mcp.api import ChainError, CoinView, MISSING_DESCRIPTION, SecretMCPError, ToolContext, coin_view, gather

GOV = "/cosmos/gov/v1"
STATUSES = {"deposit_period": "PROPOSAL_STATUS_DEPOSIT_PERIOD", "voting_period": "PROPOSAL_STATUS_VOTING_PERIOD",
            "passed": "PROPOSAL_STATUS_PASSED", "rejected": "PROPOSAL_STATUS_REJECTED",
            "failed": "PROPOSAL_STATUS_FAILED"}
SHORT = {v: k for k, v in STATUSES.items()}
Status = Literal["deposit_period", "voting_period", "passed", "rejected", "failed", "unspecified"]
OPTIONS = ("yes", "no", "abstain", "no_with_veto")


class ProposalSummary(BaseModel):
    id: int
    title: str
    summary: str
    status: Status
    proposer: str
    messages: list[str] = Field(description="Type URL of each message the proposal executes if it passes "
                                            "(empty for a text proposal)")
    total_deposit: list[CoinView]
    submit_time: str | None
    deposit_end_time: str | None
    voting_start_time: str | None
    voting_end_time: str | None
    expedited: bool = False


class TallyOption(BaseModel):
    option: str
    votes: CoinView = Field(description="Voting power (staked uscrt) behind this option")
    percent_of_votes: str


class Tally(BaseModel):
    options: list[TallyOption]
    total_voted: CoinView
    turnout_percent: str | None = Field(None, description="Voted power / all bonded tokens, in %")
    quorum_percent: str | None = None
    threshold_percent: str | None = Field(None, description="Yes needed among non-abstain votes, in %")
    veto_threshold_percent: str | None = None
    would_pass_now: bool | None = Field(None, description="During voting: the outcome if voting ended now")
    final: bool = Field(description="True once the proposal's voting ended (the tally can no longer change)")


class ProposalDetail(ProposalSummary):
    metadata: str = ""
    failed_reason: str = ""
    tally: Tally | None = Field(description="null when the node failed that lookup (see missing)")
    min_deposit: list[CoinView] = []
    deposit_missing: list[CoinView] = Field([], description="During the deposit period: what it still needs to vote")
    voting_ends_in_seconds: int | None = None
    missing: list[str] = Field([], description=MISSING_DESCRIPTION)


def pct(part: Decimal, whole: Decimal) -> str:
    if not whole:
        return "0"
    value = (part * 100 / whole).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)
    return format(value.normalize(), "f") if value else "0"


def _coins(items: list[dict] | None) -> list[CoinView]:
    return [coin_view(c["denom"], c["amount"]) for c in items or []]


def summary(p: dict[str, Any]) -> ProposalSummary:
    return ProposalSummary(
        id=int(p["id"]), title=p.get("title") or "", summary=p.get("summary") or "",
        status=SHORT.get(p.get("status", ""), "unspecified"), proposer=p.get("proposer") or "",
        messages=[m.get("@type", "") for m in p.get("messages") or []], total_deposit=_coins(p.get("total_deposit")),
        submit_time=p.get("submit_time"), deposit_end_time=p.get("deposit_end_time"),
        voting_start_time=p.get("voting_start_time"), voting_end_time=p.get("voting_end_time"),
        expedited=bool(p.get("expedited")))


def proposal_id(value: int) -> int:
    if value < 1:
        raise SecretMCPError("INVALID_INPUT", "proposal_id: proposal ids start at 1.", [], {"field": "proposal_id"})
    return value


async def get_proposal(ctx: ToolContext, pid: int) -> dict:
    try:
        body = await ctx.query(f"{GOV}/proposals/{proposal_id(pid)}", cached=False)
    except ChainError as exc:
        if exc.code != "CHAIN_NOT_FOUND":
            raise
        raise SecretMCPError("UNKNOWN_PROPOSAL", f"proposal_id: proposal {pid} does not exist on {ctx.network.name} "
                             "(it may never have existed, or it was dropped when its deposit period ran out).",
                             ["List proposals with secret_get_proposals."], {"proposal_id": pid}) from None
    return body["proposal"]


async def params(ctx: ToolContext) -> dict:
    body = await ctx.query(f"{GOV}/params/tallying", data_class="params")
    return body.get("params") or {}


def outcome(counts: dict[str, Decimal], bonded: Decimal, p: dict) -> bool:
    """keeper.Tally's rule: quorum of bonded power, then veto, then yes > threshold of non-abstain votes."""
    voted = sum(counts.values(), Decimal(0))
    if not bonded or voted / bonded < Decimal(p.get("quorum") or 0):
        return False
    if not voted - counts["abstain"]:
        return False
    if counts["no_with_veto"] / voted > Decimal(p.get("veto_threshold") or 0):
        return False
    return counts["yes"] / (voted - counts["abstain"]) > Decimal(p.get("threshold") or 0)


async def tally_inputs(ctx: ToolContext, proposal_id: int) -> tuple[Any, Any, Any]:
    """(live tally body, tallying params, staking pool) in one round trip; each None when its read failed.
    The live tally is asked for speculatively: it counts only for a proposal in its voting period."""
    async def maybe(read: Any) -> Any:
        try:
            return await read
        except SecretMCPError:
            return None

    return tuple(await gather(maybe(ctx.query(f"{GOV}/proposals/{proposal_id}/tally", cached=False)),
                              maybe(params(ctx)), maybe(ctx.query("/cosmos/staking/v1beta1/pool", cached=False))))


def tally(proposal: dict, live: dict | None, gov: dict | None, pool: dict | None) -> Tally | None:
    """The tally from what `tally_inputs` read; None when a read it needs is missing."""
    status = proposal.get("status")
    voting = status == STATUSES["voting_period"]
    if gov is None or pool is None or (voting and live is None):
        return None
    raw = (live or {}).get("tally") or {} if voting else proposal.get("final_tally_result") or {}
    counts = {o: Decimal(raw.get(f"{o}_count") or 0) for o in OPTIONS}
    voted = sum(counts.values(), Decimal(0))
    bonded = Decimal((pool.get("pool") or {}).get("bonded_tokens") or 0)
    one = Decimal(1)
    return Tally(
        options=[TallyOption(option=o, votes=coin_view("uscrt", int(counts[o])), percent_of_votes=pct(counts[o], voted))
                 for o in OPTIONS],
        total_voted=coin_view("uscrt", int(voted)),
        # Turnout against today's bonded tokens means something only while voting is open.
        turnout_percent=pct(voted, bonded) if voting else None,
        quorum_percent=pct(Decimal(gov["quorum"]), one) if gov.get("quorum") else None,
        threshold_percent=pct(Decimal(gov["threshold"]), one) if gov.get("threshold") else None,
        veto_threshold_percent=pct(Decimal(gov["veto_threshold"]), one) if gov.get("veto_threshold") else None,
        would_pass_now=outcome(counts, bonded, gov) if voting else None,
        final=status in (STATUSES["passed"], STATUSES["rejected"], STATUSES["failed"]),
    )
