"""Figure 1: secret_get_balance latency over stdio vs a direct HTTP GET of the same LCD path, p50/p95.

Uncached: each call asks about a new address, so the server misses its cache and goes to the LCD (and stores
the answer). Cached: the same address again, answered from the server's cache. Direct: httpx (keep-alive,
warmed up) GETs the same path with the same query the tool sends. Calls are sequential: this is latency.
Targets: uncached <= 1.3x direct, cached <= 0.5x direct.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx

import _kit


async def direct(url: str, paths: list[str]) -> list[float]:
    out = []
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        for path in paths[:5]:
            (await http.get(path, params=_kit.BALANCE_PARAMS)).raise_for_status()  # warm the connection
        for path in paths:
            start = time.perf_counter()
            response = await http.get(path, params=_kit.BALANCE_PARAMS)
            out.append(time.perf_counter() - start)
            response.raise_for_status()
    return out


async def through_mcp(client, addresses: list[str]) -> list[float]:
    out = []
    for address in addresses:
        start = time.perf_counter()
        await client.call_tool("secret_get_balance", {"address": address})
        out.append(time.perf_counter() - start)
    return out


async def run(n: int) -> tuple[list[dict], dict]:
    fresh = _kit.addresses(2 * n + 20, seed=1)
    warm, uncached_addrs, direct_addrs = fresh[:20], fresh[20:20 + n], fresh[20 + n:]
    with _kit.sandbox() as url, _kit.temp_home() as home:
        async with _kit.mcp_client(url, home) as client:
            await _kit.call(client, "secret_get_balance", {"address": _kit.GENESIS_A})  # connect, warm up
            await through_mcp(client, warm)
            uncached = await through_mcp(client, uncached_addrs)
            cached = await through_mcp(client, [_kit.GENESIS_A] * n)
            pings = []
            for _ in range(n):  # a tool that touches neither chain nor cache: what any call over stdio pays
                start = time.perf_counter()
                await client.call_tool("secret_get_active_wallet", {})
                pings.append(time.perf_counter() - start)
            stats = None
            try:
                text = (await client.read_resource("secret://server/metrics")).contents[0].text
                stats = json.loads(text)["cache"]
            except Exception as exc:  # the metrics resource is optional here: it only confirms hits and misses
                stats = {"unavailable": type(exc).__name__}
        direct_new = await direct(url, [_kit.BALANCES.format(a) for a in direct_addrs])
        direct_same = await direct(url, [_kit.BALANCES.format(_kit.GENESIS_A)] * n)
    d_new, d_same = _kit.latency_summary(direct_new), _kit.latency_summary(direct_same)
    u, c, p = _kit.latency_summary(uncached), _kit.latency_summary(cached), _kit.latency_summary(pings)
    rows = [
        _kit.row("1", "balance uncached p50", u["p50_ms"], "ms", baseline=d_new["p50_ms"], target="≤ 1.3× direct", limit=1.3),
        _kit.row("1", "balance uncached p95", u["p95_ms"], "ms", baseline=d_new["p95_ms"], target="≤ 1.3× direct", limit=1.3),
        _kit.row("1", "balance cached p50", c["p50_ms"], "ms", baseline=d_same["p50_ms"], target="≤ 0.5× direct", limit=0.5),
        _kit.row("1", "balance cached p95", c["p95_ms"], "ms", baseline=d_same["p95_ms"], target="≤ 0.5× direct", limit=0.5),
        _kit.row("1", "no-chain tool over stdio p50 (MCP floor)", p["p50_ms"], "ms", baseline=d_same["p50_ms"],
                 note="secret_get_active_wallet: the SDK's stdio round trip plus the core's wrapper, no I/O"),
    ]
    details = {
        "calls": n, "mcp_uncached": u, "mcp_cached": c, "mcp_ping": p, "direct_new_address": d_new, "direct_same_address": d_same,
        "server_cache": stats,
        "method": ("secret_get_balance over stdio (one session, sequential calls): uncached = a new address per call "
                   "(cache miss, LCD GET, cache store); cached = one address again (cache hit). Baseline: httpx "
                   "keep-alive GET of /cosmos/bank/v1beta1/balances/{addr}?pagination.limit=1000 on the same "
                   "sandbox process, new addresses for the uncached baseline, one address for the cached one."),
    }
    return rows, details


def main(argv: list[str] | None = None) -> None:
    args = _kit.parse_args(argv, __doc__)
    rows, details = asyncio.run(run(10 if args.smoke else 300))
    _kit.write_part(args.out, "latency", rows, details, smoke=args.smoke)


if __name__ == "__main__":
    main(sys.argv[1:])
