"""SNIP-20 transfer and send, confirmed with amounts in whole tokens, through the pipeline."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from pydantic import Field

from secret_mcp.addresses import validate_address
from secret_mcp.amounts import token_units
from secret_mcp.context import ToolContext
from secret_mcp.contracts.execute import ContractTx, confirm_text
from secret_mcp.errors import SecretMCPError
from secret_mcp.tools import tool

from .common import TokenArg, build, execute
from .registry import display, resolve

AmountArg = Annotated[str, Field(description="In whole tokens, e.g. '1.5'")]
MemoArg = Annotated[str, Field(max_length=256, description="Private")]  # stored encrypted by the token


async def _plan(ctx: ToolContext, args: dict[str, Any], kind: str) -> tuple[Any, dict[str, Any], str]:
    t = await resolve(ctx, args["token"])
    to = validate_address(args["recipient"], field="recipient")
    units = token_units(args["amount"], t.decimals)
    body: dict[str, Any] = {"recipient": to, "amount": str(units)}
    if args.get("memo"):
        body["memo"] = args["memo"]
    if kind == "send" and args.get("msg") is not None:
        body["msg"] = base64.b64encode(json.dumps(args["msg"], separators=(",", ":")).encode()).decode()
    return t, {kind: body}, f"{kind.capitalize()} {display(units, t.decimals)} {t.symbol} to {to}"


async def _confirm(kind: str, ctx: ToolContext, args: dict[str, Any]) -> str | None:
    try:
        t, msg, summary = await _plan(ctx, args, kind)
        m, wire = await build(ctx, t, msg)
    except SecretMCPError:
        return None  # the body fails the same check with a clear error
    return await confirm_text(ctx, summary, [m], [wire], recipients=[msg[kind]["recipient"]],
                              lines=[f"Token: {t.name} ({t.address})"])


async def _confirm_transfer(ctx: ToolContext, args: dict[str, Any]) -> str | None:
    return await _confirm("transfer", ctx, args)


async def _confirm_send(ctx: ToolContext, args: dict[str, Any]) -> str | None:
    return await _confirm("send", ctx, args)


@tool(effect="moves_funds", title="Transfer tokens", needs_wallet=True, confirm=_confirm_transfer)
async def secret_token_transfer(ctx: ToolContext, token: TokenArg, recipient: str,
                                amount: AmountArg, memo: MemoArg = "") -> ContractTx:
    """Transfer a SNIP-20 token from the active wallet; the person confirms first."""
    t, msg, summary = await _plan(ctx, {"token": token, "recipient": recipient, "amount": amount, "memo": memo}, "transfer")
    return (await execute(ctx, t, msg, summary=summary, tool="secret_token_transfer"))[0]


@tool(effect="moves_funds", title="Send tokens to a contract", needs_wallet=True, confirm=_confirm_send)
async def secret_token_send(ctx: ToolContext, token: TokenArg, recipient: str,
                            amount: AmountArg, msg: Annotated[dict[str, Any] | None, Field(
                                description="For the recipient contract's receive hook")] = None,
                            memo: MemoArg = "") -> ContractTx:
    """SNIP-20 send: transfer, then call the recipient contract's receive hook with `msg`."""
    args = {"token": token, "recipient": recipient, "amount": amount, "memo": memo, "msg": msg}
    t, body, summary = await _plan(ctx, args, "send")
    return (await execute(ctx, t, body, summary=summary, tool="secret_token_send"))[0]
