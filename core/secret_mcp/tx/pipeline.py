"""Pieces of the transaction path that carry.py builds on: the signer, estimates, the balance check, the
per-wallet lock, and the record of what this server broadcast.

Packs never sign or send: a write tool returns a Plan and the core carries it out (tx/carry.py). Never a double
send: after a broadcast whose answer was lost, the transaction is looked up by its hash (computed locally) and
is never broadcast again.
"""

from __future__ import annotations

import math
import re
import time
import weakref
from decimal import Decimal
from typing import Any, Iterable, Sequence

import anyio
import attrs

from ..amounts import Amount, coin_view
from ..concurrency import gather
from ..context import ToolContext
from ..errors import ChainError, SecretMCPError
from ..units import fee_for
from . import build
from .chain import IN_DOUBT, account_state, gas_price

WAIT_SECONDS = 60.0  # ~10 blocks on mainnet; longer and the person is better served by "unknown, check this hash"
SIMULATE = "/cosmos/tx/v1beta1/simulate"
PLACEHOLDER_GAS = 200_000
PENDING_SECONDS = 600  # after this long unseen, a broadcast tx was most likely dropped from the mempool
# Hashes this server broadcast, per App: lets a status lookup tell "pending" from "never heard of it".
_RECENT: "weakref.WeakKeyDictionary[Any, dict[str, float]]" = weakref.WeakKeyDictionary()
# One transaction in flight per wallet and chain, per App. Two concurrent sends would both sign the account's
# committed sequence (the node's mempool is ahead of it), and the loser's one retry would read the same stale
# sequence; serialised, the second reads the account after the first is in a block, and both land.
_WALLET_LOCKS: "weakref.WeakKeyDictionary[Any, dict[tuple[str, str], anyio.Lock]]" = weakref.WeakKeyDictionary()


def wallet_lock(app: Any, chain_id: str, address: str) -> anyio.Lock:
    """The lock `send_messages` holds from the balance check until the tx is in a block (or given up on)."""
    return _WALLET_LOCKS.setdefault(app, {}).setdefault((chain_id, address), anyio.Lock())


def broadcast_age(app: Any, txhash: str) -> float | None:
    """Seconds since this server broadcast `txhash`, or None if it did not (recently)."""
    sent = _RECENT.get(app, {}).get(txhash.upper())
    return None if sent is None else time.monotonic() - sent


@attrs.frozen
class Signer:
    """Who signs a transaction. This one is a key the server holds (the keystore signs); other signers
    (the person's own wallet, an agent key) implement `sign` their own way."""

    wallet: str
    address: str  # the account that signs (its sequence and account number)
    public_key: bytes
    kind: str = "server_key"
    fee_granter: str = ""  # an agent signer: the wallet, whose fee grant pays (tx/agent.py)

    @property
    def owner(self) -> str:
        """Whose funds the messages move and who pays the fee: the wallet (the signer itself unless an agent)."""
        return self.fee_granter or self.address

    async def sign(self, ctx: ToolContext, sign_doc: bytes) -> bytes:
        return ctx.keystore.sign(self.wallet, sign_doc)

    async def ready(self, ctx: ToolContext) -> "Signer":
        """This signer with everything a sign doc needs (a wallet signer's public key is read from the chain)."""
        return self


@attrs.frozen
class WalletSigner(Signer):
    """The person's own wallet signs (tx/signing.py opens a signing request); this server holds no key.

    `public_key` is the account's key on chain, or empty while the chain has none (an account that never
    signed): its simulation then carries no key, and the wallet's own key goes into the signed auth info."""

    kind: str = "wallet"

    async def sign(self, ctx: ToolContext, sign_doc: bytes) -> bytes:
        raise SecretMCPError("WALLET_SIGNS_ELSEWHERE", f"Wallet {self.wallet!r} signs in the person's own wallet.", [])

    async def ready(self, ctx: ToolContext) -> "Signer":
        return attrs.evolve(self, public_key=await chain_public_key(ctx, self.address))


