"""The two tools: read a wrapped-SCRT token (token info, whether it takes deposits), and wrap SCRT into it."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field
from secret_mcp.api import (
    AmountText, ChainError, ContractMessages, ContractTx, Plan, SecretMCPError, ToolContext, parse_amount, query,
    quote, tool, validate_address,
)

# On the sandbox the token is found by its label; elsewhere the person names it (e.g. sSCRT's address on mainnet).
SANDBOX_LABEL = "sandbox-sscrt"

# Short on purpose: the model reads every tool's text in every conversation.
TokenArg = Annotated[str | None, Field(description="Token contract address; default: the sandbox's sSCRT")]
AmountArg = Annotated[AmountText, Field(description="SCRT to wrap, e.g. '2.5 SCRT'")]


class WrapInfo(BaseModel):
    token: str = Field(description="Token contract address")
    name: str
    symbol: str
    decimals: int
    total_supply: str | None = Field(description="Base units, if the token makes it public")
    deposit_enabled: bool = Field(description="Whether it takes SCRT (wrapping)")
    redeem_enabled: bool = Field(description="Whether it gives SCRT back (unwrapping)")


async def _token(ctx: ToolContext, token: str | None) -> str:
    if token:
        return validate_address(token, field="token")
    if ctx.network.simulated:
        try:
            return (await ctx.query(f"/compute/v1beta1/contract_address/{SANDBOX_LABEL}"))["contract_address"]
        except ChainError as exc:
            if exc.code in ("CHAIN_UNREACHABLE", "CHAIN_TIMEOUT", "CHAIN_BAD_RESPONSE"):
                raise  # the node is down: say so, not "no token"
    raise SecretMCPError("WRAP_TOKEN_UNKNOWN", f"No default wrapped-SCRT token on {ctx.network.name}.",
                         ["Pass `token`: the address of a SNIP-20 token that takes SCRT deposits (sSCRT)."])


async def _info(ctx: ToolContext, token: str | None) -> WrapInfo:
    address = await _token(ctx, token)
    info = (await query(ctx, address, {"token_info": {}}))["token_info"]
    config = (await query(ctx, address, {"token_config": {}}))["token_config"]
    supply = info.get("total_supply")
    return WrapInfo(token=address, name=str(info["name"]), symbol=str(info["symbol"]), decimals=int(info["decimals"]),
                    total_supply=None if supply is None else str(supply),
                    deposit_enabled=bool(config.get("deposit_enabled")),
                    redeem_enabled=bool(config.get("redeem_enabled")))


@tool(effect="reads", title="Wrapped SCRT token")
async def secret_wrap_info(ctx: ToolContext, token: TokenArg = None) -> WrapInfo:
    """A wrapped-SCRT token's name, symbol, supply and whether it takes deposits."""
    return await _info(ctx, token)


@tool(effect="moves_funds", title="Wrap SCRT", needs_wallet=True)
async def secret_wrap(ctx: ToolContext, amount: AmountArg, token: TokenArg = None) -> Plan[ContractTx]:
    """Wrap SCRT from the active wallet into a SNIP-20 token, one to one; the person confirms first."""
    scrt = parse_amount(amount)  # "2.5 SCRT" or "2500000uscrt": exact base units, the unit required
    if scrt.denom != "uscrt":
        raise SecretMCPError("WRAP_NOT_SCRT", f"Only SCRT can be wrapped, not {scrt.denom}.",
                             ["Give the amount in SCRT, e.g. '2.5 SCRT'."], {"field": "amount"})
    info = await _info(ctx, token)
    if not info.deposit_enabled:
        raise SecretMCPError("WRAP_DISABLED", f"{info.token} does not take SCRT deposits.",
                             ["Check the token with secret_wrap_info; pass the address of sSCRT."],
                             {"token": info.token})
    # The core encrypts the message for the contract, declares the SCRT it carries (limits, preview), then the
    # person confirms, the active wallet signs, and the result comes back decrypted.
    calls = await ContractMessages.start(ctx)
    await calls.execute(ctx, info.token, {"deposit": {}}, funds=[scrt], token=(info.decimals, info.symbol))
    symbol = quote(info.symbol, limit=20)  # the token's own text: shown quoted, never as our words
    return calls.plan(f"Wrap {scrt.display} into {symbol}",
                      lines=[f"Token: {info.token} ({symbol})", f"You receive: {scrt.amount} base units of {symbol}"])
