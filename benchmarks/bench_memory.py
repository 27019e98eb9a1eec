"""Figure 6: the server's resident memory after 1,000 mixed calls, and its cache hit rate on a scripted session.

The script is what a person exploring their account does, over and over: balances of a handful of addresses,
account, delegations, rewards, validators, proposals, supply, node and network info, latest block. RSS is
VmRSS of the `secret-mcp serve` process (from /proc) after the calls; the hit rate is hits / (hits + misses)
from the server's own metrics resource (secret://server/metrics). Targets: RSS <= 150 MB, hit rate >= 85 %.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import _kit


def script() -> list[tuple[str, dict]]:
    people = [_kit.GENESIS_A, _kit.GENESIS_B, *_kit.addresses(3, seed=6)]
    steps: list[tuple[str, dict]] = []
    for who in people:
        steps += [
            ("secret_get_balance", {"address": who}),
            ("secret_get_account", {"address": _kit.GENESIS_A}),
            ("secret_get_delegations", {"address": who}),
            ("secret_get_balance", {"address": _kit.GENESIS_A}),
        ]
    steps += [
        ("secret_get_rewards", {"address": _kit.GENESIS_A}),
        ("secret_get_validators", {}),
        ("secret_get_proposals", {}),
        ("secret_get_total_supply", {}),
        ("secret_get_node_info", {}),
        ("secret_get_network_info", {}),
        ("secret_get_latest_block", {}),
        ("secret_get_gas_prices", {}),
    ]
    return steps


async def run(calls: int) -> tuple[list[dict], dict]:
    steps = script()
    errors: dict[str, str] = {}
    with _kit.sandbox() as url, _kit.temp_home() as home:
        async with _kit.mcp_client(url, home) as client:
            pid = _kit.server_pid()
            start_rss = _kit.rss_mb(pid)
            began = time.perf_counter()
            for i in range(calls):
                name, args = steps[i % len(steps)]
                result = await client.call_tool(name, args)
                if result.is_error:
                    errors.setdefault(name, result.content[0].text[:200])
            elapsed = time.perf_counter() - began
            rss = _kit.rss_mb(pid)
            metrics = json.loads((await client.read_resource("secret://server/metrics")).contents[0].text)
    cache = metrics["cache"]
    hit_rate = cache["hit_rate"] or 0.0
    rows = [
        _kit.row("6", f"server RSS after {calls} mixed calls", rss, "MB", target="≤ 150 MB", limit=150,
                 note=f"{start_rss} MB after the first tools/list"),
        _kit.row("6", "cache hit rate, scripted session", round(100 * hit_rate, 1), "%", target="≥ 85 %", limit=85,
                 higher_is_better=True, note=f"hits {cache['hits']}, misses {cache['misses']}"),
    ]
    details = {"calls": calls, "distinct_steps": len(steps), "rss_start_mb": start_rss, "rss_end_mb": rss,
               "seconds": round(elapsed, 2), "cache": cache, "errors": errors,
               "method": ("VmRSS of the serve process after the calls; hit rate from secret://server/metrics "
                          "(cache hits / (hits + misses)); calls cycle through a fixed script of "
                          f"{len(steps)} reads over 5 addresses, sequentially, in one stdio session.")}
    if errors:
        raise RuntimeError(f"scripted calls failed: {errors}")
    return rows, details


def main(argv: list[str] | None = None) -> None:
    args = _kit.parse_args(argv, __doc__)
    rows, details = asyncio.run(run(40 if args.smoke else 1000))
    _kit.write_part(args.out, "memory", rows, details, smoke=args.smoke)


if __name__ == "__main__":
    main(sys.argv[1:])
