"""Server metrics: per-tool calls, errors and latency; cache, transactions and the client pool.

One `Metrics` per App, built by the App from its config and session (`app.metrics`, `ctx.metrics`). Tool
calls are recorded by the core's tool wrapper (server.py); the
outcome of every transaction and each new client pool arrive through the core's "metrics" plugin
(`secret_mcp_tx_completed`, `secret_mcp_client_pool_created`); cache and pool counters are read from
the Cache and ClientPool themselves when a snapshot is taken. A pool or cache replaced by a network
switch is folded into running totals first, so every counter only ever goes up.

`snapshot()` is plain JSON (the `secret://server/metrics` resource); `render_prometheus(snapshot)` is the
text exposition format 0.0.4 (`GET /metrics` on the HTTP transport), so both always show the same numbers.

Why not prometheus_client: its default registry is process-global while this server keeps one registry
per App (tests run many servers in one process), and the JSON snapshot would need its own walk of the
collectors anyway; counters, one histogram kind and a ~40-line renderer are all this needs.

Label values are tool names, error codes, transaction statuses and endpoint origins (scheme://host:port
only: an API key in a URL's path, query or user part never becomes a label). Arguments, messages and
addresses are never recorded.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING, Any, Iterable, Protocol
from urllib.parse import urlsplit

from . import hookimpl

if TYPE_CHECKING:
    from .config import Config
    from .policy import TxOutcome


class Connection(Protocol):
    """What the metrics read of the session (a layer above): whether it is connected, and its current cache."""

    @property
    def connected(self) -> bool: ...

PLUGIN_NAME = "metrics"
# Seconds: a cached read takes ~1 ms, a confirmed transaction waits for a block (several seconds).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
UNKNOWN_TOOL = "(unknown)"  # calls to names that are no tool: the client chose the name, so it is no label
NO_CODE = "none"  # a transaction refused before a block, or never seen in one, has no chain result code
POOL_COUNTERS = ("requests", "failures", "retries", "failovers")
CACHE_COUNTERS = ("hits", "misses", "single_flight_joins", "invalidations")


class Histogram:
    """Fixed buckets; `counts[i]` holds observations in (bound[i-1], bound[i]], the last one above every bound."""

    def __init__(self, bounds: tuple[float, ...] = LATENCY_BUCKETS) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.sum += value

    def snapshot(self) -> dict:
        """Cumulative counts keyed by the `le` label value, as Prometheus reports them."""
        buckets: dict[str, int] = {}
        running = 0
        for bound, n in zip(self.bounds, self.counts):
            running += n
            buckets[format_value(bound)] = running
        buckets["+Inf"] = running + self.counts[-1]
        return {"buckets": buckets, "sum": round(self.sum, 6), "count": buckets["+Inf"]}


class _ToolStats:
    def __init__(self) -> None:
        self.calls = 0
        self.errors: Counter[str] = Counter()
        self.latency = Histogram()


def endpoint_label(url: str) -> str:
    """scheme://host[:port] of an LCD URL: whatever else a URL holds (user, path, query) may be a credential."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    netloc = f"[{host}]" if ":" in host else host
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{parts.scheme}://{netloc}" + (f":{port}" if port else "")


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


