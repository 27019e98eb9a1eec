"""Figure 1: secret_get_balance latency over stdio vs a direct HTTP GET of the same LCD path, p50/p95.

Uncached: each call asks about a new address, so the server misses its cache and goes to the LCD (and stores
the answer). Cached: the same address again, answered from the server's cache. Calls are sequential: this is
latency.

Clients: the target rows use a minimal JSON-RPC client (`_kit.RawClient`: a line out, a line back), so they
measure the server; the same calls through the MCP SDK's Python client are reported too, since that client's
own work is about as large as the server's. Direct baseline: httpx (keep-alive, warmed up) GETs the same path
with the same query, JSON decoded, in the benchmark process; aiohttp's GET is reported next to it (it is the
server's own HTTP client, and about twice as fast as httpx here), so either comparison can be read.

Interleaved in blocks: 25 direct httpx GETs, 25 aiohttp GETs, 25 calls through the minimal client, 25 through
the SDK client, and again, so every side sees the same machine (on a shared 2-core VM, figures from separate
phases drifted by up to 60 % between runs). Blocks, not single requests: alternating each request leaves the
server process idle three times out of four (cold caches, slower wake-ups) while the benchmark process, which
makes the direct GETs, never idles; that measured the scheduler, not the server.
Three trials, each with its own sandbox and servers; each figure is the median of the trials' figures.
Targets: uncached <= 1.3x direct, cached <= 0.5x direct (direct = httpx).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from typing import Any, Awaitable, Callable

import httpx

import _kit


async def clock(fn: Callable[[], Awaitable[Any]]) -> float:
    start = time.perf_counter()
    await fn()
    return time.perf_counter() - start


BLOCK = 25


async def rounds(sides: dict[str, Callable[[int], Awaitable[Any]]], n: int) -> dict[str, list[float]]:
    """`n` requests per side, in blocks of BLOCK: each side runs its next block in turn."""
    out: dict[str, list[float]] = {name: [] for name in sides}
    for first in range(0, n, BLOCK):
        for name, side in sides.items():
            for i in range(first, min(first + BLOCK, n)):
                out[name].append(await clock(lambda: side(i)))
    return out


async def trial(n: int, seed: int) -> dict[str, Any]:
    """One sandbox, both servers, every side: summaries per phase and side, and the server's cache figures."""
    fresh = iter(_kit.addresses(4 * n + 80, seed=seed))
    new = {side: [next(fresh) for _ in range(n)] for side in ("httpx", "aiohttp", "raw", "sdk")}
    params = {k: str(v) for k, v in _kit.BALANCE_PARAMS.items()}
    import aiohttp

    with _kit.sandbox() as url, _kit.temp_home() as raw_home, _kit.temp_home() as sdk_home:
        async with _kit.raw_client(url, raw_home) as raw, _kit.mcp_client(url, sdk_home) as sdk, \
                httpx.AsyncClient(base_url=url, timeout=10) as hx, aiohttp.ClientSession(url) as aio:

            async def httpx_get(address: str) -> None:
                response = await hx.get(_kit.BALANCES.format(address), params=_kit.BALANCE_PARAMS)
                response.raise_for_status()
                response.json()

            async def aiohttp_get(address: str) -> None:
                async with aio.get(_kit.BALANCES.format(address), params=params) as response:
                    assert response.status == 200
                    json.loads(await response.read())

            async def raw_call(name: str, args: dict) -> None:
                await raw.call_tool(name, args)

            async def sdk_call(name: str, args: dict) -> None:
                result = await sdk.call_tool(name, args)
                assert not result.is_error, result.content[0].text

            for address in [next(fresh) for _ in range(20)]:  # connect, import, warm every side up
                await httpx_get(address)
                await aiohttp_get(address)
                await raw_call("secret_get_balance", {"address": address})
                await sdk_call("secret_get_balance", {"address": address})
            one = {"address": _kit.GENESIS_A}
            uncached = await rounds({
                "httpx": lambda i: httpx_get(new["httpx"][i]),
                "aiohttp": lambda i: aiohttp_get(new["aiohttp"][i]),
                "raw": lambda i: raw_call("secret_get_balance", {"address": new["raw"][i]}),
                "sdk": lambda i: sdk_call("secret_get_balance", {"address": new["sdk"][i]}),
            }, n)
            cached = await rounds({
                "httpx": lambda i: httpx_get(_kit.GENESIS_A),
                "raw": lambda i: raw_call("secret_get_balance", one),
                "sdk": lambda i: sdk_call("secret_get_balance", one),
            }, n)
            # a tool that touches neither chain nor cache: what any call over stdio pays
            ping = await rounds({"raw": lambda i: raw_call("secret_get_active_wallet", {}),
                                 "sdk": lambda i: sdk_call("secret_get_active_wallet", {})}, n)
            stats = json.loads((await raw.request("resources/read", {"uri": "secret://server/metrics"}))
                               ["contents"][0]["text"])["cache"]
    return {"uncached": {k: _kit.latency_summary(v) for k, v in uncached.items()},
            "cached": {k: _kit.latency_summary(v) for k, v in cached.items()},
            "no_chain_tool": {k: _kit.latency_summary(v) for k, v in ping.items()}, "server_cache": stats}


