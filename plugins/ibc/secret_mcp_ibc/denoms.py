"""IBC denom traces: what an `ibc/HASH` voucher is (path through channels + base denom)."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated

from pydantic import BaseModel, Field
from secret_mcp.api import ChainError, SecretMCPError, ToolContext, tool

TRACES = "/ibc/apps/transfer/v1/denom_traces"
_HASH = re.compile(r"^(?:ibc/)?([0-9A-Fa-f]{64})$")


class DenomTrace(BaseModel):
    denom: str = Field(description="The voucher denom on this chain: ibc/ + upper-hex SHA-256 of 'path/base_denom'")
    path: str = Field(description="Port/channel hops the token took to get here, e.g. 'transfer/channel-0'")
    base_denom: str = Field(description="The denom on its home chain, e.g. 'uatom'")


def ibc_denom(path: str, base_denom: str) -> str:
    return "ibc/" + hashlib.sha256(f"{path}/{base_denom}".encode()).hexdigest().upper()


def check_hash(denom: str) -> str:
    m = _HASH.match((denom or "").strip())
    if not m:
        raise SecretMCPError("INVALID_DENOM", f"denom: {denom!r} is not an IBC denom (ibc/ + 64 hex digits, or the "
                             "bare 64-digit hash).", ["Copy the ibc/… denom from secret_get_balance."],
                             {"field": "denom"})
    return m.group(1).upper()


@tool(effect="reads", title="IBC denom trace")
async def secret_get_ibc_denom_trace(
    ctx: ToolContext,
    denom: Annotated[str, Field(description="'ibc/27394F…' or just its hash")],
) -> DenomTrace:
    """An IBC voucher's base denom and channel path."""
    h = check_hash(denom)
    try:
        body = await ctx.query(f"{TRACES}/{h}", data_class="params")
    except ChainError as exc:
        if exc.code == "CHAIN_NOT_FOUND":
            raise SecretMCPError("UNKNOWN_DENOM", f"No IBC denom ibc/{h} is known on {ctx.network.name}.",
                                 ["Check the denom and the network."], {"denom": f"ibc/{h}"}) from None
        raise
    trace = body.get("denom_trace") or {}
    path, base = str(trace.get("path", "")), str(trace.get("base_denom", ""))
    if ibc_denom(path, base) != f"ibc/{h}":  # a node answering with another trace must not be believed
        raise SecretMCPError("CHAIN_INCONSISTENT", f"The node's trace {path}/{base} does not hash to ibc/{h}.", [])
    return DenomTrace(denom=f"ibc/{h}", path=path, base_denom=base)
