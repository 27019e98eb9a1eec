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
    # A non-read tool may state hints against its effect's defaults (see `annotations`): creating a wallet is
    # "local" yet not idempotent (a fresh key each call); removing one is "local" yet destructive.
    idempotent: bool | None = None
    destructive: bool | None = None

    @property
    def writes_chain(self) -> bool:
        return self.effect in ("writes", "moves_funds")

    def annotations(self, *, full: bool = True) -> ToolAnnotations | None:
        """The MCP hints for this tool; `full=False` is the compact form tools/list sends by default.

        Compact sends only the hints that differ from the spec defaults (readOnly=false, destructive=true,
        idempotent=false, openWorld=true), which mean the same when absent: a read says readOnlyHint (its
        other hints mean nothing), a local change says it is harmless, idempotent and closed-world, and a chain
        write matches every default, so it sends no annotations at all. A tool's own `idempotent` /
        `destructive` (non-reads only) replace its effect's defaults, in both forms.
        """
        if self.effect == "reads":
            if not full:
                return ToolAnnotations(read_only_hint=True)
            # Spec defaults assume the worst (destructive, open world); state each hint explicitly.
            return ToolAnnotations(
                title=self.title, read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True
            )
        local = self.effect == "local"
        destructive = not local if self.destructive is None else self.destructive
        idempotent = local if self.idempotent is None else self.idempotent
        if not full:  # only what differs from the spec defaults
            hints = {"destructive_hint": None if destructive else False, "idempotent_hint": True if idempotent else None,
                     "open_world_hint": False if local else None}
            return ToolAnnotations(**hints) if any(v is not None for v in hints.values()) else None
        return ToolAnnotations(
            title=self.title, read_only_hint=False, destructive_hint=destructive, idempotent_hint=idempotent,
            open_world_hint=not local,
        )


def tool(
    name: str | None = None,
    *,
    effect: Effect = "reads",
    title: str | None = None,
    needs_wallet: bool = False,
    network_kinds: set[str] | frozenset[str] | None = None,
    confirm: ConfirmFn | None = None,
    idempotent: bool | None = None,
    destructive: bool | None = None,
) -> Callable[[Callable[..., Awaitable[Any]]], Callable[..., Awaitable[Any]]]:
    """Mark an async function as a secret-mcp tool; the function is returned unchanged.

    `idempotent` / `destructive` override the hints `effect` implies, for a non-read tool whose truth differs."""

    def mark(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        tool_name = name or fn.__name__
        if not NAME_RE.match(tool_name):
            raise ValueError(f"tool name {tool_name!r} must match {NAME_RE.pattern}")
        if effect not in EFFECTS:
            raise ValueError(f"tool {tool_name}: effect must be one of {EFFECTS}, got {effect!r}")
        if effect == "reads" and (idempotent is not None or destructive is not None):
            raise ValueError(f"tool {tool_name}: a read is idempotent and not destructive; drop those hints")
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
            idempotent=idempotent,
            destructive=destructive,
        )
        return fn

    return mark


def spec_of(fn: Any) -> ToolSpec:
    spec = getattr(fn, "__secret_mcp_tool__", None)
    if not isinstance(spec, ToolSpec):
        raise TypeError(f"{fn!r} is not decorated with @secret_mcp.tool")
    return spec
