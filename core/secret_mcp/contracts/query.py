"""Encrypted smart queries: encrypt, GET /compute/v1beta1/query, decrypt the answer or the error."""

from __future__ import annotations

import base64
from typing import Any

from ..concurrency import gather
from ..context import ToolContext
from ..errors import ChainError, SecretMCPError
from . import decrypt
from .state import cipher, code_hash

QUERY = "/compute/v1beta1/query/{}"


async def query(ctx: ToolContext, address: str, msg: Any, *, given_hash: str | None = None) -> Any:
    """The contract's decrypted answer to `msg`; its own error text as CONTRACT_ERROR when it refuses."""
    hash_, c = await gather(code_hash(ctx, address, given_hash), cipher(ctx))  # one round trip for both
    wire = c.encrypt(hash_, msg)
    pool = await ctx.pool()
    try:
        # Never cached: the ciphertext differs per call, and answers may depend on viewing keys.
        out = await pool.get(QUERY.format(address), {"query": base64.b64encode(wire).decode()})
    except ChainError as exc:
        text = str(exc.details.get("chain_message") or exc.message)
        readable, parsed = decrypt.error_text(c, [wire], text)
        if parsed is None:
            raise
        raise SecretMCPError("CONTRACT_ERROR", f"The contract refused the query: {readable}",
                             ["Read the contract's error; fix the query message and try again."],
                             {"contract": address, "contract_error": parsed}) from None
    return decrypt.answer(c, wire, out.get("data") or "")
