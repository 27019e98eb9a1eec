"""Confirmation previews for the tools' `confirm=` functions: what the person approves, in plain words.

The core runs a tool's confirm function BEFORE the tool body, so the fee is not known yet. We estimate it
here with a simulation (read-only, nothing signed) so the person approves a number, not "some fee"; the body
simulates again at signing time, so the preview says "estimated". If simulation fails now (no wallet yet,
unfunded account, node down) the preview says the fee is estimated at signing, and the body reports the
real problem.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from ..amounts import Amount, coin_view
from ..context import ToolContext
from ..errors import SecretMCPError


def network_line(ctx: ToolContext) -> str:
    net = ctx.network
    if net.simulated:
        return f"Network: {net.name} ({net.chain_id}) - a SIMULATED chain, tokens are worthless"
    if net.real_funds:
        return f"Network: {net.name} ({net.chain_id}) - REAL funds"
    return f"Network: {net.name} ({net.chain_id})"


async def fee_line(ctx: ToolContext, messages: Sequence[Any] | None, *, memo: str = "", gas: int | None = None) -> str:
    from .pipeline import estimate

    if not messages:
        return "Fee: estimated at signing"
    try:
        est = await estimate(ctx, messages, memo=memo, gas=gas)
    except SecretMCPError as exc:
        return f"Fee: estimated at signing (cannot estimate now: {exc.message})"
    return f"Estimated fee: {coin_view(est.fee_denom, est.fee).display} for {est.gas_limit} gas at {est.gas_price}{est.fee_denom}/gas"


async def preview(
    ctx: ToolContext,
    action: str,
    *,
    amounts: Iterable[Amount] = (),
    recipients: Iterable[str] = (),
    messages: Sequence[Any] | None = None,
    memo: str = "",
    gas: int | None = None,
    lines: Iterable[str] = (),
) -> str | None:
    """The confirmation text, or None when the confirm setting says this transaction needs no confirmation."""
    from ..security import for_app

    amounts = list(amounts)
    if not for_app(ctx.app).needs_confirmation(ctx.network, tuple(a.pair() for a in amounts)):
        return None
    sender = ctx.session.active_wallet_address() or "(no active wallet)"
    out = [action, f"From: {ctx.session.active_wallet or '?'} ({sender})"]
    out += [f"To: {r}" for r in recipients]
    out += [f"Amount: {a.display}" for a in amounts]
    out += list(lines)
    if memo:
        out.append(f"Memo: {memo}")
    out.append(await fee_line(ctx, messages, memo=memo, gas=gas))
    out.append(network_line(ctx))
    return "\n".join(out)
