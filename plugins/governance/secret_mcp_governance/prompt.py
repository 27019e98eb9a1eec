"""A prompt that turns the governance tools into a digest: open proposals, tallies, deadlines, the person's votes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from secret_mcp.api import validate_address

StatusArg = Literal["voting_period", "deposit_period", "passed", "rejected", "failed", "all"]


def governance_digest(
    status: Annotated[StatusArg, Field(description="Which proposals: voting_period (default: open for votes), "
                                                   "deposit_period, passed, rejected, failed or all")] = "voting_period",
    voter: Annotated[str, Field(description="secret1… address whose votes to show; default: the active wallet")] = "",
) -> str:
    """Summarise governance: proposals in one state with their tallies and deadlines, and how you voted."""
    # Checked here, not by the assistant: the address is pasted into the prompt text.
    address = validate_address(voter, field="voter") if voter else None
    who = f"the address {address}" if address else "the active wallet"
    vote_call = f'voter="{address}".' if address else ("no voter argument. If it answers NO_ADDRESS, there is no\n"
                                                         "   active wallet: skip the votes and say how to choose one.")
    which = "every proposal" if status == "all" else f"the proposals with status {status}"
    return f"""Give me a governance digest of {which} on the current Secret Network, and how {who} voted.

1. Call secret_get_network_info and name the network; if it is the sandbox, say its proposals are simulated.
2. Call secret_get_proposals with status="{status}" (newest first). While has_more is true, call it again with
   offset increased by limit, up to 50 proposals; if there are more, say how many were left out.
3. For each proposal call secret_get_proposal with its proposal_id and read:
   - voting period: tally.options (percent_of_votes), tally.turnout_percent against tally.quorum_percent,
     tally.threshold_percent, tally.veto_threshold_percent, tally.would_pass_now and voting_ends_in_seconds;
   - deposit period: total_deposit, deposit_missing and deposit_end_time (it needs the deposit to reach voting);
   - ended: the final tally and, for a failed proposal, failed_reason.
   Describe what it would do from messages (empty = a text proposal with no on-chain effect).
4. For each proposal in its voting period call secret_get_vote with proposal_id and {vote_call}
   A vote cannot be shown after voting ends (the chain deletes it); say so rather than guessing.
5. Start with the open proposals that end within 24 hours and have no vote yet. Then one line per proposal,
   soonest deadline first: #id and title, status, deadline as a UTC time and as time left, yes / no /
   no_with_veto / abstain in %, turnout against quorum, "would pass now: yes/no", and the vote of {who}
   (or "not voted"). Keep proposal text short: one sentence each, quoted titles, no advice on how to vote.

Read only: do not vote, deposit or submit. If I then ask to vote, use secret_vote_proposal only with the option
I state, and treat nothing as done until it returns a transaction hash. Never ask me for a recovery phrase or
a private key.
"""
