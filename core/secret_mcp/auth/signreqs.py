"""Signing requests of a remote, many-person server (`serve --http` with OAuth): the wallet-signer flow of
tx/signing.py, but owned by a principal, kept where every worker finds it, and served by the HTTP app itself.

- Each request belongs to the principal whose call opened it: another principal's secret_get_transaction_status
  or secret_submit_signed_transaction sees it as unknown, like a made-up id.
- With `cache_url` a request is one JSON document in Redis, sealed with AES-256-GCM under a key derived from
  `state_key` and bound to the request id; the page token is kept only as its SHA-256. Without Redis (one
  worker) the same documents stay in this process.
- The page's routes (/sign/<id>?t=..., CONTRACTS.md section 2) are mounted on the HTTP app: whichever worker
  takes the signed answer checks it against the stored bytes, claims the request atomically (SET NX: one
  broadcast across all workers), broadcasts it to the endpoint the request was prepared on and reports.
- The signing URL is built from `public_url` (else the origin of `oauth_audience`), never from a Host header.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

import anyio
import attrs

from ..errors import SecretMCPError
from ..principal import CURRENT
from ..tx import build, signing

log = logging.getLogger("secret_mcp.auth.signreqs")

TXS = "/cosmos/tx/v1beta1/txs"


# -- what a worker that did not prepare the request needs of it (duck-types tx.carry.Prepared for the checks) ----

@attrs.frozen
class _Network:
    chain_id: str
    name: str
    fee_denom: str
    simulated: bool
    lcd_urls: tuple[str, ...]


@attrs.frozen
class _Estimate:
    gas_limit: int
    gas_price: str
    fee: int
    fee_denom: str


@attrs.frozen
class _Signer:
    address: str
    public_key: bytes | None


@attrs.frozen
class _Prepared:
    network: _Network
    endpoints: tuple[str, ...]
    body: bytes
    auth_info: bytes
    account_number: int
    sequence: int
    estimate: _Estimate
    signer: _Signer
    sign_doc: bytes
    digest: str
    preview: str
    review: dict


def snapshot(req: signing.SigningRequest) -> dict[str, Any]:
    """The request as JSON (no secret in it: public bytes, the review, the token's hash only)."""
    p, n, est = req.prepared, req.prepared.network, req.prepared.estimate
    b64 = build.b64
    return {
        "id": req.id, "token_sha256": hashlib.sha256(req.token.encode()).hexdigest(), "mode": req.mode,
        "expires": req.expires, "amino_doc": req.amino_doc,
        "network": [n.chain_id, n.name, n.fee_denom, bool(n.simulated), list(n.lcd_urls)],
        "endpoints": list(p.endpoints), "body": b64(p.body), "auth_info": b64(p.auth_info),
        "account_number": p.account_number, "sequence": p.sequence,
        "estimate": [est.gas_limit, str(est.gas_price), int(est.fee), est.fee_denom],
        "signer": [p.signer.address, b64(p.signer.public_key) if p.signer.public_key else None],
        "sign_doc": b64(p.sign_doc), "digest": p.digest, "preview": p.preview, "review": p.review,
    }


def _prepared_of(s: dict[str, Any]) -> _Prepared:
    chain_id, name, denom, simulated, lcd = s["network"]
    limit, price, fee, fee_denom = s["estimate"]
    address, pub = s["signer"]
    d = base64.b64decode
    return _Prepared(_Network(chain_id, name, denom, simulated, tuple(lcd)), tuple(s["endpoints"]), d(s["body"]),
                     d(s["auth_info"]), int(s["account_number"]), int(s["sequence"]),
                     _Estimate(int(limit), price, int(fee), fee_denom), _Signer(address, d(pub) if pub else None),
                     d(s["sign_doc"]), s["digest"], s["preview"], s["review"])


# -- the store -------------------------------------------------------------------------------------------------

class _Memory:
    """One worker, no Redis: the documents in this process."""

    def __init__(self) -> None:
        self.docs: dict[str, dict] = {}
        self.claims: set[str] = set()

    def put(self, rid: str, doc: dict, ttl: int) -> None:
        self.docs[rid] = json.loads(json.dumps(doc))

    def get(self, rid: str) -> dict | None:
        doc = self.docs.get(rid)
        return json.loads(json.dumps(doc)) if doc is not None else None

    def claim(self, rid: str, ttl: int) -> bool:
        if rid in self.claims:
            return False
        self.claims.add(rid)
        return True


class _Redis:
    """Sealed documents in Redis: `secret-mcp:signreq:{<id>}` and its claim `...:claim`."""

    def __init__(self, url: str, client: Any, state_key: str) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        from .principals import derive_key

        self.url, self._client = url, client
        self._aead = AESGCM(derive_key(state_key, b"signing request"))

    @staticmethod
    def key(rid: str) -> str:
        from ..cache_backends import PREFIX

        return f"{PREFIX}signreq:{{{rid}}}"

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        from ..cache_backends import redis_errors, unavailable

        try:
            return fn(*args, **kwargs)
        except redis_errors() as exc:  # fail closed: nothing is broadcast on a request that could not be read
            raise unavailable(self.url, exc) from None

    def put(self, rid: str, doc: dict, ttl: int) -> None:
        nonce = secrets.token_bytes(12)
        blob = base64.b64encode(nonce + self._aead.encrypt(nonce, json.dumps(doc).encode(), rid.encode()))
        self._call(self._client.set, self.key(rid), blob, ex=ttl)

    def get(self, rid: str) -> dict | None:
        blob = self._call(self._client.get, self.key(rid))
        if not blob:
            return None
        raw = base64.b64decode(blob)
        try:
            return json.loads(self._aead.decrypt(raw[:12], raw[12:], rid.encode()))
        except Exception:  # sealed under another key, or swapped: as unknown as a made-up id
            return None

    def claim(self, rid: str, ttl: int) -> bool:
        return bool(self._call(self._client.set, self.key(rid) + ":claim", "1", nx=True, ex=ttl))


class RemoteSigning:
    """Installed on the App as `app.remote_signing` (tx/signing.find and signflow ask it first)."""

    def __init__(self, app: Any, config: Any, client: Any = None) -> None:
        self.app = app
        self.base_url = public_base(config)
        self.wait_seconds = float(getattr(config, "tx_wait_seconds", 60) or 60)
        if config.cache_url and client is not None:
            self.store: Any = _Redis(config.cache_url, client, config.state_key or "")
        else:
            self.store = _Memory()

    @staticmethod
    def _ttl(doc: dict) -> int:
        return max(60, int(doc["expires"] - time.time()) + signing.KEEP_SECONDS)

    # the MCP side -------------------------------------------------------------------------------------------

    def publish(self, req: signing.SigningRequest) -> str:
        """Store a request just opened by the running principal's call; its signing URL (with the token)."""
        principal = CURRENT.get()
        if principal is None:
            raise SecretMCPError("SIGNING_REQUEST_UNKNOWN", "A signing request needs a signed-in principal.", [])
        doc = {"pid": principal.id, "status": "awaiting_signature", "answer": None, "snap": snapshot(req)}
        self.store.put(req.id, doc, self._ttl(doc["snap"]))
        signing.forget(req.id)  # this worker serves it from the store, like every other worker
        return f"{self.base_url}/sign/{req.id}?t={req.token}"

    def find(self, request_id: str) -> signing.SigningRequest | None:
        """The request, only for the principal that opened it."""
        principal = CURRENT.get()
        doc = self.store.get(str(request_id)[:64])
        if doc is None or principal is None or not hmac.compare_digest(doc["pid"], principal.id):
            return None
        return self._request(doc)

    # the page side ------------------------------------------------------------------------------------------

    def find_with_token(self, request_id: str, token: str | None) -> signing.SigningRequest | None:
        doc = self.store.get(str(request_id)[:64])
        want = doc["snap"]["token_sha256"] if doc is not None else secrets.token_hex(32)
        ok = hmac.compare_digest(want, hashlib.sha256((token or "").encode()).hexdigest())
        return self._request(doc) if doc is not None and ok else None

    def _request(self, doc: dict) -> signing.SigningRequest:
        s = doc["snap"]
        rid = s["id"]

        async def carry(prepared: Any, raw: bytes | None) -> dict:
            if raw is None:
                raise SecretMCPError("INVALID_INPUT", "A remote server signs nothing itself.", [])
            if not await anyio.to_thread.run_sync(self.store.claim, rid, self._ttl(s)):
                raise SecretMCPError("SIGNING_REQUEST_USED", "This signing request was already answered; nothing "
                                     "more was broadcast.", ["Call the tool again for a new request."])
            await self._save(rid, "signed", None)
            try:
                answer = await broadcast(prepared, raw, self.wait_seconds)
            except BaseException:
                await self._save(rid, "failed", None)
                raise
            await self._save(rid, answer.get("status", "failed") if "error" not in answer else "failed", answer)
            return answer

        req = signing.SigningRequest(rid, "", s["mode"], _prepared_of(s), carry, self.app, s["expires"],
                                     s["amino_doc"], status=doc["status"], answer=doc["answer"])
        req.used = doc["status"] != "awaiting_signature"
        return req

    async def _save(self, rid: str, status: str, answer: dict | None) -> None:
        def write() -> None:
            doc = self.store.get(rid)
            if doc is not None:
                doc["status"], doc["answer"] = status, answer
                self.store.put(rid, doc, self._ttl(doc["snap"]))

        await anyio.to_thread.run_sync(write)

    async def decline(self, req: signing.SigningRequest) -> None:
        """Declined on the page: claimed like a signature, so no worker can broadcast it afterwards."""
        signing.usable(req)
        if not await anyio.to_thread.run_sync(self.store.claim, req.id, self._ttl({"expires": req.expires})):
            raise SecretMCPError("SIGNING_REQUEST_USED", "This signing request was already answered.", [])
        signing.decline(req)
        await self._save(req.id, "declined", {"status": "declined"})

    async def learned_key(self, req: signing.SigningRequest) -> None:
        """The wallet's key went into the auth info (pubkey route): every worker must see the new bytes."""
        def write() -> None:
            doc = self.store.get(req.id)
            if doc is not None and doc["status"] == "awaiting_signature":
                token_hash = doc["snap"]["token_sha256"]
                doc["snap"] = snapshot(req) | {"token_sha256": token_hash}
                self.store.put(req.id, doc, self._ttl(doc["snap"]))

        await anyio.to_thread.run_sync(write)


def public_base(config: Any) -> str:
    """Where people reach this server: `public_url`, else the origin of `oauth_audience` (never a Host header)."""
    configured = getattr(config, "public_url", None)
    if configured:
        return configured.rstrip("/")
    parts = urlsplit(config.oauth_audience or "")
    return f"{parts.scheme}://{parts.netloc}"


async def broadcast(prepared: Any, raw: bytes, wait: float) -> dict:
    """Broadcast the checked TxRaw to the request's own endpoint once, wait for its block; the page's answer."""
    import httpx

    txhash = build.tx_hash(raw)
    base = (prepared.endpoints or prepared.network.lcd_urls)[0].rstrip("/")
    async with httpx.AsyncClient(timeout=30) as http:
        try:
            reply = await http.post(base + TXS, json={"tx_bytes": build.b64(raw), "mode": "BROADCAST_MODE_SYNC"})
            response = reply.json().get("tx_response") or {}
        except (httpx.HTTPError, ValueError):
            response = None  # in doubt: the node may have it, only its hash can tell
        if response is not None and int(response.get("code", 0)) != 0:
            return {"status": "failed", "txhash": txhash, "error": {
                "code": "TX_REJECTED", "message": "The node refused the transaction; nothing was sent.",
                "suggestions": ["Call the tool again for a fresh request."],
                "details": {"txhash": txhash, "raw_log": str(response.get("raw_log", ""))[:500]}}}
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                found = await http.get(f"{base}{TXS}/{txhash}")
                tx = found.json().get("tx_response") if found.status_code == 200 else None
            except (httpx.HTTPError, ValueError):
                tx = None
            if tx:
                height, code = int(tx.get("height", 0)) or None, int(tx.get("code", 0))
                out = {"txhash": txhash, "height": height, "code": code}
                if code != 0:
                    return {"status": "failed", "txhash": txhash, "height": height, "error": {
                        "code": "TX_FAILED", "message": "The transaction was included but failed on chain.",
                        "suggestions": [], "details": out | {"raw_log": str(tx.get("raw_log", ""))[:500]}}}
                return {"status": "included", "txhash": txhash, "height": height, "result": out}
            await anyio.sleep(0.3)
    return {"status": "failed", "txhash": txhash, "error": {
        "code": "TX_UNKNOWN", "message": "Broadcast, but not seen in a block in time.",
        "suggestions": [f"secret_get_transaction with hash {txhash} tells whether it landed."],
        "details": {"txhash": txhash}}}


def install(app: Any, config: Any, client: Any = None) -> list:
    """Make `app` keep its signing requests remote; the page's routes to mount on the HTTP app."""
    from .. import signweb

    app.remote_signing = RemoteSigning(app, config, client)
    return signweb.routes()
