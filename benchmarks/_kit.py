"""Shared by the benchmarks: a sandbox chain in its own process, `secret-mcp serve` over stdio with a temp home,
percentiles, and the combined report (bench-results/report.json and report.md).

Each bench_*.py measures one or two figures of issue 9 and writes `part-<name>.json` (a list of rows); every
script then rebuilds the report from all parts present, so the scripts can run in any order or alone.
A row: figure, name, value, unit, and for a figure with a target the baseline, ratio, target and PASS/MISS.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, AsyncIterator, Iterator

import httpx

BIN = Path(sys.executable).parent / "secret-mcp"
CHAIN_ID = "secret-sandbox-1"
BALANCES = "/cosmos/bank/v1beta1/balances/{}"
BALANCE_PARAMS = {"pagination.limit": 1000}  # what secret_get_balance sends, so both sides ask the same
GENESIS_A = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"
GENESIS_B = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne"


# -- command line ---------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None, doc: str | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--out", default="bench-results", help="directory for the parts and the report")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the script runs, not the figures")
    return parser.parse_args(argv)


# -- numbers --------------------------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(seconds: float) -> float:
    return round(seconds * 1e3, 3)


def latency_summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": ms(statistics.median(values)), "p95_ms": ms(percentile(values, 0.95)), "n": len(values)}


def row(figure: str, name: str, value: float, unit: str, *, baseline: float | None = None,
        target: str | None = None, limit: float | None = None, higher_is_better: bool = False,
        note: str = "") -> dict[str, Any]:
    """One report line. With `limit`, the status compares ratio (value/baseline) or, without a baseline, value."""
    ratio = round(value / baseline, 3) if baseline else None
    status = "—"
    if limit is not None:
        measured = ratio if baseline else value
        ok = measured >= limit if higher_is_better else measured <= limit
        status = "PASS" if ok else "MISS"
    return {"figure": figure, "name": name, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio,
            "target": target, "status": status, "note": note}


# -- processes ------------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def sandbox() -> Iterator[str]:
    """A sandbox chain (instant blocks) in its own process, so neither side of a comparison shares its GIL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "secret_sandbox_chain", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/cosmos/base/tendermint/v1beta1/node_info", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start (exit code {proc.poll()})")
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def temp_home() -> Iterator[Path]:
    home = Path(tempfile.mkdtemp(prefix="secret-mcp-bench-"))
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def server_env(home: Path, **extra: str) -> dict[str, str]:
    env = {"SECRET_MCP_HOME": str(home), "SECRET_MCP_LOG_LEVEL": "WARNING"}
    for key in ("PATH", "HOME", "LANG", "VIRTUAL_ENV", "PYTHONPATH"):
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(extra)
    return env


def serve_args(url: str | None, *extra: str) -> list[str]:
    args = ["serve"]
    if url:
        args += ["--network", "sandbox", "--lcd-url", url, "--chain-id", CHAIN_ID]
    return args + list(extra)


def sandbox_env(url: str | None) -> dict[str, str]:
    # The bench's sandbox runs outside the server process: named as the person's own sandbox, it keeps the
    # sandbox kind (no limits, confirm = never honoured), as the embedded one would.
    return {"SECRET_MCP_SANDBOX_URLS": url} if url else {}


@contextlib.asynccontextmanager
async def mcp_client(url: str | None, home: Path, *extra: str, env: dict[str, str] | None = None,
                     mode: str = "auto") -> AsyncIterator[Any]:
    """A real MCP client over stdio to `secret-mcp serve` on the sandbox at `url`; the server's stderr goes to
    home/server.log."""
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=str(BIN), args=serve_args(url, *extra),
                                   env=server_env(home, **sandbox_env(url), **(env or {})))
    with open(home / "server.log", "a") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode=mode) as client:
            yield client


class RawClient:
    """A minimal MCP client: line-delimited JSON-RPC over the server's stdin/stdout, nothing else.

    What it measures is the server (and the pipes), not a client library: the SDK's Python client spends
    about as long validating and dispatching as the server does answering a cached call. Requests may
    overlap; a reader task hands each answer to the caller waiting on its id.
    """

    def __init__(self, proc: Any) -> None:
        self.proc = proc
        self._next_id = 0
        self._waiting: dict[int, Any] = {}
        self._reader: Any = None

    async def start(self) -> "RawClient":
        import asyncio

        self._reader = asyncio.create_task(self._read())
        await self.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                          "clientInfo": {"name": "secret-mcp-bench", "version": "0"}})
        await self._send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return self

    async def _send(self, message: dict) -> None:
        self.proc.stdin.write(json.dumps(message).encode() + b"\n")
        await self.proc.stdin.drain()

    async def _read(self) -> None:
        while True:
            line = await self.proc.stdout.readline()
            if not line:
                for future in self._waiting.values():
                    future.set_exception(RuntimeError("the server closed stdout"))
                return
            message = json.loads(line)
            future = self._waiting.pop(message.get("id"), None) if "method" not in message else None
            if future is not None:
                future.set_result(message)

    async def request(self, method: str, params: dict) -> dict:
        import asyncio

        self._next_id += 1
        future = asyncio.get_running_loop().create_future()
        self._waiting[self._next_id] = future
        await self._send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        answer = await future
        if "error" in answer:
            raise RuntimeError(f"{method} failed: {answer['error']}")
        return answer["result"]

    async def call_tool(self, name: str, args: dict | None = None) -> dict:
        """The tool's structured result; raises when the tool answered with an error."""
        result = await self.request("tools/call", {"name": name, "arguments": args or {}})
        if result.get("isError"):
            raise RuntimeError(f"{name} failed: {result['content'][0]['text']}")
        return result.get("structuredContent") or {}


