"""How a pack changes chain state: it returns a Plan, and the core carries it out.

    from secret_mcp.api import Plan, TxResult, parse_amount, quote, tool

    @tool(effect="moves_funds", needs_wallet=True)
    async def secret_delegate(ctx, validator: str, amount: str) -> Plan[TxResult]:
        '''Stake SCRT with a validator.'''
        value = parse_amount(amount)
        msg = MsgDelegate(delegator_address=ctx.address_or_active(None), validator_address=validator, amount=...)
        return Plan(f"Delegate {value.display}", [msg], amounts=[value], receivers=[validator])

The core checks policy (allow-list over every receiver, limits per denom and token with the fee counted, the
fee cap), estimates once, previews, asks, signs exactly the previewed sign doc, broadcasts once and waits;
see docs/writing-a-write-tool.md. Messages are secret_sdk.protobuf (betterproto) messages or `Msg(type_url,
message)`; several messages are one atomic transaction. Errors are SecretMCPError with stable codes:
INSUFFICIENT_FUNDS, SIMULATION_FAILED, OUT_OF_GAS, POLICY_REFUSED, CONFIRMATION_* (declined, stale, ...),
SEQUENCE_MISMATCH, TX_FAILED / the sdk code's name, TX_OUTCOME_UNKNOWN (details.txhash; never resent).
`estimate` / `simulate` give gas and fee without signing.
"""

from .build import Msg, as_msg, tx_hash, type_url_of
from .plan import Plan, TokenAmount
from .quote import quote
from .pipeline import Estimate, Signer, active_signer, estimate, simulate
from .result import TxEvent, TxResult

__all__ = ["Plan", "TokenAmount", "quote", "Msg", "as_msg", "tx_hash", "type_url_of", "Estimate", "Signer", "active_signer", "estimate",
           "simulate", "TxEvent", "TxResult"]
