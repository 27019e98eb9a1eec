"""The transaction pipeline: validate -> wallet -> balance -> simulate -> fee -> policy -> sign -> broadcast ->
wait (with progress) -> parse -> invalidate cache -> tx_completed -> TxResult.

Packs call `send_messages` with secret_sdk.protobuf messages; confirmation already happened in the core (the
tool's `confirm=` function, see `preview`). Never a double send: after a broadcast whose answer was lost, the
transaction is looked up by its hash (computed locally) and is never broadcast again.
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
from ..context import ToolContext
from ..errors import ChainError, SecretMCPError
from ..policy import TxOutcome, TxRequest, authorize, tx_completed
from ..units import fee_for
from . import build
from .chain import IN_DOUBT, TXS, account_state, balances, gas_price, wait_for
from .result import TxResult, chain_failure, from_response, touched_addresses

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
    address: str
    public_key: bytes
    kind: str = "server_key"

    async def sign(self, ctx: ToolContext, sign_doc: bytes) -> bytes:
        from ..security import for_app

        return for_app(ctx.app).keystore.sign(self.wallet, sign_doc)


@attrs.frozen
class Estimate:
    gas_used: int  # what simulation measured
    gas_limit: int  # what the transaction will carry (gas_used x adjustment, or the caller's gas)
    gas_price: Decimal
    fee: int  # in the network's fee denom
    fee_denom: str


def active_signer(ctx: ToolContext) -> Signer:
    """The active wallet, which must hold a key (watch-only wallets cannot sign)."""
    from ..security import for_app

    name = ctx.session.active_wallet
    if name is None:
        raise SecretMCPError("NO_ACTIVE_WALLET", "This needs an active wallet.",
                             ["Create or import one (secret_create_wallet / secret_import_wallet), then secret_set_active_wallet."])
    keystore = for_app(ctx.app).keystore
    wallet = keystore.get(name)
    if wallet.watch_only:
        raise SecretMCPError("WATCH_ONLY_WALLET", f"The active wallet {name!r} is watch-only: it cannot sign.",
                             ["Switch to a wallet with a key (secret_set_active_wallet)."], {"wallet": name})
    return Signer(name, wallet.address, keystore.public_key(name))


_ADDRESS = re.compile(r"secret1[02-9ac-hj-np-z]{38}")


def _simulation_error(exc: ChainError, sender: str) -> SecretMCPError:
    text = str(exc.details.get("chain_message") or exc.message)
    details = {"chain_message": text, "stage": "simulate"}
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


async def simulate(ctx: ToolContext, msgs: Sequence[build.Msg], signer: Signer, *, memo: str = "") -> tuple[int, dict]:
    """Gas used by the messages, measured by the node with our real signer info and an all-zero signature."""
    _number, sequence = await account_state(ctx, signer.address)
    body = build.body_bytes(msgs, memo)
    # A non-zero placeholder fee: with no fee the node skips the fee transfer, and its gas would be missing
    # from the estimate (the real tx then runs out of gas). Gas limit and fee digits only change size slightly.
    auth = build.auth_info_bytes(signer.public_key, sequence, 1, ctx.network.fee_denom, PLACEHOLDER_GAS)
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
    signer = signer or active_signer(ctx)
    price = await gas_price(ctx)
    if gas is not None:
        used, limit = 0, gas
    else:
        used, _ = await simulate(ctx, msgs, signer, memo=memo)
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


async def send_messages(
    ctx: ToolContext,
    messages: Sequence[Any],
    *,
    summary: str,
    amounts: Iterable[Amount | tuple[str, int]] = (),
    recipients: Iterable[str] = (),
    memo: str = "",
    gas: int | None = None,
    tool: str | None = None,
    wait_timeout: float = WAIT_SECONDS,
) -> TxResult:
    """Sign and broadcast `messages` as ONE atomic transaction from the active wallet and wait for its block.

    `amounts` are what leaves the sender (policy limits and the balance check use them; the fee is added for
    the balance check); `recipients` are checked against the allow-list. Raises SecretMCPError with a stable
    code on every failure; `details.txhash` is set whenever something reached the chain.
    """
    if not messages:
        raise SecretMCPError("INVALID_INPUT", "A transaction needs at least one message.", [])
    if gas is not None and gas <= 0:
        raise SecretMCPError("INVALID_INPUT", "gas must be a positive number of gas units.", [])
    if len(memo.encode()) > 256:
        raise SecretMCPError("INVALID_INPUT", "The memo is longer than 256 bytes (the chain's limit).", [])
    msgs = [build.as_msg(m) for m in messages]
    network = ctx.network
    signer = active_signer(ctx)
    async with wallet_lock(ctx.app, network.chain_id, signer.address):
        return await _send_locked(ctx, msgs, signer, summary=summary, amounts=amounts, recipients=recipients,
                                  memo=memo, gas=gas, tool=tool, wait_timeout=wait_timeout)


async def _send_locked(ctx: ToolContext, msgs: list[build.Msg], signer: Signer, *, summary: str,
                       amounts: Iterable[Amount | tuple[str, int]], recipients: Iterable[str], memo: str,
                       gas: int | None, tool: str | None, wait_timeout: float) -> TxResult:
    network = ctx.network
    spend = _sum(amounts)
    recipients = tuple(dict.fromkeys(recipients))
    # Before simulating: a clear "you have X, you need Y" beats the chain's generic "insufficient funds".
    held = await balances(ctx, signer.address)
    _check_funds(held, spend, signer.address)
    est = await estimate(ctx, msgs, memo=memo, gas=gas, signer=signer)
    _check_funds(held, _sum([*spend.items(), (est.fee_denom, est.fee)]), signer.address)

    request = TxRequest(
        tool=tool or msgs[0].type_url, network=network.name, chain_id=network.chain_id, sender=signer.address,
        messages=tuple(m.to_json() for m in msgs), amounts=tuple(sorted(spend.items())), recipients=recipients,
        summary=summary,
    )
    authorize(ctx.app, request)  # policy refusal raises POLICY_REFUSED before anything is signed

    body = build.body_bytes(msgs, memo)
    fee = (est.fee_denom, est.fee)
    txhash, response = await _sign_and_broadcast(ctx, signer, body, est, request, retry_sequence=True)
    await ctx.progress(0, wait_timeout, f"Broadcast {txhash}; waiting for a block")
    committed = await wait_for(ctx, txhash, wait_timeout)  # SYNC answers after CheckTx, never with the block
    if committed is None:
        tx_completed(ctx.app, TxOutcome(request, txhash, None, None, "unknown"))
        why = ("The node's answer to the broadcast was lost and the transaction was not found in a block in time."
               if response is None else "The node accepted it but it was not seen in a block in time.")
        raise _unknown(network, txhash, why)
    touched = {signer.address, *recipients, *touched_addresses(committed)}
    await _invalidate(ctx, touched)
    from ..resources import account_uri, tx_uri

    await ctx.resource_changed(*(account_uri(a) for a in sorted(touched)), tx_uri(txhash))
    code = int(committed.get("code", 0))
    height = int(committed.get("height", 0)) or None
    tx_completed(ctx.app, TxOutcome(request, txhash, height, code, "success" if code == 0 else "failed"))
    if code != 0:
        raise chain_failure(committed, stage="deliver", nothing_sent=False,
                            details={"fee": coin_view(*fee).model_dump(), "explorer_url": network.explorer_link(txhash)})
    await ctx.progress(wait_timeout, wait_timeout, f"Included at height {height}")
    return from_response(committed, status="success", fee=fee, summary=summary, sender=signer.address,
                         types=[m.type_url for m in msgs], memo=memo, network=network)


async def _sign_and_broadcast(ctx: ToolContext, signer: Signer, body: bytes, est: Estimate, request: TxRequest,
                              *, retry_sequence: bool) -> tuple[str, dict | None]:
    """Sign with the current sequence and broadcast SYNC. Returns (txhash, CheckTx response or None if lost)."""
    from ..security import for_app

    number, sequence = await account_state(ctx, signer.address)
    auth = build.auth_info_bytes(signer.public_key, sequence, est.fee, est.fee_denom, est.gas_limit)
    doc = build.sign_doc(body, auth, ctx.network.chain_id, number)
    raw = build.tx_raw(body, auth, for_app(ctx.app).keystore.sign(signer.wallet, doc))
    txhash = build.tx_hash(raw)
    pool = await ctx.pool()
    _RECENT.setdefault(ctx.app, {})[txhash] = time.monotonic()
    try:
        out = await pool.post(TXS, {"tx_bytes": build.b64(raw), "mode": "BROADCAST_MODE_SYNC"})
    except ChainError as exc:
        if exc.code in IN_DOUBT:
            return txhash, None  # the node may have it: only its hash can tell, so wait_for looks it up
        tx_completed(ctx.app, TxOutcome(request, txhash, None, None, "failed"))
        raise SecretMCPError(exc.code, f"The node refused the broadcast; nothing was sent. {exc.message}",
                             exc.suggestions, {**exc.details, "txhash": txhash}) from None
    response = out.get("tx_response") or {}
    code = int(response.get("code", 0))
    if code == 32 and retry_sequence and str(response.get("codespace", "sdk")) in ("sdk", ""):
        # Another tx from this wallet got in first: refetch the account (in _sign_and_broadcast) and retry once.
        return await _sign_and_broadcast(ctx, signer, body, est, request, retry_sequence=False)
    if code != 0:
        tx_completed(ctx.app, TxOutcome(request, txhash, None, code, "failed"))
        raise chain_failure(response, stage="check", nothing_sent=True)
    return txhash, response


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
