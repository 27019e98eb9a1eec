"""One token message as a Plan, with the contract's `status` checked once the transaction is in a block."""

from __future__ import annotations

from typing import Annotated, Any, Awaitable, Callable, Sequence

from pydantic import Field
from secret_mcp.api import ContractMessages, ContractTx, Plan, SecretMCPError, ToolContext, remember, sender_of

from .registry import Token

TokenArg = Annotated[str, Field(description="Address or symbol")]

# then(ctx, transaction, the contract's decrypted answer): the tool's own result
Then = Callable[[ToolContext, ContractTx, Any], Awaitable[Any]]


def owner(ctx: ToolContext) -> str:
    return sender_of(ctx)


async def token_plan(ctx: ToolContext, token: Token, msg: dict[str, Any], *, action: str, lines: Sequence[str] = (),
                     then: Then | None = None) -> Plan[Any]:
    """Plan one message to `token`; what it moves (amount, recipient) is declared from the message itself."""
    calls = await ContractMessages.start(ctx)
    await calls.execute(ctx, token.address, msg, code_hash=token.code_hash, token=(token.decimals, token.symbol))
    name = next(iter(msg))

    async def finish(ctx: ToolContext, out: ContractTx) -> Any:
        remember(ctx, token.address, name, txhash=out.txhash)
        data = out.responses[0].get("data") if out.responses else None
        if isinstance(data, dict) and isinstance(data.get(name), dict) and data[name].get("status") == "failure":
            raise SecretMCPError("TOKEN_FAILURE", f"The token answered status 'failure' to {name}.", [],
                                 {"txhash": out.txhash})
        return await then(ctx, out, data) if then is not None else out

    return calls.plan(action, lines=lines, then=finish)
