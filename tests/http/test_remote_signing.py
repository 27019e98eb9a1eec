"""Signing requests on a remote, many-person server: three OAuth `serve --http` workers behind nginx, one Redis.

A wallet-signer send opened on one worker is signed by secretjs's Wallet (tests/secretjs, no browser) from the
request JSON any worker serves, posted through nginx, and lands on the sandbox once; a killed worker's request is
finished by another; another principal cannot see, submit or post it; a replay is refused on every worker.
"""

from __future__ import annotations

import base64
from urllib.parse import urlsplit

import httpx
import pytest

from secret_mcp.testing import balance, call_err, call_ok
from tests.http.nginx_server import Nginx, nginx_binary, site_config
from tests.http.oauth_server import AuthServer
from tests.http.test_http import free_port, http_client, start, stop, wait_listening
from tests.http.test_oauth_shared import RECIPIENT, STATE_KEY, redis_dump
from tests.redis_server import redis_client, redis_server  # noqa: F401 (fixtures)
from tests.signing.test_wallet_signing import add_wallet, get_request, js_wallet, post  # noqa: F401 (fixture)

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def deployment(sandbox, redis_server, tmp_path_factory):
    nginx_binary()
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    issuer = AuthServer(f"{public}/mcp").start()
    for who in ("alice", "bob", "carol"):
        issuer.register(who)
    procs = {}
    try:
        for i in range(3):
            wport = free_port()
            procs[wport] = start(
                wport, "--network", "sandbox", "--lcd-url", sandbox.url, "--chain-id", sandbox.chain.chain_id,
                "--plugins", "network,sandbox,wallet,bank,transactions",
                SECRET_MCP_OAUTH_ISSUER=issuer.issuer, SECRET_MCP_OAUTH_AUDIENCE=f"{public}/mcp",
                SECRET_MCP_PUBLIC_URL=public, SECRET_MCP_CACHE_URL=redis_server.url, SECRET_MCP_STATE_KEY=STATE_KEY,
                SECRET_MCP_HOME=str(tmp_path_factory.mktemp(f"home-{i}")))
        for wport, proc in procs.items():
            wait_listening(proc, wport)
        proxy = Nginx(port, site_config(port, list(procs)))
        try:
            yield public, issuer, procs
        finally:
            proxy.stop()
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                _out, err = stop(proc)
                assert "Traceback" not in err, err[-2000:]
        issuer.stop()


def on_worker(url: str, wport: int) -> str:
    """The same signing URL, sent straight to one worker instead of through nginx."""
    parts = urlsplit(url)
    return parts._replace(netloc=f"127.0.0.1:{wport}").geturl()


async def open_send(client, amount: str) -> dict:
    result = await client.call_tool("secret_send_tokens", {"recipient": RECIPIENT, "amount": amount})
    body = result.structured_content
    assert result.is_error and body["error"]["code"] == "AWAITING_SIGNATURE", body
    return body


async def test_signed_through_nginx_on_other_workers_lands_once(deployment, sandbox, js_wallet, redis_client, mode):
    from mcp import Client

    public, issuer, procs = deployment
    first, second, third = list(procs)
    async with Client(http_client(f"http://127.0.0.1:{first}/mcp", issuer.token("alice")), mode=mode) as alice:
        await add_wallet(alice, js_wallet, f"w-{mode}")
        body = await open_send(alice, "2 SCRT")
    url, rid = body["signing_url"], body["request_id"]
    token = url.partition("?t=")[2]
    assert url.startswith(f"{public}/sign/{rid}?t=")  # the public URL, not the worker's

    async with httpx.AsyncClient(timeout=60) as http:
        page = await http.get(url)  # through nginx
        assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    request = await get_request(on_worker(url, second))  # another worker serves the request JSON
    assert request["status"] == "awaiting_signature" and request["signer"]["address"] == js_wallet.address
    assert request["review"]["receivers"][0]["address"] == RECIPIENT
    dump = redis_dump(redis_client)  # sealed: neither the token nor the sign doc in the clear
    assert f"signreq:{{{rid}}}" in dump and token not in dump
    assert request["sign_doc"]["direct"]["body_bytes"] not in dump
    before = balance(sandbox, RECIPIENT)
    signed = await js_wallet.ask(op="amino", doc=request["sign_doc"]["amino"])
    answer = await post(url, "signed", {"mode": "amino", **signed})  # through nginx: whichever worker
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "included" and answer.json()["height"]
    assert balance(sandbox, RECIPIENT) == before + 2_000_000

    for wport in procs:  # a replay is refused on every worker, nothing more is broadcast
        again = await post(on_worker(url, wport), "signed", {"mode": "amino", **signed})
        assert again.status_code == 409 and again.json()["error"]["code"] == "SIGNING_REQUEST_USED"
    assert balance(sandbox, RECIPIENT) == before + 2_000_000
    done = await get_request(on_worker(url, third))
    assert done["status"] == "included" and done["answer"]["txhash"] == answer.json()["txhash"]
    async with Client(http_client(f"{public}/mcp", issuer.token("alice")), mode=mode) as alice:
        status = await call_ok(alice, "secret_get_transaction_status", {"hash": rid})
        assert status["request_id"] == rid and status["txhash"] == answer.json()["txhash"]
        assert status["status"] == "success"