class Metrics:
    """Counters of one App. Updates happen between awaits on the server's event loop; the lock also makes
    them safe from other threads (a snapshot taken elsewhere, a sync hook run in a worker)."""

    def __init__(self, config: "Config", session: Connection) -> None:
        self.config = config
        self.session = session
        self.started = time.time()
        self._lock = threading.Lock()
        self._tools: dict[str, _ToolStats] = {}
        self._tx: Counter[tuple[str, str]] = Counter()  # (status, code)
        self._pool: Any = None
        self._cache: Any = None
        self._retired_pool: Counter[str] = Counter()
        self._retired_cache: Counter[str] = Counter()
        self._retired_endpoints: dict[str, Counter[str]] = {}

    # --- recording

    def record_call(self, tool: str, seconds: float, code: str | None = None) -> None:
        """One finished tool call; `code` is the error code when the result was an error."""
        with self._lock:
            stats = self._tools.setdefault(tool, _ToolStats())
            stats.calls += 1
            stats.latency.observe(seconds)
            if code is not None:
                stats.errors[code] += 1

    def record_tx(self, outcome: "TxOutcome") -> None:
        code = NO_CODE if outcome.code is None else str(outcome.code)
        with self._lock:
            self._tx[(outcome.status, code)] += 1

    def pool_created(self, pool: Any, cache: Any) -> None:
        """A new pool (and cache) for the session: the previous pair is closed now, so its counts are final."""
        with self._lock:
            if self._pool is not None:
                stats = self._pool.stats()
                self._retired_pool.update({k: stats.get(k, 0) for k in POOL_COUNTERS})
                for label, row in _endpoint_rows(stats["endpoints"]):
                    self._retired_endpoints.setdefault(label, Counter()).update(
                        {"requests": row["requests"], "failures": row["failures"], "breaker_opens": row.get("breaker_opens", 0)}
                    )
            if self._cache is not None:
                stats = self._cache.stats()
                self._retired_cache.update({k: stats.get(k, 0) for k in CACHE_COUNTERS})
            self._pool, self._cache = pool, cache

    # --- reading

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
                "uptime_seconds": round(time.time() - self.started, 3),
                "tools": self._tools_view(),
                "transactions": self._tx_view(),
                "cache": self._cache_view(),
                "pool": self._pool_view(),
            }

    def _tools_view(self) -> dict:
        out = {}
        for name in sorted(self._tools):
            stats = self._tools[name]
            out[name] = {
                "calls": stats.calls,
                "errors": dict(sorted(stats.errors.items())),
                "error_count": sum(stats.errors.values()),
                "latency_seconds": stats.latency.snapshot(),
            }
        return out

    def _tx_view(self) -> dict:
        by_status: Counter[str] = Counter()
        failed: Counter[str] = Counter()
        for (status, code), n in self._tx.items():
            by_status[status] += n
            if status == "failed":
                failed[code] += n
        total = sum(by_status.values())
        return {
            "total": total, "success": by_status["success"], "failed": by_status["failed"], "unknown": by_status["unknown"],
            "failed_by_code": dict(sorted(failed.items())),
            "success_rate": _ratio(by_status["success"], total),
            "by_status_code": [{"status": s, "code": c, "count": n} for (s, c), n in sorted(self._tx.items())],
        }

    def _cache_view(self) -> dict:
        live = self._cache.stats() if self._cache is not None else {}
        out = {k: self._retired_cache[k] + live.get(k, 0) for k in CACHE_COUNTERS}
        out["hit_rate"] = _ratio(out["hits"], out["hits"] + out["misses"])
        out["enabled"] = bool(self.config.cache)
        return out

    def _pool_view(self) -> dict:
        connected = self.session.connected
        live = self._pool.stats() if self._pool is not None else {"endpoints": []}
        out: dict[str, Any] = {k: self._retired_pool[k] + live.get(k, 0) for k in POOL_COUNTERS}
        out["connected"] = connected
        out["open_connections"] = (live.get("open_connections") or 0) if connected else 0
        out["max_connections"] = self.config.max_connections
        rows: dict[str, dict] = {
            label: {"endpoint": label, "requests": c["requests"], "failures": c["failures"],
                    "breaker_opens": c["breaker_opens"], "breaker": None}
            for label, c in self._retired_endpoints.items()
        }
        for label, row in _endpoint_rows(live["endpoints"]):
            seen = rows.setdefault(label, {"endpoint": label, "requests": 0, "failures": 0, "breaker_opens": 0, "breaker": None})
            seen["requests"] += row["requests"]
            seen["failures"] += row["failures"]
            seen["breaker_opens"] += row.get("breaker_opens", 0)
            seen["breaker"] = row["breaker"] if connected else None
        out["endpoints"] = [rows[label] for label in sorted(rows)]
        return out


def _endpoint_rows(endpoints: Iterable[dict]) -> list[tuple[str, dict]]:
    """(label, stats row) per endpoint; two URLs on one origin get "#2", "#3" so they stay apart."""
    out, seen = [], Counter()
    for row in endpoints:
        label = endpoint_label(row["url"])
        seen[label] += 1
        out.append((label if seen[label] == 1 else f"{label}#{seen[label]}", row))
    return out


class MetricsPlugin:
    """The core's metrics plugin (registered by every PluginHost), bound to the App's Metrics by the App."""

    def __init__(self) -> None:
        self.metrics: Metrics | None = None

    def bind(self, metrics: Metrics) -> None:
        self.metrics = metrics

    @hookimpl
    def secret_mcp_tx_completed(self, result: Any) -> None:
        if self.metrics is not None:
            self.metrics.record_tx(result)

    @hookimpl
    def secret_mcp_client_pool_created(self, pool: Any, network: Any) -> None:
        if self.metrics is not None:
            # The session sets its cache before announcing the pool; both belong to the same connection.
            self.metrics.pool_created(pool, getattr(self.metrics.session, "_cache", None))


