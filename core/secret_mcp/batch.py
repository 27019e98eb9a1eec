"""`secret_batch`: the plans of several write tools, from any packs, as ONE atomic transaction.

Each step is a write tool's own planner with its own arguments (validated as if it were called alone); the
core merges the plans into one: every message in order, amounts and token amounts added up for the limits,
every receiver checked against the allow-list, one preview listing each step, one confirmation, one fee.
Coins a step brings to the sender (rewards withdrawn) count for the balance check of later steps.
"""

from __future__ import annotations

import inspect
import typing
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .context import ToolContext
from .errors import SecretMCPError
from .tools import tool
from .tx.plan import Plan, returns_plan
from .tx.result import TxResult

MAX_STEPS = 20


class BatchCall(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tool: str  # a write tool's name
    arguments: dict[str, Any] = Field(default_factory=dict)


class StepResult(BaseModel):
    tool: str
    action: str
    result: dict[str, Any] = Field(description="The step's own result, as the tool alone would give it")


class BatchResult(TxResult):
    steps: list[StepResult] = Field(description="Per step, in order")


def _bad(i: int, message: str, suggestion: str) -> SecretMCPError:
    return SecretMCPError("INVALID_INPUT", f"calls[{i}]: {message}", [suggestion], {"field": f"calls[{i}]"})


def _arguments(i: int, spec: Any, given: dict[str, Any]) -> dict[str, Any]:
    """The step's arguments as the tool's own types, refusing unknown or missing ones (values never echoed)."""
    hints = typing.get_type_hints(spec.fn, include_extras=True)
    params = list(inspect.signature(spec.fn).parameters.values())[1:]  # without ctx
    known = {p.name for p in params}
    unknown = sorted(set(given) - known)
    if unknown:
        raise _bad(i, f"unknown argument(s) for {spec.name}: {', '.join(unknown)}",
                   f"{spec.name} takes: {', '.join(sorted(known))}.")
    out: dict[str, Any] = {}
    for p in params:
        if p.name not in given:
            if p.default is inspect.Parameter.empty:
                raise _bad(i, f"{spec.name} needs argument {p.name!r}", "Add it to the step's arguments.")
            continue
        try:
            out[p.name] = TypeAdapter(hints.get(p.name, Any)).validate_python(given[p.name])
        except ValidationError as exc:
            why = "; ".join(e["msg"] for e in exc.errors(include_input=False, include_url=False))
            raise _bad(i, f"argument {p.name!r} of {spec.name}: {why}", "Fix that argument.") from None
    return out


async def _plan_of(ctx: ToolContext, i: int, call: BatchCall) -> Plan:
    registered = ctx.app.registry.tools.get(call.tool)
    if registered is None:
        raise _bad(i, "there is no tool by that name here", "List the tools: only loaded write tools can be batched.")
    spec = registered.spec
    ctx.app.check_allowed(spec)  # read-only mode, network kinds, wallet: as if the step were called alone
    if spec.name == "secret_batch" or not returns_plan(spec):
        raise _bad(i, f"{spec.name} does not write to the chain (or is a batch itself): it cannot be a step",
                   "Call read and local tools on their own, before or after the batch.")
    plan = await spec.fn(ctx, **_arguments(i, spec, call.arguments))
    if plan.memo or plan.gas is not None:
        raise _bad(i, "memo and gas belong to the whole batch, not to a step", "Give memo/gas to secret_batch itself.")
    return plan


class _Explain:
    """Contract errors of any step, told in the contract's own words."""

    def __init__(self, plans: list[Plan]) -> None:
        self.explainers = [p.decrypt.explain for p in plans if getattr(p.decrypt, "explain", None)]

    def explain(self, exc: SecretMCPError) -> SecretMCPError:
        for explain in self.explainers:
            told = explain(exc)
            if told is not exc:
                return told
        return exc


def merge(tools: list[str], plans: list[Plan], *, memo: str = "", gas: int | None = None) -> Plan:
    """One plan doing every step's messages in order, all or nothing."""
    offsets, n = [], 0
    for p in plans:
        offsets.append(n)
        n += len(p.messages)
    lines = []
    for i, p in enumerate(plans, 1):
        lines.append(f"Step {i}: {p.action}")
        lines += [f"  {line}" for line in p.lines]

    async def finish(ctx: ToolContext, tx: TxResult, first: int) -> BatchResult:
        steps = []
        for name, p, offset in zip(tools, plans, offsets):
            value = await p.finish(ctx, tx, first + offset) if p.finish is not None else tx
            data = value.model_dump(mode="json") if isinstance(value, BaseModel) else dict(value)
            steps.append(StepResult(tool=name, action=p.action, result=data))
        out = BatchResult(**tx.model_dump(), steps=steps)
        out._response = tx.response
        return out

    return Plan(
        f"{len(plans)} steps in ONE transaction (all or none)",
        [m for p in plans for m in p.messages], amounts=[a for p in plans for a in p.amounts],
        tokens=[t for p in plans for t in p.tokens], receivers=[r for p in plans for r in p.receivers],
        lines=lines, memo=memo, gas=gas, credits=[c for p in plans for c in p.credits],
        decrypt=_Explain(plans), finish=finish, holds_secret=any(p.holds_secret for p in plans),
    )


@tool(effect="moves_funds", title="Batch write tools", needs_wallet=True)
async def secret_batch(
    ctx: ToolContext,
    calls: Annotated[list[BatchCall], Field(min_length=1, max_length=MAX_STEPS)],
    memo: Annotated[str, Field(max_length=256, description="Public")] = "",
    gas: Annotated[int | None, Field(gt=0, le=100_000_000)] = None,
) -> Plan[BatchResult]:
    """Write tools' actions as ONE atomic transaction with ONE confirmation: all or none."""
    plans = [await _plan_of(ctx, i, call if isinstance(call, BatchCall) else BatchCall.model_validate(call))
             for i, call in enumerate(calls)]
    return merge([c.tool if isinstance(c, BatchCall) else c["tool"] for c in calls], plans, memo=memo, gas=gas)