async def chain_public_key(ctx: ToolContext, address: str) -> bytes:
    """The account's secp256k1 key as the chain stored it at its first transaction; b"" before that."""
    import base64

    body = await (await ctx.pool()).get_found(f"/cosmos/auth/v1beta1/accounts/{address}")
    if body is None:
        return b""
    account = body.get("account") or {}
    account = (account.get("base_vesting_account") or account).get("base_account", account)
    key = (account.get("pub_key") or {}).get("key")
    return base64.b64decode(key) if key else b""


@attrs.frozen
class Estimate:
    gas_used: int  # what simulation measured
    gas_limit: int  # what the transaction will carry (gas_used x adjustment, or the caller's gas)
    gas_price: Decimal
    fee: int  # in the network's fee denom
    fee_denom: str


def active_signer(ctx: ToolContext) -> Signer:
    """The active wallet, which must be able to sign: a key here, or the person's own wallet (watch-only cannot)."""
    name = ctx.session.active_wallet
    if name is None:
        raise SecretMCPError("NO_ACTIVE_WALLET", "This needs an active wallet.",
                             ["Create or import one (secret_create_wallet / secret_import_wallet), then secret_set_active_wallet."])
    keystore = ctx.keystore
    wallet = keystore.get(name)
    if wallet.watch_only:
        raise SecretMCPError("WATCH_ONLY_WALLET", f"The active wallet {name!r} is watch-only: it cannot sign.",
                             ["Switch to a wallet with a key (secret_set_active_wallet)."], {"wallet": name})
    if wallet.signs_elsewhere:
        return WalletSigner(name, wallet.address, b"")
    return Signer(name, wallet.address, keystore.public_key(name))


_ADDRESS = re.compile(r"secret1[02-9ac-hj-np-z]{38}")


def _simulation_error(exc: ChainError, sender: str) -> SecretMCPError:
    text = str(exc.details.get("chain_message") or exc.message)
    details = {"chain_message": text, "stage": "simulate"}
    if "more than spend limit" in text or "fee limit exceeded" in text:  # x/authz or x/feegrant said no (agent)
        return SecretMCPError("GRANT_LIMIT_EXCEEDED", f"The chain refuses: this goes beyond what the wallet granted its "
                              f"agent key (nothing was sent): {text}",
                              ["Ask for less, or have the person grant more with secret_grant_agent."], details)
    if "insufficient funds" in text:
        # A contract's own payment (a sub-message) failing, or another account named: not the wallet's balance.
        others = [] if sender in text else [a for a in dict.fromkeys(_ADDRESS.findall(text)) if a != sender]
        payer = others[0] if others else "contract" if "submessages" in text else None
        if payer is not None:
            details["payer"] = payer
            who = "a contract this transaction calls" if payer == "contract" else payer
            return SecretMCPError(
                "INSUFFICIENT_FUNDS", f"The chain says {who} cannot pay what it tried to send (not the wallet): {text}",
                ["The wallet's balance is not the problem: the contract (or account) paying out holds too little.",
                 "Check the contract's balance with secret_get_balance, or ask for less."], details)
        return SecretMCPError("INSUFFICIENT_FUNDS", f"The chain says the wallet cannot pay: {text}",
                              ["Check the balance with secret_get_balance; amount plus fee must be covered."], details)
    if "out of gas" in text:
        return SecretMCPError("OUT_OF_GAS", f"Simulation ran out of gas: {text}", ["Raise the gas limit."], details)
    return SecretMCPError("SIMULATION_FAILED", f"The chain would reject this transaction (nothing was sent): {text}",
                          ["Read the chain's message; change the request and try again."], details)


