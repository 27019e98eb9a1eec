"""Transactions under faults, read back from the chain: a broadcast whose answer is lost, late, a proxy error or
cut short lands exactly once (looked up by hash, never resent); concurrent sends from one wallet never leave
the sequence stuck."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from secret_mcp import hookimpl
from secret_mcp.tx.chain import TXS
from tests.helpers import call_ok, connect
from tests.reliability.common import build, sequence
from tests.tx.fixtures import B, C, accept, balance, funded_wallet, home, sandbox  # noqa: F401

pytestmark = pytest.mark.anyio
TIMEOUT = 1.0  # request_timeout of these servers: a broadcast answer later than this is "in doubt"


class SlowBroadcast:
    """The node takes longer than the timeout to answer our next broadcast (and commits it meanwhile)."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox, self.left = sandbox, 1

    @hookimpl
    def secret_mcp_client_pool_created(self, pool: Any, network: Any) -> None:
        original = pool.post

        async def post(path: str, json: Any, **kw: Any) -> dict:
            if path != TXS or not self.left:
                return await original(path, json, **kw)
            self.left -= 1
            self.sandbox.set_faults(latency_ms=int(TIMEOUT * 1000 * 1.6))
            try:
                return await original(path, json, **kw)
            finally:
                self.sandbox.set_faults(latency_ms=0)  # the lookups that follow are answered in time

        pool.post = post


async def sent_by(client: Any, address: str) -> list[str]:
    """Hashes of the txs the chain's tx search finds for this sender."""
    out = await call_ok(client, "secret_search_transactions", {"query": f"message.sender='{address}'", "limit": 100})
    return [tx["txhash"] for tx in out["txs"]]


FAULTS = {
    "answer_never_comes": {"drop_next_broadcast": True},
    "proxy_503_after_commit": {"broadcast_fault": "503"},
    "truncated_json_after_commit": {"broadcast_fault": "malformed"},
    "answer_after_the_timeout": {},  # SlowBroadcast
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_broadcast_in_doubt_lands_exactly_once(fault, sandbox, home):
    mode = "legacy" if fault.startswith("proxy") else "auto"  # both eras, without doubling the cost
    slow = SlowBroadcast(sandbox)
    plugins = [("slow", slow)] if fault == "answer_after_the_timeout" else []
    server = build((sandbox.url,), sandbox.chain.chain_id, *plugins, request_timeout=TIMEOUT)
    try:
        async with connect(server, mode, elicitation_callback=accept) as client:
            me = await funded_wallet(client, sandbox)
            before_b = balance(sandbox, B)
            if FAULTS[fault]:
                sandbox.set_faults(**FAULTS[fault])
            out = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "0.5 SCRT"})
            hit = slow.left == 0 if plugins else not (sandbox.faults.drop_next_broadcast or sandbox.faults.broadcast_fault)
            assert hit, "the broadcast fault was never triggered"
            assert out["status"] == "success"
            assert sequence(sandbox, me) == 1  # exactly one transaction: looked up by hash, not sent again
            assert await sent_by(client, me) == [out["txhash"]]
            assert balance(sandbox, B) == before_b + 500_000
            # Nothing is stuck: the next send signs the next sequence and lands.
            again = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "0.25 SCRT"})
            assert sequence(sandbox, me) == 2
            assert sorted(await sent_by(client, me)) == sorted([out["txhash"], again["txhash"]])
    finally:
        sandbox.faults.reset()


@pytest.fixture(scope="module")
def timed_sandbox():
    # Blocks every 400 ms: the account's committed sequence lags the node's mempool, as on a real chain, so
    # two sends that read the account at the same time would sign the same sequence.
    from secret_sandbox_chain import launch

    with launch(port=0, block_time_ms=400) as server:
        yield server


async def test_concurrent_sends_from_one_wallet_both_land(timed_sandbox, home):
    sb = timed_sandbox
    server = build((sb.url,), sb.chain.chain_id, confirm="never")
    async with connect(server, "legacy") as client:  # the in-doubt tests above use both eras
        me = await funded_wallet(client, sb)
        results: dict[str, Any] = {}

        async def send(to: str, amount: str) -> None:
            results[to] = await client.call_tool("secret_send_tokens", {"recipient": to, "amount": amount})

        async with anyio.create_task_group() as tg:
            tg.start_soon(send, B, "0.1 SCRT")
            tg.start_soon(send, C, "0.2 SCRT")
        for to, result in results.items():
            assert not result.is_error, (to, result.content[0].text)
        assert sequence(sb, me) == 2  # both landed, one after the other
        hashes = {r.structured_content["txhash"] for r in results.values()}
        assert set(await sent_by(client, me)) == hashes and len(hashes) == 2
        # and the wallet is not stuck: a third send lands with the next sequence
        await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "0.05 SCRT"})
        assert sequence(sb, me) == 3


class FlakyPreview:
    """The node fails the first `n` reads (the confirmation preview's), then works again for the tool body."""

    def __init__(self) -> None:
        self.left = 0  # armed by the test

    @hookimpl
    def secret_mcp_client_pool_created(self, pool: Any, network: Any) -> None:
        original = pool.get

        async def get(path: str, *args: Any, **kw: Any) -> dict:
            if self.left > 0:
                self.left -= 1
                from secret_mcp.errors import ChainError

                raise ChainError("CHAIN_UNREACHABLE", "injected: the node did not answer", [], {"path": path})
            return await original(path, *args, **kw)

        pool.get = get


PREVIEWED = {  # moves-funds calls whose preview reads the chain before it can show anything
    "secret_delegate": {"validator": "{validator}", "amount": "1 SCRT"},
    "secret_ibc_transfer": {"channel": "channel-0", "receiver": "cosmos1ap26qrlp8mcq2pg6r47w43l0y8zkqm8ah3mejd",
                            "amount": "1 SCRT"},
    "secret_execute_contract": {"contract": "{counter}", "msg": {"increment": {}}},
    "secret_token_transfer": {"token": "{token}", "recipient": B, "amount": "1"},
    "secret_deposit_proposal": {"proposal_id": 4, "amount": "1 SCRT"},
}


@pytest.mark.parametrize("name", list(PREVIEWED))
async def test_a_flaky_node_during_the_preview_never_skips_the_confirmation(name, sandbox, home):
    from tests.contracts.sandbox_addresses import COUNTER, TOKEN
    from tests.reliability.common import fill
    from tests.tx.fixtures import decline, recording

    flaky = FlakyPreview()
    refuse, shown = recording(decline)
    server = build((sandbox.url,), sandbox.chain.chain_id, ("flaky", flaky))
    async with connect(server, "auto", elicitation_callback=refuse) as client:
        me = await funded_wallet(client, sandbox)
        vals = await call_ok(client, "secret_get_validators", {})
        world = {"validator": vals["validators"][0]["operator_address"], "counter": COUNTER, "token": TOKEN}
        flaky.left = 1  # the next read (the preview's first) fails once
        result = await client.call_tool(name, fill(PREVIEWED[name], world))
    assert flaky.left == 0
    assert result.is_error, f"{name} ran without the person's confirmation: {result.structured_content}"
    assert result.structured_content["error"]["code"] == "CHAIN_UNREACHABLE"  # the node's failure, structured
    assert sequence(sandbox, me) == 0  # nothing was signed
