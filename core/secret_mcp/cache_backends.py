"""Where the cache keeps its entries: diskcache (embedded default) or Redis (`cache_url`, shared by processes).

A store is bound to one namespace and takes keys relative to it (`data_class|key`, `@address|<address>`).
Both give the same behaviour: values are JSON text that expire after their TTL; an address index lists the
keys fetched for an address and lives as long as the longest entry it points at; `clear()` empties only
this namespace.

Redis uses the synchronous redis-py client on purpose: the Cache's `invalidate_address`/`clear` and the
confirmation codes' `issue`/`redeem` are synchronous APIs called from synchronous code (the transaction
pipeline, the confirmation wrapper), and the asyncio client binds its connections to one event loop. Every
call is one round trip (the Lua scripts fold multi-step updates into one), with 2-second socket timeouts;
the Cache steps aside for a while after a failure (cache.py), so a dead Redis cannot stall every request.
Redis keys: `secret-mcp:cache:<sha256(namespace)[:16]>:<key>` (a hash, so that no namespace is a prefix of
another and no URL character is a SCAN pattern) and `secret-mcp:confirm:<code>`. A single Redis server
(or what a URL with Sentinel/TLS reaches) is supported; the Lua scripts touch keys they read from a set,
which Redis Cluster does not allow.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any, Iterable, Protocol
from urllib.parse import urlsplit

from .errors import ConfigError, SecretMCPError

log = logging.getLogger(__name__)

SCHEMES = ("redis", "rediss", "unix")
PREFIX = "secret-mcp:"
_PASSWORD_PARAM = re.compile(r"((?:^|&)password=)[^&]*", re.IGNORECASE)


def redact_url(url: str) -> str:
    """The URL with any user name and password replaced, fit for logs and error messages.

    Everything up to the last "@" before the query goes (a password may itself hold "/" or "@"), and so
    does a `password=` query parameter (redis-py accepts one)."""
    scheme, sep, rest = url.partition("://") if "://" in url else ("", "", url)
    head, q, query = rest.partition("?")
    if "@" in head:
        head = "***@" + head.rsplit("@", 1)[1]
    return scheme + sep + head + q + _PASSWORD_PARAM.sub(r"\1***", query)


def url_problem(url: str) -> str | None:
    """Why `url` is not a usable Redis URL (None when it is); never repeats the URL's credentials."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError when not a number or out of range
    except ValueError:
        return "its host or port is not valid"
    if parts.scheme not in SCHEMES:
        return "it must start with redis://, rediss:// or unix://"
    if parts.scheme == "unix":
        return None if parts.path else "a unix:// URL needs a socket path (unix:///run/redis.sock)"
    if not parts.hostname:
        return "it names no host"
    if parts.path.strip("/") and not parts.path.strip("/").isdigit():
        return "the database after the host must be a number (redis://host:6379/0)"
    return None


def unavailable(url: str, exc: BaseException) -> SecretMCPError:
    """The structured error for a Redis that cannot be used right now (message free of credentials)."""
    return SecretMCPError(
        "SHARED_STORE_UNAVAILABLE",
        f"The shared store at cache_url ({redact_url(url)}) cannot be used: {_reason(url, exc)}",
        ["Check that Redis is running and reachable, or remove cache_url to use the embedded cache."],
    )