async def simulate(ctx: ToolContext, msgs: Sequence[build.Msg], signer: Signer, *, memo: str = "",
                   sequence: int | None = None) -> tuple[int, dict]:
    """Gas used by the messages, measured by the node with our real signer info and an all-zero signature."""
    if sequence is None:
        _number, sequence = await account_state(ctx, signer.address)
    return await simulate_body(ctx, build.body_bytes(msgs, memo), signer, sequence)


async def simulate_body(ctx: ToolContext, body: bytes, signer: Signer, sequence: int) -> tuple[int, dict]:
    """(gas used, the node's answer) for a tx body signed by `signer` at `sequence`; nothing is signed."""
    # A non-zero placeholder fee: with no fee the node skips the fee transfer, and its gas would be missing
    # from the estimate (the real tx then runs out of gas). Gas limit and fee digits only change size slightly.
    auth = build.auth_info_bytes(signer.public_key, sequence, 1, ctx.network.fee_denom, PLACEHOLDER_GAS,
                                 granter=signer.fee_granter)
    pool = await ctx.pool()
    try:
        # Simulation changes nothing, so retrying it elsewhere is safe.
        out = await pool.post(SIMULATE, {"tx_bytes": build.b64(build.tx_raw(body, auth, bytes(64)))}, idempotent=True)
    except ChainError as exc:
        if exc.code in IN_DOUBT:
            raise
        raise _simulation_error(exc, signer.address) from None
    return int((out.get("gas_info") or {}).get("gas_used", 0)), out


async def estimate(ctx: ToolContext, messages: Iterable[Any], *, memo: str = "", gas: int | None = None,
                   signer: Signer | None = None) -> Estimate:
    """Gas and fee for these messages from the active wallet, without signing or sending anything."""
    msgs = [build.as_msg(m) for m in messages]
    signer = await (signer or active_signer(ctx)).ready(ctx)
    if gas is not None:
        price = await gas_price(ctx)
        used, limit = 0, gas
    else:
        price, (_number, sequence) = await gather(gas_price(ctx), account_state(ctx, signer.address))
        used, _ = await simulate(ctx, msgs, signer, memo=memo, sequence=sequence)
        limit = math.ceil(Decimal(used) * Decimal(ctx.config.gas_adjustment))
    return Estimate(used, limit, price, fee_for(limit, price), ctx.network.fee_denom)


def _check_funds(held: dict[str, int], needed: dict[str, int], address: str) -> None:
    short = {d: (a, held.get(d, 0)) for d, a in needed.items() if held.get(d, 0) < a}
    if short:
        parts = [f"{coin_view(d, a).display} needed, {coin_view(d, h).display} available" for d, (a, h) in short.items()]
        raise SecretMCPError(
            "INSUFFICIENT_FUNDS", f"{address} cannot cover this transaction: " + "; ".join(parts) + ". Nothing was sent.",
            ["Send a smaller amount, or fund the wallet first (on the sandbox: secret_sandbox_faucet)."],
            {"needed": {d: str(a) for d, (a, _h) in short.items()}, "available": {d: str(h) for d, (_a, h) in short.items()}},
        )


def _sum(amounts: Iterable[Amount | tuple[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in amounts:
        denom, amount = item.pair() if isinstance(item, Amount) else item
        out[denom] = out.get(denom, 0) + int(amount)
    return out


def _unknown(network: Any, txhash: str, why: str) -> SecretMCPError:
    return SecretMCPError(
        "TX_OUTCOME_UNKNOWN",
        f"The outcome of transaction {txhash} is unknown. {why} It was NOT sent again (that could pay twice).",
        [f"Check it in a minute with secret_get_transaction_status (hash {txhash}) before trying anything again."]
        + ([f"Or look at {network.explorer_link(txhash)}"] if network.explorer_link(txhash) else []),
        {"status": "unknown", "txhash": txhash},
    )


async def _invalidate(ctx: ToolContext, addresses: Iterable[str]) -> None:
    cache = await ctx.cache()
    for address in addresses:
        cache.invalidate_address(address)
