"""Two real `secret-mcp serve --http` processes on one Redis (`cache_url`) and one sandbox chain, as behind a
load balancer: the chain-query cache and the single-use confirmation codes are shared between them."""

from __future__ import annotations

import os
import subprocess

import pytest
from mnemonic import Mnemonic

from tests.helpers import call_err, call_ok
from tests.http.test_http import BIN, FRIEND, TOKEN, free_port, http_client, start, stop, wait_listening
from tests.redis_server import redis_client, redis_server  # noqa: F401 (fixtures)
from tests.tx.fixtures import balance, sandbox  # noqa: F401 (fixture)

PASSWORD = "very-secret-redis-password"


@pytest.fixture(scope="module")
def pair(sandbox, redis_server, tmp_path_factory):
    """Processes A and B: same Redis, same chain (the sandbox network at this LCD URL), own homes."""
    procs, urls = [], []
    for name in ("a", "b"):
        port = free_port()
        procs.append((start(
            port, "--network", "sandbox", "--lcd-url", sandbox.url, "--chain-id", sandbox.chain.chain_id,
            "--plugins", "network,sandbox,wallet,bank",  # what the test uses: start-up stays short
            SECRET_MCP_HTTP_TOKEN=TOKEN, SECRET_MCP_STATE_KEY="test-state-key-of-at-least-32-bytes!", SECRET_MCP_CACHE_URL=redis_server.url,
            SECRET_MCP_HOME=str(tmp_path_factory.mktemp(f"home-{name}")),
        ), port))
        urls.append(f"http://127.0.0.1:{port}/mcp")
    try:
        for proc, port in procs:
            wait_listening(proc, port)
        yield urls
    finally:
        for proc, _port in procs:
            _out, err = stop(proc)
            assert "Traceback" not in err, err[-2000:]


async def cache_stats(client) -> dict:
    return (await call_ok(client, "secret_health_check"))["cache"]


@pytest.mark.anyio
async def test_cache_and_confirmation_codes_are_shared(pair, sandbox, redis_client, mode):
    from mcp import Client

    url_a, url_b = pair
    phrase = Mnemonic("english").generate(256)  # a fresh wallet per era: balance arithmetic is exact
    friend = f"friend-{mode}"
    async with Client(http_client(url_a, TOKEN), mode=mode) as a, Client(http_client(url_b, TOKEN), mode=mode) as b:
        other = (await call_ok(a, "secret_create_wallet", {"name": friend}))["wallet"]["address"]
        wallet = {"name": f"w-{mode}", "mnemonic": phrase}  # the same key on both, active on both
        me = (await call_ok(a, "secret_import_wallet", wallet))["wallet"]["address"]
        assert (await call_ok(b, "secret_import_wallet", wallet))["wallet"]["address"] == me
        for client in (a, b):
            await call_ok(client, "secret_set_active_wallet", {"name": wallet["name"]})
        sandbox.faucet(me, 10_000_000)

        # A reads the balance (a miss, stored in Redis); B answers the same read from Redis.
        before_a, before_b = await cache_stats(a), await cache_stats(b)
        assert (await call_ok(a, "secret_get_balance"))["uscrt"] == "10000000"
        assert (await call_ok(b, "secret_get_balance"))["uscrt"] == "10000000"
        after_a, after_b = await cache_stats(a), await cache_stats(b)
        assert after_a["backend"] == after_b["backend"] == "redis"
        assert after_a["misses"] - before_a["misses"] == 1
        assert after_b["hits"] - before_b["hits"] == 1 and after_b["misses"] == before_b["misses"]
        assert any(redis_client.scan_iter(match="secret-mcp:cache:*balances|*" + me + "*"))

        # A issues a code (this client cannot elicit); B redeems it; the transaction lands once.
        pending = await a.call_tool("secret_send_tokens", {"recipient": other, "amount": "2 SCRT"})
        body = pending.structured_content
        assert pending.is_error and body["error"]["code"] == "CONFIRMATION_REQUIRED"
        code = body["confirmation_code"]
        assert balance(sandbox, other) == 0
        done = await call_ok(b, "secret_confirm_transaction", {"code": code})
        assert done["tool"] == "secret_send_tokens" and done["result"]["status"] == "success"
        again = await call_err(a, "secret_confirm_transaction", {"code": code})
        also = await call_err(b, "secret_confirm_transaction", {"code": code})
        assert again["code"] == also["code"] == "CONFIRMATION_USED"
        assert balance(sandbox, other) == 2_000_000
        left = balance(sandbox, me)
        assert left < 8_000_000  # 2 SCRT and one fee: one send, not two

        # B's send dropped the sender's cached balance in Redis: A reads the new one, not the stale one.
        assert (await call_ok(a, "secret_get_balance"))["uscrt"] == str(left)


def test_unreachable_cache_url_stops_start_up_with_a_clear_message():
    url = f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0"  # nothing listens there
    proc = subprocess.run([str(BIN), "serve", "--http", "--port", str(free_port())], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "SECRET_MCP_CACHE_URL": url, "SECRET_MCP_STATE_KEY": "test-state-key-of-at-least-32-bytes!", "SECRET_MCP_HTTP_TOKEN": TOKEN,
                                           "SECRET_MCP_PLUGINS": "", "SECRET_MCP_NO_PACK_COMMANDS": "1"})
    assert proc.returncode != 0
    assert "cache_url: cannot reach Redis at redis://***@127.0.0.1" in proc.stderr
    assert "Traceback" not in proc.stderr and PASSWORD not in proc.stderr + proc.stdout


@pytest.mark.anyio
async def test_a_2026_confirmation_asked_by_one_process_is_answered_on_the_other(pair, sandbox):
    # Round robin sends the question (InputRequiredResult) and the retry with the answer to different
    # processes: the request state is sealed under a key both derive from the state key.
    from urllib.parse import urlsplit

    from mcp import Client
    from mcp.types import ElicitResult

    from tests.http.nginx_server import Nginx, nginx_binary, round_robin_config

    nginx_binary()
    phrase = Mnemonic("english").generate(256)
    for url in pair:  # bearer mode: each process has its own session, so the same wallet on both
        async with Client(http_client(url, TOKEN)) as direct:
            me = (await call_ok(direct, "secret_import_wallet", {"name": "rr", "mnemonic": phrase}))["wallet"]["address"]
            await call_ok(direct, "secret_set_active_wallet", {"name": "rr"})
    sandbox.faucet(me, 5_000_000)
    port = free_port()
    proxy = Nginx(port, round_robin_config(port, [urlsplit(u).port for u in pair]))
    asked = []

    async def accept(_ctx, params):
        asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    try:
        async with Client(http_client(f"http://127.0.0.1:{port}/mcp", TOKEN), elicitation_callback=accept) as client:
            sent = await call_ok(client, "secret_send_tokens", {"recipient": FRIEND, "amount": "1 SCRT"})
    finally:
        proxy.stop()
    assert sent["status"] == "success" and len(asked) == 1
