"""Confirmation codes for clients that cannot ask the person (no elicitation support).

A code is single-use, expires (5 minutes by default) and is bound to a SHA-256 digest of
(tool name, canonical JSON arguments, chain id). The server keeps the pending call: redeeming a code runs
exactly that call once. Replays, other arguments, another network and late codes are refused. This state is
server-side on purpose: MRTR request state can be replayed by a client, a one-time redemption cannot.

Where pending calls live: in this process's memory by default. With `cache_url` (Redis) they are shared,
so a code issued by one server process behind a load balancer can be redeemed on another: each code is a
Redis key holding the pending call as JSON, expiring a TTL after the code does (so a late redemption still
says "expired"), and redeeming swaps it for a "spent" marker in one Lua script, so of any number of
concurrent redemptions on any processes exactly one wins. Arguments that hold a secret (what `redact`
would mask, e.g. a viewing key in a contract message) never go to Redis: that code stays in the issuing
process's memory and is redeemed there only. Redis Cluster (`redis+cluster://`) works the same way: a code
is one key (`secret-mcp:confirm:<code>`) and the script touches only that key, so it runs on the node that
owns the key's slot, and codes spread over the cluster.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, Protocol

import attrs
from pydantic_core import to_jsonable_python

from ..errors import SecretMCPError

log = logging.getLogger(__name__)
SPENT = "spent"


def _numbers(value: Any) -> Any:
    # 10 and 10.0 are one argument: a default of 10 for a float parameter comes back from JSON as 10.0.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return value


def canonical(value: Any) -> str:
    # Models in arguments (a list of payments) count by their fields, so a digest survives a JSON round trip.
    return json.dumps(_numbers(to_jsonable_python(value, fallback=str)), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def call_summary(tool: str, args: dict[str, Any]) -> str:
    """A call as the audit log records it: the tool's name, then its arguments as canonical JSON."""
    return f"{tool} {canonical(args)}"


def call_digest(tool: str, args: dict[str, Any], chain_id: str) -> str:
    return hashlib.sha256(canonical([tool, args, chain_id]).encode()).hexdigest()


@attrs.frozen
class Pending:
    code: str
    tool: str
    args: dict[str, Any]
    chain_id: str
    digest: str
    preview: str
    expires_at: float
    sender: str | None = None  # the active wallet at issue, checked at redemption when processes share codes
    record: dict[str, Any] | None = None  # the prepared plan's sign doc as JSON (what another process signs)
    prepared: Any = attrs.field(default=None, eq=False)  # the prepared plan itself, in the issuing process

    @property
    def expires_iso(self) -> str:
        return datetime.fromtimestamp(self.expires_at, timezone.utc).isoformat(timespec="seconds")


def _new_code() -> str:
    text = base64.b32encode(secrets.token_bytes(10)).decode()  # 80 bits, no ambiguous padding
    return "-".join(text[i:i + 4] for i in range(0, 16, 4))


def _refuse(code: str, message: str) -> SecretMCPError:
    return SecretMCPError(code, message + " Nothing was done.", ["Call the original tool again to get a new code."])


class CodeStore(Protocol):
    def put(self, pending: Pending, keep_until: float) -> None: ...

    def take(self, code: str) -> Pending | None:
        """The pending call, burnt for good; None when unknown; CONFIRMATION_USED when already taken."""


class MemoryCodeStore:
    """This process only (the default)."""

    def __init__(self) -> None:
        self._pending: dict[str, tuple[Pending, float]] = {}
        self._spent: set[str] = set()  # codes already redeemed, so a replay gets a precise error
        self._lock = threading.Lock()  # take is check-and-remove: two racing redemptions must not both win

    def put(self, pending: Pending, keep_until: float) -> None:
        with self._lock:
            self._pending[pending.code] = (pending, keep_until)

    def take(self, code: str) -> Pending | None:
        with self._lock:
            if code in self._spent:
                raise _refuse("CONFIRMATION_USED", "This confirmation code was already used.")
            entry = self._pending.pop(code, None)
            if entry is None:
                return None
            self._spent.add(code)  # from here on the code is burnt, whatever the outcome
            return entry[0]

    def purge(self, now: float) -> None:
        with self._lock:
            for code in [c for c, (_p, keep_until) in self._pending.items() if keep_until <= now]:
                del self._pending[code]


