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
Redis keys: `secret-mcp:cache:{<sha256(namespace)[:16]>}:<key>` (a hash, so that no namespace is a prefix of
another and no URL character is a SCAN pattern) and `secret-mcp:confirm:<code>`.

Redis Cluster: `redis+cluster://host:port` (`rediss+cluster://` for TLS) names one node of the cluster; the
client learns the others and follows slot moves. The braces around the namespace hash are a Redis hash tag:
every key of one namespace hashes to the same slot, so the Lua scripts, which touch an entry and its address
index sets (and, invalidating, the keys read from a set), stay on one node as Cluster requires. A single
server uses the same keys (a hash tag means nothing there), so both modes run one code path. The price: one
namespace's cache lives on one primary, the cluster spreads namespaces, not the entries of one. A code is a
single key and its script touches only that key, so codes spread over the whole cluster. `clear()` scans
every primary (a slot being migrated has keys on two nodes).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import threading
import time
from pathlib import Path
from typing import Any, Iterable, Protocol
from urllib.parse import urlsplit

from .errors import ConfigError, SecretMCPError
from .paths import private_dir, tighten_files

log = logging.getLogger(__name__)

SCHEMES = ("redis", "rediss", "unix")
CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}  # cluster mode, and redis-py's scheme
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
    if parts.scheme not in SCHEMES and parts.scheme not in CLUSTER_SCHEMES:
        return ("it must start with redis://, rediss:// or unix:// (one server), or redis+cluster:// or "
                "rediss+cluster:// (Redis Cluster)")
    if parts.scheme == "unix":
        return None if parts.path else "a unix:// URL needs a socket path (unix:///run/redis.sock)"
    if not parts.hostname:
        return "it names no host"
    if parts.path.strip("/") and not parts.path.strip("/").isdigit():
        return "the database after the host must be a number (redis://host:6379/0)"
    if is_cluster(url) and (parts.path.strip("/") not in ("", "0") or "db=" in parts.query.lower()):
        return "Redis Cluster has only database 0: leave the database out (redis+cluster://host:6379)"
    return None


def is_cluster(url: str) -> bool:
    """Does `url` select Redis Cluster (redis+cluster://, rediss+cluster://)?"""
    return url.partition("://")[0].lower() in CLUSTER_SCHEMES


def redis_errors() -> tuple[type[BaseException], ...]:
    """What redis-py raises when the store cannot be used: its cluster client's RedisClusterException (e.g.
    no node reachable while it discovers the cluster) is not a RedisError."""
    import redis

    return (redis.RedisError, redis.RedisClusterException)


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

    options: dict[str, Any] = dict(
        decode_responses=True, socket_connect_timeout=2, socket_timeout=2,
        retry=Retry(NoBackoff(), 1),  # one retry: a pooled connection Redis closed meanwhile, or a node gone
        client_name="secret-mcp",
    )
    client = None
    try:
        if is_cluster(url):
            from redis.cluster import RedisCluster

            # The cluster client connects now, to learn the slot map: an unreachable cluster fails here.
            scheme, _sep, rest = url.partition("://")
            client = RedisCluster.from_url(CLUSTER_SCHEMES[scheme.lower()] + "://" + rest, **options)
        else:
            client = redis.Redis.from_url(url, **options)
        if check:
            client.ping()
            if not is_cluster(url) and _cluster_node(client):
                client.close()
                raise ConfigError(
                    "cache_url", f"{redact_url(url)} is a Redis Cluster node: a plain client would fail on every "
                    "key another node holds.", ["Write the URL as redis+cluster://host:port."])
    except ValueError as exc:
        raise ConfigError("cache_url", f"{redact_url(url)} is not a Redis URL: {_reason(url, exc)}.") from None
    except redis_errors() as exc:
        if client is not None:
            client.close()
        if not check:
            raise
        raise ConfigError(
            "cache_url", f"cannot reach Redis at {redact_url(url)}: {_reason(url, exc)}",
            ["Start Redis or fix cache_url; without cache_url the embedded cache is used."],
        ) from None
    return client


def _cluster_node(client: Any) -> bool:
    import redis

    try:
        return str(client.info("cluster").get("cluster_enabled")) == "1"
    except redis.ResponseError:  # INFO renamed or denied by the provider: nothing to tell
        return False


class Store(Protocol):
    def get(self, key: str) -> str | None: ...
    def put(self, key: str, text: str, ttl: float, index_keys: Iterable[str]) -> None: ...
    def invalidate(self, index_key: str) -> int: ...
    def clear(self) -> int: ...
    def close(self) -> None: ...


class _Pending:
    """An entry put but not yet on disk."""

    __slots__ = ("text", "deadline", "index_keys")

    def __init__(self, text: str, ttl: float, index_keys: tuple[str, ...]) -> None:
        self.text, self.deadline, self.index_keys = text, time.monotonic() + ttl, index_keys


