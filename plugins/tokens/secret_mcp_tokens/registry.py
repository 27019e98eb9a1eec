"""Known tokens per network (built in, discovered on the sandbox, added by address) and resolving a `token` arg."""

from __future__ import annotations

from decimal import Decimal

import attrs
from secret_mcp.api import SecretMCPError, ToolContext, code_hash, query, remember_token, validate_address

# chain id -> built-in tokens (address, code hash)
BUILTIN: dict[str, list[tuple[str, str]]] = {
    "secret-4": [("secret1k0jntykt7e4g3y88ltc60czgjuqdy4c9e8fzek",
                  "af74387e276be8874f07bec3a87023ee49b0e7ebe08178c49d0a49c3c98ed60e")],
}


@attrs.define
class Token:
    address: str
    name: str
    symbol: str
    decimals: int
    code_hash: str


def _table(ctx: ToolContext) -> dict[str, Token]:
    tables: dict[str, dict[str, Token]] = ctx.pack_state("tokens.registry", dict)  # chain id -> address -> Token
    return tables.setdefault(ctx.network.chain_id, {})


async def describe(ctx: ToolContext, address: str, hash_: str | None = None) -> Token:
    """Ask the contract for token_info and remember the token for this network."""
    return (await describe_with_info(ctx, address, hash_))[0]


async def describe_with_info(ctx: ToolContext, address: str, hash_: str | None = None) -> tuple[Token, dict | None]:
    """The token, and the token_info answer when one was just read (None when the token was already known)."""
    table = _table(ctx)
    if address in table:
        return table[address], None
    info = (await query(ctx, address, {"token_info": {}}, given_hash=hash_)).get("token_info")
    real_hash = await code_hash(ctx, address, hash_)  # read (and checked) by the query just made
    if not isinstance(info, dict) or "symbol" not in info:
        raise SecretMCPError("NOT_A_TOKEN", f"{address} did not answer token_info like a SNIP-20 token.", [],
                             {"address": address})
    table[address] = Token(address, str(info.get("name", "")), str(info["symbol"]), int(info.get("decimals", 0)), real_hash)
    remember_token(ctx, address, table[address].decimals, table[address].symbol)  # for raw contract calls' previews
    return table[address], info


async def known(ctx: ToolContext) -> list[Token]:
    """Built-in tokens of this network, and on the sandbox the first contract of code 1 (its genesis token)."""
    out = []
    for address, hash_ in BUILTIN.get(ctx.network.chain_id, []):
        try:
            out.append(await describe(ctx, address, hash_))
        except SecretMCPError:
            continue  # an unreachable built-in should not hide the others
    if ctx.network.simulated:
        rows = (await ctx.query("/compute/v1beta1/contracts/1")).get("contract_infos") or []
        if rows:
            out.append(await describe(ctx, rows[0]["contract_address"]))
    seen = {t.address for t in out}
    return out + [t for a, t in _table(ctx).items() if a not in seen]


async def resolve(ctx: ToolContext, token: str) -> Token:
    """A token by address, or by symbol among the known tokens of this network."""
    text = token.strip()
    if text.lower().startswith("secret1"):
        return await describe(ctx, validate_address(text, field="token"))
    matches = [t for t in await known(ctx) if t.symbol.lower() == text.lower()]
    if len(matches) != 1:
        raise SecretMCPError("UNKNOWN_TOKEN", f"No single known token with symbol {token!r} on {ctx.network.name}.",
                             ["Pass the token's contract address, or add it with secret_token_add."], {"token": token})
    return matches[0]


def display(units: int, decimals: int) -> str:
    text = format(Decimal(units).scaleb(-decimals), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
