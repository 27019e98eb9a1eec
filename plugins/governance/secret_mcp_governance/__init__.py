"""The governance pack: proposals (gov v1 routes), their tallies, text proposals, deposits and votes; a digest prompt."""

from __future__ import annotations

from secret_mcp.api import hookimpl


@hookimpl
def secret_mcp_register(registry):
    from .prompt import governance_digest
    from .queries import secret_get_proposal, secret_get_proposals, secret_get_vote
    from .writes import (
        secret_deposit_proposal,
        secret_submit_proposal,
        secret_vote_proposal,
    )

    registry.add_tools(secret_get_proposals, secret_get_proposal, secret_get_vote, secret_submit_proposal,
                       secret_deposit_proposal, secret_vote_proposal)
    registry.prompt(governance_digest, title="Governance digest")


@hookimpl
def secret_mcp_requires():
    return {"wallet": "to choose the wallet that signs"}
