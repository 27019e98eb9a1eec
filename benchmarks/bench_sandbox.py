"""Sandbox speed: what a balance query costs the chain itself, and queries/s over HTTP (1,000 sequential).

Run with `nox -s bench` (or `python benchmarks/bench_sandbox.py [--n 1000] [--out DIR] [--smoke]`). Writes JSON and
Markdown; figures are measured in this run, nothing is asserted here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import httpx

from secret_sandbox_chain import GENESIS_ADDRESSES, launch

import _kit
from _kit import percentile


def run(n: int) -> dict:
    address = GENESIS_ADDRESSES["a"]
    path = f"/cosmos/bank/v1beta1/balances/{address}"
    with launch(port=0) as server:
        # The chain's own work: route match, handler, JSON encoding; no HTTP. (_dispatch is the server's
        # single entry point below the ASGI layer.)
        own = []
        for _ in range(n):
            start = time.perf_counter()
            status, payload = server._dispatch("GET", path, b"", b"", {"headers": []})
            json.dumps(payload, separators=(",", ":"))
            own.append(time.perf_counter() - start)
            assert status == 200
        with httpx.Client(base_url=server.url, timeout=10) as client:
            client.get(path)  # open the keep-alive connection outside the timing
            wall = []
            began = time.perf_counter()
            for _ in range(n):
                start = time.perf_counter()
                response = client.get(path)
                wall.append(time.perf_counter() - start)
                assert response.status_code == 200
            elapsed = time.perf_counter() - began
    return {
        "queries": n,
        "own_work_us_p50": round(statistics.median(own) * 1e6, 1),
        "own_work_us_p95": round(percentile(own, 0.95) * 1e6, 1),
        "http_queries_per_s": round(n / elapsed, 1),
        "http_ms_p50": round(statistics.median(wall) * 1e3, 3),
        "http_ms_p95": round(percentile(wall, 0.95) * 1e3, 3),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--out", default="bench-results")
    parser.add_argument("--smoke", action="store_true", help="20 queries: checks the script runs")
    args = parser.parse_args(argv)
    n = 20 if args.smoke else args.n
    figures = run(n)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "sandbox.json").write_text(json.dumps(figures, indent=2))
    rows = "\n".join(f"| {k} | {v} |" for k, v in figures.items())
    (out / "sandbox.md").write_text(f"# Sandbox balance query\n\n| figure | value |\n|---|---|\n{rows}\n")
    _kit.write_part(out, "sandbox", [
        _kit.row("S", "sandbox balance query, chain's own work p50", figures["own_work_us_p50"], "µs"),
        _kit.row("S", "sandbox balance query over HTTP p50", figures["http_ms_p50"], "ms",
                 note=f"{figures['http_queries_per_s']} sequential queries/s"),
    ], {"figures": figures}, smoke=args.smoke)


if __name__ == "__main__":
    main(sys.argv[1:])
