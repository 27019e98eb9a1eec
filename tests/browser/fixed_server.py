"""A stand-in for the signing server, for the page-only tests: it serves the packaged page with the contract's
CSP and one fixed request, and keeps what the page posts (verified against the signer's public key).

The request is real: a MsgSend's TxBody/AuthInfo built by the core's own tx builder for a real key, and the
amino StdSignDoc of the same send. The real server (secret_mcp's signing server) replaces this in test_signing.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'")
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
CHAIN_ID = "secret-sandbox-1"
TOKEN = "t0ken-for-the-page-test"
RID = "req1"


def web_file(name: str) -> bytes:
    return resources.files("secret_mcp").joinpath("web", name).read_bytes()


def amino_bytes(doc: dict) -> bytes:
    """cosmjs' serializeSignDoc: sorted compact JSON with <, > and & escaped."""
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e").encode()


def verify(pub_key_b64: str, signature_b64: str, message: bytes) -> bool:
    import ecdsa

    vk = ecdsa.VerifyingKey.from_string(base64.b64decode(pub_key_b64), curve=ecdsa.SECP256k1)
    try:
        return vk.verify(base64.b64decode(signature_b64), message, hashfunc=hashlib.sha256)
    except ecdsa.BadSignatureError:
        return False


def fixed_request(key: Any, to: str, *, mode: str = "wallet", memo: str = "", status: str = "awaiting_signature",
                  expires_at: str | None = None, url: str = "http://127.0.0.1:1") -> dict:
    """The request JSON of contract section 2 for sending 1.5 SCRT from `key` to `to`."""
    from secret_sdk.protobuf.cosmos.bank.v1beta1 import MsgSend
    from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin

    from secret_mcp.tx import build

    if expires_at is None:  # ten minutes, as the real server gives
        expires_at = (datetime.now(timezone.utc) + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sender = key.acc_address
    msg = build.as_msg(MsgSend(from_address=sender, to_address=to, amount=[Coin(denom="uscrt", amount="1500000")]))
    body = build.body_bytes([msg], memo)
    auth = build.auth_info_bytes(key.public_key.key, 3, 2500, "uscrt", 25_000)
    digest = hashlib.sha256(build.sign_doc(body, auth, CHAIN_ID, 7)).hexdigest()
    amino = {"chain_id": CHAIN_ID, "account_number": "7", "sequence": "3",
             "fee": {"amount": [{"denom": "uscrt", "amount": "2500"}], "gas": "25000"},
             "msgs": [{"type": "cosmos-sdk/MsgSend", "value": {"from_address": sender, "to_address": to,
                                                               "amount": [{"denom": "uscrt", "amount": "1500000"}]}}],
             "memo": memo}
    review = {
        "action": f"Send 1.5 SCRT (1500000uscrt) to {to}", "tool": "secret_send",
        "from": {"wallet": "mine", "address": sender}, "signer": "wallet",
        "receivers": [{"address": to, "allow_list": "not_allowed"}],
        "amounts": [{"denom": "uscrt", "amount": "1500000", "display": "1.5 SCRT (1500000uscrt)"}],
        "tokens": [], "lines": [f"Memo from chain: {memo}"] if memo else [], "memo": memo,
        "messages": [{"type": "/cosmos.bank.v1beta1.MsgSend", "value": {
            "from_address": sender, "to_address": to, "amount": [{"denom": "uscrt", "amount": "1500000"}]}}],
        "fee": {"denom": "uscrt", "amount": "2500", "display": "0.0025 SCRT (2500uscrt)", "gas_limit": 25000, "gas_price": "0.1"},
        "balance": {"before": [{"denom": "uscrt", "amount": "5000000", "display": "5 SCRT (5000000uscrt)"}],
                    "after": [{"denom": "uscrt", "amount": "3497500", "display": "3.4975 SCRT (3497500uscrt)"}]},
        "network": {"name": "sandbox", "chain_id": CHAIN_ID, "simulated": True, "real_funds": False, "endpoints": [url]},
        "sign_doc": {"digest": digest, "short": digest[:16], "sequence": 3, "account_number": 7},
        "text": "",
    }
    return {
        "request_id": RID, "expires_at": expires_at, "status": status, "mode": mode,
        "chain": {"chain_id": CHAIN_ID, "chain_name": "secret-mcp sandbox", "rest": url, "rpc": url,
                  "bech32_prefix": "secret", "denom": "uscrt", "display_denom": "SCRT", "decimals": 6,
                  "gas_price": "0.1", "simulated": True},
        "signer": {"address": sender, "pub_key": build.b64(key.public_key.key)}, "review": review,
        "sign_doc": {"direct": {"body_bytes": build.b64(body), "auth_info_bytes": build.b64(auth),
                                "chain_id": CHAIN_ID, "account_number": "7"},
                     "amino": amino},
    }


class FixedServer:
    """ThreadingHTTPServer on 127.0.0.1: the page, its assets, one request; POSTs are kept in `posts`."""

    def __init__(self) -> None:
        self.request: dict = {}
        self.posts: list[tuple[str, dict]] = []
        self.answer: dict = {"status": "included", "txhash": "AB" * 32, "height": 42, "result": {"status": "success"}}
        self.answer_error: dict | None = None  # answered with HTTP 409 instead, when set
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def _send(self, code: int, body: bytes, ctype: str = "application/json") -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Security-Policy", CSP)
                self.send_header("Cache-Control", "no-store")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _route(self) -> tuple[list[str], bool]:
                parts = urlsplit(self.path)
                ok = parse_qs(parts.query).get("t") == [TOKEN]
                return [p for p in parts.path.split("/") if p], ok

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                path, ok = self._route()
                if len(path) == 2 and path[0] == "static" and path[1] in {"sign.js", "sign.css", "review.js", "review.css"}:
                    return self._send(200, web_file(path[1]), TYPES["." + path[1].rsplit(".", 1)[1]])
                if path == ["sign", RID] and ok:
                    return self._send(200, web_file("sign.html"), TYPES[".html"])
                if path == ["sign", RID, "request"] and ok:
                    return self._send(200, json.dumps(outer.request).encode())
                return self._send(404, b'{"error": {"code": "NOT_FOUND", "message": "no such page"}}')

            def do_POST(self) -> None:  # noqa: N802
                path, ok = self._route()
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if len(path) == 3 and path[:2] == ["sign", RID] and ok:
                    outer.posts.append((path[2], body))
                    if outer.answer_error is not None:
                        return self._send(409, json.dumps(outer.answer_error).encode())
                    if outer.answer.get("status") == "failed":  # broadcast, failed on chain
                        return self._send(422, json.dumps(outer.answer).encode())
                    if path[2] == "decline":
                        return self._send(200, b'{"status": "declined"}')
                    return self._send(200, json.dumps(outer.answer).encode())
                return self._send(404, b'{"error": {"code": "NOT_FOUND", "message": "no such page"}}')

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.page_url = f"{self.url}/sign/{RID}?t={TOKEN}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "FixedServer":
        self.thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
