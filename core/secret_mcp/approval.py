"""How a write tool's Plan meets the person: resolvers that plan and ask, and the body that carries it out.

Per call, in both protocol eras, before the tool body:
  1. `plan` resolver: the tool's planner runs, then the core prepares the plan (policy, one estimate, the exact
     sign doc and its digest, the preview). Any error refuses the call: nothing is asked, nothing is signed.
  2. `confirm` resolver: asks the person about that preview (form elicitation), or notes that policy needs no
     question, or that the client cannot ask (then the body answers with a confirmation code bound to the
     prepared sign doc).
The body then signs exactly the prepared doc. In the 2026 era the call comes back for a second round with
the answer; the prepared plan of the first round is reused there (same digest, same question, no second
simulation) as long as the wallet's sequence has not moved.
"""

from __future__ import annotations

import inspect
import logging
import time
import weakref
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import AcceptedElicitation, CancelledElicitation, Context, DeclinedElicitation, Elicit, Resolve
from pydantic import BaseModel, Field, StrictBool

from . import results
from .context import ToolContext
from .security.ask import client_can_elicit
from .errors import UNAVAILABLE_SEEN, SecretMCPError
from .security.confirm import canonical
from .tx.carry import Prepared, prepare
from .tx.chain import account_state

if TYPE_CHECKING:
    from .app import App
    from .tools import ToolSpec

log = logging.getLogger("secret_mcp.approval")

PLAN_PARAM = "secret_mcp_plan"
APPROVAL_PARAM = "secret_mcp_approval"
MRTR_ERA = "2026-07-28"
ROUND_SECONDS = 600  # how long a prepared plan waits for the second round of a 2026-era call


class Approval(BaseModel):
    confirm: StrictBool = Field(description="Sign and send exactly this transaction?")


class Refused:
    """The plan resolver's answer when planning failed: the body ends the call with this error."""

    def __init__(self, error: SecretMCPError) -> None:
        self.error = error


class NotAsked:
    """Policy needs no question for this plan (confirm mode, amounts below the threshold)."""


class CannotAsk:
    """The client cannot elicit: the body answers with a confirmation code bound to the prepared plan."""


class WalletSigns:
    """The person's own wallet signs: the body opens a signing request (signflow.py); the wallet is the question."""


# Prepared plans waiting for their second round (2026 era), per App: key -> (prepared, expires at).
_ROUNDS: "weakref.WeakKeyDictionary[Any, dict[str, tuple[Prepared, float]]]" = weakref.WeakKeyDictionary()


def _round_key(app: "App", tool: str, args: dict[str, Any]) -> str:
    network = app.session.network
    return canonical([tool, args, app.session.active_wallet_address(), network.chain_id if network else "",
                      list(app.session.urls)])


def _second_round(mcp_ctx: Context | None) -> bool:
    return bool(mcp_ctx is not None and getattr(mcp_ctx, "input_responses", None))


def _modern(mcp_ctx: Context | None) -> bool:
    version = getattr(mcp_ctx, "protocol_version", None) if mcp_ctx is not None else None
    return bool(version) and str(version) >= MRTR_ERA


async def _reuse(ctx: ToolContext, key: str) -> Prepared | None:
    """The first round's prepared plan, if the wallet's sequence still matches it (one account read)."""
    waiting = _ROUNDS.get(ctx.app, {})
    now = time.monotonic()
    for stale in [k for k, (_p, until) in waiting.items() if until <= now]:
        del waiting[stale]
    entry = waiting.pop(key, None)
    if entry is None:
        return None
    prepared = entry[0]
    _number, sequence = await account_state(ctx, prepared.signer.address)
    return prepared if sequence == prepared.sequence else None


async def prepare_call(ctx: ToolContext, spec: "ToolSpec", args: dict[str, Any]) -> Prepared:
    """Plan (the tool's body) and prepare, or reuse the previous round's prepared plan of this same call."""
    key = _round_key(ctx.app, spec.name, args)
    if _second_round(ctx.mcp):
        reused = await _reuse(ctx, key)
        if reused is not None:
            return reused
    plan = await spec.fn(ctx, **args)
    return await prepare(ctx, plan, tool=spec.name, args=args)


def make_resolvers(app: "App", spec: "ToolSpec", names: list[str]) -> tuple[Any, Any]:
    """(plan resolver, approval resolver) for a plan tool; the second depends on the first."""

    async def plan(mcp_ctx: Context, **args: Any) -> Any:
        ctx = ToolContext(app, mcp_ctx)
        seen: list[SecretMCPError] = []
        noted = UNAVAILABLE_SEEN.set(seen)
        try:
            app.check_allowed(spec)
            return await prepare_call(ctx, spec, args)
        except SecretMCPError as exc:
            return Refused(exc)
        except Exception:  # a bug in a pack's planner: the same INTERNAL_ERROR as a bug in any tool body
            log.exception("planning %s raised an unexpected error", spec.name)
            return Refused(results.INTERNAL)
        finally:
            UNAVAILABLE_SEEN.reset(noted)

    async def approve(mcp_ctx: Context, prepared: Any) -> Any:
        if isinstance(prepared, Refused):
            return prepared
        if prepared.signer.kind == "wallet":
            return WalletSigns()
        if not prepared.needs_question:
            return NotAsked()
        if not client_can_elicit(mcp_ctx):
            return CannotAsk()
        if _modern(mcp_ctx):  # the answer comes back in a second round: keep this exact plan for it
            key = _round_key(app, spec.name, prepared.args)
            _ROUNDS.setdefault(app, {})[key] = (prepared, time.monotonic() + ROUND_SECONDS)
        return Elicit(prepared.preview, Approval)

    _signature(plan, [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY) for n in names], f"plan_{spec.name}")
    depends = inspect.Parameter("prepared", inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[Any, Resolve(plan)])
    _signature(approve, [depends], f"approve_{spec.name}")
    return plan, approve


def _signature(fn: Any, params: list[inspect.Parameter], name: str) -> None:
    ctx_param = inspect.Parameter("mcp_ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Context)
    fn.__signature__ = inspect.Signature([ctx_param, *params])
    fn.__annotations__ = {p.name: p.annotation for p in (ctx_param, *params) if p.annotation is not inspect.Parameter.empty}
    fn.__name__ = fn.__qualname__ = name


def decision_of(prepared: Any, outcome: Any) -> str:
    """The audit decision for this call, or the error that ends it ("code" means: answer with a code)."""
    if isinstance(prepared, Refused):
        raise prepared.error
    match outcome:
        case AcceptedElicitation(data=Approval(confirm=True)):
            return "confirmed"
        case AcceptedElicitation(data=NotAsked()):
            return "not_required"
        case AcceptedElicitation(data=CannotAsk()):
            return "code"
        case AcceptedElicitation(data=WalletSigns()):
            return "wallet"
        case AcceptedElicitation(data=Refused() as refused):
            raise refused.error
        case CancelledElicitation():
            raise SecretMCPError("CONFIRMATION_CANCELLED", "The person cancelled; nothing was signed or sent.", [])
        case DeclinedElicitation() | AcceptedElicitation():
            raise SecretMCPError("CONFIRMATION_DECLINED", "The person declined; nothing was signed or sent.", [])
        case _:
            raise SecretMCPError("CONFIRMATION_DECLINED", "No confirmation was given; nothing was signed or sent.", [])
