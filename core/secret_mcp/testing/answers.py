"""Answer the server's questions (MCP elicitation) the way a person would: yes, no, or decline to answer.

Pass one as `elicitation_callback=` to `connect(...)`. A confirmation prompt is answered with the form's
`confirm` field: "yes" accepts with confirm=True, "no" accepts with confirm=False, "decline" closes the form.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from mcp.types import ElicitResult

Callback = Callable[[Any, Any], Awaitable[ElicitResult]]
REPLIES = ("yes", "no", "decline")


def _result(reply: str) -> ElicitResult:
    if reply == "decline":
        return ElicitResult(action="decline")
    return ElicitResult(action="accept", content={"confirm": reply == "yes"})


async def accept(_ctx: Any, _params: Any) -> ElicitResult:
    """Says yes to every question."""
    return _result("yes")


async def refuse(_ctx: Any, _params: Any) -> ElicitResult:
    """Answers every question, with no (confirm=False)."""
    return _result("no")


async def decline(_ctx: Any, _params: Any) -> ElicitResult:
    """Declines to answer (closes the form)."""
    return _result("decline")


class Answerer:
    """Gives `replies` in order (the last one repeats) and keeps every message the person was shown."""

    def __init__(self, *replies: str) -> None:
        unknown = [r for r in replies if r not in REPLIES]
        if unknown or not replies:
            raise ValueError(f"replies must be some of {REPLIES}, got {replies!r}")
        self.replies = list(replies)
        self.shown: list[str] = []

    async def __call__(self, _ctx: Any, params: Any) -> ElicitResult:
        reply = self.replies[min(len(self.shown), len(self.replies) - 1)]
        self.shown.append(params.message)
        return _result(reply)


def answerer(*replies: str) -> Answerer:
    """answerer("yes"), answerer("no"), answerer("decline"), or a sequence: answerer("decline", "yes")."""
    return Answerer(*replies)


def recording(answer: Callback) -> tuple[Callback, list[str]]:
    """Wraps any callback: returns it with the list of messages the person is shown (one per question)."""
    shown: list[str] = []

    async def callback(ctx: Any, params: Any) -> ElicitResult:
        shown.append(params.message)
        return await answer(ctx, params)

    return callback, shown
