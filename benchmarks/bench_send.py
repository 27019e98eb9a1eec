"""Figure 5: secret_send_tokens end to end on the sandbox with instant blocks: the time beyond block inclusion.

Method. The sandbox makes a block the moment a transaction is broadcast, so the chain's own share of a send is
the time to include one bank transfer in a block. We measure that share directly: the sandbox faucet
(POST /sandbox/admin/faucet) signs, delivers and commits a one-transfer block per request, so its HTTP round
trip, timed from this process, is the inclusion time of such a block (an upper bound: it includes the HTTP
round trip). Time beyond inclusion = the tool's wall time in the client (confirmation off, `confirm = never`)
minus that inclusion time, medians of each. The block header time (taken by the sandbox when it starts the
block) also splits every send into "before the block" (balance and account reads, simulation, signing,
broadcast) and "after" (the block itself, the inclusion poll, the result, the reply over stdio).
No target: the figure is reported as measured.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import datetime

import httpx

import _kit


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


async def run(n: int) -> tuple[list[dict], dict]:
    sends, before, after, faucet = [], [], [], []
    with _kit.sandbox() as url, _kit.temp_home() as home:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            async with _kit.mcp_client(url, home, env={"SECRET_MCP_CONFIRM": "never"}) as client:
                wallet = (await _kit.call(client, "secret_create_wallet", {"name": "bench"}))["wallet"]["address"]
                for _ in range(max(n, 5)):
                    start = time.perf_counter()
                    answer = await http.post("/sandbox/admin/faucet",
                                             json={"address": wallet, "amount": "100000000", "denom": "uscrt"})
                    faucet.append(time.perf_counter() - start)
                    answer.raise_for_status()
                args = {"recipient": _kit.GENESIS_B, "amount": "1000uscrt"}
                await _kit.call(client, "secret_send_tokens", args)  # warm: account, gas price, code paths
                for _ in range(n):
                    wall_start = time.time()
                    start = time.perf_counter()
                    result = await _kit.call(client, "secret_send_tokens", args)
                    elapsed = time.perf_counter() - start
                    if result["status"] != "success":
                        raise RuntimeError(f"send failed: {result}")
                    block = (await http.get(f"/cosmos/base/tendermint/v1beta1/blocks/{result['height']}")).json()
                    block_at = _epoch(block["block"]["header"]["time"])
                    sends.append(elapsed)
                    before.append(block_at - wall_start)
                    after.append(wall_start + elapsed - block_at)
    total, inclusion = statistics.median(sends), statistics.median(faucet)
    rows = [
        _kit.row("5", "send_tokens total (instant blocks)", _kit.ms(total), "ms",
                 note=f"p95 {_kit.ms(_kit.percentile(sends, 0.95))} ms over {n} sends"),
        _kit.row("5", "block inclusion (sandbox faucet block, HTTP)", _kit.ms(inclusion), "ms"),
        _kit.row("5", "send_tokens time beyond block inclusion", _kit.ms(total - inclusion), "ms",
                 note=(f"split at the block header time: {_kit.ms(statistics.median(before))} ms before the block "
                       f"(reads, simulate, sign, broadcast), {_kit.ms(statistics.median(after))} ms after")),
    ]
    details = {"sends": n, "total_s": sends, "before_block_s": before, "after_block_s": after, "faucet_s": faucet,
               "method": __doc__.split("Method.", 1)[1].split("No target", 1)[0].strip().replace("\n", " ")}
    return rows, details


def main(argv: list[str] | None = None) -> None:
    args = _kit.parse_args(argv, __doc__)
    rows, details = asyncio.run(run(2 if args.smoke else 30))
    _kit.write_part(args.out, "send", rows, details, smoke=args.smoke)


if __name__ == "__main__":
    main(sys.argv[1:])