# --- Prometheus text exposition format 0.0.4


def format_value(value: float | int) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


class _Family:
    def __init__(self, name: str, kind: str, help_text: str) -> None:
        self.name, self.kind, self.help = name, kind, help_text
        self.samples: list[tuple[str, dict[str, str], float | int]] = []

    def add(self, value: float | int | None, suffix: str = "", **labels: str) -> None:
        if value is not None:
            self.samples.append((self.name + suffix, labels, value))

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {_escape_help(self.help)}", f"# TYPE {self.name} {self.kind}"]
        for name, labels, value in self.samples:
            text = ",".join(f'{k}="{escape_label(str(v))}"' for k, v in labels.items())
            lines.append(f"{name}{{{text}}} {format_value(value)}" if text else f"{name} {format_value(value)}")
        return lines


def _families(snap: dict) -> list[_Family]:
    P = "secret_mcp_"
    calls = _Family(P + "tool_calls_total", "counter", "Tool calls, by tool (errors included).")
    errors = _Family(P + "tool_errors_total", "counter", "Tool calls that returned an error, by tool and error code.")
    latency = _Family(P + "tool_duration_seconds", "histogram", "Time from the call reaching the server to its result.")
    for tool, t in snap["tools"].items():
        calls.add(t["calls"], tool=tool)
        for code, n in t["errors"].items():
            errors.add(n, tool=tool, code=code)
        hist = t["latency_seconds"]
        for le, n in hist["buckets"].items():
            latency.add(n, "_bucket", tool=tool, le=le)
        latency.add(hist["sum"], "_sum", tool=tool)
        latency.add(hist["count"], "_count", tool=tool)

    tx = snap["transactions"]
    txs = _Family(P + "transactions_total", "counter",
                  "Broadcast transactions by outcome: success, failed (code = chain result code, or none) or unknown.")
    for row in tx["by_status_code"]:
        txs.add(row["count"], status=row["status"], code=row["code"])
    cache, pool = snap["cache"], snap["pool"]
    singles = [
        _single(P + "transaction_success_ratio", "gauge", "Successful transactions / all (absent before the first).",
                tx["success_rate"]),
        *(_single(P + f"cache_{key}_total", "counter", f"Chain-query cache: {key.replace('_', ' ')}.", cache[key])
          for key in CACHE_COUNTERS),
        _single(P + "cache_hit_ratio", "gauge", "Cache hits / lookups (absent before the first lookup).", cache["hit_rate"]),
        *(_single(P + f"pool_{key}_total", "counter", f"LCD client pool: {key} (all networks this process used).", pool[key])
          for key in POOL_COUNTERS),
        _single(P + "pool_open_connections", "gauge", "Open HTTP connections of the current network's pool.",
                pool["open_connections"]),
        _single(P + "pool_max_connections", "gauge", "Configured connection limit of the pool.", pool["max_connections"]),
    ]
    ep_requests = _Family(P + "endpoint_requests_total", "counter", "Requests sent to each LCD endpoint (attempts, retries included).")
    ep_failures = _Family(P + "endpoint_failures_total", "counter", "Transient failures (timeouts, 5xx, unreachable) per LCD endpoint.")
    ep_opens = _Family(P + "endpoint_breaker_opens_total", "counter", "Times each endpoint's circuit breaker opened.")
    ep_state = _Family(P + "endpoint_breaker_state", "gauge", "1 for the breaker state each current endpoint is in.")
    for row in pool["endpoints"]:
        ep_requests.add(row["requests"], endpoint=row["endpoint"])
        ep_failures.add(row["failures"], endpoint=row["endpoint"])
        ep_opens.add(row["breaker_opens"], endpoint=row["endpoint"])
        if row["breaker"] is not None:
            for state in ("closed", "open", "half_open"):
                ep_state.add(1 if row["breaker"] == state else 0, endpoint=row["endpoint"], state=state)

    uptime = _single(P + "uptime_seconds", "gauge", "Seconds since this server's metrics started.", snap["uptime_seconds"])
    return [calls, errors, latency, txs, *singles, ep_requests, ep_failures, ep_opens, ep_state, uptime]


def _single(name: str, kind: str, help_text: str, value: float | int | None) -> _Family:
    """A family with one unlabelled sample (none when the value is not known yet)."""
    family = _Family(name, kind, help_text)
    family.add(value)
    return family


def render_prometheus(snap: dict) -> str:
    """A snapshot in the Prometheus text format 0.0.4 (CONTENT_TYPE)."""
    return "\n".join(line for family in _families(snap) for line in family.render()) + "\n"


CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
