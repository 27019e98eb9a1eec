"""Viewing keys and permits, kept with the wallet they belong to by the core keystore; never returned by tools.

They sit where the wallet's recovery phrase sits (OS keyring, encrypted file keystore, or sealed in memory for
a session-only wallet), so a key made in one server process still works after a restart with the same home.
A signed permit is kept as a secret too: whoever holds it can read the balances it allows.
Scope: chain id + token contract + wallet address (viewing keys); chain id + wallet address + name (permits);
and, for both, the endpoints they may be sent to (`networks.endpoint_id`): the one they were made with, plus
each one the person approved. Any other endpoint, even under the same chain id, could read the key out of the
query it is sent in, so using it there needs the person's yes (elicitation), asked by the read tools' confirm
function; the tool body then finds that approval here. Without one the body refuses (ENDPOINT_NOT_TRUSTED).
"""

from __future__ import annotations

import json
import time
from typing import Any

from secret_mcp.api import SecretMCPError, ToolContext, endpoint_id

VK, PERMIT = "viewing_key", "permit"


def wallet_of(ctx: ToolContext, address: str) -> str | None:
    """The name of this server's wallet with `address` (the active one first), or None."""
    keystore = ctx.keystore
    active = ctx.session.active_wallet
    for name in ([active] if active else []) + sorted(keystore.wallets):
        wallet = keystore.wallets.get(name)
        if wallet is not None and wallet.address == address:
            return name
    return None


def vk_id(ctx: ToolContext, token: str, address: str) -> str:
    return f"{ctx.network.chain_id}/{token}/{address}"


def permit_id(ctx: ToolContext, address: str, name: str) -> str:
    return f"{ctx.network.chain_id}/{address}/{name}"


def here(ctx: ToolContext) -> str:
    """The endpoint this session talks to now."""
    return endpoint_id(ctx.network, ctx.session.urls)


def describe_scope(scope: frozenset[str]) -> str:
    if not scope:
        return "an endpoint that was not recorded (kept by an older version)"
    names = []
    for entry in sorted(scope):
        kind, _, rest = entry.partition(":")
        names.append({"preset": f"the built-in {rest} endpoints", "embedded": f"the {rest} this server ran"}.get(kind, rest))
    return ", ".join(names)


def _put(ctx: ToolContext, address: str, kind: str, key_id: str, value: str, scope: frozenset[str] | None = None) -> str:
    name = wallet_of(ctx, address)
    if name is None:  # keys are made for the active wallet, so this means it was removed meanwhile
        raise SecretMCPError("UNKNOWN_WALLET", f"No wallet of this server has address {address}.", [])
    return ctx.keystore.put_scoped_secret(name, kind, key_id, value, scope or {here(ctx)})


def _kept(ctx: ToolContext, address: str, kind: str, key_id: str) -> tuple[str, frozenset[str]] | None:
    name = wallet_of(ctx, address)
    return None if name is None else ctx.keystore.get_scoped_secret(name, kind, key_id)


def _forget(ctx: ToolContext, address: str, kind: str, key_id: str) -> bool:
    name = wallet_of(ctx, address)
    return name is not None and ctx.keystore.forget_secret(name, kind, key_id)


# -- approvals: the person said yes to sending one kept item to one endpoint (used once, soon) ----------------

APPROVAL_SECONDS = 300.0


def _approvals(ctx: ToolContext) -> dict[tuple[str, str, str, str], float]:
    """(address, kind, key_id, endpoint) -> until when the person's yes holds, for this server."""
    return ctx.pack_state("tokens.approvals", dict)


def out_of_scope(ctx: ToolContext, address: str, kind: str, key_id: str) -> frozenset[str] | None:
    """The item's scope when it is kept but not for the current endpoint; None when nothing needs asking."""
    kept = _kept(ctx, address, kind, key_id)
    approvals = _approvals(ctx)
    if kept is None or here(ctx) in kept[1]:
        for slot in [s for s in approvals if s[:3] == (address, kind, key_id)]:
            del approvals[slot]  # nothing stale for a later call on another endpoint to find
        return None
    return kept[1]


