"""`secret_sandbox_faucet`: free (worthless) sandbox SCRT for an address, present only on the sandbox network."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from secret_mcp.api import SecretMCPError, ToolContext, hookimpl, scrt, tool, validate_address

MAX_FAUCET_USCRT = 1_000_000_000_000  # 1,000,000 SCRT: plenty to practise with, bounded to catch typos


class FaucetResult(BaseModel):
    address: str
    amount_uscrt: int
    amount_scrt: str
    txhash: str
    height: int
    balance_uscrt: int
    balance_scrt: str
    note: str


@tool(effect="local", title="Sandbox faucet", network_kinds={"sandbox"}, idempotent=False)
async def secret_sandbox_faucet(
    ctx: ToolContext,
    address: str | None = None,
    amount_uscrt: Annotated[int, Field(gt=0, description="1 SCRT = 1000000 uscrt")] = 1_000_000_000,
) -> FaucetResult:
    """Free, worthless SCRT (default: to the active wallet) on the simulated sandbox."""
    target = address or ctx.session.active_wallet_address()
    if target is None:
        raise SecretMCPError("ADDRESS_REQUIRED", "No address given and no active wallet.", ["Pass address=secret1…"])
    target = validate_address(target)
    if amount_uscrt > MAX_FAUCET_USCRT:
        raise SecretMCPError(
            "AMOUNT_TOO_LARGE", f"The faucet gives at most {MAX_FAUCET_USCRT} uscrt per call.", ["Ask for less."]
        )
    pool = await ctx.pool()
    answer = await pool.post("/sandbox/admin/faucet", {"address": target, "amount": str(amount_uscrt), "denom": "uscrt"})
    (await ctx.cache()).invalidate_address(target)
    balance = await pool.get(f"/cosmos/bank/v1beta1/balances/{target}/by_denom", {"denom": "uscrt"})
    amount = int(balance["balance"]["amount"])
    return FaucetResult(
        address=target,
        amount_uscrt=amount_uscrt,
        amount_scrt=scrt(amount_uscrt),
        txhash=str(answer.get("txhash", "")),
        height=int(answer.get("height", 0)),
        balance_uscrt=amount,
        balance_scrt=scrt(amount),
        note="Sandbox chain: simulated, tokens worthless.",
    )


@hookimpl
def secret_mcp_register(registry):
    registry.tool(secret_sandbox_faucet)
