"""Small fake packs used by the host tests (registered in-process, never installed)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from secret_mcp import hookimpl
from secret_mcp.context import ToolContext
from secret_mcp.errors import SecretMCPError
from secret_mcp.tools import tool
from secret_mcp.tx import Plan


class Echo(BaseModel):
    text: str
    network: str


@tool(title="Echo")
async def secret_echo(ctx: ToolContext, text: Annotated[str, Field(description="What to echo")]) -> Echo:
    """Echo text back with the current network name."""
    return Echo(text=text, network=ctx.network.name)


@tool(effect="moves_funds", needs_wallet=False)
async def secret_fake_pay(ctx: ToolContext, amount: int) -> Plan[Echo]:
    """Pretend to pay (used to test read-only mode and annotations)."""
    from secret_sdk.protobuf.cosmos.bank.v1beta1 import MsgSend

    return Plan(f"Pay {amount}uscrt", [MsgSend(from_address="", to_address="", amount=[])])


@tool()
async def secret_fail_expected(ctx: ToolContext) -> Echo:
    """Always fails with a structured error."""
    raise SecretMCPError("FAKE_FAILURE", "this always fails", ["do something else"])


@tool()
async def secret_fail_unexpected(ctx: ToolContext) -> Echo:
    """Always crashes with an unexpected exception carrying a secret-looking text."""
    raise RuntimeError("internal detail /home/user/.secret that must not leak")


class EchoPack:
    @hookimpl
    def secret_mcp_register(self, registry):
        registry.add_tools(secret_echo, secret_fake_pay, secret_fail_expected, secret_fail_unexpected)


class ClashPack:
    @hookimpl
    def secret_mcp_register(self, registry):
        registry.tool(secret_echo)
