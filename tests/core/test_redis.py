"""Redis as the shared store (`cache_url`): what Redis holds, scoped clear, failures, confirmation codes.

Every test runs against a real private redis-server (tests/redis_server.py). Two `Cache` / `ConfirmationCodes`
objects on one Redis stand for two server processes; tests/http/test_shared_state.py runs two real ones.
"""

from __future__ import annotations

import threading

import pytest
from pydantic import BaseModel

from secret_mcp.cache import Cache
from secret_mcp.cache_backends import connect_redis, redact_url
from secret_mcp.config import Config
from secret_mcp.errors import ConfigError, SecretMCPError
from secret_mcp.security.confirm import ConfirmationCodes, RedisCodeStore, revive_args
from secret_mcp.testing import plugin_host
from tests.redis_server import (  # noqa: F401 (fixtures)
    cluster_client, cluster_url, free_port, redis_client, redis_cluster, redis_server, redis_url,
)

pytestmark = pytest.mark.anyio
PASSWORD = "s3cr3t-pass-word"


async def fetch_one() -> dict:
    return {"n": 1}


async def test_entries_expire_in_redis_and_the_index_is_a_set(redis_url, redis_client):
    c = Cache(None, url=redis_url, namespace="secret-4|http://lcd", ttls={"balances": 30, "tx": 3600})
    await c.get_or_fetch("balances", "bal", fetch_one, addresses=["secret1a"])
    await c.get_or_fetch("tx", "h", fetch_one, addresses=["secret1a"])
    keys = sorted(redis_client.keys("*"))
    assert len(keys) == 3 and all(k.startswith(c._store.prefix) for k in keys)
    index = c._store.prefix + "@address|secret1a"
    assert redis_client.type(index) == "set" and redis_client.scard(index) == 2
    assert 3500 < redis_client.ttl(index) <= 3600  # as long as its longest entry (the tx)
    assert 25 < redis_client.ttl(c._store.prefix + "balances|bal") <= 30
    assert redis_client.get(c._store.prefix + "tx|h") == '{"n": 1}'  # JSON text, not pickles
    c.close()


async def test_clear_removes_only_this_namespace(redis_url, redis_client):
    redis_client.set("someone-else:key", "keep")
    mine, other = Cache(None, url=redis_url, namespace="n1"), Cache(None, url=redis_url, namespace="n2")
    for i in range(3):
        await mine.get_or_fetch("default", f"k{i}", fetch_one, addresses=["secret1a"])
    await other.get_or_fetch("default", "k", fetch_one)
    assert mine.clear() == 4  # three entries and the address index
    assert redis_client.get("someone-else:key") == "keep" and redis_client.dbsize() == 2
    mine.close()
    other.close()


async def test_a_dead_redis_degrades_to_uncached_reads():
    url = f"redis://:{PASSWORD}@127.0.0.1:{free_port()}/0"  # nothing listens there
    c = Cache(None, url=url, namespace="n")
    calls = []

    async def fetch() -> dict:
        calls.append(1)
        return {"n": len(calls)}

    assert await c.get_or_fetch("default", "k", fetch) == {"n": 1}
    assert c.stats()["store_errors"] == 1  # and the store is left alone for STORE_BACKOFF seconds
    assert await c.get_or_fetch("default", "k", fetch) == {"n": 2}  # nothing could be stored
    assert c.stats()["store_errors"] == 1
    assert c.invalidate_address("secret1a") == 0  # always tried: a stale balance matters more than a wait
    stats = c.stats()
    assert stats["store_errors"] == 2 and stats["misses"] == 2 and stats["backend"] == "redis"
    c.close()


def test_malformed_cache_url_is_a_config_error_without_the_password():
    for url, why in [
        (f"http://user:{PASSWORD}@host", "redis://, rediss:// or unix://"),
        (f"redis://:{PASSWORD}@host:notaport/0", "host or port"),
        (f"redis://:{PASSWORD}@host:6379/zero", "database"),
        ("unix://", "socket path"),
    ]:
        with pytest.raises(ConfigError) as info:
            Config(cache_url=url)
        assert info.value.message.startswith("cache_url: ") and why in info.value.message
        assert PASSWORD not in info.value.message
    with pytest.raises(ConfigError, match="cache_url: must be a URL"):
        Config(cache_url=f"redis:{PASSWORD}")
    assert Config(cache_url="rediss://u:p@h:6380/2").cache_url and Config(cache_url="unix:///run/redis.sock")