def ask_to_release(ctx: ToolContext, address: str, kind: str, key_id: str) -> None:
    """Called by a confirm function that is about to ask the person: the body may use the item if they agree."""
    _approvals(ctx)[(address, kind, key_id, here(ctx))] = time.monotonic() + APPROVAL_SECONDS


def release(ctx: ToolContext, address: str, kind: str, key_id: str) -> str | None:
    """The kept value if it may be sent to the current endpoint (in scope, or just approved: the scope then grows)."""
    kept = _kept(ctx, address, kind, key_id)
    if kept is None:
        return None
    value, scope = kept
    endpoint = here(ctx)
    if endpoint in scope:
        return value
    until = _approvals(ctx).pop((address, kind, key_id, endpoint), 0.0)
    if until > time.monotonic():
        _put(ctx, address, kind, key_id, value, scope | {endpoint})
        return value
    raise not_trusted(address, kind, scope)


def refuse_release(ctx: ToolContext, address: str, kind: str, key_id: str, scope: frozenset[str]) -> SecretMCPError:
    """Nobody can be asked: drop any approval still waiting for this item (a declined question leaves one)."""
    approvals = _approvals(ctx)
    for slot in [s for s in approvals if s[:3] == (address, kind, key_id)]:
        del approvals[slot]
    return not_trusted(address, kind, scope)


def not_trusted(address: str, kind: str, scope: frozenset[str]) -> SecretMCPError:
    return SecretMCPError(
        "ENDPOINT_NOT_TRUSTED",
        f"The kept {'query permit' if kind == PERMIT else 'viewing key'} was made for {describe_scope(scope)}, not for this endpoint; it is not "
        "sent anywhere else without the person's approval. Nothing was sent.",
        ["Switch back to the network it was made on, or use an MCP client that can ask the person to approve it.",
         "Or pass viewing_key explicitly, or make a new key or permit on this network."],
        {"address": address},
    )


def keep_viewing_key(ctx: ToolContext, token: str, address: str, key: str) -> str:
    """Keep the key; returns where it is kept ("keyring", "file" or "memory")."""
    return _put(ctx, address, VK, vk_id(ctx, token, address), key)


def forget_viewing_key(ctx: ToolContext, token: str, address: str) -> bool:
    return _forget(ctx, address, VK, vk_id(ctx, token, address))


def keep_permit(ctx: ToolContext, address: str, name: str, permit: dict[str, Any]) -> str:
    return _put(ctx, address, PERMIT, permit_id(ctx, address, name), json.dumps(permit, sort_keys=True))


def forget_permit(ctx: ToolContext, address: str, name: str) -> bool:
    return _forget(ctx, address, PERMIT, permit_id(ctx, address, name))


def permits_by_token(ctx: ToolContext) -> dict[str, list[str]]:
    """The names of the active wallet's kept permits on this chain, by each token they allow (read locally: the
    permits themselves stay here). Lets a view ask with `permit_name` where no viewing key is kept."""
    address = ctx.session.active_wallet_address()
    name = None if address is None else wallet_of(ctx, address)
    if name is None:
        return {}
    prefix = f"{ctx.network.chain_id}/{address}/"
    out: dict[str, list[str]] = {}
    for key_id in ctx.keystore.secret_ids(name, PERMIT):
        kept = ctx.keystore.get_scoped_secret(name, PERMIT, key_id) if key_id.startswith(prefix) else None
        try:
            tokens = json.loads(kept[0])["params"]["allowed_tokens"] if kept else []
        except (ValueError, KeyError, TypeError):
            continue  # not a permit this pack wrote: nothing to offer
        for token in tokens:
            out.setdefault(str(token), []).append(key_id[len(prefix):])
    return out
