"""Small chain reads the pipeline needs, always fresh (never cached): account, balances, gas price, tx lookup."""

from __future__ import annotations

import time
from decimal import Decimal

import anyio

from ..context import ToolContext
from ..errors import ChainError, SecretMCPError
from ..units import parse_dec_coin

TXS = "/cosmos/tx/v1beta1/txs"
# Errors after which a request may or may not have reached the node: the answer must be looked up, not resent.
IN_DOUBT = ("CHAIN_TIMEOUT", "CHAIN_UNREACHABLE", "CHAIN_BAD_RESPONSE")


def _base_account(account: dict) -> dict:
    # BaseAccount, ModuleAccount{base_account}, vesting{base_vesting_account{base_account}} (docs/protocol-notes.md#accounts)
    if "base_vesting_account" in account:
        account = account["base_vesting_account"]
    return account.get("base_account", account)


async def account_state(ctx: ToolContext, address: str) -> tuple[int, int]:
    """(account number, sequence), read fresh: a cached sequence is exactly what causes code 32."""
    pool = await ctx.pool()
    try:
        body = await pool.get(f"/cosmos/auth/v1beta1/accounts/{address}")
    except ChainError as exc:
        if exc.code == "CHAIN_NOT_FOUND":
            raise SecretMCPError(
                "ACCOUNT_NOT_FOUND", f"{address} does not exist on {ctx.network.name} yet: it has never received funds.",
                ["Send it some SCRT first (on the sandbox: secret_sandbox_faucet)."], {"address": address},
            ) from None
        raise
    base = _base_account(body.get("account") or {})
    return int(base.get("account_number", 0)), int(base.get("sequence", 0))


async def balances(ctx: ToolContext, address: str) -> dict[str, int]:
    pool = await ctx.pool()
    body = await pool.get(f"/cosmos/bank/v1beta1/balances/{address}", {"pagination.limit": 1000})
    return {b["denom"]: int(b["amount"]) for b in body.get("balances") or []}


async def gas_price(ctx: ToolContext) -> Decimal:
    """The network's configured price, raised to the node's minimum if the node asks more (else CheckTx fails)."""
    price = Decimal(ctx.network.gas_price)
    try:
        config = await ctx.query("/cosmos/base/node/v1beta1/config", data_class="params")
    except ChainError:
        return price  # some public LCDs do not serve node config; the configured price is our best knowledge
    amount, denom = parse_dec_coin(str(config.get("minimum_gas_price", "")).split(",")[0])
    if denom == ctx.network.fee_denom and amount > price:
        return amount
    return price


async def fetch_tx(ctx: ToolContext, txhash: str) -> dict | None:
    """The whole GET txs/{hash} body, or None while the chain does not know it (404 = pending or never sent)."""
    return await (await ctx.pool()).get_found(f"{TXS}/{txhash}")


async def lookup(ctx: ToolContext, txhash: str) -> dict | None:
    """The committed tx_response, or None while the chain does not know it."""
    body = await fetch_tx(ctx, txhash)
    return (body or {}).get("tx_response") or None


async def wait_for(ctx: ToolContext, txhash: str, timeout: float) -> dict | None:
    """Poll until the tx is in a block; None when `timeout` passes first. Reports MCP progress while waiting."""
    started = time.monotonic()
    delay, polls = 0.1, 0
    while True:
        try:
            found = await lookup(ctx, txhash)
        except ChainError as exc:
            if exc.code not in IN_DOUBT:
                raise
            found = None  # a flaky node while waiting is no answer either way: keep asking until the deadline
        if found is not None:
            return found
        elapsed = time.monotonic() - started
        if elapsed >= timeout:
            return None
        polls += 1
        await ctx.progress(min(elapsed, timeout), timeout, f"Waiting for {txhash[:12]}… to be included in a block")
        await anyio.sleep(min(delay, max(0.0, timeout - elapsed)))
        delay = min(delay * 1.6, 3.0)