# GET and swap for the spent marker in one step (KEEPTTL: the marker expires when the entry would have).
_TAKE = """
local v = redis.call('GET', KEYS[1])
if not v or v == ARGV[1] then return v end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
return v
"""


class RedisCodeStore:
    """Shared by every process on the same Redis or Redis Cluster (`cache_url`)."""

    def __init__(self, url: str, client: Any, clock: Callable[[], float] = time.time, key: bytes = b"") -> None:
        from ..cache_backends import PREFIX

        if len(key) < 32:
            raise ValueError("a shared state key of at least 32 bytes is needed")
        self.url, self._client, self.clock, self._key = url, client, clock, key
        self.prefix = PREFIX + "confirm:"
        self._take = client.register_script(_TAKE)

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        from ..cache_backends import redis_errors, unavailable

        try:
            return fn(*args, **kwargs)
        except redis_errors() as exc:  # fail closed: no code is issued or honoured without the store
            raise unavailable(self.url, exc) from None

    def _mac(self, code: str, payload: str) -> str:
        # Bound to the code too, so a valid entry cannot be copied under another code.
        return hmac.new(self._key, f"{code}\n{payload}".encode(), hashlib.sha256).hexdigest()

    def put(self, pending: Pending, keep_until: float) -> None:
        record = attrs.asdict(pending, filter=lambda a, _v: a.name != "prepared")
        payload = json.dumps(record | {"args": to_jsonable_python(pending.args, fallback=str)})
        ttl_ms = max(1, int((keep_until - self.clock()) * 1000))
        sealed = json.dumps({"mac": self._mac(pending.code, payload), "payload": payload})
        self._call(self._client.set, self.prefix + pending.code, sealed, px=ttl_ms)

    def take(self, code: str) -> Pending | None:
        raw = self._call(self._take, keys=[self.prefix + code], args=[SPENT])
        if raw is None:
            return None
        if raw == SPENT:
            raise _refuse("CONFIRMATION_USED", "This confirmation code was already used.")
        try:
            sealed = json.loads(raw)
            payload = sealed["payload"]
            genuine = hmac.compare_digest(str(sealed["mac"]), self._mac(code, payload))
        except (ValueError, KeyError, TypeError):
            genuine = False
        if not genuine:  # written by something that does not hold the state key: never act on it
            log.warning("a pending call in Redis failed its integrity check; refused")
            raise _refuse("CONFIRMATION_FORGED", "This pending action failed its integrity check.")
        return Pending(**json.loads(payload))


def _holds_secret(tool: str, args: dict[str, Any]) -> bool:
    """Would redaction change these arguments? Also in the audit summary's form (`tool {args}`), where a
    set_viewing_key call's `key` is recognised whatever its length or shape."""
    from .redact import redact, redact_text

    plain = to_jsonable_python(args, fallback=str)
    summary = call_summary(tool, args)
    return redact(plain) != plain or redact_text(summary) != summary


