"""The README's OAuth deployment: three `serve --http` workers behind Debian's nginx (round robin), one
Redis, one authorization server. Two principals cannot see or use each other's wallets, codes or limits;
a worker killed while a confirmation is pending, another worker finishes it."""

from __future__ import annotations

import httpx
import pytest
from mnemonic import Mnemonic

from tests.helpers import call_err, call_ok
from tests.http.nginx_server import Nginx, nginx_binary, site_config
from tests.http.test_http import free_port, http_client
from tests.http.test_oauth_shared import RECIPIENT, workers
from tests.redis_server import redis_server  # noqa: F401 (fixture)
from tests.tx.fixtures import balance, sandbox  # noqa: F401 (fixture)

BURST = 150


@pytest.fixture(scope="module")
def deployment(sandbox, redis_server, tmp_path_factory):
    nginx_binary()
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    with workers(3, sandbox, redis_server.url, tmp_path_factory, audience=url,
                 SECRET_MCP_RATE_LIMIT_BURST=str(BURST), SECRET_MCP_RATE_LIMIT_PER_MINUTE="6") as (direct, issuer, procs):
        proxy = Nginx(port, site_config(port, list(procs)))
        try:
            yield url, direct, issuer, procs
        finally:
            proxy.stop()


async def wallet_for(client, sandbox, name: str) -> str:
    phrase = Mnemonic("english").generate(256)
    address = (await call_ok(client, "secret_import_wallet", {"name": name, "mnemonic": phrase}))["wallet"]["address"]
    await call_ok(client, "secret_set_active_wallet", {"name": name})
    sandbox.faucet(address, 10_000_000)
    return address


@pytest.mark.anyio
async def test_two_principals_through_nginx_stay_apart(deployment, sandbox, mode):
    from mcp import Client

    url, _direct, issuer, _procs = deployment
    async with Client(http_client(url, issuer.token("alice")), mode=mode) as alice, \
            Client(http_client(url, issuer.token("bob")), mode=mode) as bob:
        mine = await wallet_for(alice, sandbox, f"a-{mode}")
        theirs = await wallet_for(bob, sandbox, f"b-{mode}")
        # Each request may land on any worker: every one of them knows whose wallet is whose.
        for _ in range(3):
            assert (await call_ok(alice, "secret_get_active_wallet"))["active"]["address"] == mine
            assert (await call_ok(bob, "secret_get_active_wallet"))["active"]["address"] == theirs
        assert f"a-{mode}" not in {w["name"] for w in (await call_ok(bob, "secret_list_wallets"))["wallets"]}
        assert (await call_err(bob, "secret_set_active_wallet", {"name": f"a-{mode}"}))["code"] == "UNKNOWN_WALLET"

        pending = await alice.call_tool("secret_send_tokens", {"recipient": RECIPIENT, "amount": "1 SCRT"})
        code = pending.structured_content["confirmation_code"]
        assert (await call_err(bob, "secret_confirm_transaction", {"code": code}))["code"] == "CONFIRMATION_UNKNOWN"
        assert (await call_ok(alice, "secret_confirm_transaction", {"code": code}))["result"]["status"] == "success"
        assert balance(sandbox, theirs) == 10_000_000  # bob's wallet was never touched


def test_one_principal_spending_its_limit_leaves_the_other_alone(deployment):
    url, _direct, issuer, _procs = deployment
    issuer.register("eve")
    eve, alice = issuer.token("eve"), issuer.token("alice")
    headers = {"Accept": "application/json, text/event-stream"}
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    with httpx.Client(headers=headers) as http:
        codes = [http.post(url, json=ping, headers={"Authorization": f"Bearer {eve}"}).status_code
                 for _ in range(BURST + 1)]
        assert codes[:BURST].count(429) == 0 and codes[BURST] == 429
        assert http.post(url, json=ping, headers={"Authorization": f"Bearer {alice}"}).status_code != 429


@pytest.mark.anyio
async def test_a_worker_killed_with_a_confirmation_pending_another_finishes_it(deployment, sandbox):
    from mcp import Client

    url, direct, issuer, procs = deployment
    issuer.register("frank")
    token = issuer.token("frank")
    first_port = next(iter(procs))
    # The code is issued by the first worker, reached directly...
    async with Client(http_client(direct[0], token)) as first:
        me = await wallet_for(first, sandbox, "f")
        pending = await first.call_tool("secret_send_tokens", {"recipient": RECIPIENT, "amount": "3 SCRT"})
        code = pending.structured_content["confirmation_code"]
    before = balance(sandbox, RECIPIENT)
    procs[first_port].kill()  # ... which dies with it pending
    procs[first_port].wait()
    # Through nginx, the other workers finish it, once.
    async with Client(http_client(url, token)) as rest:
        assert (await call_ok(rest, "secret_get_active_wallet"))["active"]["address"] == me
        done = await call_ok(rest, "secret_confirm_transaction", {"code": code})
        assert done["result"]["status"] == "success"
        assert (await call_err(rest, "secret_confirm_transaction", {"code": code}))["code"] == "CONFIRMATION_USED"
    assert balance(sandbox, RECIPIENT) == before + 3_000_000


@pytest.mark.anyio
async def test_a_confirmation_asked_and_answered_across_workers(deployment, sandbox):
    # 2026-07-28: the question (InputRequiredResult, its request state sealed under the shared key) and the
    # retry carrying the answer are two requests, which round robin sends to different workers.
    from mcp import Client
    from mcp.types import ElicitResult

    url, _direct, issuer, _procs = deployment
    issuer.register("grace")
    asked = []

    async def accept(_ctx, params):
        asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    async with Client(http_client(url, issuer.token("grace")), elicitation_callback=accept) as grace:
        me = await wallet_for(grace, sandbox, "g")
        before = balance(sandbox, RECIPIENT)
        sent = await call_ok(grace, "secret_send_tokens", {"recipient": RECIPIENT, "amount": "1 SCRT"})
    assert sent["status"] == "success" and len(asked) == 1 and RECIPIENT in asked[0]
    assert balance(sandbox, RECIPIENT) == before + 1_000_000 and balance(sandbox, me) < 9_000_000
