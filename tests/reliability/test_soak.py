"""Soak: many mixed calls at high concurrency against `secret-mcp serve` over stdio (a separate process, so its
memory is its own), on a sandbox chain: no error growth over the run, bounded memory.

CI: 300 calls at concurrency 20. SECRET_MCP_FULL=1: 5,000 calls at concurrency 50.
Bounds: the error rate of unexpected errors in the last quarter is not above the first quarter's (and every
deliberately invalid call gets its own structured error code); the server's RSS grows by less than
RSS_BOUND_MB between the end of the warm-up (first quarter) and the end of the run.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from benchmarks._kit import rss_mb, server_pid  # one /proc reader for the soak test and the memory benchmark
from tests.contracts.sandbox_addresses import COUNTER, TOKEN
from tests.reliability.common import outcome, size
from tests.helpers import A, B

pytestmark = pytest.mark.anyio

CALLS = size(300, 5000)
CONCURRENCY = size(20, 50)
RSS_BOUND_MB = 50
BIN = Path(sys.executable).parent / "secret-mcp"


def plan(rng: random.Random, me: str, height: int) -> list[tuple[str, dict, str | None]]:
    """(tool, arguments, expected error code or None for success), a deterministic mix."""
    choices: list[tuple[int, Any]] = [
        (20, lambda: ("secret_get_balance", {"address": rng.choice([A, B, me])}, None)),
        (10, lambda: ("secret_get_latest_block", {}, None)),
        (10, lambda: ("secret_get_block", {"height": rng.randint(1, height)}, None)),
        (10, lambda: ("secret_get_account", {"address": rng.choice([A, B, me])}, None)),
        (5, lambda: ("secret_get_validators", {}, None)),
        (5, lambda: ("secret_search_transactions", {"query": f"message.sender='{A}'", "limit": 5}, None)),
        (5, lambda: ("secret_token_info", {"token": TOKEN}, None)),
        (5, lambda: ("secret_query_contract", {"address": COUNTER, "query_msg": {"get_count": {}}}, None)),
        (5, lambda: ("secret_get_network_info", {}, None)),
        (5, lambda: ("secret_list_wallets", {}, None)),
        (5, lambda: ("secret_get_proposals", {"limit": 5}, None)),
        (5, lambda: ("secret_get_balance", {"address": "secret1notanaddress"}, "INVALID_ADDRESS")),
        (3, lambda: ("secret_get_block", {"height": 0}, "INVALID_INPUT")),
        (2, lambda: ("secret_send_tokens", {"recipient": B, "amount": "1uscrt"}, None)),
    ]
    weights = [w for w, _ in choices]
    return [rng.choices(choices, weights)[0][1]() for _ in range(CALLS)]


async def test_soak_mixed_calls_over_stdio(sandbox, tmp_path):
    from mcp import Client, StdioServerParameters

    env = {**os.environ, "SECRET_MCP_HOME": str(tmp_path), "SECRET_MCP_LCD_URL": sandbox.url, "SECRET_MCP_SANDBOX_URLS": sandbox.url,
           "SECRET_MCP_CHAIN_ID": sandbox.chain.chain_id, "SECRET_MCP_CONFIRM": "never", "SECRET_MCP_LOG_LEVEL": "WARNING"}
    params = StdioServerParameters(command=str(BIN), args=["serve"], env=env)
    async with Client(params) as client:
        pid = server_pid()
        created = await client.call_tool("secret_create_wallet", {"name": "soak"})
        me = created.structured_content["wallet"]["address"]
        sandbox.faucet(me, 100_000_000)
        calls = plan(random.Random(9), me, sandbox.chain.height)
        unexpected: list[tuple[int, str, str | None]] = []
        wrong_code: list[tuple[str, str | None, str | None]] = []
        rss: dict[str, float] = {"start": rss_mb(pid)}
        quarter = CALLS // 4
        done = 0
        queue = iter(enumerate(calls))

        async def worker() -> None:
            nonlocal done
            for i, (name, args, expected) in queue:
                result = await client.call_tool(name, args)
                ok, code = outcome(result)
                if expected is None and not ok:
                    unexpected.append((i, name, code))
                elif expected is not None and code != expected:
                    wrong_code.append((name, expected, code))
                done += 1
                if done == quarter:
                    rss["warm"] = rss_mb(pid)

        async with anyio.create_task_group() as tg:
            for _ in range(CONCURRENCY):
                tg.start_soon(worker)
        rss["end"] = rss_mb(pid)
        final = await client.call_tool("secret_get_latest_block", {})
        assert outcome(final)[0]  # still serving after the run

    first = sum(1 for i, _, _ in unexpected if i < quarter)
    last = sum(1 for i, _, _ in unexpected if i >= CALLS - quarter)
    print(f"soak: {CALLS} calls at concurrency {CONCURRENCY}; unexpected errors {len(unexpected)} "
          f"(first quarter {first}, last quarter {last}); RSS MB {rss}")
    assert not wrong_code, wrong_code[:10]
    assert last <= first, f"errors grew: {first} in the first quarter, {last} in the last: {unexpected[:10]}"
    assert len(unexpected) <= CALLS // 100, f"more than 1% unexpected errors: {unexpected[:10]}"
    assert rss["end"] - rss["warm"] < RSS_BOUND_MB, f"RSS grew from {rss['warm']:.0f} to {rss['end']:.0f} MB"
