"""SNIP-20 transfer and send, amounts in whole tokens. Each tool returns a Plan: the core checks the token
amount and the recipient against policy, previews, asks, signs and sends it."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from pydantic import Field
from secret_mcp.api import AmountText, ContractTx, Plan, ToolContext, quote, token_units, tool, validate_address

from .common import TokenArg, token_plan
from .registry import display, resolve

AmountArg = Annotated[AmountText, Field(description="In whole tokens, e.g. '1.5'")]
MemoArg = Annotated[str, Field(max_length=256, description="Private")]  # stored encrypted by the token


async def _plan(ctx: ToolContext, kind: str, token: str, recipient: str, amount: str, memo: str,
                hook: dict[str, Any] | None = None) -> Plan[ContractTx]:
    t = await resolve(ctx, token)
    to = validate_address(recipient, field="recipient")
    units = token_units(amount, t.decimals)
    body: dict[str, Any] = {"recipient": to, "amount": str(units)}
    lines = [f"Token: {quote(t.name)} ({t.address})"]
    if memo:
        body["memo"] = memo
        lines.append(f"Token memo (kept private by the token): {quote(memo, limit=256)}")
    if kind == "send" and hook is not None:
        body["msg"] = base64.b64encode(json.dumps(hook, separators=(",", ":")).encode()).decode()
        lines.append(f"Message for the recipient contract: {quote(hook, limit=1000)}")
    action = f"{kind.capitalize()} {display(units, t.decimals)} {quote(t.symbol, limit=20)} to {to}"
    return await token_plan(ctx, t, {kind: body}, action=action, lines=lines)


@tool(effect="moves_funds", title="Transfer tokens", needs_wallet=True)
async def secret_token_transfer(ctx: ToolContext, token: TokenArg, recipient: str,
                                amount: AmountArg, memo: MemoArg = "") -> Plan[ContractTx]:
    """Transfer a SNIP-20 token from the active wallet."""
    return await _plan(ctx, "transfer", token, recipient, amount, memo)


@tool(effect="moves_funds", title="Send tokens to a contract", needs_wallet=True)
async def secret_token_send(ctx: ToolContext, token: TokenArg, recipient: str,
                            amount: AmountArg, msg: Annotated[dict[str, Any] | None, Field(
                                description="For the recipient contract's receive hook")] = None,
                            memo: MemoArg = "") -> Plan[ContractTx]:
    """SNIP-20 send: transfer, then call the recipient contract's receive hook with `msg`."""
    return await _plan(ctx, "send", token, recipient, amount, memo, msg)
