"""Token messages through the contract pipeline, with the contract's `status` checked."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from secret_mcp.context import ToolContext
from secret_mcp.contracts import cipher, remember
from secret_mcp.contracts.execute import ContractTx, raw_address, run
from secret_mcp.errors import SecretMCPError

from .registry import Token

TokenArg = Annotated[str, Field(description="Address or symbol")]


def owner(ctx: ToolContext) -> str:
    address = ctx.session.active_wallet_address()
    if address is None:
        raise SecretMCPError("NO_ACTIVE_WALLET", "This needs an active wallet.", ["Choose one with secret_set_active_wallet."])
    return address


async def build(ctx: ToolContext, token: Token, msg: dict[str, Any]) -> tuple[Any, bytes]:
    from secret_sdk.protobuf.secret.compute import v1beta1 as pb  # protobuf on first use, not at start-up

    wire = (await cipher(ctx)).encrypt(token.code_hash, msg)
    return pb.MsgExecuteContract(sender=raw_address(owner(ctx), "sender"), contract=raw_address(token.address),
                                 msg=wire), wire


async def execute(ctx: ToolContext, token: Token, msg: dict[str, Any], *, summary: str, tool: str,
                  memo: str = "", gas: int | None = None) -> tuple[ContractTx, Any]:
    """Run one token message; returns (transaction, the contract's decrypted answer)."""
    m, wire = await build(ctx, token, msg)
    out = await run(ctx, [m], [wire], summary=summary, tool=tool, memo=memo, gas=gas)
    remember(ctx, token.address, next(iter(msg)), txhash=out.txhash)
    data = out.responses[0].get("data") if out.responses else None
    name = next(iter(msg))
    if isinstance(data, dict) and isinstance(data.get(name), dict) and data[name].get("status") == "failure":
        raise SecretMCPError("TOKEN_FAILURE", f"The token answered status 'failure' to {name}.", [],
                             {"txhash": out.txhash})
    return out, data
