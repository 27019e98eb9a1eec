"""Submit text proposals, deposit and vote (gov v1 messages): each tool checks its request and returns a Plan."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated, Any, Literal

import attrs
from pydantic import BaseModel, Field
from secret_mcp.api import (
    Amount, AmountText, CoinView, Plan, SecretMCPError, ToolContext, TxResult, coin_view, parse_amount, quote, tool,
)

from .views import SHORT, STATUSES, get_proposal, params

Option = Literal["yes", "no", "abstain", "no_with_veto"]
IdArg = Annotated[int, Field(ge=1)]
GasArg = Annotated[int | None, Field(gt=0, le=100_000_000)]  # gas limit; default: simulated + margin
ENUM = {"yes": "VOTE_OPTION_YES", "no": "VOTE_OPTION_NO", "abstain": "VOTE_OPTION_ABSTAIN",
        "no_with_veto": "VOTE_OPTION_NO_WITH_VETO"}  # names of gov.v1 VoteOption members


class WeightedOption(BaseModel):
    option: Option
    weight: str = Field(description="Decimal, e.g. '0.7'; weights sum to 1")


class ProposalTxResult(TxResult):
    proposal_id: int
    proposal_status: str = Field(description="deposit_period or voting_period after this transaction")
    deposited: CoinView


class VoteTxResult(TxResult):
    proposal_id: int
    options: list[WeightedOption]
    voting_power: CoinView = Field(description="What the voter has staked (its votes count with this weight)")


@attrs.frozen
class Checked:
    """A governance request that passed every check: its message, deposit (if any) and preview lines."""

    msg: Any
    value: Amount | None
    lines: tuple[str, ...]


def _minimum(gov: dict, ratio_key: str, expedited: bool = False) -> dict[str, int]:
    ratio = Decimal(gov.get(ratio_key) or 0)
    base = gov.get("expedited_min_deposit" if expedited else "min_deposit") or []
    return {c["denom"]: int((Decimal(c["amount"]) * ratio).to_integral_value(ROUND_HALF_EVEN)) for c in base}


def _deposit_amount(text: str, denom: str | None, gov: dict, ratio_key: str, field: str) -> Amount:
    value = parse_amount(text, denom, field=field)
    need = _minimum(gov, ratio_key)
    accepted = {c["denom"] for c in gov.get("min_deposit") or []}
    if accepted and value.denom not in accepted:
        raise SecretMCPError("INVALID_DENOM", f"{field}: governance accepts deposits in {', '.join(sorted(accepted))} only.",
                             ["Give the amount in SCRT or uscrt."], {"field": field})
    if value.amount < need.get(value.denom, 0):
        least = coin_view(value.denom, need[value.denom]).display
        raise SecretMCPError("DEPOSIT_TOO_SMALL", f"{field}: {value.display} is below the chain's minimum of {least} "
                             "here. Nothing was sent.", [f"Deposit at least {least}."],
                             {"field": field, "minimum": str(need[value.denom])})
    return value


def _coins_text(coins: list[dict] | None) -> str:
    """Chain coins for a preview line: SCRT as usual, any other denom quoted (it is chain text)."""
    return ", ".join(coin_view(c["denom"], c["amount"]).display if c.get("denom") == "uscrt"
                     else quote(f"{c.get('amount')}{c.get('denom')}", limit=80) for c in coins or [])


async def plan_submit(ctx: ToolContext, args: dict[str, Any]) -> Checked:
    from secret_sdk.protobuf.cosmos.base.v1beta1 import (
        Coin,  # protobuf on first use, not at start-up
    )
    from secret_sdk.protobuf.cosmos.gov.v1 import MsgSubmitProposal

    me = ctx.address_or_active(None)
    title, text = (args.get("title") or "").strip(), (args.get("summary") or "").strip()
    if not title or not text:
        raise SecretMCPError("INVALID_INPUT", "A proposal needs a title and a summary.", [],
                             {"field": "title" if not title else "summary"})
    gov = await params(ctx)
    value = _deposit_amount(args["initial_deposit"], args.get("denom"), gov, "min_initial_deposit_ratio", "initial_deposit")
    full = _coins_text(gov.get("min_deposit"))
    msg = MsgSubmitProposal(messages=[], initial_deposit=[Coin(denom=value.denom, amount=str(value.amount))], proposer=me,
                            metadata=args.get("metadata") or "", title=title, summary=text)
    return Checked(msg, value, (f"Title: {quote(title, limit=255)}",
                                f"Voting starts once deposits reach {full or 'the minimum'}; a proposal "
                                "that does not get there before its deposit period ends is dropped.",
                                "Deposits are refunded after voting unless the proposal is vetoed (then they are "
                                "burnt)."))


def _status_error(pid: int, status: str, wanted: str) -> SecretMCPError:
    short = SHORT.get(status, status)
    if wanted == "vote":
        why = ("it is still collecting deposits; voting starts when the minimum deposit is reached"
               if short == "deposit_period" else f"its voting has ended ({short})")
        return SecretMCPError("PROPOSAL_NOT_IN_VOTING_PERIOD", f"proposal_id: cannot vote on proposal {pid}: {why}. "
                              "Nothing was sent.",
                              ["List open proposals with secret_get_proposals(status='voting_period')."],
                              {"proposal_id": pid, "status": short})
    return SecretMCPError("PROPOSAL_NOT_ACTIVE", f"proposal_id: proposal {pid} has ended ({short}); it takes no more "
                          "deposits. Nothing was sent.", [], {"proposal_id": pid, "status": short})


async def plan_deposit(ctx: ToolContext, args: dict[str, Any]) -> Checked:
    from secret_sdk.protobuf.cosmos.base.v1beta1 import (
        Coin,  # protobuf on first use, not at start-up
    )
    from secret_sdk.protobuf.cosmos.gov.v1 import MsgDeposit

    me = ctx.address_or_active(None)
    pid = int(args["proposal_id"])
    p = await get_proposal(ctx, pid)
    if p["status"] not in (STATUSES["deposit_period"], STATUSES["voting_period"]):
        raise _status_error(pid, p["status"], "deposit")
    value = _deposit_amount(args["amount"], args.get("denom"), await params(ctx), "min_deposit_ratio", "amount")
    msg = MsgDeposit(proposal_id=pid, depositor=me, amount=[Coin(denom=value.denom, amount=str(value.amount))])
    have = _coins_text(p.get("total_deposit")) or "nothing"
    title = quote(p.get("title", ""), limit=255)
    return Checked(msg, value, (f"Proposal #{pid}: {title} ({SHORT.get(p['status'])})", f"Deposited so far: {have}"))


def _weights(option: str | None, weighted: list[Any] | None) -> list[tuple[str, Decimal]]:
    if (option is None) == (not weighted):
        raise SecretMCPError("INVALID_VOTE", "Give either `option` or `weighted` (a split vote), not both or neither.",
                             ["option='yes' | 'no' | 'abstain' | 'no_with_veto'."])
    if option is not None:
        return [(option, Decimal(1))]
    out, seen = [], set()
    for i, item in enumerate(weighted or []):
        item = item if isinstance(item, WeightedOption) else WeightedOption.model_validate(item)
        try:
            weight = Decimal(item.weight.strip())
        except InvalidOperation:
            weight = Decimal(-1)
        if not weight.is_finite() or weight <= 0 or weight > 1 or -weight.as_tuple().exponent > 18:
            raise SecretMCPError("INVALID_VOTE", f"weighted[{i}].weight: must be a decimal above 0 and at most 1 "
                                 "(18 decimals at most).", [], {"field": f"weighted[{i}].weight"})
        if item.option in seen:
            raise SecretMCPError("INVALID_VOTE", f"weighted[{i}].option: {item.option} appears twice.", [],
                                 {"field": f"weighted[{i}].option"})
        seen.add(item.option)
        out.append((item.option, weight))
    total = sum((w for _, w in out), Decimal(0))
    if total != 1:
        raise SecretMCPError("INVALID_VOTE", f"weighted: the weights add up to {total}, they must add up to exactly 1.",
                             ["For example yes 0.7 and abstain 0.3."], {"field": "weighted"})
    return out


async def plan_vote(ctx: ToolContext, args: dict[str, Any]) -> Checked:
    # protobuf on first use, not at start-up
    from secret_sdk.protobuf.cosmos.gov.v1 import (
        MsgVote,
        MsgVoteWeighted,
        VoteOption,
        WeightedVoteOption,
    )

    me = ctx.address_or_active(None)
    choice = _weights(args.get("option"), args.get("weighted"))
    pid = int(args["proposal_id"])
    p = await get_proposal(ctx, pid)
    if p["status"] != STATUSES["voting_period"]:
        raise _status_error(pid, p["status"], "vote")
    meta = args.get("metadata") or ""
    if len(choice) == 1 and choice[0][1] == 1:
        msg: Any = MsgVote(proposal_id=pid, voter=me, option=VoteOption[ENUM[choice[0][0]]], metadata=meta)
    else:
        msg = MsgVoteWeighted(proposal_id=pid, voter=me, metadata=meta, options=[
            WeightedVoteOption(option=VoteOption[ENUM[o]], weight=format(w.quantize(Decimal(1).scaleb(-18)), "f")) for o, w in choice])
    vote = ", ".join(f"{o.upper()} {format(w.normalize(), 'f')}" if len(choice) > 1 else o.upper() for o, w in choice)
    return Checked(msg, None, (f"Proposal #{pid}: {quote(p.get('title', ''), limit=255)}", f"Vote: {vote}",
                               f"Voting ends: {quote(p.get('voting_end_time'))}",
                               "You can change the vote until voting ends."))


def _event(tx: TxResult, first: int, kind: str, key: str) -> str | None:
    """An attribute of this plan's one message's event (msg_index `first`; events naming no message count too)."""
    mine = str(first)
    return next((e.attributes[key] for e in tx.events
                 if e.type == kind and key in e.attributes and e.attributes.get("msg_index", mine) == mine), None)


@tool(effect="moves_funds", title="Submit text proposal", needs_wallet=True)
async def secret_submit_proposal(
    ctx: ToolContext,
    title: Annotated[str, Field(min_length=1, max_length=255)],
    summary: Annotated[str, Field(min_length=1, max_length=10_000)],
    initial_deposit: Annotated[AmountText, Field(description="e.g. '1 SCRT'; at least the chain's minimum")],
    denom: str | None = None,  # the unit of a bare-number initial_deposit
    metadata: Annotated[str, Field(max_length=255)] = "",  # usually a link
    gas: GasArg = None,
) -> Plan[ProposalTxResult]:
    """Submit a text proposal with an initial deposit."""
    checked = await plan_submit(ctx, {"title": title, "summary": summary, "initial_deposit": initial_deposit,
                                      "denom": denom, "metadata": metadata})
    value = checked.value

    async def finish(ctx: ToolContext, tx: TxResult, first: int) -> ProposalTxResult:
        pid = int(_event(tx, first, "submit_proposal", "proposal_id") or 0)
        status = "voting_period" if _event(tx, first, "submit_proposal", "voting_period_start") else "deposit_period"
        return ProposalTxResult(**tx.model_dump(), proposal_id=pid, proposal_status=status, deposited=value.view())

    return Plan(f"Submit a governance text proposal {quote(title.strip())} with a deposit of {value.display}",
                [checked.msg], amounts=[value], lines=checked.lines, gas=gas, finish=finish)


@tool(effect="moves_funds", title="Deposit on proposal", needs_wallet=True)
async def secret_deposit_proposal(
    ctx: ToolContext, proposal_id: IdArg,
    amount: Annotated[AmountText, Field(description="e.g. '5 SCRT'")],
    denom: str | None = None,  # the unit of a bare-number amount
    gas: GasArg = None,
) -> Plan[ProposalTxResult]:
    """Deposit on a proposal."""
    checked = await plan_deposit(ctx, {"proposal_id": proposal_id, "amount": amount, "denom": denom})
    value = checked.value

    async def finish(ctx: ToolContext, tx: TxResult, first: int) -> ProposalTxResult:
        started = _event(tx, first, "proposal_deposit", "voting_period_start") is not None
        after = (await get_proposal(ctx, proposal_id))["status"] if not started else STATUSES["voting_period"]
        return ProposalTxResult(**tx.model_dump(), proposal_id=proposal_id, proposal_status=SHORT.get(after, after),
                                deposited=value.view())

    return Plan(f"Deposit {value.display} on governance proposal #{proposal_id}", [checked.msg], amounts=[value],
                lines=checked.lines, gas=gas, finish=finish)


@tool(effect="writes", title="Vote on proposal", needs_wallet=True)
async def secret_vote_proposal(
    ctx: ToolContext, proposal_id: IdArg,
    option: Option | None = None,
    weighted: Annotated[list[WeightedOption] | None, Field(max_length=4, description="A split vote, instead of option")] = None,
    metadata: Annotated[str, Field(max_length=255)] = "",  # a note stored with the vote
    gas: GasArg = None,
) -> Plan[VoteTxResult]:
    """Vote on a proposal in its voting period; voting again replaces the vote."""
    checked = await plan_vote(ctx, {"proposal_id": proposal_id, "option": option, "weighted": weighted,
                                    "metadata": metadata})
    choice = _weights(option, weighted)
    voter = checked.msg.voter

    async def finish(ctx: ToolContext, tx: TxResult, first: int) -> VoteTxResult:
        staked = await ctx.query(f"/cosmos/staking/v1beta1/delegations/{voter}", {"pagination.limit": 1000},
                                 cached=False)
        power = sum(int(d["balance"]["amount"]) for d in staked.get("delegation_responses") or [])
        return VoteTxResult(**tx.model_dump(), proposal_id=proposal_id, voting_power=coin_view("uscrt", power),
                            options=[WeightedOption(option=o, weight=format(w.normalize(), "f")) for o, w in choice])

    return Plan(f"Vote on governance proposal #{proposal_id}", [checked.msg], lines=checked.lines, gas=gas,
                finish=finish)


__all__ = ["secret_submit_proposal", "secret_deposit_proposal", "secret_vote_proposal"]