class ConfirmationCodes:
    def __init__(
        self,
        ttl_seconds: float = 300,
        clock: Callable[[], float] = time.time,
        *,
        shared: CodeStore | None = None,
        revive: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None,
        sender: Callable[[], str | None] | None = None,
        record: Callable[[Any], dict[str, Any]] | None = None,
    ) -> None:
        """`shared`: the Redis store of `cache_url`; `revive(tool, args)` turns JSON arguments read back from
        it into the tool's parameter types (models), as the MCP layer had validated them on the issuing side;
        `sender()`: the active wallet's address. Processes behind a load balancer do not share sessions, so
        a code redeemed elsewhere must find the same active wallet there, or it would sign with another."""
        self.ttl = ttl_seconds
        self.clock = clock
        self._local = MemoryCodeStore()
        self._shared = shared
        self._revive = revive
        self._sender = sender
        self._record = record  # a prepared plan -> its JSON record (tx.carry.to_record, handed in by the App)
        # Prepared plans of codes kept in Redis, so this process redeems its own codes without re-planning.
        self._prepared: dict[str, tuple[Any, float]] = {}

    def issue(self, tool: str, args: dict[str, Any], chain_id: str, preview: str, *, prepared: Any = None) -> Pending:
        if prepared is not None and self._record is None:
            raise ValueError("ConfirmationCodes needs record= to keep a prepared plan")
        pending = Pending(
            _new_code(), tool, dict(args), chain_id, call_digest(tool, args, chain_id), preview, self.clock() + self.ttl,
            self._sender() if self._sender is not None else None,
            self._record(prepared) if prepared is not None else None, prepared,
        )
        self.purge()
        keep_until = pending.expires_at + self.ttl  # kept that long so a late redemption says "expired"
        # A secret in the arguments or messages, or a contract call whose answer only this process can decrypt.
        secret = _holds_secret(tool, pending.args) or (
            prepared is not None and (prepared.plan.holds_secret or prepared.plan.decrypt is not None))
        if self._shared is not None and not secret:
            self._shared.put(pending, keep_until)
            if prepared is not None:
                self._prepared[pending.code] = (prepared, keep_until)
        else:
            if self._shared is not None:
                log.info("confirmation for %s holds a secret: kept in this process only", tool)
            self._local.put(pending, keep_until)
        return pending

    def _take(self, key: str) -> Pending | None:
        pending = self._local.take(key)
        if pending is None and self._shared is not None:
            pending = self._shared.take(key)
            if pending is not None and self._revive is not None:
                pending = attrs.evolve(pending, args=self._revive(pending.tool, pending.args))
            kept = self._prepared.pop(key, None)
            if pending is not None and kept is not None:
                pending = attrs.evolve(pending, prepared=kept[0])
        return pending

    def redeem(self, code: str, *, chain_id: str, tool: str | None = None, args: dict[str, Any] | None = None) -> Pending:
        """Take the pending call for `code` (it can never be taken again) after every check passed."""
        key = (code or "").strip().upper()
        pending = self._take(key) if len(key) <= 32 else None  # a code is 19 characters
        if pending is None:
            raise _refuse("CONFIRMATION_UNKNOWN", "There is no pending action with this confirmation code.")
        if self.clock() >= pending.expires_at:
            raise _refuse("CONFIRMATION_EXPIRED", "This confirmation code has expired.")
        if call_digest(pending.tool, pending.args, chain_id) != pending.digest:
            raise _refuse("CONFIRMATION_MISMATCH", "The network changed since the code was issued.")
        if pending.sender is not None and self._sender is not None and self._sender() != pending.sender:
            raise _refuse("CONFIRMATION_MISMATCH", "The active wallet differs from the one the code was issued for.")
        if (tool is not None or args is not None) and call_digest(
            tool if tool is not None else pending.tool, args if args is not None else pending.args, chain_id
        ) != pending.digest:
            raise _refuse("CONFIRMATION_MISMATCH", "The tool or arguments differ from what the code confirms.")
        return pending

    def purge(self) -> None:
        """Forget local codes expired for longer than a TTL (Redis entries expire by themselves)."""
        now = self.clock()
        self._local.purge(now)
        for code in [c for c, (_p, until) in self._prepared.items() if until <= now]:
            del self._prepared[code]


def shared_codes(config: Any, clock: Callable[[], float], *, revive: Callable[[str, dict[str, Any]], dict[str, Any]],
                 sender: Callable[[], str | None]) -> dict[str, Any]:
    """ConfirmationCodes keywords for the App's config: the Redis store of `cache_url` (pinged now, so a bad
    URL or an unreachable Redis stops start-up with an error naming cache_url), or nothing. `revive(tool, args)`
    turns JSON arguments back into the tool's types; `sender()` is the active wallet's address."""
    url = config.cache_url
    if not url:
        return {}
    from ..cache_backends import connect_redis

    key = (config.state_key or "").encode()
    if len(key) < 32:
        from ..errors import ConfigError

        raise ConfigError("state_key", "With cache_url, state_key must be a shared secret of at least 32 characters: "
                          "pending calls in Redis carry an HMAC under it, so whoever can write Redis cannot forge one.",
                          ["Set state_key (or SECRET_MCP_STATE_KEY) to the same random value on every process."])
    return {"shared": RedisCodeStore(url, connect_redis(url, check=True), clock, key), "revive": revive,
            "sender": sender}


def revive_args(fn: Callable[..., Any], args: dict[str, Any]) -> dict[str, Any]:
    """JSON arguments as `fn`'s parameter types (a list of payment dicts becomes a list of Payment models)."""
    import typing

    from pydantic import TypeAdapter

    hints = typing.get_type_hints(fn, include_extras=True)
    return {name: TypeAdapter(hints[name]).validate_python(value) if name in hints else value
            for name, value in args.items()}
