"""Round trips in a row: how many LCD answers a tool waits for one after another (issue 14's figure).

Method. The sandbox answers every chain request after 100 ms (its `latency_ms` fault); the cache is off, so
every read reaches the node. The sandbox runs in this process and notes when each request it answers came in
and went out; the server under test is `secret-mcp serve` over stdio. The requests of one tool call are
grouped into waves (a request that starts after every earlier one ended opens a new wave): the number of
waves is the number of round trips waited for one after another, free of CPU time and scheduling noise.
The wall time (and wall time / latency) is reported beside it. Each client first reads one block, so connecting
is not counted. A confirmed send (the second in its process: the first unlocks the key) is measured
with an elicitation callback that approves at once, in both protocol eras (the 2026 era answers the question
in a second round of the same call). Targets: every read tool at most 2, a confirmed send at most 6.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import httpx

import _kit

LATENCY_MS = 100
ENV = {"SECRET_MCP_KEYSTORE_PASSPHRASE": "round-trips-bench-passphrase"}  # the wallet outlives one process


def read_calls(validator: str, proposal: int, token: str) -> list[tuple[str, dict]]:
    return [
        ("secret_get_balance", {"address": _kit.GENESIS_A}),
        ("secret_get_account", {"address": _kit.GENESIS_A}),
        ("secret_get_network_info", {}),
        ("secret_get_validator", {"validator": validator}),
        ("secret_get_validators", {}),
        ("secret_get_delegations", {"address": _kit.GENESIS_A}),
        ("secret_get_rewards", {"address": _kit.GENESIS_A}),
        ("secret_get_proposal", {"proposal_id": proposal}),
        ("secret_get_proposals", {}),
        ("secret_get_latest_block", {}),
        ("secret_get_node_info", {}),
        ("secret_token_info", {"token": token}),
        ("secret_get_contract_info", {"address": token}),
        ("secret_get_gas_prices", {}),
        ("secret_get_unbonding", {"address": _kit.GENESIS_A}),
        ("secret_get_redelegations", {"address": _kit.GENESIS_A}),
        ("secret_get_community_pool", {}),
        ("secret_get_total_supply", {}),
        ("secret_get_denom_metadata", {"denom": "uscrt"}),
        ("secret_get_account_transactions", {"address": _kit.GENESIS_A}),
        ("secret_get_account_tx_count", {"address": _kit.GENESIS_A}),
        ("secret_get_block", {"height": 1}),
        ("secret_get_syncing_status", {}),
        ("secret_search_transactions", {"query": "tx.height=1"}),
        ("secret_get_vote", {"proposal_id": proposal, "voter": _kit.GENESIS_A}),
        ("secret_get_ibc_channels", {}),
        ("secret_get_ibc_channel", {"channel": "channel-0"}),
        ("secret_list_codes", {}),
        ("secret_get_code_info", {"code_id": 1}),
        ("secret_get_contract_history", {"address": token}),
        ("secret_query_contract", {"address": token, "query_msg": {"token_info": {}}}),
        ("secret_token_list", {}),
        ("secret_health_check", {}),
        ("secret_estimate_gas", {"recipient": _kit.GENESIS_B, "amount": "1uscrt"}),
    ]


class Recorder:
    """(start, end) of every chain request the in-process sandbox answers."""

    def __init__(self, server: Any) -> None:
        self.spans: list[tuple[float, float]] = []
        dispatch = server._dispatch

        def recorded(method: str, path: str, *args: Any) -> Any:
            end = time.perf_counter()  # the latency fault slept just before dispatching
            self.spans.append((end - LATENCY_MS / 1000, end))
            return dispatch(method, path, *args)

        server._dispatch = recorded

    def waves(self, since: int) -> int:
        count, open_until = 0, float("-inf")
        for start, end in sorted(self.spans[since:]):
            if start >= open_until - 0.005:  # 5 ms of slack for clock reads
                count += 1
                open_until = end
            else:
                open_until = max(open_until, end)
        return count


async def _timed(client: Any, recorder: Recorder, name: str, args: dict) -> tuple[int, float]:
    mark = len(recorder.spans)
    start = time.perf_counter()
    result = await client.call_tool(name, args)
    elapsed = time.perf_counter() - start
    if result.is_error:
        raise RuntimeError(f"{name} failed: {result.content[0].text}")
    return recorder.waves(mark), elapsed


def _note(seconds: float) -> str:
    return f"wall {_kit.ms(seconds)} ms = {seconds * 1000 / LATENCY_MS:.1f} x the {LATENCY_MS} ms latency"


async def run(smoke: bool) -> tuple[list[dict], dict]:
    from mcp.types import ElicitResult

    async def approve(_ctx: Any, _params: Any) -> ElicitResult:
        return ElicitResult(action="accept", content={"confirm": True})

    rows, details = [], {}
    from secret_sandbox_chain import launch

    with launch(port=0) as sandbox, _kit.temp_home() as home:
        url, recorder = sandbox.url, Recorder(sandbox)
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            validators = (await http.get("/cosmos/staking/v1beta1/validators")).json()["validators"]
            validator = validators[0]["operator_address"]
            tokens = None
            async with _kit.mcp_client(url, home, "--no-cache", env=ENV) as client:
                listed = await _kit.call(client, "secret_token_list", {})
                tokens = listed["tokens"][0]["address"]
                wallet = (await _kit.call(client, "secret_create_wallet", {"name": "bench", "persist": True, "backend": "file"}))["wallet"]["address"]
                await http.post("/sandbox/admin/faucet", json={"address": wallet, "amount": "1000000000"})
            proposal = 1
            sandbox.set_faults(latency_ms=LATENCY_MS)
            try:
                for mode in ("auto", "legacy"):
                    async with _kit.mcp_client(url, home, "--no-cache", env=ENV, mode=mode) as client:
                        await client.call_tool("secret_set_active_wallet", {"name": "bench"})
                        await client.call_tool("secret_get_latest_block", {})  # connect first: not a tool's cost
                        for name, args in (read_calls(validator, proposal, tokens) if mode == "auto" else []):
                            if smoke and name not in ("secret_get_balance", "secret_get_network_info"):
                                continue
                            try:
                                trips, seconds = await _timed(client, recorder, name, args)
                            except RuntimeError as exc:
                                details[name] = str(exc)[:200]
                                continue
                            details[name] = seconds
                            rows.append(_kit.row("RT", f"{name}: sequential round trips", trips, "trips",
                                                 target="≤ 2", limit=2, note=_note(seconds)))
                    from mcp import Client
                    from mcp.client.stdio import StdioServerParameters, stdio_client

                    params = StdioServerParameters(command=str(_kit.BIN), args=_kit.serve_args(url, "--no-cache"),
                                                   env=_kit.server_env(home, **_kit.sandbox_env(url), **ENV))
                    with open(home / "server.log", "a") as errlog:
                        async with Client(stdio_client(params, errlog=errlog), mode=mode,
                                          elicitation_callback=approve) as client:
                            await client.call_tool("secret_set_active_wallet", {"name": "bench"})
                            send = {"recipient": _kit.GENESIS_B, "amount": "1000uscrt"}
                            await _timed(client, recorder, "secret_send_tokens", send)  # unlocks the key
                            trips, seconds = await _timed(client, recorder, "secret_send_tokens", send)
                    details[f"send_{mode}"] = seconds
                    era = "2026 era" if mode == "auto" else "handshake era"
                    rows.append(_kit.row("RT", f"confirmed send ({era}): sequential round trips", trips,
                                         "trips", target="≤ 6", limit=6, note=_note(seconds)))
            finally:
                sandbox.faults.reset()
    details["method"] = __doc__.split("Method.", 1)[1].strip().replace("\n", " ")
    return rows, details


def main(argv: list[str] | None = None) -> None:
    args = _kit.parse_args(argv, __doc__)
    rows, details = asyncio.run(run(args.smoke))
    _kit.write_part(args.out, "round_trips", rows, details, smoke=args.smoke)


if __name__ == "__main__":
    main(sys.argv[1:])