@pytest.mark.parametrize("url, shown", [
    (f"redis://:{PASSWORD}@h:6379/0", "redis://***@h:6379/0"),
    (f"rediss://user:{PASSWORD}/x@y@h", "rediss://***@h"),  # "/" and "@" inside a password
    (f"unix:///run/redis.sock?db=1&password={PASSWORD}", "unix:///run/redis.sock?db=1&password=***"),
    ("redis://h:6379/0", "redis://h:6379/0"),
])
def test_urls_are_shown_without_credentials(url, shown):
    assert redact_url(url) == shown


def test_unreachable_redis_fails_naming_cache_url_without_the_password():
    url = f"redis://user:{PASSWORD}@127.0.0.1:{free_port()}/0"
    with pytest.raises(ConfigError) as info:
        connect_redis(url, check=True)
    message = info.value.message
    assert message.startswith("cache_url: cannot reach Redis at redis://***@127.0.0.1:") and PASSWORD not in message
    assert redact_url(url) in message


def test_wrong_password_fails_naming_cache_url(redis_server, redis_client):
    redis_client.config_set("requirepass", PASSWORD)  # reset by the next test's flush: set back below
    try:
        url = redis_server.url.replace("redis://", "redis://:wrong-password-here@")
        with pytest.raises(ConfigError) as info:
            connect_redis(url, check=True)
        assert "cache_url" in info.value.message and "wrong-password-here" not in info.value.message
        connect_redis(redis_server.url.replace("redis://", f"redis://:{PASSWORD}@"), check=True).close()
    finally:
        redis_client.execute_command("AUTH", PASSWORD)
        redis_client.config_set("requirepass", "")


# --- confirmation codes shared through Redis


STATE_KEY = b"test-state-key-of-at-least-32-bytes!"


def codes_on(url: str, clock=None, **kwargs) -> ConfirmationCodes:
    import time

    clock = clock or time.time
    return ConfirmationCodes(300, clock, shared=RedisCodeStore(url, connect_redis(url, check=True), clock, STATE_KEY), **kwargs)


def test_issued_on_one_process_redeemed_on_another_once(redis_url):
    a, b = codes_on(redis_url), codes_on(redis_url)
    pending = a.issue("secret_send_tokens", {"recipient": "secret1x", "amount": "1 SCRT"}, "chain-1", "Send 1 SCRT")
    got = b.redeem(pending.code.lower(), chain_id="chain-1")
    assert (got.tool, got.args, got.preview) == ("secret_send_tokens", {"recipient": "secret1x", "amount": "1 SCRT"},
                                                 "Send 1 SCRT")
    for codes in (a, b):
        with pytest.raises(SecretMCPError) as info:
            codes.redeem(pending.code, chain_id="chain-1")
        assert info.value.code == "CONFIRMATION_USED"
    with pytest.raises(SecretMCPError) as info:
        b.redeem("AAAA-BBBB-CCCC-DDDD", chain_id="chain-1")
    assert info.value.code == "CONFIRMATION_UNKNOWN"


@pytest.mark.parametrize("store", ["redis_url", "cluster_url"])  # one server, and a 3-primary cluster
def test_concurrent_redemptions_on_many_processes_one_wins(store, request):
    url = request.getfixturevalue(store)
    processes = [codes_on(url) for _ in range(4)]
    pending = processes[0].issue("secret_send_tokens", {"amount": "1"}, "c", "p")
    outcomes: list[str] = []
    start = threading.Barrier(16)

    def redeem(codes: ConfirmationCodes) -> None:
        start.wait()
        try:
            codes.redeem(pending.code, chain_id="c")
            outcomes.append("won")
        except SecretMCPError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=redeem, args=(processes[i % 4],)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("won") == 1 and outcomes.count("CONFIRMATION_USED") == 15


def test_expiry_network_and_arguments_are_still_checked(redis_url, redis_client):
    now = [1000.0]
    a, b = codes_on(redis_url, lambda: now[0]), codes_on(redis_url, lambda: now[0])
    late = a.issue("t", {"x": 1}, "c", "p")
    assert 595 < redis_client.pttl("secret-mcp:confirm:" + late.code) / 1000 <= 600  # expiry plus one TTL
    now[0] += 301
    with pytest.raises(SecretMCPError, match="expired"):
        b.redeem(late.code, chain_id="c")
    other = a.issue("t", {"x": 1}, "c", "p")
    with pytest.raises(SecretMCPError) as info:
        b.redeem(other.code, chain_id="another-chain")
    assert info.value.code == "CONFIRMATION_MISMATCH"


