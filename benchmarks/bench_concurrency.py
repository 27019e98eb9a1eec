"""Figure 4: 500 concurrent secret_get_balance calls in one stdio session vs 500 concurrent raw httpx GETs of
the same LCD path, throughput (calls/s).

The target rows drive the server with the minimal JSON-RPC client (`_kit.RawClient`); the MCP SDK's Python
client is reported too (at 500 requests in flight its own validation and dispatch is a large share of the time).

Without cache: 500 distinct addresses, so every call misses the server's cache and goes to the LCD. With cache:
one address, so the first call fetches and the other 499 join it in flight or hit it (single-flight). The raw
client sends the same 500 requests all at once (one AsyncClient, as many connections as it wants).
Target: >= 0.8x the raw client's throughput.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx

import _kit


async def raw(url: str, addresses: list[str]) -> float:
    limits = httpx.Limits(max_connections=len(addresses), max_keepalive_connections=len(addresses))
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        await http.get(_kit.BALANCES.format(addresses[0]), params=_kit.BALANCE_PARAMS)
        start = time.perf_counter()
        responses = await asyncio.gather(
            *(http.get(_kit.BALANCES.format(a), params=_kit.BALANCE_PARAMS) for a in addresses)
        )
        elapsed = time.perf_counter() - start
    assert all(r.status_code == 200 for r in responses)
    return len(addresses) / elapsed


async def through_mcp(client, addresses: list[str]) -> float:
    start = time.perf_counter()
    results = await asyncio.gather(*(client.call_tool("secret_get_balance", {"address": a}) for a in addresses))
    elapsed = time.perf_counter() - start
    failed = [r.content[0].text for r in results if getattr(r, "is_error", False)]  # RawClient raises instead
    if failed:
        raise RuntimeError(f"{len(failed)} calls failed, e.g. {failed[0]}")
    return len(addresses) / elapsed


async def run(n: int) -> tuple[list[dict], dict]:
    same = [_kit.GENESIS_B] * n
    with _kit.sandbox() as url:
        raw_distinct = await raw(url, _kit.addresses(n, seed=44))
        raw_same = await raw(url, same)
        with _kit.temp_home() as home:
            async with _kit.raw_client(url, home) as client:
                await client.call_tool("secret_get_balance", {"address": _kit.GENESIS_A})  # connect, warm up
                mcp_uncached = await through_mcp(client, _kit.addresses(n, seed=4))
                mcp_cached = await through_mcp(client, same)
                cache = json.loads((await client.request("resources/read", {"uri": "secret://server/metrics"}))
                                   ["contents"][0]["text"])["cache"]
        with _kit.temp_home() as home:
            async with _kit.mcp_client(url, home) as client:
                await _kit.call(client, "secret_get_balance", {"address": _kit.GENESIS_A})
                sdk_uncached = await through_mcp(client, _kit.addresses(n, seed=5))
                sdk_cached = await through_mcp(client, [_kit.GENESIS_A] * n)
    r = lambda x: round(x, 1)  # noqa: E731
    rows = [
        _kit.row("4", f"{n} concurrent balance calls, no cache (distinct addresses)", r(mcp_uncached), "calls/s",
                 baseline=r(raw_distinct), target="≥ 0.8× raw httpx", limit=0.8, higher_is_better=True),
        _kit.row("4", f"{n} concurrent balance calls, cache + single-flight (one address)", r(mcp_cached), "calls/s",
                 baseline=r(raw_same), target="≥ 0.8× raw httpx", limit=0.8, higher_is_better=True),
        _kit.row("4", "SDK client: no cache (distinct addresses)", r(sdk_uncached), "calls/s", baseline=r(raw_distinct),
                 note="the MCP SDK's Python client instead of the minimal one"),
        _kit.row("4", "SDK client: cache + single-flight (one address)", r(sdk_cached), "calls/s", baseline=r(raw_same)),
    ]
    details = {
        "concurrency": n, "server_cache": cache,
        "method": (f"{n} tools/call requests issued at once in one stdio session, by the minimal JSON-RPC client "
                   f"(target rows) and by the MCP SDK's client; throughput = {n} / wall time until the last "
                   f"answer. Baseline: one httpx.AsyncClient sending the same {n} GETs at once (no connection "
                   "limit), same sandbox process. The server's pool keeps its configured max_connections "
                   "(default 10)."),
    }
    return rows, details


def main(argv: list[str] | None = None) -> None:
    args = _kit.parse_args(argv, __doc__)
    rows, details = asyncio.run(run(20 if args.smoke else 500))
    _kit.write_part(args.out, "concurrency", rows, details, smoke=args.smoke)


if __name__ == "__main__":
    main(sys.argv[1:])
