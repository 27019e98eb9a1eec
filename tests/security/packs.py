"""A fake paying pack and a server builder for the security tests (registered in-process, never installed)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from secret_mcp import hookimpl
from secret_mcp.context import ToolContext
from secret_mcp.policy import TxOutcome, TxRequest, authorize, tx_completed
from secret_mcp.security.plugin import SecurityPlugin
from secret_mcp.tools import tool
from secret_mcp.testing import plugin_host, make_server


class Paid(BaseModel):
    amount: int
    recipient: str
    runs: int


class PayPack:
    """secret_test_pay: authorizes through the core policy, counts its runs (to prove "exactly once")."""

    def __init__(self, needs_wallet: bool = False) -> None:
        self.runs = 0

        async def confirm(ctx: ToolContext, args: dict[str, Any]) -> str | None:
            return f"Send {args['amount']}uscrt to {args['recipient']} on {ctx.network.name}?"

        # A local action with its own prompt: the confirmation-code machinery (elicitation, codes, expiry, network
        # binding) without a chain. Chain writes are plans, confirmed by the core (tests/plans).
        @tool(effect="local", title="Test pay", confirm=confirm, needs_wallet=needs_wallet, destructive=True,
              idempotent=False)
        async def secret_test_pay(ctx: ToolContext, amount: int, recipient: str) -> Paid:
            """Pretend to send uscrt (authorized by the core policy, recorded as a success)."""
            net = ctx.network
            request = TxRequest("secret_test_pay", net.name, net.chain_id, "secret1sender", (),
                                amounts=(("uscrt", amount),), recipients=(recipient,))
            authorize(ctx.app, request)
            self.runs += 1
            tx_completed(ctx.app, TxOutcome(request, "AB" * 32, 1, 0, "success"))
            return Paid(amount=amount, recipient=recipient, runs=self.runs)

        self.tool = secret_test_pay

    @hookimpl
    def secret_mcp_register(self, registry):
        registry.tool(self.tool)


def security_server(*packs: tuple[str, object], network: str = "localsecret", **config: Any) -> tuple[Any, SecurityPlugin]:
    """A server with the core security plugin (as PluginHost will register it) plus the given packs."""
    host = plugin_host(entry_points=False, register=packs)  # the core security plugin comes with every host
    plugin = host.pm.get_plugin("security")
    assert isinstance(plugin, SecurityPlugin)
    return make_server(host=host, network=network, **config), plugin