class Payment(BaseModel):
    recipient: str
    amount: str


async def pay(ctx, recipients: list[Payment], memo: str | None = None) -> None: ...


def test_model_arguments_come_back_as_models(redis_url):
    revive = lambda _tool, args: revive_args(pay, args)  # noqa: E731
    a, b = codes_on(redis_url), codes_on(redis_url, revive=revive)
    args = {"recipients": [Payment(recipient="secret1x", amount="1")], "memo": None}
    pending = a.issue("secret_multi_send", args, "c", "p")
    got = b.redeem(pending.code, chain_id="c", tool="secret_multi_send",
                   args={"recipients": [{"recipient": "secret1x", "amount": "1"}], "memo": None})
    assert got.args == args and isinstance(got.args["recipients"][0], Payment)


def test_arguments_holding_a_secret_stay_in_the_issuing_process(redis_url, redis_client):
    a, b = codes_on(redis_url), codes_on(redis_url)
    msg = {"set_viewing_key": {"key": "my-very-private-viewing-key"}}
    pending = a.issue("secret_execute_contract", {"contract": "secret1c", "msg": msg}, "c", "p")
    assert redis_client.dbsize() == 0  # nothing about it in Redis
    with pytest.raises(SecretMCPError) as info:
        b.redeem(pending.code, chain_id="c")
    assert info.value.code == "CONFIRMATION_UNKNOWN"
    assert a.redeem(pending.code, chain_id="c").args["msg"] == msg


def test_a_code_redeemed_elsewhere_needs_the_same_active_wallet(redis_url):
    # Processes do not share sessions: B signing with another wallet than A showed the person must be refused.
    a = codes_on(redis_url, sender=lambda: "secret1alice")
    b_other, b_same = codes_on(redis_url, sender=lambda: "secret1bob"), codes_on(redis_url, sender=lambda: "secret1alice")
    refused = a.issue("secret_send_tokens", {"amount": "1"}, "c", "p")
    with pytest.raises(SecretMCPError, match="active wallet differs") as info:
        b_other.redeem(refused.code, chain_id="c")
    assert info.value.code == "CONFIRMATION_MISMATCH"
    assert b_same.redeem(a.issue("secret_send_tokens", {"amount": "1"}, "c", "p").code, chain_id="c").sender == "secret1alice"


def test_a_pending_call_written_by_someone_without_the_key_is_refused(redis_url, redis_client):
    import json as _json

    codes = codes_on(redis_url)
    pending = codes.issue("secret_send_tokens", {"recipient": "secret1a", "amount": "1"}, "chain-1", "Send 1")
    store_key = codes._shared.prefix + pending.code
    sealed = _json.loads(redis_client.get(store_key))
    forged = _json.loads(sealed["payload"]) | {"args": {"recipient": "secret1attacker", "amount": "1000000"}}
    # Whoever can write Redis but lacks the state key rewrites the pending call (keeping the old MAC)...
    redis_client.set(store_key, _json.dumps({"mac": sealed["mac"], "payload": _json.dumps(forged)}))
    with pytest.raises(SecretMCPError) as info:
        codes.redeem(pending.code, chain_id="chain-1")
    assert info.value.code == "CONFIRMATION_FORGED"
    # ...or plants one under a fresh code with a MAC made under another key.
    other = codes_on(redis_url)
    other._shared._key = b"another-key-that-is-32-bytes-long!!"
    planted = other.issue("secret_send_tokens", {"recipient": "secret1attacker", "amount": "9"}, "chain-1", "x")
    with pytest.raises(SecretMCPError) as info:
        codes.redeem(planted.code, chain_id="chain-1")
    assert info.value.code == "CONFIRMATION_FORGED"


def test_cache_url_without_a_state_key_stops_start_up(redis_url):
    from secret_mcp.app import App

    with pytest.raises(ConfigError) as info:
        App(Config(cache_url=redis_url), plugin_host(entry_points=False))
    assert info.value.message.startswith("state_key: ")
