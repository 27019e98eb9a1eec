"""Every read tool under every fault the sandbox can inject: each call ends in a success or a structured chain
error within its time bound, and once the fault clears the same session serves normally again. Plus failover
(one of two endpoints down) and circuit-breaker recovery (an endpoint down, then back).

CI runs each fault kind on a slice of the read tools (every read tool at least once overall);
SECRET_MCP_FULL=1 runs every read tool under every fault kind.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest

from tests.contracts.sandbox_addresses import COUNTER, TOKEN
from secret_mcp.testing import call_ok, connect
from tests.reliability.common import (CHAIN_FAILURE_CODES, COSMOS, FULL, SSCRT_TRACE, PoolTuning, build, fill,
                                      outcome)
from tests.helpers import A, B

pytestmark = pytest.mark.anyio

TIMEOUT = 0.3  # request_timeout of these servers
RETRIES = 1
COOLDOWN = 0.3  # breaker cool-down (PoolTuning)
# A read makes a few sequential requests; each costs at most (retries + 1) timeouts plus a short back-off, and
# after `threshold` failures the breaker answers at once. Generous, so a loaded CI machine does not flake.
CALL_BOUND = 6 * TIMEOUT * (RETRIES + 1) + 2.0
PERMIT = "reliability"

# Valid arguments for every read tool (placeholders in braces are filled from the running chain).
# A read tool missing here fails test_every_read_tool_has_arguments: add it when you add the tool.
READ_ARGS: dict[str, dict[str, Any]] = {
    "secret_estimate_gas": {"recipient": B, "amount": "1 SCRT"},
    "secret_get_account": {"address": A},
    "secret_get_account_transactions": {"address": A, "limit": 5},
    "secret_get_account_tx_count": {"address": A},
    "secret_get_balance": {"address": A},
    "secret_get_block": {"height": 1},
    "secret_get_block_by_hash": {"hash": "{block_hash}"},
    "secret_get_code_info": {"code_id": 1},
    "secret_get_community_pool": {},
    "secret_get_contract_history": {"address": TOKEN},
    "secret_get_contract_info": {"address": TOKEN},
    "secret_get_delegations": {"address": A},
    "secret_get_denom_metadata": {},
    "secret_get_gas_prices": {},
    "secret_get_ibc_channel": {"channel": "channel-0"},
    "secret_get_ibc_channels": {},
    "secret_get_ibc_denom_trace": {"denom": SSCRT_TRACE},
    "secret_get_ibc_transfer_status": {"channel": "channel-0", "sequence": "{packet}"},
    "secret_get_latest_block": {},
    "secret_get_network_info": {},
    "secret_get_node_info": {},
    "secret_get_proposal": {"proposal_id": 1},
    "secret_get_proposals": {},
    "secret_get_redelegations": {"address": A},
    "secret_get_rewards": {"address": A},
    "secret_get_syncing_status": {},
    "secret_get_total_supply": {},
    "secret_get_transaction": {"hash": "{txhash}"},
    "secret_get_transaction_status": {"hash": "{txhash}"},
    "secret_get_unbonding": {"address": A},
    "secret_get_validator": {"validator": "{validator}"},
    "secret_get_validators": {},
    "secret_get_vote": {"proposal_id": 3, "voter": B},  # genesis proposal 3: B voted yes
    "secret_health_check": {},
    "secret_list_codes": {},
    "secret_list_grants": {"address": A},
    "secret_query_contract": {"address": COUNTER, "query_msg": {"get_count": {}}},
    "secret_search_transactions": {"query": "tx.height>=1", "limit": 5},
    "secret_simulate_transaction": {"messages": [{"@type": "/cosmos.bank.v1beta1.MsgSend", "from_address": "{me}",
                                                  "to_address": B, "amount": [{"denom": "uscrt", "amount": "1"}]}]},
    "secret_token_balance": {"token": TOKEN, "permit_name": PERMIT},
    "secret_token_history": {"token": TOKEN, "permit_name": PERMIT},
    "secret_token_info": {"token": TOKEN},
    "secret_token_list": {},
}
READ_TOOLS = sorted(READ_ARGS)
# Reads of this server's own state (no LCD request, so no fault can reach them); the export is always refused.
LOCAL_READS = {"secret_get_active_wallet", "secret_list_wallets", "secret_export_wallet"}


# Each fault kind: how to switch it on for an endpoint, and the code that must show up while it is on.
FAULTS: dict[str, dict[str, Any]] = {
    "latency_beyond_timeout": {"latency_ms": int(TIMEOUT * 1000 * 2.5)},
    "http_503": {"error_rate": 1.0},
    "malformed_json": {"malformed_rate": 1.0},
    "connection_dropped": {"down": True},
    "connection_refused": {},  # the LCD server is stopped: its port refuses connections
    "flaky_half_503": {"error_rate": 0.5, "seed": 3},  # retries and failover mostly hide it; never unstructured
}
SIGNATURE = {"latency_beyond_timeout": "CHAIN_TIMEOUT", "http_503": "CHAIN_UNREACHABLE",
             "malformed_json": "CHAIN_BAD_RESPONSE", "connection_dropped": "CHAIN_UNREACHABLE",
             "connection_refused": "CHAIN_UNREACHABLE", "flaky_half_503": None}


def tools_for(kind: str) -> list[str]:
    """Every read tool in the full run; in CI a rotating slice of the hard faults, so each tool meets at least
    one endpoint that fails every request, plus a sample under the flaky one."""
    if FULL:
        return READ_TOOLS
    hard = [k for k in FAULTS if SIGNATURE[k]]
    if kind not in hard:
        return READ_TOOLS[::4]
    return [t for i, t in enumerate(READ_TOOLS) if i % len(hard) == hard.index(kind)]


@pytest.fixture(scope="module")
def chain():
    """One sandbox chain for the module; tests put their own LCD replicas (own faults, own ports) in front."""
    from secret_mcp.testing import running_sandbox

    # A long voting period keeps genesis proposal 3 (and B's vote on it) open however long the module runs.
    with running_sandbox(voting_period_seconds=86_400) as server:
        server.faucet(A, 5_000_000)  # a transaction to look up; also gives A a sent/received history
        server.packet = _ibc_packet(server)
        yield server


def _ibc_packet(server: Any) -> int:
    """Send one IBC transfer from genesis account a straight to the chain; its packet sequence."""
    from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
    from secret_sdk.protobuf.ibc.applications.transfer.v1 import MsgTransfer
    from secret_sdk.protobuf.ibc.core.client.v1 import Height

    from secret_sandbox_chain import testing

    msg = MsgTransfer(source_port="transfer", source_channel="channel-0", token=Coin(denom="uscrt", amount="5"),
                      sender=A, receiver=COSMOS, timeout_height=Height(revision_number=4, revision_height=10**9))
    res = testing.send_tx(server, "a", [msg], gas=300_000, fee_uscrt=4000)["tx_response"]
    return next(int(a["value"]) for e in res["events"] if e["type"] == "send_packet" for a in e["attributes"]
                if a["key"] == "packet_sequence")


class Replica:
    """An LCD server over the shared chain that can be stopped (port refuses) and started again on the same port."""

    def __init__(self, chain: Any) -> None:
        self.chain = chain
        self.server = chain.replica()
        self.port, self.url = self.server.port, self.server.url

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server = self.chain.replica(self.port)

    def set_faults(self, **faults: Any) -> None:
        self.server.set_faults(**faults)

    def close(self) -> None:
        self.server.stop()


@pytest.fixture
def replicas(chain):
    made: list[Replica] = []

    def make() -> Replica:
        made.append(Replica(chain))
        return made[-1]

    yield make
    for r in made:
        r.close()


async def prepare(client: Any, chain: Any) -> dict[str, Any]:
    """A funded active wallet with a token permit, and the chain values the argument table refers to."""
    out = await call_ok(client, "secret_create_wallet", {"name": "reliability"})
    me = out["wallet"]["address"]
    txhash = chain.faucet(me, 20_000_000)["txhash"]
    await call_ok(client, "secret_token_create_permit", {"permit_name": PERMIT, "tokens": [TOKEN]})
    validators = await call_ok(client, "secret_get_validators", {})
    return {"me": me, "txhash": txhash, "block_hash": chain.chain.blocks[1]["hash"], "packet": chain.packet,
            "validator": validators["validators"][0]["operator_address"]}


async def timed_call(client: Any, name: str, args: dict) -> tuple[bool, str | None, float]:
    started = time.monotonic()
    result = await client.call_tool(name, args)
    took = time.monotonic() - started
    ok, code = outcome(result)
    return ok, code, took


async def all_succeed(client: Any, tools: list[str], world: dict[str, Any]) -> None:
    for name in tools:
        result = await client.call_tool(name, fill(READ_ARGS[name], world))
        ok, code = outcome(result)
        assert ok, f"{name}: {result.content[0].text}"


async def test_every_read_tool_has_arguments(home):
    async with connect(build(("http://127.0.0.1:9",), "secret-sandbox-1")) as client:
        tools = (await client.list_tools()).tools
    read = {t.name for t in tools if t.annotations and t.annotations.read_only_hint}
    assert LOCAL_READS <= read, "LOCAL_READS names tools that are gone or no longer read-only"
    assert read - set(READ_ARGS) - LOCAL_READS == set(), "new read tools: add valid arguments for them to READ_ARGS"
    assert set(READ_ARGS) - read == set(), "READ_ARGS names tools that are gone or no longer read-only"


@pytest.mark.parametrize("kind", list(FAULTS))
async def test_reads_under_fault(kind, chain, replicas, home):
    mode = "legacy" if list(FAULTS).index(kind) % 2 else "auto"  # both eras, without doubling the cost
    endpoint = replicas()
    # The breaker stays closed here (its own test is below), so every tool meets the fault itself rather
    # than the "endpoint paused" answer it would get after the first few failures.
    tuning = PoolTuning(cooldown=COOLDOWN, threshold=10**6)
    server = build((endpoint.url,), chain.chain.chain_id, ("tuning", tuning), cache=False,
                   request_timeout=TIMEOUT, retries=RETRIES)
    tools = tools_for(kind)
    async with connect(server, mode) as client:
        world = await prepare(client, chain)
        await all_succeed(client, tools, world)  # the arguments are valid: any failure below is the fault's

        if kind == "connection_refused":
            endpoint.stop()
        else:
            endpoint.set_faults(**FAULTS[kind])
        seen: dict[str, str | None] = {}
        took_all: list[float] = []
        try:
            for name in tools:
                ok, code, took = await timed_call(client, name, fill(READ_ARGS[name], world))
                seen[name] = code
                took_all.append(took)
                assert took < CALL_BOUND, f"{name} took {took:.2f}s under {kind} (bound {CALL_BOUND:.1f}s)"
                assert ok or code in CHAIN_FAILURE_CODES, f"{name} under {kind}: {code}"
        finally:
            if kind == "connection_refused":
                endpoint.start()
            else:
                endpoint.set_faults(latency_ms=0, error_rate=0.0, malformed_rate=0.0, down=False)
        if SIGNATURE[kind]:
            assert SIGNATURE[kind] in seen.values(), f"{kind} never surfaced as {SIGNATURE[kind]}: {seen}"
        print(f"{kind}: {len(tools)} tools, slowest call {max(took_all):.2f}s (bound {CALL_BOUND:.1f}s), {seen}")

        await anyio.sleep(COOLDOWN + 0.1)  # an open breaker lets a probe through after its cool-down
        await all_succeed(client, tools, world)  # same session, serving normally again
        assert tuning.pools[0].endpoints[0].breaker.state == "closed"


@pytest.mark.parametrize("how", ["stopped", "dropping_connections"])
async def test_failover_when_one_of_two_endpoints_is_down(how, chain, replicas, home):
    first, second = replicas(), replicas()
    tuning = PoolTuning(cooldown=30.0)  # the dead endpoint stays paused: reads go to the live one
    server = build((first.url, second.url), chain.chain.chain_id, ("tuning", tuning), cache=False,
                   request_timeout=TIMEOUT, retries=RETRIES)
    tools = READ_TOOLS if FULL else READ_TOOLS[::3]
    async with connect(server, "legacy" if how == "stopped" else "auto") as client:
        world = await prepare(client, chain)
        if how == "stopped":
            first.stop()
        else:
            first.set_faults(down=True)
        for name in tools:
            ok, code, took = await timed_call(client, name, fill(READ_ARGS[name], world))
            assert ok, f"{name} failed with {code} although {second.url} was up"
            assert took < CALL_BOUND
    stats = tuning.pools[0].stats()
    assert stats["failovers"] >= 1 and stats["endpoints"][0]["failures"] >= 1
    assert stats["endpoints"][0]["breaker"] == "open" and stats["endpoints"][1]["failures"] == 0


async def test_breaker_opens_then_recovers_when_the_endpoint_is_back(chain, replicas, home):
    endpoint = replicas()
    tuning = PoolTuning(cooldown=0.5, threshold=3)
    server = build((endpoint.url,), chain.chain.chain_id, ("tuning", tuning), cache=False,
                   request_timeout=TIMEOUT, retries=RETRIES)
    async with connect(server) as client:
        await call_ok(client, "secret_get_latest_block")
        breaker = tuning.pools[0].endpoints[0].breaker
        endpoint.stop()
        codes = []
        for _ in range(3):
            ok, code, took = await timed_call(client, "secret_get_latest_block", {})
            codes.append(code)
            assert took < CALL_BOUND
        assert breaker.state == "open" and set(codes) == {"CHAIN_UNREACHABLE"}
        # While open, calls are refused at once without touching the endpoint.
        sent = tuning.pools[0].endpoints[0].requests
        ok, code, took = await timed_call(client, "secret_get_latest_block", {})
        assert code == "CHAIN_UNREACHABLE" and took < TIMEOUT and tuning.pools[0].endpoints[0].requests == sent

        endpoint.start()  # back on the same port
        ok, code, _ = await timed_call(client, "secret_get_latest_block", {})
        assert code == "CHAIN_UNREACHABLE"  # still inside the cool-down: not asked yet
        await anyio.sleep(0.6)
        out = await call_ok(client, "secret_get_latest_block")  # the half-open probe succeeds and closes it
        assert out["height"] == chain.chain.height and breaker.state == "closed"
        await call_ok(client, "secret_get_balance", {"address": A})
