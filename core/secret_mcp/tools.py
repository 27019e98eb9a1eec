"""How a pack declares a tool: one decorator whose arguments say what the tool does; the core derives the rest.

    @tool(effect="reads", title="Get balance")
    async def secret_get_balance(ctx: ToolContext, address: Annotated[str, Field(description=...)]) -> Balance:
        '''One paragraph the model reads.'''

The signature is the input schema, the return model is the output schema, the docstring is the description.
`effect` drives MCP annotations, read-only mode, confirmation and audit in the core, never in the pack.
"""

from __future__ import annotations

import inspect
import re
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Literal

import attrs
from mcp.types import ToolAnnotations

if TYPE_CHECKING:
    from .context import ToolContext

Effect = Literal["reads", "local", "writes", "moves_funds"]
EFFECTS: tuple[str, ...] = ("reads", "local", "writes", "moves_funds")
NAME_RE = re.compile(r"^secret_[a-z0-9_]{1,100}$")

# Returns the text to show the person when the call needs their confirmation, or None when it does not.
ConfirmFn = Callable[["ToolContext", dict[str, Any]], Awaitable[str | None]]


@attrs.frozen
class ToolSpec:
    name: str
    fn: Callable[..., Awaitable[Any]]
    effect: Effect
    title: str
    description: str
    needs_wallet: bool = False
    network_kinds: frozenset[str] | None = None  # present only on these network kinds (None = all)
    confirm: ConfirmFn | None = None

    @property
    def writes_chain(self) -> bool:
        return self.effect in ("writes", "moves_funds")

    def annotations(self, *, full: bool = True) -> ToolAnnotations:
        """The MCP hints for this tool; `full=False` is the compact form tools/list sends by default.

        Compact keeps readOnlyHint always and destructiveHint on every non-read, and drops what the spec
        already implies: for a read, destructive/idempotent mean nothing and openWorld=true is the default;
        for a write, idempotent=false and openWorld=true are the defaults; the title is the tool's own.
        """
        if not full:
            if self.effect == "reads":
                return ToolAnnotations(read_only_hint=True)
            if self.effect == "local":
                return ToolAnnotations(
                    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
                )
            return ToolAnnotations(read_only_hint=False, destructive_hint=True)
        # Spec defaults assume the worst (destructive, open world); state each hint explicitly.
        if self.effect == "reads":
            return ToolAnnotations(
                title=self.title, read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True
            )
        if self.effect == "local":
            return ToolAnnotations(
                title=self.title, read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
            )
        return ToolAnnotations(
            title=self.title, read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True
        )


def tool(
    name: str | None = None,
    *,
    effect: Effect = "reads",
    title: str | None = None,
    needs_wallet: bool = False,
    network_kinds: set[str] | frozenset[str] | None = None,
    confirm: ConfirmFn | None = None,
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    """Mark an async function as a secret-mcp tool; the function is returned unchanged."""

    def mark(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        tool_name = name or fn.__name__
        if not NAME_RE.match(tool_name):
            raise ValueError(f"tool name {tool_name!r} must match {NAME_RE.pattern}")
        if effect not in EFFECTS:
            raise ValueError(f"tool {tool_name}: effect must be one of {EFFECTS}, got {effect!r}")
        if not inspect.iscoroutinefunction(fn):
            raise TypeError(f"tool {tool_name}: must be an async function")
        doc = inspect.cleandoc(fn.__doc__ or "")
        if not doc:
            raise ValueError(f"tool {tool_name}: a docstring is required (it is the description the model reads)")
        fn.__secret_mcp_tool__ = ToolSpec(  # type: ignore[attr-defined]
            name=tool_name,
            fn=fn,
            effect=effect,
            title=title or tool_name.removeprefix("secret_").replace("_", " ").capitalize(),
            description=doc,
            needs_wallet=needs_wallet,
            network_kinds=frozenset(network_kinds) if network_kinds else None,
            confirm=confirm,
        )
        return fn

    return mark


def spec_of(fn: Any) -> ToolSpec:
    spec = getattr(fn, "__secret_mcp_tool__", None)
    if not isinstance(spec, ToolSpec):
        raise TypeError(f"{fn!r} is not decorated with @secret_mcp.tool")
    return spec
