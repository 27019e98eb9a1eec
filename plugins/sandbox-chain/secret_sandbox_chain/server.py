"""The loopback LCD server: a lean ASGI app (routes from the chain's modules), fault injection, admin API."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import socket
import threading
from typing import Any, Callable
from urllib.parse import parse_qs

import attrs
import uvicorn

from .chain import Chain, ChainConfig
from .crypto import bech32_decode
from .base import LCDError, Request, Route, TxError

log = logging.getLogger(__name__)

_HTTP_STATUS = {3: 400, 5: 404, 16: 401, 2: 500, 13: 500, 12: 501, 14: 503}
_RUNNING: dict[str, "SandboxServer"] = {}
_RUNNING_LOCK = threading.Lock()
BROADCAST_FAULTS = ("", "503", "malformed")


def find_server(url: str) -> "SandboxServer | None":
    """The in-process sandbox serving `url` (trailing slash ignored), if any."""
    with _RUNNING_LOCK:
        return _RUNNING.get(url.rstrip("/"))


def running_servers() -> list["SandboxServer"]:
    with _RUNNING_LOCK:
        return list(_RUNNING.values())


@attrs.define
class Faults:
    """Fault injection switches (all off by default). Random choices come from a seeded generator."""

    latency_ms: int = 0
    error_rate: float = 0.0  # fraction of chain requests answered 503
    malformed_rate: float = 0.0  # fraction answered 200 with truncated JSON
    down: bool = False  # connections are closed without an answer
    drop_next_broadcast: bool = False  # commit the next broadcast tx, then never answer
    # commit the next broadcast tx, then answer "503" (a proxy page) or "malformed" (truncated JSON); one-shot
    broadcast_fault: str = ""
    # these chain paths (and those under an entry ending in "/") answer 500 with a gRPC status body, as a node
    # whose one lookup broke
    failing_paths: tuple[str, ...] = ()
    seed: int = 0
    rng: random.Random = attrs.field(factory=lambda: random.Random(0), repr=False)

    def update(self, **changes: Any) -> None:
        known = {"latency_ms", "error_rate", "malformed_rate", "down", "drop_next_broadcast", "broadcast_fault",
                 "failing_paths", "seed"}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        if str(changes.get("broadcast_fault", "")) not in BROADCAST_FAULTS:
            raise ValueError(f"broadcast_fault must be one of {', '.join(map(repr, BROADCAST_FAULTS))}")
        for key in ("error_rate", "malformed_rate"):
            if key in changes and not 0 <= float(changes[key]) <= 1:
                raise ValueError(f"{key} must be between 0 and 1")
        paths = changes.get("failing_paths", ())
        if isinstance(paths, str) or not all(isinstance(p, str) and p.startswith("/") for p in paths):
            raise ValueError("failing_paths must be a list of paths starting with /")
        casts = {"latency_ms": int, "error_rate": float, "malformed_rate": float, "down": bool,
                 "drop_next_broadcast": bool, "broadcast_fault": str, "failing_paths": tuple, "seed": int}
        for key, value in changes.items():
            setattr(self, key, casts[key](value))
        if "seed" in changes:
            self.rng = random.Random(self.seed)

    def reset(self) -> None:
        self.update(latency_ms=0, error_rate=0.0, malformed_rate=0.0, down=False, drop_next_broadcast=False,
                    broadcast_fault="", failing_paths=(), seed=self.seed)

    def as_dict(self) -> dict:
        return {"latency_ms": self.latency_ms, "error_rate": self.error_rate, "malformed_rate": self.malformed_rate,
                "down": self.down, "drop_next_broadcast": self.drop_next_broadcast,
                "broadcast_fault": self.broadcast_fault, "failing_paths": list(self.failing_paths), "seed": self.seed}


class _UvicornServer(uvicorn.Server):
    """uvicorn polls `should_exit` every 0.1 s; waking on an event makes stop() (and many test chains) fast."""

    wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self.wake = asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter += 1
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=0.1)
            except asyncio.TimeoutError:
                pass
            should_exit = await self.on_tick(counter)


class _Abort(Exception):
    """Raised after the response has started: uvicorn then closes the connection mid-answer."""


def _compile(path: str):
    import re

    pattern, names = "", []
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{"):
            name = part[1:-1]
            if name.endswith("=**"):
                names.append(name[:-3])
                pattern += r"(.+)"
            else:
                names.append(name)
                pattern += r"([^/]+)"
        else:
            pattern += re.escape(part)
    return re.compile(pattern + r"\Z"), names


class Router:
    def __init__(self, routes: list[Route]) -> None:
        self._static: dict[tuple[str, str], Callable] = {}
        self._dynamic: list[tuple[str, Any, list[str], Callable]] = []
        for r in routes:
            if "{" not in r.path:
                self._static[(r.method, r.path)] = r.handler
            else:
                rx, names = _compile(r.path)
                self._dynamic.append((r.method, rx, names, r.handler))
        # fewer parameters first, so /blocks/latest beats /blocks/{height} style overlaps
        self._dynamic.sort(key=lambda d: (len(d[2]), "=**" in d[1].pattern))

    def match(self, method: str, path: str) -> tuple[Callable, dict[str, str]] | None:
        handler = self._static.get((method, path))
        if handler is not None:
            return handler, {}
        for m, rx, names, handler in self._dynamic:
            if m == method:
                hit = rx.match(path)
                if hit:
                    return handler, dict(zip(names, hit.groups()))
        return None


def _error_body(code: int, message: str) -> dict:
    return {"code": code, "message": message, "details": []}


class SandboxServer:
    """A running sandbox: `.url`, `.chain`, `.faults`, `.faucet()`, `.stop()`."""

    def __init__(self, chain: Chain, host: str = "127.0.0.1", port: int = 0, *, owns_chain: bool = True) -> None:
        self.chain = chain
        self.owns_chain = owns_chain  # False for a replica: stopping it leaves the shared chain running
        self.faults = Faults()
        routes = [r for m in chain.modules for r in m.routes()]
        self.router = Router(routes)
        self._sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit this on Linux; without it the header/body writes meet delayed ACKs (+40 ms)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.bind((host, port))
        self.host, self.port = host, self._sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.port}"
        self._hang: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        config = uvicorn.Config(self._asgi, interface="asgi3", log_level="critical", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=1, log_config=None, proxy_headers=False)
        self._uvicorn = _UvicornServer(config)
        self._thread: threading.Thread | None = None
        self._stopped = False

    # ---- lifecycle
    def start(self) -> "SandboxServer":
        self._thread = threading.Thread(target=self._run, name=f"sandbox-lcd-{self.port}", daemon=True)
        self._thread.start()
        while not self._uvicorn.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"sandbox server failed to start on {self.url}")
            self._thread.join(0.01)
        with _RUNNING_LOCK:
            _RUNNING[self.url] = self
        return self

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._hang = asyncio.Event()
            await self._uvicorn.serve(sockets=[self._sock])

        asyncio.run(main())

    def stop(self) -> None:
        if self._stopped:  # idempotent: a test's cleanup may stop a server the test already stopped
            return
        self._stopped = True
        with _RUNNING_LOCK:
            _RUNNING.pop(self.url, None)
        self._uvicorn.should_exit = True
        if self._loop is not None and self._hang is not None:
            self._loop.call_soon_threadsafe(self._hang.set)
            if self._uvicorn.wake is not None:
                self._loop.call_soon_threadsafe(self._uvicorn.wake.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._sock.close()
        if self.owns_chain:
            self.chain.close()

    def __enter__(self) -> "SandboxServer":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def replica(self, port: int = 0) -> "SandboxServer":
        """Start a second LCD server over this same chain (its own port and faults), like a second node of one
        network: for failover tests. `port` may be one a stopped replica used, to bring an endpoint back."""
        return SandboxServer(self.chain, self.host, port, owns_chain=False).start()

    # ---- Python API
    def faucet(self, address: str, amount: int = 1_000_000_000, denom: str = "uscrt") -> dict:
        bech32_decode(address)  # ValueError for nonsense before a tx is built
        return self.chain.faucet(address, int(amount), denom)

    def set_faults(self, **changes: Any) -> dict:
        self.faults.update(**changes)
        return self.faults.as_dict()

    # ---- ASGI
    async def _asgi(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path, method = scope["path"], scope["method"]
        if path.startswith("/sandbox/admin/"):
            status, payload = self._admin(method, path, body)
            await self._send(send, status, json.dumps(payload, separators=(",", ":")).encode())
            return
        faults = self.faults
        if faults.down:
            await self._abort(send)
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.error_rate and faults.rng.random() < faults.error_rate:
            await self._send(send, 503, b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
                             "text/html")
            return
        if faults.failing_paths and any(path == p or (p.endswith("/") and path.startswith(p))
                                        for p in faults.failing_paths):
            body = _error_body(2, f"sandbox fault injection: {path} failed: unknown request")
            await self._send(send, 500, json.dumps(body, separators=(",", ":")).encode())
            return
        malformed = bool(faults.malformed_rate) and faults.rng.random() < faults.malformed_rate
        status, payload = self._dispatch(method, path, scope.get("query_string", b""), body, scope)
        data = json.dumps(payload, separators=(",", ":")).encode()
        if malformed:
            data = data[: max(1, len(data) // 2)]
        if (method, path) == ("POST", "/cosmos/tx/v1beta1/txs") and faults.drop_next_broadcast and status == 200:
            faults.drop_next_broadcast = False
            assert self._hang is not None
            await self._hang.wait()  # committed, but the answer never comes (until the server stops)
            await self._abort(send)
        if (method, path) == ("POST", "/cosmos/tx/v1beta1/txs") and faults.broadcast_fault and status == 200:
            kind, faults.broadcast_fault = faults.broadcast_fault, ""
            if kind == "503":  # committed, but a proxy in front answers with its own error page
                await self._send(send, 503, b"<html><body><h1>503 Service Unavailable</h1></body></html>", "text/html")
                return
            data = data[: max(1, len(data) // 2)]  # committed, but the answer arrives cut short
        await self._send(send, status, data)

    async def _send(self, send: Callable, status: int, data: bytes, ctype: str = "application/json") -> None:
        headers = [(b"content-type", ctype.encode()), (b"content-length", str(len(data)).encode()),
                   (b"grpc-metadata-x-cosmos-block-height", str(self.chain.height).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    @staticmethod
    async def _abort(send: Callable) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]})
        raise _Abort("sandbox fault injection: connection dropped")

    def _dispatch(self, method: str, path: str, query_string: bytes, body: bytes, scope: dict) -> tuple[int, Any]:
        hit = self.router.match(method, path)
        if hit is None:
            return 501, _error_body(12, "Not Implemented")
        handler, params = hit
        parsed: Any = None
        if method == "POST":
            try:
                parsed = json.loads(body or b"{}")
            except ValueError as exc:
                return 400, _error_body(3, f"invalid character in request body: {exc}")
        query = parse_qs(query_string.decode("latin-1"), keep_blank_values=True)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        req = Request(self.chain, params, query, parsed, headers)
        try:
            with self.chain.lock:
                return 200, handler(req)
        except LCDError as err:
            return _HTTP_STATUS.get(err.grpc_code, 500), _error_body(err.grpc_code, err.message)
        except Exception:  # a bug in a handler: answer like a node would, keep the traceback in the log
            log.exception("sandbox: %s %s failed", method, path)
            return 500, _error_body(2, "internal error: unknown request")

    # ---- admin endpoints (not chain paths; never subject to faults)
    def _admin(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        try:
            data = json.loads(body or b"{}") if method == "POST" else {}
            if not isinstance(data, dict):
                raise ValueError("the body must be a JSON object")
            name = path.removeprefix("/sandbox/admin/")
            if name == "faults":
                if method == "POST":
                    if data.get("reset"):
                        self.faults.reset()
                        data = {k: v for k, v in data.items() if k != "reset"}
                    self.faults.update(**data)
                return 200, self.faults.as_dict()
            if name == "faucet" and method == "POST":
                address = str(data.get("address", ""))
                amount = int(data.get("amount", 1_000_000_000))
                if amount <= 0:
                    raise ValueError("amount must be positive")
                result = self.faucet(address, amount, str(data.get("denom") or "uscrt"))
                return 200, {**result, "address": address, "amount": str(amount)}
            if name == "advance" and method == "POST":
                self.chain.advance(int(data.get("blocks", 1)), float(data.get("seconds", 0)))
                return 200, {"height": str(self.chain.height)}
            if name == "info" and method == "GET":
                from .chain import GENESIS_ADDRESSES

                return 200, {"chain_id": self.chain.chain_id, "height": str(self.chain.height),
                             "accounts": GENESIS_ADDRESSES, "faucet": self.chain.faucet_address(),
                             "block_time_ms": self.chain.config.block_time_ms}
            return 404, {"error": f"no admin endpoint {method} {path}"}
        except (ValueError, TypeError) as exc:
            return 400, {"error": str(exc)}
        except TxError as exc:
            return 500, {"error": exc.log, "code": exc.code, "codespace": exc.codespace}


def launch_server(*, host: str = "127.0.0.1", port: int = 0, state_dir: str | None = None, block_time_ms: int = 0,
                  chain_id: str = "secret-sandbox-1", **config: Any) -> SandboxServer:
    chain = Chain(ChainConfig(chain_id=chain_id, block_time_ms=block_time_ms,
                              state_dir=str(state_dir) if state_dir else None, **config))
    try:
        return SandboxServer(chain, host, port).start()
    except BaseException:
        chain.close()
        raise
