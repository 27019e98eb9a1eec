"""The core's one way to put a Plan on chain: prepare (policy, one estimate, sign doc, preview), then carry out.

    prepared = await prepare(ctx, plan, tool=..., args=...)   # nothing signed; raises on any refusal
    ... the person approves prepared.preview (bound to prepared.digest) ...
    result = await carry_out(ctx, prepared, confirmed=True)     # signs exactly prepared.sign_doc

What is signed is exactly what was previewed: the body, fee, gas, sequence and account number are fixed when
the plan is prepared. If the chain or the session moved since (sequence used, wallet or network switched),
a confirmed plan is refused with a fresh preview; it is never silently re-planned. A plan that needed no
question (policy said so) is re-prepared once when its sequence was taken by another transaction.
"""

from __future__ import annotations

import hashlib
import math
import time
from decimal import Decimal
from typing import Any, Iterable

import attrs

from ..amounts import coin_view
from ..concurrency import gather
from ..context import ToolContext
from ..errors import ChainError, SecretMCPError
from ..networks import Network
from ..policy import TxOutcome, TxRequest, authorize, tx_completed
from ..units import fee_for
from . import build
from .chain import IN_DOUBT, TXS, account_state, balances, gas_price, wait_for
from .pipeline import (Estimate, Signer, _RECENT, _check_funds, _invalidate, _sum, _unknown, active_signer,
                       simulate_body, wallet_lock)
from .plan import Plan
from .result import chain_failure, from_response, touched_addresses
from .review import review_of


@attrs.frozen
class Prepared:
    """A plan made concrete: the exact sign doc the person is asked about, and everything to carry it out."""

    tool: str
    args: dict[str, Any] = attrs.field(eq=False)
    plan: Plan = attrs.field(eq=False)
    signer: Signer
    network: Network
    endpoints: tuple[str, ...]
    body: bytes
    auth_info: bytes
    account_number: int
    sequence: int
    estimate: Estimate
    sign_doc: bytes
    digest: str
    preview: str
    request: TxRequest
    needs_question: bool
    # What the person is asked about, as data (tx/review.py): every preview surface renders this.
    review: dict[str, Any] = attrs.field(factory=dict, eq=False)

    @property
    def short_digest(self) -> str:
        return self.digest[:16]


def sign_doc_digest(sign_doc: bytes, signer: str, endpoints: Iterable[str]) -> str:
    """SHA-256 over the SignDoc bytes (messages, memo, fee, gas, sequence, account number, chain id), the
    signer's address and the endpoints it will be broadcast to."""
    h = hashlib.sha256(sign_doc)
    h.update(b"\x00" + signer.encode())
    for url in endpoints:
        h.update(b"\x00" + url.encode())
    return h.hexdigest()


def _explain(plan: Plan, exc: SecretMCPError) -> SecretMCPError:
    """Contract errors arrive encrypted: the plan's own `explain` turns them into the contract's words."""
    explain = getattr(plan.decrypt, "explain", None)
    return explain(exc) if explain is not None else exc


def _validate(plan: Plan) -> list[build.Msg]:
    if not isinstance(plan, Plan):
        raise TypeError(f"a write tool must return a Plan, not {type(plan).__name__}")
    if not plan.messages:
        raise SecretMCPError("INVALID_INPUT", "A transaction needs at least one message.", [])
    if plan.gas is not None and plan.gas <= 0:
        raise SecretMCPError("INVALID_INPUT", "gas must be a positive number of gas units.", [])
    if len(plan.memo.encode()) > 256:
        raise SecretMCPError("INVALID_INPUT", "The memo is longer than 256 bytes (the chain's limit).", [])
    return [build.as_msg(m) for m in plan.messages]


