"""Chain-query cache over diskcache: a TTL per data class, single-flight, invalidation by address.

* Values must be JSON-able (dicts, lists, str, int, float, bool, None). They are stored as JSON text
  rather than pickled objects, so what comes back is plain data whatever the caller cached, and every
  hit is a fresh copy a caller may mutate freely. Tuples come back as lists. A value that is not
  JSON-able raises TypeError and is not stored.
* Keys are `namespace|data_class|key`; the session passes the chain id (and endpoints) as namespace
  so that networks never see each other's data. Every entry is tagged with the namespace, so
  `clear()` only empties this namespace of a shared directory.
* Addresses: `get_or_fetch(..., addresses=[...])` records the key under each address in an index
  entry; `invalidate_address` (called after a transaction) deletes them all.
* Storage (cache_backends.py): diskcache in a directory by default; with `url` (the `cache_url` setting,
  redis:// rediss:// unix://, redis+cluster:// rediss+cluster://) Redis or Redis Cluster, shared by every
  server process behind a load balancer. Both are
  called inline: a hit is a local sqlite read or one Redis round trip (~0.1 ms on loopback), and a
  worker-thread hand-off measured ten times that on the 2-core dev machine. If Redis fails at run time the
  cache steps aside for STORE_BACKOFF seconds (reads go to the chain, a warning is logged) rather than
  failing tools or stalling the event loop on every call for a socket timeout.
* Single-flight is per process: concurrent identical calls in one process share one fetch; two processes
  on one Redis may each fetch once (a cross-process lock would cost a round trip on every miss).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable, Mapping

import anyio

from .cache_backends import DiskStore, RedisStore, Store
from .errors import SecretMCPError

log = logging.getLogger(__name__)

STORE_BACKOFF = 10.0  # seconds the cache goes without its store after a store error
DEFAULT_TTLS: dict[str, float] = {
    "validators": 300, "balances": 30, "contract_info": 600, "block": 10, "account": 60, "node_info": 60,
    "code_hash": 86400, "params": 300, "tx": 3600, "proposals": 60, "default": 30,
}


class _Flight:
    """One fetch in progress that later callers for the same key wait on."""

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.finished = False
        self.text = ""  # the JSON text: each waiter decodes its own copy
        self.error: BaseException | None = None


class Cache:
    def __init__(
        self,
        directory: Path | None,
        *,
        enabled: bool = True,
        ttls: Mapping[str, float] | None = None,
        namespace: str = "",
        url: str | None = None,
    ) -> None:
        self.enabled = enabled
        self.namespace = namespace
        self.ttls = {**DEFAULT_TTLS, **(ttls or {})}
        self._flights: dict[str, _Flight] = {}
        self._stats = {"hits": 0, "misses": 0, "single_flight_joins": 0, "invalidations": 0, "store_errors": 0}
        self._tempdir: str | None = None
        self._store: Store | None = None
        self._skip_until = 0.0  # monotonic time until which a failed store is left alone
        self.backend = "none"
        if not enabled:
            return
        if url:
            self._store, self.backend = RedisStore(url, namespace), "redis"
            return
        if directory is None:
            self._tempdir = tempfile.mkdtemp(prefix="secret-mcp-cache-")
            directory = Path(self._tempdir)
        self._store, self.backend = DiskStore(Path(directory), namespace), "disk"

    def ttl(self, data_class: str) -> float:
        return self.ttls.get(data_class, self.ttls["default"])

    def _store_failed(self, exc: SecretMCPError) -> None:
        self._stats["store_errors"] += 1
        self._skip_until = time.monotonic() + STORE_BACKOFF
        log.warning("cache skipped for %ss: %s", STORE_BACKOFF, exc.message)

    async def get_or_fetch(
        self,
        data_class: str,
        key: str,
        fetch: Callable[[], Awaitable[Any]],
        *,
        addresses: Iterable[str] = (),
    ) -> Any:
        """The cached value, or the result of `fetch()` (shared by concurrent identical calls) cached for the class's TTL."""
        if self._store is None:
            self._stats["misses"] += 1
            return await fetch()
        full = f"{data_class}|{key}"
        while True:
            raw = self._read(full)
            if raw is not None:
                self._stats["hits"] += 1
                return json.loads(raw)
            flight = self._flights.get(full)
            if flight is None:
                break
            self._stats["single_flight_joins"] += 1
            await flight.done.wait()
            if flight.error is not None:
                raise flight.error
            if flight.finished:
                return json.loads(flight.text)  # same fresh-copy rule as a hit
            # The leader was cancelled: loop, and one of the waiters becomes the new leader.
        self._stats["misses"] += 1
        flight = self._flights[full] = _Flight()
        try:
            value = await fetch()
            text = json.dumps(value)  # TypeError here: the value is not JSON-able (see module docstring)
            if time.monotonic() >= self._skip_until:
                try:
                    index_keys = [f"@address|{address}" for address in addresses]
                    self._store.put(full, text, self.ttl(data_class), index_keys)
                except SecretMCPError as exc:
                    self._store_failed(exc)
            flight.text, flight.finished = text, True
            return value
        except Exception as exc:
            flight.error = exc  # every waiter gets the same failure; nothing is stored
            raise
        finally:
            del self._flights[full]
            flight.done.set()

    def _read(self, full: str) -> str | None:
        assert self._store is not None
        if time.monotonic() < self._skip_until:
            return None
        try:
            return self._store.get(full)
        except SecretMCPError as exc:  # shared store down: serve from the chain, uncached
            self._store_failed(exc)
            return None

    def invalidate_address(self, address: str) -> int:
        """Drop every entry fetched for `address`; returns how many were still cached."""
        if self._store is None:
            return 0
        try:
            removed = self._store.invalidate(f"@address|{address}")
        except SecretMCPError as exc:  # entries then expire by their TTL
            self._store_failed(exc)
            return 0
        self._stats["invalidations"] += removed
        return removed

    def clear(self) -> int:
        """Empty this namespace (on disk with no namespace: the whole directory); returns entries removed."""
        if self._store is None:
            return 0
        return self._store.clear()

    def stats(self) -> dict:
        lookups = self._stats["hits"] + self._stats["misses"]
        out: dict[str, Any] = dict(self._stats)
        out["hit_rate"] = round(self._stats["hits"] / lookups, 4) if lookups else 0.0
        out["enabled"] = self.enabled
        out["backend"] = self.backend
        out["in_flight"] = len(self._flights)
        return out

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None
