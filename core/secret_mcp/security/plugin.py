"""The core's security plugin: limits as `secret_mcp_authorize`, the 24-hour window fed by
`secret_mcp_tx_completed`, and the `secret_confirm_transaction` tool for clients that cannot elicit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, Field

from .. import hookimpl
from ..context import ToolContext
from ..errors import SecretMCPError
from ..tools import tool
from .audit import CURRENT_ENTRY

if TYPE_CHECKING:
    from .services import Security


class ConfirmedResult(BaseModel):
    status: str = Field(description="'done': the confirmed call ran (once); 'declined': dropped, nothing ran")
    tool: str
    result: dict[str, Any] = Field(description="The confirmed tool's own result")


@tool(effect="moves_funds", title="Confirm a pending transaction")
async def secret_confirm_transaction(
    ctx: ToolContext,
    code: Annotated[str, Field(description="The confirmation_code the person approved")],
    tool: str | None = None,  # when given, checked against the code
    arguments: dict[str, Any] | None = None,  # when given, checked against the code
    decline: bool = False,
) -> ConfirmedResult:
    """Run a pending action once by its confirmation code, only after the person explicitly approved its preview."""
    from ..tx.carry import restore
    from .services import chain_id_of

    pending = ctx.security.codes.redeem(code, chain_id=chain_id_of(ctx.session), tool=tool, args=arguments)
    if decline:  # the person said no (e.g. in the review app): the code is used up, nothing is signed
        _declined(ctx, pending)
        return ConfirmedResult(status="declined", tool=pending.tool, result={})
    registered = ctx.app.registry.tools.get(pending.tool)
    if registered is None:
        raise SecretMCPError("UNKNOWN_TOOL", f"Tool {pending.tool!r} is no longer available.", [])
    runner = ctx.app.runner  # the MCP adapter's tool paths (a higher layer hands them to the App)
    if pending.prepared is not None or pending.record is not None:
        # Sign exactly the plan the person saw; the tool is never re-run to decide what to sign.
        prepared = pending.prepared or await restore(ctx, pending.record, registered.spec.fn, pending.args)
        value = await runner.execute_plan(registered.spec, ctx, prepared, decision="confirmed_by_code")
    else:
        value = await runner.execute(registered.spec, ctx, pending.args, decision="confirmed_by_code")
    data = value.model_dump(mode="json") if isinstance(value, BaseModel) else dict(value)
    return ConfirmedResult(status="done", tool=pending.tool, result=data)


def _declined(ctx: ToolContext, pending: Any) -> None:
    from . import confirm

    network = ctx.session.network
    ctx.security.audit.record(
        tool=pending.tool, network=network.name if network else None, sender=ctx.session.active_wallet_address(),
        summary=confirm.call_summary(pending.tool, pending.args), decision="declined_by_code", outcome="not_run")


class SecurityPlugin:
    """Registered by the core (name "security"); bound to the App's Security by the App."""

    def __init__(self) -> None:
        self.security: "Security | None" = None

    def bind(self, security: "Security") -> None:
        self.security = security

    @hookimpl
    def secret_mcp_register(self, registry: Any) -> None:
        from ..batch import secret_batch

        from ..submit import secret_submit_signed_transaction

        registry.tool(secret_confirm_transaction)
        registry.tool(secret_batch)
        registry.tool(secret_submit_signed_transaction)

    @hookimpl
    def secret_mcp_authorize(self, request: Any) -> str | None:
        if self.security is None:  # fail closed: limits that are not loaded must not mean "no limits"
            return "the security core is not initialised"
        reason = self.security.limits.check(request)
        entry = CURRENT_ENTRY.get()
        if entry is not None:
            self.security.audit.update(entry, summary=request.summary or None, **{"from": request.sender},
                                       decision=f"refused: {reason}" if reason else "authorized")
        return reason

    @hookimpl
    def secret_mcp_tx_completed(self, result: Any) -> None:
        if self.security is None:
            return
        self.security.limits.record(result)
        entry = CURRENT_ENTRY.get()
        if entry is not None:
            self.security.audit.update(entry, txhash=result.txhash, height=result.height, code=result.code,
                                       outcome=result.status)
