"""Key-value state with overlays (branches) and deterministic gas metering, like the SDK's KV stores.

Values are JSON-able and treated as immutable: never mutate a value you got; build a new one and set it.
"""

from __future__ import annotations

import bisect
import json
from typing import Any, Iterator

from .gas import DELETE_COST, HAS_COST, ITER_NEXT_COST_FLAT, read_cost, write_cost

_DELETED = object()


class OutOfGas(Exception):
    def __init__(self, descriptor: str, limit: int, used: int) -> None:
        super().__init__(f"out of gas in location: {descriptor}; gasWanted: {limit}, gasUsed: {used}")
        self.descriptor, self.limit, self.used = descriptor, limit, used


class GasMeter:
    """Counts gas; raises OutOfGas past the limit (limit None = infinite, as in simulate)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.used = 0

    def consume(self, amount: int, descriptor: str) -> None:
        self.used += amount
        if self.limit is not None and self.used > self.limit:
            raise OutOfGas(descriptor, self.limit, self.used)


def value_size(key: str, value: Any) -> int:
    """Bytes of a key and its value as metered: their JSON stands in for the chain's protobuf."""
    return len(key) + (len(json.dumps(value, separators=(",", ":"))) if value is not None else 0)


class Store:
    """The committed state: a sorted map from string keys to JSON-able values."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self._data: dict[str, Any] = dict(data or {})
        self._keys: list[str] = sorted(self._data)

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def has(self, key: str) -> bool:
        return key in self._data

    def set(self, key: str, value: Any) -> None:
        if key not in self._data:
            bisect.insort(self._keys, key)
        self._data[key] = value

    def delete(self, key: str) -> None:
        if key in self._data:
            del self._data[key]
            self._keys.pop(bisect.bisect_left(self._keys, key))

    def iterate(self, prefix: str) -> Iterator[tuple[str, Any]]:
        """Yield (key, value) for keys starting with prefix, in key order."""
        i = bisect.bisect_left(self._keys, prefix)
        keys = self._keys
        while i < len(keys) and keys[i].startswith(prefix):
            k = keys[i]
            yield k, self._data[k]
            i += 1

    def branch(self, meter: GasMeter | None = None) -> "Branch":
        return Branch(self, meter)

    def snapshot(self) -> dict[str, Any]:
        return dict(self._data)


class Branch:
    """A write buffer over a parent store; `write()` applies it, dropping it discards everything."""

    def __init__(self, parent: "Store | Branch", meter: GasMeter | None = None) -> None:
        self.parent = parent
        self.meter = meter
        self._writes: dict[str, Any] = {}

    def _gas(self, amount: int, what: str) -> None:
        if self.meter is not None:
            self.meter.consume(amount, what)

    def get(self, key: str, default: Any = None) -> Any:
        value = self._writes.get(key)
        if value is None:
            value = self.parent.get(key) if key not in self._writes else _DELETED
        self._gas(read_cost(value_size(key, None if value is _DELETED else value)), "ReadFlat")
        return default if value is _DELETED or value is None else value

    def has(self, key: str) -> bool:
        self._gas(HAS_COST, "Has")
        if key in self._writes:
            return self._writes[key] is not _DELETED
        return self.parent.has(key)

    def set(self, key: str, value: Any) -> None:
        self._gas(write_cost(value_size(key, value)), "WriteFlat")
        self._writes[key] = value

    def delete(self, key: str) -> None:
        self._gas(DELETE_COST, "Delete")
        self._writes[key] = _DELETED

    def iterate(self, prefix: str) -> Iterator[tuple[str, Any]]:
        merged = {k: v for k, v in self.parent.iterate(prefix)}
        for k, v in self._writes.items():
            if k.startswith(prefix):
                merged[k] = v
        for k in sorted(merged):
            v = merged[k]
            if v is not _DELETED:
                self._gas(ITER_NEXT_COST_FLAT, "IterNextFlat")
                yield k, v

    def branch(self, meter: GasMeter | None = None) -> "Branch":
        return Branch(self, meter if meter is not None else self.meter)

    def write(self) -> dict[str, Any]:
        """Apply the buffered writes to the parent; returns them (deleted keys map to None)."""
        if isinstance(self.parent, Branch):
            self.parent._writes.update(self._writes)  # already metered here; don't charge twice
        else:
            for k, v in self._writes.items():
                if v is _DELETED:
                    self.parent.delete(k)
                else:
                    self.parent.set(k, v)
        changes = {k: (None if v is _DELETED else v) for k, v in self._writes.items()}
        self._writes = {}
        return changes
