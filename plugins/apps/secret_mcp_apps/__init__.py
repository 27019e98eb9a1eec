"""MCP Apps for hosts that render them (`ui://` pages in a sandboxed frame next to the conversation):

- review: every chain write's pending plan (the review of a CONFIRMATION_REQUIRED result), with Approve and
  Decline acting on its confirmation code through the host (secret_confirm_transaction);
- portfolio (secret_get_balance), validators (secret_get_validators), proposal (secret_get_proposal).

Clients without Apps get each tool's usual text and structured content: the pages only add a view of them.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from secret_mcp.api import hookimpl

from .pages import page

REVIEW = "ui://secret/review"
PORTFOLIO = "ui://secret/portfolio"
VALIDATORS = "ui://secret/validators"
PROPOSAL = "ui://secret/proposal"


def _reviewed(spec: Any) -> bool:
    """Chain writes: their results may be a pending plan to approve (the confirm tool itself runs one)."""
    return spec.writes_chain and spec.name != "secret_confirm_transaction"


@hookimpl
def secret_mcp_register(registry: Any) -> None:
    registry.ui_app(REVIEW, partial(page, "review"), tools=_reviewed, name="Transaction review",
                    description="A pending transaction: what it does, costs and changes; Approve or Decline.")
    registry.ui_app(PORTFOLIO, partial(page, "portfolio"), tools=["secret_get_balance"], name="Portfolio",
                    description="Balances, tokens, delegations, rewards, unbonding and recent transactions.")
    registry.ui_app(VALIDATORS, partial(page, "validators"), tools=["secret_get_validators"], name="Validators",
                    description="Voting power, commission, jailed and your stake, per validator.")
    registry.ui_app(PROPOSAL, partial(page, "proposal"), tools=["secret_get_proposal"], name="Proposal",
                    description="A proposal's tally against quorum, threshold and veto, and the time left.")