async def prepare(ctx: ToolContext, plan: Plan, *, tool: str, args: dict[str, Any] | None = None) -> Prepared:
    """Policy, one estimate and the exact sign doc for `plan` from the active wallet. Nothing is signed."""
    from .agent import signer_for

    msgs, signer = await signer_for(ctx, _validate(plan))  # agent mode: the agent key signs one MsgExec
    network = ctx.network
    signer = await signer.ready(ctx)  # a wallet signer's public key comes from the chain
    # Three independent reads in one round trip.
    (number, sequence), held, price = await gather(
        account_state(ctx, signer.address), balances(ctx, signer.owner), gas_price(ctx))
    endpoints = tuple(ctx.session.urls)  # a launched sandbox's URL is known once connected
    # Rewards withdrawn earlier in this tx can be spent by later messages, never on the fee: the chain takes
    # the fee before any message runs.
    with_credits = dict(held)
    for denom, amount in _sum(plan.credits).items():
        with_credits[denom] = with_credits.get(denom, 0) + amount
    spend = _sum(plan.amounts)
    _check_funds(with_credits, spend, signer.owner)  # a clear "you have X, you need Y" before simulating

    body = build.body_bytes(msgs, plan.memo)
    if plan.gas is not None:
        used, limit = 0, plan.gas
    else:
        try:
            used, _answer = await simulate_body(ctx, body, signer, sequence)
        except SecretMCPError as exc:
            raise _explain(plan, exc) from None
        limit = math.ceil(Decimal(used) * Decimal(ctx.config.gas_adjustment))
    est = Estimate(used, limit, price, fee_for(limit, price), network.fee_denom)
    _check_funds(held, {est.fee_denom: est.fee}, signer.owner)
    _check_funds(with_credits, _sum([*spend.items(), (est.fee_denom, est.fee)]), signer.owner)

    request = TxRequest(
        tool=tool, network=network.name, chain_id=network.chain_id, sender=signer.owner,
        messages=tuple(m.to_json() for m in msgs), amounts=tuple(sorted(spend.items())),
        recipients=tuple(dict.fromkeys(plan.receivers)), summary=plan.action,
        fee=(est.fee_denom, est.fee), tokens=tuple((t.contract, t.amount) for t in plan.tokens),
    )
    authorize(ctx.app, request)  # POLICY_REFUSED before anything is shown or signed

    auth = build.auth_info_bytes(signer.public_key, sequence, est.fee, est.fee_denom, est.gas_limit,
                                 granter=signer.fee_granter)
    doc = build.sign_doc(body, auth, network.chain_id, number)
    digest = sign_doc_digest(doc, signer.address, endpoints)
    security = ctx.security
    needs = security.needs_confirmation(network, tuple(request.spent().items()))
    shown = plan if not signer.fee_granter else attrs.evolve(plan, lines=(*plan.lines, (
        f"Signed by the agent key {signer.address} under the grants of {signer.wallet}; the fee is paid by "
        f"{signer.owner} through its fee grant")))
    review = review_of(tool=tool, plan=shown, wallet=signer.wallet, address=signer.owner, signer_kind=signer.kind,
                       messages=request.messages, gas_limit=est.gas_limit, gas_price=est.gas_price,
                       fee=(est.fee_denom, est.fee), held=held, network=network, endpoints=endpoints,
                       digest=digest, sequence=sequence, account_number=number,
                       allowed=security.settings.allowed_recipients)
    return Prepared(tool, dict(args or {}), plan, signer, network, endpoints, body, auth, number, sequence, est,
                    doc, digest, review["text"], request, needs, review)


def _stale(prepared: Prepared, why: str, fresh: "Prepared | None" = None) -> SecretMCPError:
    details: dict[str, Any] = {"stage": "before_signing", "previewed_digest": prepared.short_digest}
    suggestions = ["Call the tool again: the person must approve the new preview."]
    if fresh is not None:
        details |= {"preview": fresh.preview, "digest": fresh.short_digest}
        suggestions = ["Show the person the fresh preview in details.preview and call the tool again if they approve."]
    return SecretMCPError("CONFIRMATION_STALE", f"{why} Nothing was signed or sent.", suggestions, details)


def check_current(ctx: ToolContext, prepared: Prepared) -> None:
    """The session still points at the signer and endpoint the person approved."""
    session = ctx.session
    if session.active_wallet_address() != prepared.signer.owner:
        raise _stale(prepared, "The active wallet changed since the person approved this transaction.")
    network = session.network
    if network is None or network.chain_id != prepared.network.chain_id or tuple(session.urls) != prepared.endpoints:
        raise _stale(prepared, "The network changed since the person approved this transaction.")


