"""Independent chain reads at once: a read tool waits one round trip for them all, not one each."""

from __future__ import annotations

from typing import Any, Awaitable

import anyio


async def gather(*awaitables: Awaitable[Any]) -> list[Any]:
    """Await all at once and return their results in order; the first error is raised as itself (not as an
    exception group), and the others are cancelled."""
    out: list[Any] = [None] * len(awaitables)

    async def one(i: int, awaitable: Awaitable[Any]) -> None:
        out[i] = await awaitable

    try:
        async with anyio.create_task_group() as tg:
            for i, awaitable in enumerate(awaitables):
                tg.start_soon(one, i, awaitable)
    except BaseExceptionGroup as group:
        first: BaseException = group
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        raise first from None
    return out
