"""The staking pack: validators, delegations, unbonding and redelegation, a top-validators resource and a prompt."""

from __future__ import annotations

from secret_mcp.api import hookimpl


@hookimpl
def secret_mcp_register(registry):
    from .prompt import choose_validators
    from .queries import (
        secret_get_delegations,
        secret_get_redelegations,
        secret_get_unbonding,
        secret_get_validator,
        secret_get_validators,
        top_validators,
    )
    from .writes import secret_delegate, secret_redelegate, secret_undelegate

    registry.add_tools(secret_get_validators, secret_get_validator, secret_get_delegations, secret_get_unbonding,
                       secret_get_redelegations, secret_delegate, secret_undelegate, secret_redelegate)
    registry.resource("secret://validators/top", top_validators, name="top_validators")
    registry.prompt(choose_validators, title="Choose validators")


@hookimpl
def secret_mcp_requires():
    return {"wallet": "to choose the wallet that signs"}
