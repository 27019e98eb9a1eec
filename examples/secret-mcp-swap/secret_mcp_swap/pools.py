"""Which pairs exist on the current network, and what they hold.

Known pairs: on the sandbox its genesis SCRT/SUSD pair (found by label), plus pair addresses from the
SECRET_MCP_SWAP_PAIRS environment variable (comma-separated; `chain-id:address` limits one to a chain), plus
pairs added with `secret_swap_pools(add_pair=...)` for this server process.
"""

from __future__ import annotations

import os
from typing import Any

import attrs
from secret_mcp.api import ChainError, ConfigError, SecretMCPError, ToolContext, code_hash, query, validate_address

ENV = "SECRET_MCP_SWAP_PAIRS"
SANDBOX_LABELS = ("sandbox-scrt-susd",)
NATIVE_DECIMALS = {"uscrt": 6}


@attrs.frozen
class Asset:
    kind: str  # "native" | "token"
    id: str  # denom or token contract address
    symbol: str
    decimals: int
    code_hash: str = ""

    def info(self) -> dict[str, Any]:
        if self.kind == "native":
            return {"native_token": {"denom": self.id}}
        return {"token": {"contract_addr": self.id, "token_code_hash": self.code_hash}}


@attrs.frozen
class Pool:
    address: str
    code_hash: str
    assets: tuple[Asset, Asset]
    reserves: tuple[int, int]
    total_share: int

    def side(self, offer: str) -> int:
        """Index of the asset named by `offer` (denom, 'SCRT', symbol or token address), or -1."""
        text = offer.strip().lower()
        for i, a in enumerate(self.assets):
            if text in (a.id.lower(), a.symbol.lower()) or (a.id == "uscrt" and text == "scrt"):
                return i
        return -1


def _added(ctx: ToolContext) -> dict[str, list[str]]:
    """Pairs this server was given (chain id -> addresses); they last as long as the server."""
    return ctx.pack_state("swap.added_pairs", dict)


def remember(ctx: ToolContext, address: str) -> None:
    added = _added(ctx).setdefault(ctx.network.chain_id, [])
    if address not in added:
        added.append(address)


def _from_env(chain_id: str) -> list[str]:
    """The env var's pairs for this chain. A malformed entry (for any chain) is an INVALID_CONFIG error, never
    skipped: without that pair, picking "the only known pool" for an asset could pick another pool."""
    out = []
    for item in os.environ.get(ENV, "").split(","):
        item = item.strip()
        if not item:
            continue
        scope, _, address = item.rpartition(":")
        try:
            address = validate_address(address, field="pair")
        except SecretMCPError as exc:
            raise ConfigError(ENV, f"the entry {item!r} is not a pair address: {exc.message}", [
                f"Fix {ENV} in the server's environment and restart it: comma-separated secret1… pair "
                "addresses, each optionally as chain-id:secret1….",
                "Meanwhile give the pool directly (`pool` argument), which does not read this variable."]) from None
        if not scope or scope == chain_id:
            out.append(address)
    return out


async def _sandbox_pairs(ctx: ToolContext) -> list[str]:
    out = []
    for label in SANDBOX_LABELS:
        try:
            out.append((await ctx.query(f"/compute/v1beta1/contract_address/{label}"))["contract_address"])
        except ChainError as exc:
            if exc.code in ("CHAIN_UNREACHABLE", "CHAIN_TIMEOUT", "CHAIN_BAD_RESPONSE"):
                raise
            continue  # an older sandbox state without the pair
    return out


async def known_addresses(ctx: ToolContext) -> list[str]:
    found = await _sandbox_pairs(ctx) if ctx.network.simulated else []
    found += _from_env(ctx.network.chain_id)
    found += _added(ctx).get(ctx.network.chain_id, [])
    return list(dict.fromkeys(found))


async def _asset(ctx: ToolContext, info: dict[str, Any]) -> Asset:
    if "native_token" in info:
        denom = info["native_token"]["denom"]
        return Asset("native", denom, "SCRT" if denom == "uscrt" else denom, NATIVE_DECIMALS.get(denom, 0))
    token = info.get("token") or {}
    address = token.get("contract_addr", "")
    hash_ = await code_hash(ctx, address, token.get("token_code_hash") or None)
    answer = (await query(ctx, address, {"token_info": {}})).get("token_info") or {}
    return Asset("token", address, str(answer.get("symbol", "?")), int(answer.get("decimals", 0)), hash_)


async def load(ctx: ToolContext, address: str) -> Pool:
    """The pair's assets (native first) and reserves, read from the pair itself."""
    address = validate_address(address, field="pool")
    hash_ = await code_hash(ctx, address)
    try:
        pair = await query(ctx, address, {"pair": {}})
        state = await query(ctx, address, {"pool": {}})
    except SecretMCPError as exc:
        if exc.code != "CONTRACT_ERROR":
            raise
        raise SecretMCPError("NOT_A_PAIR", f"{address} does not answer like an x*y=k pair (pair/pool queries).",
                             ["Give the address of a pair contract."], {"address": address}) from None
    infos = pair.get("asset_infos") if isinstance(pair, dict) else None
    amounts = {json_key(a["info"]): int(a["amount"]) for a in (state or {}).get("assets") or []}
    if not isinstance(infos, list) or len(infos) != 2 or len(amounts) != 2:
        raise SecretMCPError("NOT_A_PAIR", f"{address} does not answer like an x*y=k pair.", [], {"address": address})
    assets = sorted([await _asset(ctx, i) for i in infos], key=lambda a: a.kind != "native")
    reserves = tuple(amounts.get(json_key(a.info()), 0) for a in assets)
    return Pool(address, hash_, (assets[0], assets[1]), (reserves[0], reserves[1]), int(state.get("total_share", 0)))


def json_key(info: dict[str, Any]) -> str:
    """An AssetInfo's identity (the pool answer may omit the token's code hash)."""
    if "native_token" in info:
        return "native:" + info["native_token"]["denom"]
    return "token:" + (info.get("token") or {}).get("contract_addr", "")


async def choose(ctx: ToolContext, offer: str, pool: str | None) -> tuple[Pool, int]:
    """The pool to trade `offer` in (the given one, or the only known pool holding it) and the offer's side."""
    if pool:
        p = await load(ctx, pool)
        side = p.side(offer)
        if side < 0:
            raise SecretMCPError("ASSET_NOT_IN_POOL", f"{offer!r} is not one of this pool's assets "
                                 f"({p.assets[0].symbol}, {p.assets[1].symbol}).", [], {"pool": p.address})
        return p, side
    matches = []
    for address in await known_addresses(ctx):
        p = await load(ctx, address)
        if p.side(offer) >= 0:
            matches.append(p)
    if len(matches) != 1:
        why = "No known pool" if not matches else "Several known pools"
        raise SecretMCPError("POOL_NOT_FOUND", f"{why} trades {offer!r} on {ctx.network.name}.",
                             ["List pools with secret_swap_pools; pass `pool` (a pair address) to pick one."],
                             {"offer": offer, "pools": [m.address for m in matches]})
    return matches[0], matches[0].side(offer)
