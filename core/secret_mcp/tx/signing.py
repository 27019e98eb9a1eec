"""Signing requests: a prepared transaction waiting for the person's own wallet to sign it (or, with
approval = "browser", for their Approve click on the signing page).

A request is bound to the exact sign doc of its Prepared plan: whatever comes back (a signed SignDoc, a signed
amino StdSignDoc, or a whole TxRaw signed anywhere) is checked against the bytes this server built, field by
field, and its signature verified against the signer's address, before anything is broadcast. Single use: the
first accepted submission consumes it; it expires after ten minutes. The key never comes here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

import anyio
import attrs

from ..errors import SecretMCPError
from ..principal import CURRENT
from . import amino, build
from .carry import Prepared

REQUEST_SECONDS = 600
KEEP_SECONDS = 3600  # a finished request stays readable (its status) this long
PUBKEY_AMINO = "tendermint/PubKeySecp256k1"
_HALF_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141 // 2

# (the request's prepared plan, the signed TxRaw or None for Approve) -> the answer JSON ({"status", "txhash", ...}).
Carry = Callable[[Prepared, "bytes | None"], Awaitable[dict]]

# Every open request of this process, by id (ids are random: one loopback server serves them all).
_REQUESTS: "dict[str, SigningRequest]" = {}


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@attrs.define(eq=False)
class SigningRequest:
    id: str
    token: str
    mode: str  # "wallet": the person's wallet signs; "approve": a server key signs after the Approve click
    prepared: Prepared
    carry: Carry
    app: Any = attrs.field(repr=False)
    expires: float  # unix time
    amino_doc: dict | None
    status: str = "awaiting_signature"  # -> signed -> included | failed; or declined; expired by the clock
    used: bool = False
    answer: dict | None = None  # what the page / tool got back once done
    principal: Any = None  # whose call opened it (OAuth): the page's answer is carried out as them
    done: anyio.Event = attrs.field(factory=anyio.Event)

    @property
    def expires_at(self) -> str:
        return iso(self.expires)

    def current_status(self) -> str:
        if self.status == "awaiting_signature" and time.time() >= self.expires:
            return "expired"
        return self.status

    @property
    def signer_address(self) -> str:
        return self.prepared.signer.address

    def direct(self) -> dict[str, str]:
        p = self.prepared
        return {"body_bytes": build.b64(p.body), "auth_info_bytes": build.b64(p.auth_info),
                "chain_id": p.network.chain_id, "account_number": str(p.account_number)}


def open_request(app: Any, prepared: Prepared, mode: str, carry: Carry) -> SigningRequest:
    """Register a request for `prepared`; the id and token are random and unguessable."""
    waiting = _REQUESTS
    now = time.time()
    for old in [k for k, r in waiting.items() if r.expires + KEEP_SECONDS < now]:
        del waiting[old]
    est = prepared.estimate
    doc = amino.std_sign_doc(
        [build.as_msg(m) for m in prepared.plan.messages], memo=prepared.plan.memo, chain_id=prepared.network.chain_id,
        account_number=prepared.account_number, sequence=prepared.sequence, fee_amount=est.fee,
        fee_denom=est.fee_denom, gas_limit=est.gas_limit)
    req = SigningRequest(secrets.token_urlsafe(16), secrets.token_urlsafe(24), mode, prepared, carry, app,
                         now + REQUEST_SECONDS, doc, principal=CURRENT.get())
    waiting[req.id] = req
    return req


def find(app: Any, request_id: str) -> SigningRequest | None:
    """A request of this App and principal (another's request is as unknown as a made-up id). A remote server's
    requests (auth/signreqs.py) are the running principal's only."""
    remote = getattr(app, "remote_signing", None)
    if remote is not None:
        return remote.find(request_id)
    req = _REQUESTS.get(str(request_id))
    return req if req is not None and req.app is app and req.principal is CURRENT.get() else None


def forget(request_id: str) -> None:
    """Drop a request from this process (a remote server keeps it in its own store instead)."""
    _REQUESTS.pop(str(request_id), None)


def find_with_token(request_id: str, token: str | None) -> SigningRequest | None:
    """The request, only with its token (compared in constant time); None alike for a wrong id or token."""
    req = _REQUESTS.get(str(request_id))
    expected = req.token if req is not None else secrets.token_urlsafe(24)
    ok = hmac.compare_digest(expected.encode(), (token or "").encode())
    return req if req is not None and ok else None


def status_of(app: Any, request_id: str) -> dict[str, Any] | None:
    """A request's progress (secret_get_transaction_status), or None when `request_id` is not one of `app`'s."""
    req = find(app, request_id)
    if req is None:
        return None
    answer = req.answer or {}
    return {"request_id": req.id, "status": req.current_status(), "expires_at": req.expires_at,
            "txhash": answer.get("txhash"), "height": answer.get("height")}


def unknown_request(request_id: str) -> SecretMCPError:
    return SecretMCPError("SIGNING_REQUEST_UNKNOWN", f"There is no signing request {str(request_id)[:64]!r} here.",
                          ["Call the write tool again: it opens a fresh signing request."])


# -- what the page, the tool result and secretcli see ----------------------------------------------------------


def chain_info(p: Prepared) -> dict[str, Any]:
    """What a wallet needs to know the chain (Keplr's experimentalSuggestChain for the sandbox and custom ones).
    The LCD URL stands in for RPC too: the sandbox serves only the REST API."""
    n = p.network
    rest = p.endpoints[0] if p.endpoints else (n.lcd_urls[0] if n.lcd_urls else "")
    return {"chain_id": n.chain_id, "chain_name": n.name, "rest": rest, "rpc": rest, "bech32_prefix": "secret",
            "denom": n.fee_denom, "display_denom": "SCRT" if n.fee_denom == "uscrt" else n.fee_denom.upper(),
            "decimals": 6, "gas_price": str(p.estimate.gas_price), "simulated": n.simulated}


def review(p: Prepared) -> dict[str, Any]:
    """The shared review of CONTRACTS.md section 1 (tx/review.py), made when the plan was prepared."""
    return p.review


def describe(req: SigningRequest) -> dict[str, Any]:
    """The request JSON of GET /sign/<id>/request (CONTRACTS.md section 2)."""
    p = req.prepared
    out = {"request_id": req.id, "expires_at": req.expires_at, "status": req.current_status(), "mode": req.mode,
           "chain": chain_info(p),
           "signer": {"address": p.signer.address,
                      "pub_key": build.b64(p.signer.public_key) if p.signer.public_key else None},
           "review": review(p), "sign_doc": {"direct": req.direct(), "amino": req.amino_doc}}
    if req.answer is not None:
        out["answer"] = req.answer
    return out


def unsigned_tx(req: SigningRequest) -> dict[str, Any]:
    """The request as the unsigned tx JSON `secretcli tx sign --offline` reads (proto JSON of a Tx without
    signatures); the account number and sequence go on secretcli's command line."""
    import bech32

    p, est = req.prepared, req.prepared.estimate
    messages = []
    for m in p.plan.messages:
        msg = build.as_msg(m)
        body = msg.to_json()
        for key in ("sender", "contract"):  # compute addresses are AccAddress bytes: bech32 in JSON
            raw = getattr(msg.message, key, None)
            if isinstance(raw, bytes) and raw:
                body[key] = bech32.bech32_encode("secret", bech32.convertbits(raw, 8, 5))
        messages.append(body)
    return {
        "body": {"messages": messages, "memo": p.plan.memo, "timeout_height": "0", "extension_options": [],
                 "non_critical_extension_options": []},
        "auth_info": {"signer_infos": [], "fee": {
            "amount": [{"denom": est.fee_denom, "amount": str(est.fee)}] if est.fee else [],
            "gas_limit": str(est.gas_limit), "payer": "", "granter": ""}},
        "signatures": [],
    }


def secretcli_hint(req: SigningRequest) -> str:
    p = req.prepared
    return (f"secretcli tx sign unsigned.json --from <your key> --offline --chain-id {p.network.chain_id} "
            f"--account-number {p.account_number} --sequence {p.sequence} --sign-mode direct --output-document "
            f"signed.json; then secretcli tx encode signed.json gives the base64 tx_bytes")


def awaiting(req: SigningRequest, url: str) -> dict[str, Any]:
    """The fields of the awaiting_signature result (nothing has happened yet). In approve mode `url` carries no
    token and nothing to sign is given: the model must hold nothing it could approve with."""
    p = req.prepared
    out = {"status": "awaiting_signature", "request_id": req.id, "signing_url": url, "expires_at": req.expires_at,
           "preview": p.preview, "review": p.review}
    if req.mode == "wallet":
        out |= {"sign_doc": {"direct": build.b64(p.sign_doc), "amino": req.amino_doc},
                "unsigned_tx": unsigned_tx(req), "offline_signing": secretcli_hint(req)}
    return out


# -- checks ---------------------------------------------------------------------------------------------------


def _mismatch(what: str) -> SecretMCPError:
    return SecretMCPError(
        "SIGNED_TX_MISMATCH", f"The signed transaction differs from the request in {what}. Nothing was broadcast.",
        ["Sign exactly the request's sign doc (messages, memo, fee, gas, sequence, account number, chain id)."],
        {"field": what})


def _b64(value: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise SecretMCPError("INVALID_INPUT", f"{what} is not valid base64. Nothing was broadcast.", []) from None


def _ripemd160(data: bytes) -> bytes:
    try:
        return hashlib.new("ripemd160", data).digest()
    except ValueError:  # OpenSSL 3 may hide ripemd160; ecdsa ships a pure-Python one
        from ecdsa._ripemd160 import ripemd160

        return ripemd160(data).digest()


def address_of(pub33: bytes) -> str:
    import bech32

    return bech32.bech32_encode("secret", bech32.convertbits(_ripemd160(hashlib.sha256(pub33).digest()), 8, 5))


def _check_key(req: SigningRequest, pub: bytes) -> None:
    if len(pub) != 33 or address_of(pub) != req.signer_address:
        raise _mismatch("signer (the public key is not the key of " + req.signer_address + ")")
    known = req.prepared.signer.public_key
    if known and pub != known:
        raise _mismatch("signer (not the key the chain holds for this account)")


def _verify(pub: bytes, message: bytes, signature: bytes) -> None:
    from ecdsa import BadSignatureError, SECP256k1, VerifyingKey
    from ecdsa.util import sigdecode_string

    s = int.from_bytes(signature[32:], "big") if len(signature) == 64 else 0
    try:
        ok = 0 < s <= _HALF_N and VerifyingKey.from_string(pub, curve=SECP256k1).verify(
            signature, message, hashfunc=hashlib.sha256, sigdecode=sigdecode_string)
    except (BadSignatureError, ValueError, AssertionError):
        ok = False
    if not ok:
        raise SecretMCPError("SIGNATURE_INVALID", "The signature does not verify for this sign doc and key. "
                             "Nothing was broadcast.", ["Sign the request's sign doc again with the wallet."])


def expected_auth(req: SigningRequest, pub: bytes, *, amino_mode: bool) -> bytes:
    """The auth info the request allows: its own fee, gas and sequence, the signer's key, the given sign mode."""
    p, est = req.prepared, req.prepared.estimate
    return build.auth_info_bytes(pub, p.sequence, est.fee, est.fee_denom, est.gas_limit, amino=amino_mode)


def pub_of_key(key: Any) -> bytes:
    """The 33 key bytes of an amino {"type": "tendermint/PubKeySecp256k1", "value": base64}."""
    if not isinstance(key, dict):
        raise SecretMCPError("INVALID_INPUT", "pub_key must be {type, value}. Nothing was broadcast.", [])
    if key.get("type") != PUBKEY_AMINO:
        raise _mismatch(f"signer (key type must be {PUBKEY_AMINO})")
    return _b64(key.get("value"), "pub_key.value")


def _pub_of(signature: Any) -> tuple[bytes, bytes]:
    if not isinstance(signature, dict):
        raise SecretMCPError("INVALID_INPUT", "signature needs pub_key {type, value} and signature. Nothing was "
                             "broadcast.", [])
    return pub_of_key(signature.get("pub_key")), _b64(signature.get("signature"), "signature")


def learn_key(req: SigningRequest, pub: bytes) -> None:
    """Direct mode for an account the chain holds no key of yet: the wallet's key goes into the auth info (the
    signed bytes must carry it). Only the signer's own key is taken; nothing else of the request changes."""
    _check_key(req, pub)
    p = req.prepared
    if p.signer.public_key == pub:
        return
    from .carry import sign_doc_digest

    auth = expected_auth(req, pub, amino_mode=False)
    doc = build.sign_doc(p.body, auth, p.network.chain_id, p.account_number)
    digest = sign_doc_digest(doc, p.signer.address, p.endpoints)
    shown = dict(p.review)
    if isinstance(shown.get("sign_doc"), dict):  # the digest covers the auth info, which now carries the key
        shown["sign_doc"] = {**shown["sign_doc"], "digest": digest, "short": digest[:16]}
    req.prepared = attrs.evolve(p, signer=attrs.evolve(p.signer, public_key=pub), auth_info=auth, sign_doc=doc,
                                digest=digest, review=shown)


def check_direct(req: SigningRequest, signed: Any, signature: Any) -> bytes:
    """The TxRaw to broadcast for a SIGN_MODE_DIRECT answer, after checking it is exactly the request's doc."""
    if not isinstance(signed, dict):
        raise SecretMCPError("INVALID_INPUT", "signed must be the SignDoc object. Nothing was broadcast.", [])
    p = req.prepared
    pub, sig = _pub_of(signature)
    if str(signed.get("chain_id")) != p.network.chain_id:
        raise _mismatch("chain id")
    if str(signed.get("account_number")) != str(p.account_number):
        raise _mismatch("account number")
    if _b64(signed.get("body_bytes"), "body_bytes") != p.body:
        raise _mismatch("messages or memo (body bytes)")
    _check_key(req, pub)
    auth = _b64(signed.get("auth_info_bytes"), "auth_info_bytes")
    if auth != expected_auth(req, pub, amino_mode=False):
        raise _mismatch(_auth_difference(req, auth))
    _verify(pub, build.sign_doc(p.body, auth, p.network.chain_id, p.account_number), sig)
    return build.tx_raw(p.body, auth, sig)


def check_amino(req: SigningRequest, signed: Any, signature: Any) -> bytes:
    """The TxRaw for a LEGACY_AMINO_JSON answer: this server's own body bytes and an auth info in amino mode,
    after checking the StdSignDoc the wallet returned is exactly the request's."""
    if req.amino_doc is None:
        raise SecretMCPError("AMINO_UNAVAILABLE", "This transaction has a message without an amino form: sign it "
                             "in direct mode. Nothing was broadcast.", [])
    if not isinstance(signed, dict):
        raise SecretMCPError("INVALID_INPUT", "signed must be the StdSignDoc object. Nothing was broadcast.", [])
    pub, sig = _pub_of(signature)
    mine = req.amino_doc
    for key, what in (("chain_id", "chain id"), ("account_number", "account number"), ("sequence", "sequence"),
                      ("fee", "fee or gas"), ("memo", "memo"), ("msgs", "messages")):
        if amino.sign_bytes({"v": signed.get(key)}) != amino.sign_bytes({"v": mine.get(key)}):
            raise _mismatch(what)
    if amino.sign_bytes(signed) != amino.sign_bytes(mine):
        raise _mismatch("an extra field")
    _check_key(req, pub)
    _verify(pub, amino.sign_bytes(mine), sig)
    return build.tx_raw(req.prepared.body, expected_auth(req, pub, amino_mode=True), sig)


def check_tx_raw(req: SigningRequest, tx_bytes: str) -> bytes:
    """A base64 TxRaw signed anywhere (secretcli, a Ledger, another wallet): the request's body, its auth info
    (direct or amino mode) and a valid signature by the signer."""
    from secret_sdk.protobuf.cosmos.tx.signing.v1beta1 import SignMode
    from secret_sdk.protobuf.cosmos.tx.v1beta1 import AuthInfo, TxRaw
    from secret_sdk.protobuf.cosmos.crypto.secp256k1 import PubKey

    p = req.prepared
    try:
        tx = TxRaw().parse(_b64(tx_bytes, "tx_bytes"))
        info = AuthInfo().parse(tx.auth_info_bytes)
    except SecretMCPError:
        raise
    except Exception:
        raise SecretMCPError("INVALID_INPUT", "tx_bytes is not a TxRaw. Nothing was broadcast.",
                             ["Give the base64 TxRaw a wallet or `secretcli tx sign` produced."]) from None
    if len(tx.signatures) != 1 or len(info.signer_infos) != 1:
        raise _mismatch("signer (exactly one signer and one signature)")
    if tx.body_bytes != p.body:
        raise _mismatch("messages or memo (body bytes)")
    signer = info.signer_infos[0]
    pub = PubKey().parse(signer.public_key.value).key if signer.public_key else b""
    if not pub:
        raise _mismatch("signer (the auth info carries no public key)")
    _check_key(req, pub)
    mode = signer.mode_info.single.mode if signer.mode_info and signer.mode_info.single else None
    amino_mode = mode == SignMode.SIGN_MODE_LEGACY_AMINO_JSON
    if tx.auth_info_bytes != expected_auth(req, pub, amino_mode=amino_mode):
        raise _mismatch(_auth_difference(req, tx.auth_info_bytes))
    if amino_mode:
        if req.amino_doc is None:
            raise _mismatch("sign mode (this transaction has no amino form)")
        _verify(pub, amino.sign_bytes(req.amino_doc), tx.signatures[0])
    else:
        _verify(pub, build.sign_doc(p.body, tx.auth_info_bytes, p.network.chain_id, p.account_number),
                tx.signatures[0])
    return build.tx_raw(p.body, tx.auth_info_bytes, tx.signatures[0])


def _auth_difference(req: SigningRequest, auth: bytes) -> str:
    """Which part of a refused auth info differs: named for the person, never guessed."""
    from secret_sdk.protobuf.cosmos.tx.v1beta1 import AuthInfo

    p, est = req.prepared, req.prepared.estimate
    try:
        info = AuthInfo().parse(auth)
    except Exception:
        return "auth info (unreadable)"
    fee = info.fee
    coins = [(c.denom, c.amount) for c in fee.amount] if fee else []
    if fee is None or fee.gas_limit != est.gas_limit:
        return "gas"
    if coins != ([(est.fee_denom, str(est.fee))] if est.fee else []) or fee.payer or fee.granter:
        return "fee"
    if len(info.signer_infos) != 1:
        return "signer"
    if info.signer_infos[0].sequence != p.sequence:
        return "sequence"
    return "auth info (sign mode or public key)"


# -- completion -------------------------------------------------------------------------------------------------


def usable(req: SigningRequest) -> None:
    """Refuse a request already answered or out of time (before any check or broadcast)."""
    if req.used:
        raise SecretMCPError("SIGNING_REQUEST_USED", "This signing request was already answered; nothing more was "
                             "broadcast.", ["Call the tool again for a new request."], {"status": req.status})
    if req.current_status() == "expired":
        raise SecretMCPError("SIGNING_REQUEST_EXPIRED", f"This signing request expired at {req.expires_at}. Nothing "
                             "was broadcast.", ["Call the tool again for a fresh request."])


async def complete(req: SigningRequest, raw: bytes | None) -> dict:
    """Broadcast once (or carry out, for Approve), wait; the answer. Consumes the request before any await."""
    usable(req)
    req.used = True
    req.status = "signed"
    # The page's own HTTP request runs as no principal (or another one): carry it out as the request's opener.
    running = CURRENT.set(req.principal)
    try:
        answer = await req.carry(req.prepared, raw)
    except BaseException:
        req.status = "failed"
        req.done.set()
        raise
    finally:
        CURRENT.reset(running)
    req.answer = answer
    req.status = answer.get("status", "failed") if "error" not in answer else "failed"
    req.done.set()
    return answer


def decline(req: SigningRequest) -> None:
    usable(req)
    req.used = True
    req.status = "declined"
    req.answer = {"status": "declined"}
    req.done.set()
