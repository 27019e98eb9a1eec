"""Reads that got their main answer but not every extra lookup: return what came, and name what is missing.

A read tool answers from one main query (the contract, the proposal, the rewards) plus lookups that add to it
(a code hash, a tally, a withdraw address). When an extra lookup fails, failing the whole read would hide an
answer the node did give; instead the tool returns it with `missing: ["code_hash", ...]`, so the caller knows
what to ask for again. Only the main query decides "not found".
"""

from __future__ import annotations

import logging
from typing import Awaitable, TypeVar

from .errors import SecretMCPError

T = TypeVar("T")
log = logging.getLogger(__name__)

MISSING_DESCRIPTION = "Parts the node did not return this time (everything else is complete); ask again for them"


async def extra(lookup: Awaitable[T], name: str, missing: list[str], default: T | None = None) -> T | None:
    """`await lookup`; if it fails (any structured error: the node's, or one a helper made of the node's answer),
    note `name` in `missing` and give `default` instead."""
    try:
        return await lookup
    except SecretMCPError as exc:
        log.info("extra lookup %s failed (%s): answered without it", name, exc.code)
        missing.append(name)
        return default
