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
* diskcache is synchronous but a lookup is a local sqlite read of well under a millisecond, so it is
  called inline rather than through a worker thread (whose hand-off would cost more than the read).
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable, Mapping

import anyio
import diskcache

log = logging.getLogger(__name__)

DEFAULT_TTLS: dict[str, float] = {
    "validators": 300, "balances": 30, "contract_info": 600, "block": 10, "account": 60, "node_info": 60,
    "code_hash": 86400, "params": 300, "tx": 3600, "proposals": 60, "default": 30,
}
_MISSING = object()


class _Flight:
    """One fetch in progress that later callers for the same key wait on."""

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.finished = False
        self.value: Any = None
        self.error: BaseException | None = None


class Cache:
    def __init__(
        self,
        directory: Path | None,
        *,
        enabled: bool = True,
        ttls: Mapping[str, float] | None = None,
        namespace: str = "",
    ) -> None:
        self.enabled = enabled
        self.namespace = namespace
        self.ttls = {**DEFAULT_TTLS, **(ttls or {})}
        self._flights: dict[str, _Flight] = {}
        self._stats = {"hits": 0, "misses": 0, "single_flight_joins": 0, "invalidations": 0}
        self._tempdir: str | None = None
        self._dc: diskcache.Cache | None = None
        if enabled:
            if directory is None:
                self._tempdir = tempfile.mkdtemp(prefix="secret-mcp-cache-")
                directory = Path(self._tempdir)
            Path(directory).mkdir(parents=True, exist_ok=True)
            self._dc = diskcache.Cache(str(directory), tag_index=True)

    def ttl(self, data_class: str) -> float:
        return self.ttls.get(data_class, self.ttls["default"])

    def _key(self, data_class: str, key: str) -> str:
        return f"{self.namespace}|{data_class}|{key}"

    def _index_key(self, address: str) -> str:
        return f"{self.namespace}|@address|{address}"

    async def get_or_fetch(
        self,
        data_class: str,
        key: str,
        fetch: Callable[[], Awaitable[Any]],
        *,
        addresses: Iterable[str] = (),
    ) -> Any:
        """The cached value, or the result of `fetch()` (shared by concurrent identical calls) cached for the class's TTL."""
        if self._dc is None:
            self._stats["misses"] += 1
            return await fetch()
        full = self._key(data_class, key)
        while True:
            raw = self._dc.get(full, default=_MISSING)
            if raw is not _MISSING:
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
                return json.loads(json.dumps(flight.value))  # same fresh-copy rule as a hit
            # The leader was cancelled: loop, and one of the waiters becomes the new leader.
        self._stats["misses"] += 1
        flight = self._flights[full] = _Flight()
        try:
            value = await fetch()
            text = json.dumps(value)  # TypeError here: the value is not JSON-able (see module docstring)
            self._dc.set(full, text, expire=self.ttl(data_class), tag=self.namespace)
            self._index(full, addresses, self.ttl(data_class))
            flight.value, flight.finished = value, True
            return value
        except Exception as exc:
            flight.error = exc  # every waiter gets the same failure; nothing is stored
            raise
        finally:
            del self._flights[full]
            flight.done.set()

    def _index(self, full: str, addresses: Iterable[str], ttl: float) -> None:
        assert self._dc is not None
        for address in addresses:
            ik = self._index_key(address)
            keys = json.loads(self._dc.get(ik, default="[]"))
            if full not in keys:
                keys.append(full)
            # The index lives as long as the longest entry it may point at (TTLs differ by class).
            expire_at = max(ttl, self._dc.get(ik + "|ttl", default=0))
            self._dc.set(ik, json.dumps(keys), expire=expire_at, tag=self.namespace)
            self._dc.set(ik + "|ttl", expire_at, expire=expire_at, tag=self.namespace)

    def invalidate_address(self, address: str) -> int:
        """Drop every entry fetched for `address`; returns how many were still cached."""
        if self._dc is None:
            return 0
        ik = self._index_key(address)
        keys = json.loads(self._dc.pop(ik, default="[]"))
        self._dc.delete(ik + "|ttl")
        removed = sum(1 for k in keys if self._dc.delete(k))
        self._stats["invalidations"] += removed
        return removed

    def clear(self) -> int:
        """Empty this namespace (the whole directory when there is no namespace); returns entries removed."""
        if self._dc is None:
            return 0
        return self._dc.evict(self.namespace) if self.namespace else self._dc.clear()

    def stats(self) -> dict:
        lookups = self._stats["hits"] + self._stats["misses"]
        out: dict[str, Any] = dict(self._stats)
        out["hit_rate"] = round(self._stats["hits"] / lookups, 4) if lookups else 0.0
        out["enabled"] = self.enabled
        out["in_flight"] = len(self._flights)
        return out

    def close(self) -> None:
        if self._dc is not None:
            self._dc.close()
            self._dc = None
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None