def _reason(url: str, exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    password = urlsplit(url).password
    return text.replace(password, "***") if password else text


def connect_redis(url: str, *, check: bool) -> Any:
    """A redis-py client for `url`; with `check`, ping it now and fail naming cache_url (start-up)."""
    problem = url_problem(url)
    if problem:
        raise ConfigError("cache_url", f"{redact_url(url)} is not a Redis URL: {problem}.")
    import redis  # only a deployment that configures cache_url pays for the import
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    try:
        client = redis.Redis.from_url(
            url, decode_responses=True, socket_connect_timeout=2, socket_timeout=2,
            retry=Retry(NoBackoff(), 1),  # one retry: a pooled connection Redis closed meanwhile
            client_name="secret-mcp",
        )
    except ValueError as exc:
        raise ConfigError("cache_url", f"{redact_url(url)} is not a Redis URL: {_reason(url, exc)}.") from None
    if check:
        try:
            client.ping()
        except redis.RedisError as exc:
            client.close()
            raise ConfigError(
                "cache_url", f"cannot reach Redis at {redact_url(url)}: {_reason(url, exc)}",
                ["Start Redis or fix cache_url; without cache_url the embedded cache is used."],
            ) from None
    return client


class Store(Protocol):
    def get(self, key: str) -> str | None: ...
    def put(self, key: str, text: str, ttl: float, index_keys: Iterable[str]) -> None: ...
    def invalidate(self, index_key: str) -> int: ...
    def clear(self) -> int: ...
    def close(self) -> None: ...


class DiskStore:
    """diskcache in one directory; entries tagged with the namespace so that `clear()` is scoped."""

    def __init__(self, directory: Path, namespace: str) -> None:
        import diskcache

        self.namespace = namespace
        Path(directory).mkdir(parents=True, exist_ok=True)
        self._dc = diskcache.Cache(str(directory), tag_index=True)

    def _full(self, key: str) -> str:
        return f"{self.namespace}|{key}"

    def get(self, key: str) -> str | None:
        return self._dc.get(self._full(key))

    def put(self, key: str, text: str, ttl: float, index_keys: Iterable[str]) -> None:
        full = self._full(key)
        self._dc.set(full, text, expire=ttl, tag=self.namespace)
        for index_key in index_keys:
            ik = self._full(index_key)
            keys = json.loads(self._dc.get(ik, default="[]"))
            if full not in keys:
                keys.append(full)
            expire_at = max(ttl, self._dc.get(ik + "|ttl", default=0))
            self._dc.set(ik, json.dumps(keys), expire=expire_at, tag=self.namespace)
            self._dc.set(ik + "|ttl", expire_at, expire=expire_at, tag=self.namespace)

    def invalidate(self, index_key: str) -> int:
        ik = self._full(index_key)
        keys = json.loads(self._dc.pop(ik, default="[]"))
        self._dc.delete(ik + "|ttl")
        return sum(1 for k in keys if self._dc.delete(k))

    def clear(self) -> int:
        return self._dc.evict(self.namespace) if self.namespace else self._dc.clear()

    def close(self) -> None:
        self._dc.close()


# Value and index in one round trip; an index set's expiry only ever grows (PTTL is -1 right after SADD).
_PUT = """
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
end
return 1
"""
# Take the index and delete what it lists, atomically: a concurrent put cannot slip between the two.
_INVALIDATE = """
local keys = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
local n = 0
for _, k in ipairs(keys) do n = n + redis.call('DEL', k) end
return n
"""


class RedisStore:
    """Redis: TTLs as key expiry, the address index as a set, `clear()` by SCAN over this namespace's prefix."""

    def __init__(self, url: str, namespace: str, client: Any = None) -> None:
        self.url = url
        self._client = client if client is not None else connect_redis(url, check=False)
        self._owns_client = client is None
        self.prefix = f"{PREFIX}cache:{hashlib.sha256(namespace.encode()).hexdigest()[:16]}:"
        self._put = self._client.register_script(_PUT)
        self._invalidate = self._client.register_script(_INVALIDATE)

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        import redis

        try:
            return fn(*args, **kwargs)
        except redis.RedisError as exc:
            raise unavailable(self.url, exc) from None

    def get(self, key: str) -> str | None:
        return self._call(self._client.get, self.prefix + key)

    def put(self, key: str, text: str, ttl: float, index_keys: Iterable[str]) -> None:
        keys = [self.prefix + key, *(self.prefix + k for k in index_keys)]
        self._call(self._put, keys=keys, args=[text, max(1, int(ttl * 1000))])

    def invalidate(self, index_key: str) -> int:
        return int(self._call(self._invalidate, keys=[self.prefix + index_key]))

    def clear(self) -> int:
        def run() -> int:
            removed, batch = 0, []
            for key in self._client.scan_iter(match=self.prefix + "*", count=500):
                batch.append(key)
                if len(batch) >= 500:
                    removed += self._client.unlink(*batch)
                    batch = []
            return removed + (self._client.unlink(*batch) if batch else 0)

        return self._call(run)

    def close(self) -> None:
        if self._owns_client:
            self._client.close()