@contextlib.asynccontextmanager
async def raw_client(url: str | None, home: Path, *extra: str) -> AsyncIterator[RawClient]:
    """`secret-mcp serve` over stdio driven by RawClient; the server's stderr goes to home/server.log."""
    import asyncio

    with open(home / "server.log", "a") as errlog:
        proc = await asyncio.create_subprocess_exec(
            str(BIN), *serve_args(url, *extra), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=errlog, env=server_env(home, **sandbox_env(url)), limit=64 * 1024 * 1024)
        client = None
        try:
            client = await RawClient(proc).start()
            yield client
        finally:
            if client is not None and client._reader is not None:
                client._reader.cancel()
            proc.stdin.close()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()


async def call(client: Any, name: str, args: dict | None = None) -> dict:
    result = await client.call_tool(name, args or {})
    if result.is_error:
        raise RuntimeError(f"{name} failed: {result.content[0].text}")
    return result.structured_content


def server_pid() -> int:
    """The pid of the `secret-mcp serve` this process started (the stdio client spawns it as our child)."""
    me = os.getpid()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == me and any(part.endswith(b"secret-mcp") for part in cmdline) and b"serve" in cmdline:
            found.append(int(entry.name))
    if len(found) != 1:
        raise RuntimeError(f"expected one secret-mcp serve child, found {found}")
    return found[0]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmRSS")


def addresses(n: int, seed: int = 9) -> list[str]:
    """`n` distinct valid secret1 addresses nobody holds keys for (empty accounts are still real queries)."""
    import random

    import bech32

    rng = random.Random(seed)
    return [bech32.bech32_encode("secret", bech32.convertbits(rng.randbytes(20), 8, 5)) for _ in range(n)]


# -- the report -----------------------------------------------------------------------------------------------

FIGURES = {
    "1": "Read-tool latency over stdio vs direct HTTP GET",
    "2": "Cold start to the first tools/list",
    "3": "tools/list size",
    "4": "500 concurrent balance calls: throughput vs raw async HTTP",
    "5": "secret_send_tokens end to end (instant blocks)",
    "6": "Memory after 1,000 mixed calls; cache hit rate",
    "S": "Sandbox chain alone",
    "RT": "Round trips waited in a row, node answering after 100 ms (issue 14)",
}


def write_part(out: str | Path, name: str, rows: list[dict[str, Any]], details: dict[str, Any] | None = None,
               *, smoke: bool = False) -> Path:
    """Store this script's rows, then rebuild report.json and report.md from every part in `out`."""
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    part = {"name": name, "smoke": smoke, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "rows": rows, "details": details or {}}
    (directory / f"part-{name}.json").write_text(json.dumps(part, indent=2))
    write_report(directory)
    for r in rows:
        extra = f" ratio {r['ratio']}" if r["ratio"] is not None else ""
        print(f"[{r['figure']}] {r['name']}: {r['value']} {r['unit']}{extra} {r['status']}", flush=True)
    return directory / "report.json"


def write_report(directory: Path) -> None:
    parts = [json.loads(p.read_text()) for p in sorted(directory.glob("part-*.json"))]
    rows = sorted((r for p in parts for r in p["rows"]), key=lambda r: (r["figure"] in ("S", "RT"), r["figure"]))
    machine = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "platform": sys.platform}
    report = {"machine": machine, "smoke": any(p["smoke"] for p in parts), "rows": rows,
              "details": {p["name"]: p["details"] for p in parts},
              "measured_at": {p["name"]: p["measured_at"] for p in parts}}
    (directory / "report.json").write_text(json.dumps(report, indent=2))
    lines = ["# secret-mcp benchmarks", ""]
    if report["smoke"]:
        lines += ["**Smoke run (tiny sizes): the figures below say nothing about speed.**", ""]
    lines += [f"Python {machine['python']}, {machine['cpus']} CPUs. Ratios are measured against a baseline in the "
              "same run; PASS/MISS compares them with the issue-9 targets.", ""]
    lines += ["| fig | figure | value | baseline | ratio | target | status |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        base = "" if r["baseline"] is None else f"{r['baseline']} {r['unit']}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']}×"
        lines.append(f"| {r['figure']} | {r['name']} | {r['value']} {r['unit']} | {base} | {ratio} | "
                     f"{r['target'] or ''} | {r['status']} |")
    notes = [(r["figure"], r["name"], r["note"]) for r in rows if r["note"]]
    if notes:
        lines += ["", "## Notes", ""] + [f"- [{f}] {n}: {text}" for f, n, text in notes]
    methods = [(p["name"], p["details"].get("method")) for p in parts if p["details"].get("method")]
    if methods:
        lines += ["", "## Method", ""] + [f"- **{name}**: {text}" for name, text in methods]
    (directory / "report.md").write_text("\n".join(lines) + "\n")
