"""Per-App contract state: the session's random encryption seed (memory only), consensus keys and code hashes."""

from __future__ import annotations

import base64
import os
import weakref
from typing import Any

import attrs

from ..addresses import validate_address
from ..context import ToolContext
from ..errors import ChainError, SecretMCPError
from ..networks import endpoint_id
from . import pins
from .crypto import Cipher, normalize_hash

TX_KEY = "/registration/v1beta1/tx-key"
CODE_HASH = "/compute/v1beta1/code_hash/by_contract_address/{}"


@attrs.define
class ContractState:
    # Never persisted: a fresh seed per server process, so earlier sessions' messages stay unreadable.
    seed: bytes = attrs.field(factory=lambda: os.urandom(32), repr=False)
    # (chain id, endpoint id) -> (id of the client pool it was read through, consensus IO public key)
    consensus: dict[tuple[str, str], tuple[int, bytes]] = attrs.field(factory=dict)
    code_hashes: dict[tuple[str, str], str] = attrs.field(factory=dict)  # (chain id, address) -> hash
    recent: list[dict[str, Any]] = attrs.field(factory=list)  # contracts this session instantiated/executed
    # (chain id, address) -> (decimals, symbol) of tokens already described, for previews of raw executions
    tokens: dict[tuple[str, str], tuple[int, str]] = attrs.field(factory=dict)


_STATE: "weakref.WeakKeyDictionary[Any, ContractState]" = weakref.WeakKeyDictionary()


def state_of(ctx: ToolContext) -> ContractState:
    return _STATE.setdefault(ctx.app, ContractState())


async def cipher(ctx: ToolContext) -> Cipher:
    """The session cipher for the current endpoint: its consensus key read once per connection and checked
    against the pinned one (`pins`), so an endpoint cannot choose who reads this session's contract traffic."""
    st = state_of(ctx)
    pool = await ctx.pool()
    network = ctx.network
    slot = (network.chain_id, endpoint_id(network, ctx.session.urls))
    cached = st.consensus.get(slot)
    if cached is None or cached[0] != id(pool):
        out = await pool.get(TX_KEY)
        try:
            key = base64.b64decode(str(out.get("key") or ""), validate=True)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise SecretMCPError("CHAIN_BAD_RESPONSE", "The LCD endpoint's consensus key is not a 32-byte key.",
                                 ["Try another endpoint (secret_configure_network)."])
        pins.check(network, slot[1], key)
        st.consensus[slot] = cached = (id(pool), key)
    return Cipher(st.seed, cached[1])


async def code_hash(ctx: ToolContext, address: str, given: str | None = None) -> str:
    """The contract's code hash from the chain (cached); a `given` hash that differs is refused."""
    st = state_of(ctx)
    address = validate_address(address, field="contract")  # it goes into LCD paths (code hash, query)
    key = (ctx.network.chain_id, address)
    if key not in st.code_hashes:
        pool = await ctx.pool()
        try:
            out = await pool.get(CODE_HASH.format(address))
        except ChainError as exc:
            if exc.code in ("CHAIN_UNREACHABLE", "CHAIN_TIMEOUT", "CHAIN_BAD_RESPONSE"):
                raise
            raise SecretMCPError("CONTRACT_NOT_FOUND", f"No contract at {address} on {ctx.network.name}.",
                                 ["Check the address (secret_get_contract_info) and the active network."],
                                 {"address": address, "chain_message": exc.message}) from None
        if not out.get("code_hash"):
            raise SecretMCPError("CONTRACT_NOT_FOUND", f"No contract at {address} on {ctx.network.name}.", [],
                                 {"address": address})
        st.code_hashes[key] = normalize_hash(out["code_hash"])
    actual = st.code_hashes[key]
    if given and normalize_hash(given) != actual:
        raise SecretMCPError("CODE_HASH_MISMATCH", f"The code hash given does not match the contract at {address}.",
                             ["Leave code_hash out: it is looked up from the chain."],
                             {"given": normalize_hash(given), "actual": actual})
    return actual


def remember(ctx: ToolContext, address: str, action: str, **extra: Any) -> None:
    st = state_of(ctx)
    st.recent.append({"address": address, "action": action, "network": ctx.network.name, **extra})
    del st.recent[:-50]  # a bounded session list


def remember_token(ctx: ToolContext, address: str, decimals: int, symbol: str) -> None:
    """A SNIP-20's display facts, so a contract call moving it can be previewed in whole tokens."""
    state_of(ctx).tokens[(ctx.network.chain_id, address)] = (decimals, symbol)


def known_token(ctx: ToolContext, address: str) -> tuple[int, str]:
    """(decimals, symbol) of a token described earlier in this session; (0, "") when unknown (no query)."""
    return state_of(ctx).tokens.get((ctx.network.chain_id, address), (0, ""))