class DiskStore:
    """diskcache in one directory; entries tagged with the namespace so that `clear()` is scoped.

    Writes are behind: `put` keeps the entry in memory and, on an event loop, a batch of entries is written
    in one sqlite transaction FLUSH_DELAY later (at once when no loop runs, or when BATCH entries wait). A
    put with its address index was five statements and ~0.6 ms on the request's path, half of a cache
    miss's own work; now a miss pays a dict insert, and under load many entries share one commit. The batch
    runs on the loop's thread, between requests, rather than in a writer thread that would contend for
    the GIL with the requests. Reads look at the entries in memory first, so this process never misses its
    own write; `invalidate`, `clear` and `close` write what is pending first. Another process on the same
    directory sees an entry once it is written, FLUSH_DELAY later at most: for a cache of chain reads that is
    the same as having fetched a moment later.
    """

    FLUSH_DELAY = 0.05
    BATCH = 256

    def __init__(self, directory: Path, namespace: str) -> None:
        import diskcache

        self.namespace = namespace
        private_dir(Path(directory))
        self._dc = diskcache.Cache(str(directory), tag_index=True)
        tighten_files(Path(directory))  # SQLite made cache.db (and -wal/-shm, which copy its mode) with the umask
        self._pending: dict[str, _Pending] = {}
        self._timer: asyncio.TimerHandle | None = None

    def _full(self, key: str) -> str:
        return f"{self.namespace}|{key}"

    def get(self, key: str) -> str | None:
        full = self._full(key)
        pending = self._pending.get(full)
        if pending is not None:
            return pending.text if pending.deadline > time.monotonic() else None
        return self._dc.get(full)

    def put(self, key: str, text: str, ttl: float, index_keys: Iterable[str]) -> None:
        self._pending[self._full(key)] = _Pending(text, ttl, tuple(self._full(k) for k in index_keys))
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or len(self._pending) >= self.BATCH:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.FLUSH_DELAY, self._flush_later)

    def _flush_later(self) -> None:
        self._timer = None
        try:
            self.flush()
        except Exception:  # a full disk or a locked database: the entries stay in memory until the next try
            log.warning("cache: could not write entries to disk", exc_info=True)

    def flush(self) -> None:
        """Write every pending entry now, in one transaction."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        batch, now, wall = self._pending, time.monotonic(), time.time()
        indexes: dict[str, tuple[list[str], float]] = {}  # index key -> (keys, seconds it must live)
        with self._dc.transact():
            for full, entry in batch.items():
                ttl = entry.deadline - now
                if ttl <= 0:
                    continue
                self._dc.set(full, entry.text, expire=ttl, tag=self.namespace)
                for ik in entry.index_keys:
                    if ik not in indexes:  # an index lives as long as the longest entry it lists
                        text, expires_at = self._dc.get(ik, default="[]", expire_time=True)
                        indexes[ik] = (json.loads(text), expires_at - wall if expires_at else 0.0)
                    keys, longest = indexes[ik]
                    if full not in keys:
                        keys.append(full)
                    indexes[ik] = (keys, max(longest, ttl))
            for ik, (keys, longest) in indexes.items():
                self._dc.set(ik, json.dumps(keys), expire=longest, tag=self.namespace)
        self._pending = {}  # only after the commit: a failed write keeps serving (and retrying) the batch

    def invalidate(self, index_key: str) -> int:
        self.flush()
        ik = self._full(index_key)
        keys = json.loads(self._dc.pop(ik, default="[]"))
        return sum(1 for k in keys if self._dc.delete(k))

    def clear(self) -> int:
        self.flush()
        return self._dc.evict(self.namespace) if self.namespace else self._dc.clear()

    def close(self) -> None:
        try:
            self.flush()
        finally:
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
    """Redis: TTLs as key expiry, the address index as a set, `clear()` by SCAN over this namespace's prefix.

    The client is made on first use, inside the error handling: a cluster client connects as it is made,
    so an unreachable cluster is SHARED_STORE_UNAVAILABLE at run time (and the Cache steps aside), as an
    unreachable single server is on its first command."""

    def __init__(self, url: str, namespace: str, client: Any = None) -> None:
        self.url = url
        self._client = client
        self._owns_client = client is None
        self._lock = threading.Lock()
        self.prefix = key_prefix(namespace)
        self._put: Any = None
        self._invalidate: Any = None

    def _ready(self) -> Any:
        if self._put is not None:
            return self._client
        with self._lock:
            if self._client is None:
                self._client = connect_redis(self.url, check=False)
            if self._put is None:
                self._put = self._client.register_script(_PUT)
                self._invalidate = self._client.register_script(_INVALIDATE)
            return self._client

    def _call(self, fn: Any) -> Any:
        try:
            return fn(self._ready())
        except redis_errors() as exc:
            raise unavailable(self.url, exc) from None

    def get(self, key: str) -> str | None:
        return self._call(lambda client: client.get(self.prefix + key))

    def put(self, key: str, text: str, ttl: float, index_keys: Iterable[str]) -> None:
        keys = [self.prefix + key, *(self.prefix + k for k in index_keys)]  # one hash tag: one slot
        self._call(lambda client: self._put(keys=keys, args=[text, max(1, int(ttl * 1000))], client=client))

    def invalidate(self, index_key: str) -> int:
        return int(self._call(lambda client: self._invalidate(keys=[self.prefix + index_key], client=client)))

    def clear(self) -> int:
        def run(client: Any) -> int:
            # A cluster client's scan_iter walks every primary; the keys found share one slot (hash tag).
            removed, batch = 0, []
            for key in client.scan_iter(match=self.prefix + "*", count=500):
                batch.append(key)
                if len(batch) >= 500:
                    removed += client.unlink(*batch)
                    batch = []
            return removed + (client.unlink(*batch) if batch else 0)

        return self._call(run)

    def close(self) -> None:
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = self._put = self._invalidate = None


def key_prefix(namespace: str) -> str:
    """`secret-mcp:cache:{<hash>}:`: the braces make the hash a Redis hash tag (one slot per namespace)."""
    return f"{PREFIX}cache:{{{hashlib.sha256(namespace.encode()).hexdigest()[:16]}}}:"