async def test_direct_mode_key_learned_on_one_worker_signed_on_another(deployment, sandbox, js_wallet):
    # The account never signed: the wallet's key goes into the auth info on one worker, and the worker that takes
    # the signature must check it against those new bytes (kept in Redis), not the ones first prepared.
    from mcp import Client

    public, issuer, procs = deployment
    first, second, third = list(procs)
    async with Client(http_client(f"{public}/mcp", issuer.token("alice"))) as alice:
        await add_wallet(alice, js_wallet, "d")
        body = await open_send(alice, "1 SCRT")
    url = body["signing_url"]
    request = await get_request(on_worker(url, first))
    assert request["signer"]["pub_key"] is None
    learned = await post(on_worker(url, second), "pubkey", await js_wallet.ask(op="pubkey"))
    assert learned.status_code == 200, learned.text
    direct = learned.json()["sign_doc"]["direct"]
    assert direct["auth_info_bytes"] != request["sign_doc"]["direct"]["auth_info_bytes"]
    assert (await get_request(on_worker(url, third)))["sign_doc"]["direct"] == direct
    before = balance(sandbox, RECIPIENT)
    signed = await js_wallet.ask(op="direct", doc=direct)
    answer = await post(on_worker(url, third), "signed", {"mode": "direct", **signed})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "included"
    assert balance(sandbox, RECIPIENT) == before + 1_000_000


async def test_another_principal_cannot_see_submit_or_post(deployment, sandbox, js_wallet):
    from mcp import Client

    public, issuer, _procs = deployment
    async with Client(http_client(f"{public}/mcp", issuer.token("alice"))) as alice, \
            Client(http_client(f"{public}/mcp", issuer.token("bob"))) as bob:
        await add_wallet(alice, js_wallet, "a")
        body = await open_send(alice, "1 SCRT")
        rid, url = body["request_id"], body["signing_url"]
        request = await get_request(url)
        before = balance(sandbox, RECIPIENT)
        for _ in range(3):  # whichever worker bob lands on
            err = await call_err(bob, "secret_get_transaction_status", {"hash": rid})
            assert err["code"] != "AWAITING_SIGNATURE" and rid not in str(err.get("details", ""))
            err = await call_err(bob, "secret_submit_signed_transaction",
                                 {"request_id": rid, "tx_bytes": base64.b64encode(b"x" * 40).decode()})
            assert err["code"] == "SIGNING_REQUEST_UNKNOWN"
        signed = await js_wallet.ask(op="amino", doc=request["sign_doc"]["amino"])
        async with httpx.AsyncClient(timeout=60) as http:
            for target in (f"{public}/sign/{rid}/request", f"{public}/sign/{rid}/request?t=wrong", f"{public}/sign/{rid}"):
                assert (await http.get(target)).status_code == 404
            wrong = await http.post(f"{public}/sign/{rid}/signed?t=wrong", json={"mode": "amino", **signed})
            assert wrong.status_code == 404
        assert balance(sandbox, RECIPIENT) == before  # nothing broadcast
        mine = await call_ok(alice, "secret_get_transaction_status", {"hash": rid})
        assert mine["status"] == "awaiting_signature"


async def test_a_worker_killed_mid_request_another_finishes_it(deployment, sandbox, js_wallet):
    # Last in the module: it kills a worker.
    from mcp import Client

    public, issuer, procs = deployment
    first = next(iter(procs))
    async with Client(http_client(f"http://127.0.0.1:{first}/mcp", issuer.token("carol"))) as carol:
        await add_wallet(carol, js_wallet, "c")
        body = await open_send(carol, "3 SCRT")
    url, rid = body["signing_url"], body["request_id"]
    request = await get_request(on_worker(url, first))
    procs[first].kill()  # the worker that opened it (and served the page) dies
    procs[first].wait()
    before = balance(sandbox, RECIPIENT)
    signed = await js_wallet.ask(op="amino", doc=request["sign_doc"]["amino"])
    answer = await post(url, "signed", {"mode": "amino", **signed})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "included"
    assert balance(sandbox, RECIPIENT) == before + 3_000_000
    async with Client(http_client(f"{public}/mcp", issuer.token("carol"))) as carol:
        status = await call_ok(carol, "secret_get_transaction_status", {"hash": rid})
        assert status["status"] == "success" and status["txhash"] == answer.json()["txhash"]