def median_of(trials: list[dict[str, Any]], phase: str) -> dict[str, dict[str, float]]:
    """Each side's p50 and p95: the median over the trials."""
    sides = trials[0][phase]
    return {side: {stat: round(statistics.median(t[phase][side][stat] for t in trials), 3) for stat in ("p50_ms", "p95_ms")}
            for side in sides}


async def run(n: int, trials: int) -> tuple[list[dict], dict]:
    done = [await trial(n, seed) for seed in range(1, trials + 1)]
    u, c, p = (median_of(done, phase) for phase in ("uncached", "cached", "no_chain_tool"))
    stats = done[-1]["server_cache"]
    rows = [
        _kit.row("1", "balance uncached p50", u["raw"]["p50_ms"], "ms", baseline=u["httpx"]["p50_ms"], target="≤ 1.3× direct", limit=1.3),
        _kit.row("1", "balance uncached p95", u["raw"]["p95_ms"], "ms", baseline=u["httpx"]["p95_ms"], target="≤ 1.3× direct", limit=1.3),
        _kit.row("1", "balance cached p50", c["raw"]["p50_ms"], "ms", baseline=c["httpx"]["p50_ms"], target="≤ 0.5× direct", limit=0.5),
        _kit.row("1", "balance cached p95", c["raw"]["p95_ms"], "ms", baseline=c["httpx"]["p95_ms"], target="≤ 0.5× direct", limit=0.5),
        _kit.row("1", "no-chain tool p50 (the stdio floor)", p["raw"]["p50_ms"], "ms", baseline=c["httpx"]["p50_ms"],
                 note="secret_get_active_wallet: the stdio round trip plus the core's wrapper, no I/O"),
        _kit.row("1", "balance uncached p50 vs aiohttp GET", u["raw"]["p50_ms"], "ms", baseline=u["aiohttp"]["p50_ms"],
                 note="the same calls against a direct aiohttp GET (no target: for reading the figures above)"),
        _kit.row("1", "balance cached p50 vs aiohttp GET", c["raw"]["p50_ms"], "ms", baseline=u["aiohttp"]["p50_ms"]),
        _kit.row("1", "SDK client: balance uncached p50", u["sdk"]["p50_ms"], "ms", baseline=u["httpx"]["p50_ms"],
                 note="the MCP SDK's Python client instead of the minimal one: its own overhead included"),
        _kit.row("1", "SDK client: balance cached p50", c["sdk"]["p50_ms"], "ms", baseline=c["httpx"]["p50_ms"]),
        _kit.row("1", "SDK client: no-chain tool p50", p["sdk"]["p50_ms"], "ms", baseline=c["httpx"]["p50_ms"]),
    ]
    details = {
        "calls": n, "trials": trials, "uncached": u, "cached": c, "no_chain_tool": p, "server_cache": stats,
        "each_trial": [{k: v for k, v in t.items() if k != "server_cache"} for t in done],
        "method": ("secret_get_balance over stdio, sequential calls, one server per client: uncached = a new "
                   "address per call (cache miss, LCD GET, cache store); cached = one address again (cache hit). "
                   "Target rows: the minimal JSON-RPC client (benchmarks/_kit.py RawClient). Baseline: httpx "
                   "keep-alive GET of /cosmos/bank/v1beta1/balances/{addr}?pagination.limit=1000 on the same "
                   "sandbox process, JSON decoded, new addresses for the uncached baseline, one address for the "
                   "cached one; aiohttp's GET of new addresses for reference. Sides take turns in blocks of "
                   f"{BLOCK} requests. {trials} trials (a new sandbox and servers each); every figure is the "
                   "median of the trials' figures."),
    }
    return rows, details


def main(argv: list[str] | None = None) -> None:
    args = _kit.parse_args(argv, __doc__)
    rows, details = asyncio.run(run(10, 1) if args.smoke else run(300, 3))
    _kit.write_part(args.out, "latency", rows, details, smoke=args.smoke)


if __name__ == "__main__":
    main(sys.argv[1:])
