"""Per-principal request limits at the HTTP layer: a token bucket, and a cap on open sessions.

The bucket holds `rate_limit_burst` requests and refills at `rate_limit_per_minute`; a request finding it
empty gets 429 with Retry-After (seconds until one token is back). With `cache_url` the bucket is one Redis
hash per principal, updated by a Lua script (one round trip, atomic), so the limit holds across workers;
without it, each worker keeps its own buckets.

The session cap counts handshake-era sessions (the `Mcp-Session-Id` the server hands out on `initialize`):
a principal with `max_sessions_per_principal` open sessions gets 429 for another `initialize` until one is
closed (DELETE) or idle past the SDK's idle timeout. 2026-era requests open no session.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from typing import Any, Callable

import anyio

from ..errors import SecretMCPError

log = logging.getLogger("secret_mcp.auth")

SESSION_IDLE_SECONDS = 30 * 60  # the SDK's session idle timeout: a session unused that long is gone

# KEYS[1]: the bucket; ARGV: rate per ms, burst, now in ms. Returns {allowed (0/1), ms until a token is back}.
_TAKE = """
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens, ts = tonumber(b[1]), tonumber(b[2])
if tokens == nil then tokens, ts = burst, now end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed, wait = 0, 0
if tokens >= 1 then tokens, allowed = tokens - 1, 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return {allowed, wait}
"""


class Buckets:
    def __init__(self, per_minute: int, burst: int, client: Any = None, url: str = "",
                 clock: Callable[[], float] = time.time) -> None:
        self.rate_ms = per_minute / 60_000.0
        self.burst, self.client, self.url, self.clock = burst, client, url, clock
        self._take = client.register_script(_TAKE) if client is not None else None
        self._local: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, pid: str) -> float:
        """0 when the request may go on, else the seconds to wait."""
        now = int(self.clock() * 1000)
        if self._take is not None:
            from ..cache_backends import PREFIX, redis_errors, unavailable

            try:
                allowed, wait = self._take(keys=[f"{PREFIX}rate:{{{pid}}}"], args=[repr(self.rate_ms), self.burst, now])
            except redis_errors() as exc:
                raise unavailable(self.url, exc) from None
            return 0.0 if int(allowed) else int(wait) / 1000
        with self._lock:
            tokens, ts = self._local.get(pid, (float(self.burst), now))
            tokens = min(self.burst, tokens + max(0, now - ts) * self.rate_ms)
            if tokens >= 1:
                self._local[pid] = (tokens - 1, now)
                return 0.0
            self._local[pid] = (tokens, now)
            return (1 - tokens) / self.rate_ms / 1000


class Sessions:
    """Open handshake-era sessions per principal: a Redis sorted set (id -> last use), or a dict per worker."""

    def __init__(self, cap: int, client: Any = None, clock: Callable[[], float] = time.time) -> None:
        self.cap, self.client, self.clock = cap, client, clock
        self._local: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _key(pid: str) -> str:
        from ..cache_backends import PREFIX

        return f"{PREFIX}sessions:{{{pid}}}"

    def open_count(self, pid: str) -> int:
        cutoff = self.clock() - SESSION_IDLE_SECONDS
        if self.client is not None:
            pipe = self.client.pipeline()
            pipe.zremrangebyscore(self._key(pid), "-inf", cutoff)
            pipe.zcard(self._key(pid))
            return int(pipe.execute()[1])
        with self._lock:
            mine = self._local.setdefault(pid, {})
            for sid in [s for s, t in mine.items() if t <= cutoff]:
                del mine[sid]
            return len(mine)

    def seen(self, pid: str, sid: str, *, new: bool = False) -> None:
        now = self.clock()
        if self.client is not None:
            pipe = self.client.pipeline()
            pipe.zadd(self._key(pid), {sid: now}, xx=not new)
            pipe.expire(self._key(pid), SESSION_IDLE_SECONDS)
            pipe.execute()
            return
        with self._lock:
            mine = self._local.setdefault(pid, {})
            if new or sid in mine:
                mine[sid] = now

    def closed(self, pid: str, sid: str) -> None:
        if self.client is not None:
            self.client.zrem(self._key(pid), sid)
            return
        with self._lock:
            self._local.get(pid, {}).pop(sid, None)


def _unavailable(exc: SecretMCPError) -> Any:
    from starlette.responses import JSONResponse

    return JSONResponse({"error": exc.to_dict()}, status_code=503, headers={"Retry-After": "5"})


def _too_many(message: str, retry_after: float) -> Any:
    from starlette.responses import JSONResponse

    seconds = max(1, math.ceil(retry_after))
    body = {"error": {"code": "RATE_LIMITED", "message": message, "retry_after": seconds}}
    return JSONResponse(body, status_code=429, headers={"Retry-After": str(seconds)})


async def _read_body(receive: Any) -> tuple[bytes, list[dict]]:
    chunks, messages = [], []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks), messages


def _is_initialize(body: bytes) -> bool:
    if b"initialize" not in body:  # most requests: no JSON parse
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("method") == "initialize"


class PrincipalLimits:
    """ASGI middleware behind the SDK's authentication (it reads `scope["user"]`)."""

    def __init__(self, app: Any, buckets: Buckets, sessions: Sessions, principal_of: Callable[[Any], str]) -> None:
        self.app, self.buckets, self.sessions, self.principal_of = app, buckets, sessions, principal_of

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser

        user = scope.get("user")
        if scope["type"] != "http" or not isinstance(user, AuthenticatedUser):
            await self.app(scope, receive, send)  # the SDK answers 401 for these
            return
        pid = self.principal_of(user.access_token)
        try:
            refusal, receive, send = await self._admit(scope, receive, send, pid)
        except SecretMCPError as exc:  # the shared store is down: fail closed, say why
            refusal = _unavailable(exc)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _admit(self, scope: dict, receive: Any, send: Any, pid: str) -> tuple[Any, Any, Any]:
        """(a refusal response or None, the receive and send to go on with)."""
        wait = await anyio.to_thread.run_sync(self.buckets.take, pid)
        if wait > 0:
            return _too_many("Too many requests for this account; slow down.", wait), receive, send
        headers = dict(scope.get("headers") or ())
        sid = headers.get(b"mcp-session-id", b"").decode("latin-1")
        method = scope.get("method")
        if sid:
            if method == "DELETE":
                await anyio.to_thread.run_sync(self._store, self.sessions.closed, pid, sid)
            else:
                await anyio.to_thread.run_sync(self._store, self.sessions.seen, pid, sid)
        elif method == "POST":
            body, messages = await _read_body(receive)
            if _is_initialize(body) and await anyio.to_thread.run_sync(
                    self._store, self.sessions.open_count, pid) >= self.sessions.cap:
                return _too_many("Too many open sessions for this account; close one first.", 60), receive, send
            receive = _replay(messages, receive)
            send = self._noting_new_session(send, pid)
        return None, receive, send

    def _store(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        from ..cache_backends import redis_errors, unavailable

        try:
            return fn(*args, **kwargs)
        except redis_errors() as exc:
            raise unavailable(self.buckets.url, exc) from None

    def _noting_new_session(self, send: Any, pid: str) -> Any:
        async def noting(message: dict) -> None:
            if message["type"] == "http.response.start":
                for key, value in message.get("headers") or ():
                    if key.lower() == b"mcp-session-id":
                        new = value.decode("latin-1")
                        try:
                            await anyio.to_thread.run_sync(lambda: self._store(self.sessions.seen, pid, new, new=True))
                        except SecretMCPError as exc:  # the session is open anyway; it is counted when next seen
                            log.warning("session count not updated: %s", exc.message)
            await send(message)

        return noting


def _replay(messages: list[dict], receive: Any) -> Any:
    pending = list(messages)

    async def replayed() -> dict:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
