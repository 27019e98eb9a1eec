"""OAuth principals whose state lives in Redis: two `serve --http` workers, one Redis, one sandbox chain.

A principal's wallets, active wallet and confirmation codes follow it from worker to worker; another
principal sees none of them; Redis never holds a phrase or key in the clear (the test scans every key)."""

from __future__ import annotations

import contextlib
import subprocess

import pytest
from mnemonic import Mnemonic

from tests.helpers import call_err, call_ok
from tests.http.oauth_server import AuthServer
from tests.http.test_http import free_port, http_client, start, stop, wait_listening
from tests.redis_server import redis_client, redis_server  # noqa: F401 (fixtures)
from tests.tx.fixtures import balance, sandbox  # noqa: F401 (fixture)

STATE_KEY = "test-state-key-of-at-least-32-bytes!"
RECIPIENT = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"


def start_worker(port: int, sandbox, redis_url: str, issuer: AuthServer, audience: str, home: str,
                 **env: str) -> subprocess.Popen:
    return start(port, "--network", "sandbox", "--lcd-url", sandbox.url, "--chain-id", sandbox.chain.chain_id,
                 "--plugins", "network,sandbox,wallet,bank",
                 SECRET_MCP_OAUTH_ISSUER=issuer.issuer, SECRET_MCP_OAUTH_AUDIENCE=audience,
                 SECRET_MCP_CACHE_URL=redis_url, SECRET_MCP_STATE_KEY=STATE_KEY, SECRET_MCP_ALLOW_SERVER_KEYS="true",
                 SECRET_MCP_HOME=home, **env)


@contextlib.contextmanager
def workers(count: int, sandbox, redis_url: str, tmp_path_factory, audience: str | None = None, **env: str):
    """`count` workers on one Redis; yields (their /mcp URLs, the auth server, the procs by port)."""
    audience = audience or f"http://127.0.0.1:{free_port()}/mcp"  # one public URL for all, as behind a balancer
    issuer = AuthServer(audience).start()
    for who in ("alice", "bob"):
        issuer.register(who)
    procs = {}
    try:
        for i in range(count):
            port = free_port()
            procs[port] = start_worker(port, sandbox, redis_url, issuer, audience,
                                       str(tmp_path_factory.mktemp(f"home-{i}")), **env)
        for port, proc in procs.items():
            wait_listening(proc, port)
        yield [f"http://127.0.0.1:{port}/mcp" for port in procs], issuer, procs
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                _out, err = stop(proc)
                assert "Traceback" not in err, err[-2000:]
        issuer.stop()


def redis_dump(client) -> str:
    """Every key and value in Redis as one text, whatever the types."""
    parts = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        value = {"string": client.get, "hash": client.hgetall, "set": client.smembers,
                 "zset": lambda k: client.zrange(k, 0, -1, withscores=True), "list": lambda k: client.lrange(k, 0, -1),
                 }.get(kind, lambda k: "")(key)
        parts.append(f"{key} {value}")
    return "\n".join(parts)


@pytest.fixture(scope="module")
def pair(sandbox, redis_server, tmp_path_factory):
    with workers(2, sandbox, redis_server.url, tmp_path_factory) as running:
        yield running


@pytest.mark.anyio
async def test_a_principal_is_served_by_any_worker_and_no_other_sees_it(pair, sandbox, redis_client, mode):
    from mcp import Client

    from secret_mcp.security.keys import derive

    (url_a, url_b), issuer, _procs = pair
    phrase = Mnemonic("english").generate(256)
    key = derive(phrase).private_key.hex()
    name, friend = f"main-{mode}", f"friend-{mode}"
    alice_a = Client(http_client(url_a, issuer.token("alice")), mode=mode)
    alice_b = Client(http_client(url_b, issuer.token("alice")), mode=mode)
    bob_b = Client(http_client(url_b, issuer.token("bob")), mode=mode)
    async with alice_a as a, alice_b as b, bob_b as bob:
        me = (await call_ok(a, "secret_import_wallet", {"name": name, "mnemonic": phrase}))["wallet"]["address"]
        await call_ok(a, "secret_import_wallet", {"name": friend, "address": RECIPIENT})
        await call_ok(a, "secret_set_active_wallet", {"name": name})
        sandbox.faucet(me, 10_000_000)

        # Worker B knows alice's wallets and active wallet; bob, on the same worker, knows neither.
        assert (await call_ok(b, "secret_get_active_wallet"))["active"]["address"] == me
        assert {name, friend} <= {w["name"] for w in (await call_ok(b, "secret_list_wallets"))["wallets"]}
        assert not {name, friend} & {w["name"] for w in (await call_ok(bob, "secret_list_wallets"))["wallets"]}
        assert (await call_ok(bob, "secret_get_active_wallet"))["active"] is None

        # A code issued on A: unknown to bob, redeemed by alice on B, once.
        recipient = RECIPIENT
        before = balance(sandbox, recipient)
        pending = await a.call_tool("secret_send_tokens", {"recipient": recipient, "amount": "2 SCRT"})
        code = pending.structured_content["confirmation_code"]
        assert (await call_err(bob, "secret_confirm_transaction", {"code": code}))["code"] == "CONFIRMATION_UNKNOWN"
        done = await call_ok(b, "secret_confirm_transaction", {"code": code})
        assert done["result"]["status"] == "success"
        assert balance(sandbox, recipient) == before + 2_000_000
        assert (await call_err(a, "secret_confirm_transaction", {"code": code}))["code"] == "CONFIRMATION_USED"

    dump = redis_dump(redis_client)
    assert "secret-mcp:principal:" in dump  # the state is there ...
    assert phrase not in dump and key not in dump  # ... sealed: no phrase, no key in the clear
    assert " ".join(phrase.split()[:4]) not in dump
