"""The transaction pipeline: how a pack changes chain state.

    from secret_mcp.amounts import parse_amount
    from secret_mcp.tx import preview, send_messages

    async def _confirm(ctx, args):                      # the tool's confirm= function (runs before the body)
        msg, value = plan(ctx, args)                    # same validation as the body; return None if it fails
        return await preview(ctx, f"Delegate {value.display}", amounts=[value], messages=[msg],
                             lines=[f"Validator: {args['validator']}"])

    @tool(effect="moves_funds", needs_wallet=True, confirm=_confirm)
    async def secret_delegate(ctx, validator: str, amount: str) -> TxResult:
        msg, value = plan(ctx, {"validator": validator, "amount": amount})
        return await send_messages(ctx, [msg], summary=f"Delegate {value.display} to {validator}",
                                   amounts=[value], tool="secret_delegate")

Messages are secret_sdk.protobuf (betterproto) messages; the type URL comes from the module path
(`secret_sdk.protobuf.cosmos.staking.v1beta1.MsgDelegate` -> `/cosmos.staking.v1beta1.MsgDelegate`), or pass
`Msg(type_url, message)` (compute messages with encrypted bytes work the same way). Several messages are one
atomic transaction. `amounts` = what leaves the sender (limits and the balance check use them; a
withdraw-rewards or vote passes none); `recipients` = account addresses the allow-list must accept.

`send_messages` returns a `TxResult` on success (txhash, height, gas, fee in SCRT and uscrt, events;
`.response` is the raw tx_response, e.g. for `data` / msg_responses) and raises SecretMCPError otherwise:
INSUFFICIENT_FUNDS, SIMULATION_FAILED, OUT_OF_GAS, POLICY_REFUSED, SEQUENCE_MISMATCH (after one retry),
TX_FAILED / the sdk code's name (details: code, codespace, raw_log, stage "check" = nothing spent or
"deliver" = included, fee paid, txhash), TX_OUTCOME_UNKNOWN (details.txhash; never resent).
`estimate` / `simulate` give gas and fee without signing. Sends from one wallet on one chain are serialised
(`pipeline.wallet_lock`): a second concurrent send waits until the first is in a block, then signs the next sequence.
"""

from .build import Msg, as_msg, tx_hash, type_url_of
from .plan import Plan, TokenAmount
from .quote import quote
from .pipeline import Estimate, Signer, active_signer, estimate, send_messages, simulate
from .preview import fee_line, network_line, preview
from .result import TxEvent, TxResult

__all__ = ["Plan", "TokenAmount", "quote", "Msg", "as_msg", "tx_hash", "type_url_of", "Estimate", "Signer", "active_signer", "estimate",
           "send_messages", "simulate", "preview", "fee_line", "network_line", "TxEvent", "TxResult"]