async def carry_out(ctx: ToolContext, prepared: Prepared, *, confirmed: bool) -> Any:
    """Sign exactly the prepared sign doc, broadcast once, wait for its block; the tool's result.

    `confirmed`: the person approved this very doc, so a moved chain refuses (fresh preview) instead of
    re-preparing."""
    check_current(ctx, prepared)
    async with wallet_lock(ctx.app, prepared.network.chain_id, prepared.signer.address):
        try:
            txhash, response = await _broadcast(ctx, prepared)
        except _SequenceMoved:
            fresh = await _fresh(ctx, prepared)
            if confirmed or fresh.needs_question:
                raise _stale(prepared, "Another transaction used this wallet's sequence since the preview.", fresh) from None
            prepared = fresh
            try:
                txhash, response = await _broadcast(ctx, prepared)
            except _SequenceMoved:
                raise SecretMCPError("SEQUENCE_MISMATCH", "The account sequence moved twice; nothing was sent.",
                                     ["Try again in a moment."]) from None
        return await _settle(ctx, prepared, txhash, response)


async def _fresh(ctx: ToolContext, prepared: Prepared) -> Prepared:
    return await prepare(ctx, prepared.plan, tool=prepared.tool, args=prepared.args)


class _SequenceMoved(Exception):
    pass


async def carry_signed(ctx: ToolContext, prepared: Prepared, raw: bytes) -> Any:
    """Broadcast a TxRaw signed elsewhere (the person's wallet) for `prepared`, once; the tool's result.
    The caller has checked that `raw` is exactly the prepared transaction, signed by its signer."""
    check_current(ctx, prepared)
    async with wallet_lock(ctx.app, prepared.network.chain_id, prepared.signer.address):
        try:
            txhash, response = await _broadcast_raw(ctx, prepared, raw)
        except _SequenceMoved:
            raise _stale(prepared, "Another transaction used this wallet's sequence since the request was made.") from None
        return await _settle(ctx, prepared, txhash, response)


async def _broadcast(ctx: ToolContext, prepared: Prepared) -> tuple[str, dict | None]:
    signature = await prepared.signer.sign(ctx, prepared.sign_doc)
    return await _broadcast_raw(ctx, prepared, build.tx_raw(prepared.body, prepared.auth_info, signature))


async def _broadcast_raw(ctx: ToolContext, prepared: Prepared, raw: bytes) -> tuple[str, dict | None]:
    txhash = build.tx_hash(raw)
    pool = await ctx.pool()
    _RECENT.setdefault(ctx.app, {})[txhash] = time.monotonic()
    try:
        out = await pool.post(TXS, {"tx_bytes": build.b64(raw), "mode": "BROADCAST_MODE_SYNC"})
    except ChainError as exc:
        if exc.code in IN_DOUBT:
            return txhash, None  # the node may have it: only its hash can tell, so wait_for looks it up
        tx_completed(ctx.app, TxOutcome(prepared.request, txhash, None, None, "failed"))
        raise SecretMCPError(exc.code, f"The node refused the broadcast; nothing was sent. {exc.message}",
                             exc.suggestions, {**exc.details, "txhash": txhash}) from None
    response = out.get("tx_response") or {}
    code = int(response.get("code", 0))
    if code == 32 and str(response.get("codespace", "sdk")) in ("sdk", ""):
        raise _SequenceMoved()
    if code != 0:
        tx_completed(ctx.app, TxOutcome(prepared.request, txhash, None, code, "failed"))
        raise _explain(prepared.plan, chain_failure(response, stage="check", nothing_sent=True))
    return txhash, response


async def _settle(ctx: ToolContext, prepared: Prepared, txhash: str, response: dict | None) -> Any:
    from ..uris import account_uri, tx_uri

    network, plan = prepared.network, prepared.plan
    wait = float(ctx.config.tx_wait_seconds)
    await ctx.progress(0, wait, f"Broadcast {txhash}; waiting for a block")
    committed = await wait_for(ctx, txhash, wait)  # SYNC answers after CheckTx, never with the block
    if committed is None:
        tx_completed(ctx.app, TxOutcome(prepared.request, txhash, None, None, "unknown"))
        why = ("The node's answer to the broadcast was lost and the transaction was not found in a block in time."
               if response is None else "The node accepted it but it was not seen in a block in time.")
        raise _unknown(network, txhash, why)
    touched = {prepared.signer.address, prepared.signer.owner, *plan.receivers, *touched_addresses(committed)}
    await _invalidate(ctx, touched)
    await ctx.resource_changed(*(account_uri(a) for a in sorted(touched) if a.startswith("secret1")), tx_uri(txhash))
    code = int(committed.get("code", 0))
    height = int(committed.get("height", 0)) or None
    tx_completed(ctx.app, TxOutcome(prepared.request, txhash, height, code, "success" if code == 0 else "failed"))
    fee = (prepared.estimate.fee_denom, prepared.estimate.fee)
    if code != 0:
        raise _explain(plan, chain_failure(committed, stage="deliver", nothing_sent=False, details={
            "fee": coin_view(*fee).model_dump(), "explorer_url": network.explorer_link(txhash)}))
    await ctx.progress(wait, wait, f"Included at height {height}")
    result = from_response(committed, status="success", fee=fee, summary=plan.action, sender=prepared.signer.owner,
                           types=[m["@type"] for m in prepared.request.messages], memo=plan.memo, network=network)
    return await plan.finish(ctx, result, 0) if plan.finish is not None else result


