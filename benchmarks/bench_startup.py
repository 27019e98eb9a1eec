"""Figures 2 and 3: cold start to the first tools/list over stdio (all packs, one pack) vs the floor
`python -c "import mcp.server"`; the size of that tools/list, all packs and per pack.

Each sample spawns a fresh process: for the server, the clock runs from spawning `secret-mcp serve` to the
tools/list answer in the client (connecting included); for the floor, from spawning the interpreter to its
exit. The client library is imported before any clock starts. Target: all packs <= 1.5x the floor.
Size: the tools/list result as the server sends it (compact JSON, UTF-8); tokens estimated as bytes / 4
(no tokenizer ships offline). Target: all tools <= 25 KB.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time

import _kit

ONE_PACK = "bank"


def floor_once() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import mcp.server"], check=True)
    return time.perf_counter() - start


async def server_once(*extra: str) -> tuple[float, list]:
    with _kit.temp_home() as home:
        start = time.perf_counter()
        async with _kit.mcp_client(None, home, *extra) as client:
            tools = (await client.list_tools()).tools
            elapsed = time.perf_counter() - start
    return elapsed, tools


def wire_bytes(tools: list) -> int:
    from mcp.types import ListToolsResult

    return len(ListToolsResult(tools=tools).model_dump_json(by_alias=True, exclude_none=True).encode())


def pack_of_each_tool() -> dict[str, str]:
    from secret_mcp.app import App
    from secret_mcp.config import Config
    from secret_mcp.plugins import PluginHost

    app = App(Config(), PluginHost())
    return {name: reg.plugin for name, reg in app.registry.tools.items()}


def size_rows(tools: list) -> tuple[list[dict], dict]:
    total = wire_bytes(tools)
    packs: dict[str, list] = {}
    owner = pack_of_each_tool()
    for t in tools:
        packs.setdefault(owner.get(t.name, "?"), []).append(t)
    rows = [_kit.row("3", f"tools/list, all packs ({len(tools)} tools)", round(total / 1024, 1), "KB",
                     target="≤ 25 KB", limit=25.0, note=f"{total} bytes, ~{total // 4} tokens (bytes/4)")]
    per_pack = {}
    for pack in sorted(packs):
        size = wire_bytes(packs[pack])
        per_pack[pack] = {"tools": len(packs[pack]), "bytes": size, "tokens_est": size // 4}
        rows.append(_kit.row("3", f"tools/list, pack {pack} ({len(packs[pack])} tools)", round(size / 1024, 1), "KB",
                             note=f"~{size // 4} tokens"))
    largest = sorted(((wire_bytes([t]), t.name) for t in tools), reverse=True)[:8]
    return rows, {"all_bytes": total, "all_tokens_est": total // 4, "per_pack": per_pack, "largest_tools": largest}


async def run(samples: int) -> tuple[list[dict], dict]:
    import mcp  # noqa: F401  (the client's own import is not part of any sample)

    floor, full, one = [], [], []
    counts = {}
    if samples > 1:  # warm the OS file cache for every variant alike
        floor_once()
        await server_once()
    for _ in range(samples):  # interleaved, so a change in machine load hits every variant alike
        floor.append(floor_once())
        seconds, listed = await server_once()
        full.append(seconds)
        counts["all"] = len(listed)
        seconds, listed_one = await server_once("--plugins", ONE_PACK)
        one.append(seconds)
        counts["one"] = len(listed_one)
    f, a, o = (round(statistics.median(v), 3) for v in (floor, full, one))
    rows = [
        _kit.row("2", f"cold start, all packs ({counts['all']} tools)", a, "s", baseline=f,
                 target="≤ 1.5× import mcp.server", limit=1.5),
        _kit.row("2", f"cold start, one pack ({ONE_PACK}, {counts['one']} tools)", o, "s", baseline=f),
        _kit.row("2", "floor: python -c 'import mcp.server'", f, "s"),
    ]
    sizes, size_details = size_rows(listed)
    rows += sizes
    details = {
        "sizes": size_details,
        "samples": samples, "floor_s": floor, "all_packs_s": full, "one_pack_s": one, "tools": counts,
        "method": ("median of interleaved fresh-process samples; server = spawn `secret-mcp serve` (sandbox network, "
                   "not started: start-up never touches the chain) to the tools/list result in an MCP client over "
                   "stdio, connection handshake included; floor = spawn to exit of `python -c 'import mcp.server'`. "
                   "Size = the tools/list result as sent (compact JSON, UTF-8), grouped by the pack that "
                   "registered each tool; tokens estimated as bytes/4."),
    }
    return rows, details


def main(argv: list[str] | None = None) -> None:
    args = _kit.parse_args(argv, __doc__)
    rows, details = asyncio.run(run(1 if args.smoke else 7))
    _kit.write_part(args.out, "startup", rows, details, smoke=args.smoke)


if __name__ == "__main__":
    main(sys.argv[1:])