def to_record(prepared: Prepared) -> dict[str, Any]:
    """The prepared sign doc as JSON, for a confirmation code another process may redeem (no secrets in it)."""
    from pydantic_core import to_jsonable_python

    r, est, s = prepared.request, prepared.estimate, prepared.signer
    return {
        "tool": prepared.tool, "wallet": s.wallet, "address": s.address, "signer": s.kind,
        "chain_id": prepared.network.chain_id,
        "endpoints": list(prepared.endpoints), "body": build.b64(prepared.body), "auth_info": build.b64(prepared.auth_info),
        "account_number": prepared.account_number, "sequence": prepared.sequence, "digest": prepared.digest,
        "estimate": [est.gas_used, est.gas_limit, str(est.gas_price), est.fee, est.fee_denom],
        "request": to_jsonable_python(attrs.asdict(r, recurse=False), fallback=str),
    }


async def restore(ctx: ToolContext, record: dict[str, Any], fn: Any, args: dict[str, Any]) -> Prepared:
    """A code's prepared plan in a process that did not prepare it: the stored sign doc, signed as approved, by
    the signer and on the endpoint the person approved; the tool re-plans only for its result step."""
    import base64

    session = ctx.session
    network = ctx.network
    if record.get("signer") == "agent":  # approved as the agent key's MsgExec: the same key signs it here
        from .agent import restored_signer

        signer: Signer = restored_signer(ctx)
    else:
        signer = active_signer(ctx)
    if signer.address != record["address"] or network.chain_id != record["chain_id"]:
        raise SecretMCPError("CONFIRMATION_STALE", "The wallet or network differs from the approved one. Nothing was "
                             "signed or sent.", ["Call the tool again: the person must approve the new preview."])
    await ctx.pool()
    if list(session.urls) != list(record["endpoints"]):
        raise SecretMCPError("CONFIRMATION_STALE", "The network endpoint differs from the approved one. Nothing was "
                             "signed or sent.", ["Call the tool again: the person must approve the new preview."])
    # The tool runs again only for its result step (finish); what is signed is the stored body. Its messages
    # may differ in time-bound fields (an IBC timeout) and that is fine: the approved bytes are the ones signed.
    plan = await fn(ctx, **args)
    _validate(plan)
    if plan.decrypt is not None:  # the answer could not be read with this process's cipher: never stored shared
        raise SecretMCPError("CONFIRMATION_STALE", "This contract call can only be confirmed in the process that "
                             "prepared it. Nothing was signed or sent.", ["Call the tool again for a fresh preview."])
    body = base64.b64decode(record["body"])
    auth = base64.b64decode(record["auth_info"])
    doc = build.sign_doc(body, auth, network.chain_id, int(record["account_number"]))
    if sign_doc_digest(doc, signer.address, session.urls) != record["digest"]:
        raise SecretMCPError("CONFIRMATION_STALE", "The sign doc does not match the approved digest. Nothing was "
                             "signed or sent.", ["Call the tool again for a fresh preview."])
    used, limit, price, fee, denom = record["estimate"]
    req = record["request"]
    request = TxRequest(**{**req, "messages": tuple(req["messages"]), "amounts": tuple(tuple(a) for a in req["amounts"]),
                           "recipients": tuple(req["recipients"]), "fee": tuple(req["fee"]) if req.get("fee") else None,
                           "tokens": tuple(tuple(t) for t in req["tokens"])})
    return Prepared(record["tool"], dict(args), plan, signer, network, tuple(session.urls), body, auth,
                    int(record["account_number"]), int(record["sequence"]),
                    Estimate(int(used), int(limit), Decimal(price), int(fee), denom), doc, record["digest"], "", request,
                    True)
