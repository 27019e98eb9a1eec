"""Redis Cluster as the shared store (`cache_url = "redis+cluster://host:port"`).

Against a real three-primary cluster (tests/redis_server.py). The Cache's behaviour tests also run on it
(tests/core/test_cache.py, "cluster"); here: where the keys land (one slot per namespace, namespaces and codes
spread over the primaries), scoped clear across primaries, confirmation codes shared by separate clients,
and the errors of a cluster that cannot be reached or is not a cluster. Two real server processes on the
cluster: tests/http/test_shared_state_cluster.py.
"""

from __future__ import annotations

import time

import pytest

from secret_mcp.cache import Cache
from secret_mcp.cache_backends import connect_redis, key_prefix, redact_url
from secret_mcp.config import Config
from secret_mcp.errors import ConfigError, SecretMCPError
from secret_mcp.security.confirm import ConfirmationCodes, RedisCodeStore
from tests.redis_server import (  # noqa: F401 (fixtures)
    RedisServer, cluster_client, cluster_url, free_port, redis_client, redis_cluster, redis_server,
    require_redis_server,
)

pytestmark = pytest.mark.anyio
PASSWORD = "s3cr3t-cluster-pass"


async def fetch_one() -> dict:
    return {"n": 1}


def node_of(client, key: str) -> str:
    return client.get_node_from_key(key).name


async def test_a_namespace_lives_in_one_slot_and_namespaces_spread(cluster_url, cluster_client):
    c = Cache(None, url=cluster_url, namespace="secret-4|http://lcd")
    for data_class, key, addresses in [("balances", "bal", ["secret1a"]), ("tx", "h", ["secret1a", "secret1b"]),
                                       ("validators", "all", []), ("account", "acct", ["secret1b"])]:
        await c.get_or_fetch(data_class, key, fetch_one, addresses=addresses)
    keys = list(cluster_client.scan_iter(match="*"))
    assert len(keys) == 6  # four entries, two address indexes
    assert all(k.startswith(c._store.prefix) and "{" in k for k in keys)
    slots = {cluster_client.cluster_keyslot(k) for k in keys}  # CLUSTER KEYSLOT, asked of the server
    assert len(slots) == 1 and slots == {cluster_client.cluster_keyslot(c._store.prefix)}
    c.close()
    # Other namespaces hash to other slots: over a dozen of them, more than one primary holds a cache.
    owners = {node_of(cluster_client, key_prefix(f"chain-{i}|http://lcd")) for i in range(12)}
    assert len(owners) > 1


async def test_invalidate_and_clear_on_the_cluster(cluster_url, cluster_client):
    # Namespaces whose slots are on two different primaries, and a foreign key on every primary.
    names = [f"chain-{i}" for i in range(12)]
    mine = names[0]
    home = node_of(cluster_client, key_prefix(mine))
    other = next(n for n in names if node_of(cluster_client, key_prefix(n)) != home)
    for i in range(30):
        cluster_client.set(f"someone-else:{i}", "keep")
    assert len({node_of(cluster_client, f"someone-else:{i}") for i in range(30)}) == 3
    a, b = Cache(None, url=cluster_url, namespace=mine), Cache(None, url=cluster_url, namespace=other)
    for i in range(5):
        await a.get_or_fetch("default", f"k{i}", fetch_one, addresses=["secret1a"] if i < 3 else ["secret1b"])
    await b.get_or_fetch("default", "k", fetch_one, addresses=["secret1a"])
    assert a.invalidate_address("secret1a") == 3  # the Lua script deletes what the set lists, on one node
    assert cluster_client.exists(a._store.prefix + "default|k3") == 1
    assert b._store.get("default|k") is not None  # the other namespace's index for the same address is intact
    assert a.clear() == 3  # two entries and secret1b's index
    assert a.clear() == 0
    # DBSIZE of every primary: the foreign keys and b's entry and index are left; b's keys are on another
    # primary than a's, so one of the two clears found its keys on a node other than the client's default.
    assert sum(cluster_client.dbsize(target_nodes=node) for node in cluster_client.get_primaries()) == 30 + 2
    assert b.clear() == 2
    assert sum(cluster_client.dbsize(target_nodes=node) for node in cluster_client.get_primaries()) == 30
    a.close()
    b.close()


STATE_KEY = b"test-state-key-of-at-least-32-bytes!"


def codes_on(url: str, **kwargs) -> ConfirmationCodes:
    return ConfirmationCodes(300, time.time, shared=RedisCodeStore(url, connect_redis(url, check=True), time.time, STATE_KEY), **kwargs)


def test_a_code_issued_by_one_client_is_redeemed_by_another_once(cluster_url, cluster_client):
    a, b = codes_on(cluster_url), codes_on(cluster_url)
    pending = a.issue("secret_send_tokens", {"recipient": "secret1x", "amount": "1 SCRT"}, "chain-1", "Send 1 SCRT")
    assert cluster_client.exists("secret-mcp:confirm:" + pending.code) == 1
    got = b.redeem(pending.code.lower(), chain_id="chain-1")
    assert (got.tool, got.args) == ("secret_send_tokens", {"recipient": "secret1x", "amount": "1 SCRT"})
    for codes in (a, b):
        with pytest.raises(SecretMCPError) as info:
            codes.redeem(pending.code, chain_id="chain-1")
        assert info.value.code == "CONFIRMATION_USED"
    # Each code is one key: codes land all over the cluster (20 random codes on one primary: ~1e-9).
    codes = [a.issue("t", {"i": i}, "c", "p").code for i in range(20)]
    assert len({node_of(cluster_client, "secret-mcp:confirm:" + code) for code in codes}) > 1
    assert all(b.redeem(code, chain_id="c").args == {"i": i} for i, code in enumerate(codes))


# --- URLs and errors


def test_cluster_urls_are_validated_and_shown_without_credentials():
    assert Config(cache_url="redis+cluster://h:7000").cache_url
    assert Config(cache_url="rediss+cluster://u:p@h:7000/0").cache_url
    for url, why in [
        (f"redis+cluster://:{PASSWORD}@h:7000/1", "only database 0"),
        (f"redis+cluster://:{PASSWORD}@h:7000?db=2", "only database 0"),
        ("unix+cluster:///run/redis.sock", "redis+cluster:// or rediss+cluster://"),
        (f"redis+cluster://:{PASSWORD}@:7000", "names no host"),
    ]:
        with pytest.raises(ConfigError) as info:
            Config(cache_url=url)
        assert info.value.message.startswith("cache_url: ") and why in info.value.message
        assert PASSWORD not in info.value.message
    assert redact_url(f"rediss+cluster://user:{PASSWORD}@h:7000") == "rediss+cluster://***@h:7000"


def test_unreachable_cluster_fails_start_up_naming_cache_url():
    url = f"redis+cluster://user:{PASSWORD}@127.0.0.1:{free_port()}"  # nothing listens there
    with pytest.raises(ConfigError) as info:
        connect_redis(url, check=True)
    message = info.value.message
    assert message.startswith("cache_url: cannot reach Redis at redis+cluster://***@127.0.0.1:")
    assert PASSWORD not in message + "".join(info.value.suggestions)


async def test_unreachable_cluster_at_run_time_degrades_to_uncached_reads():
    c = Cache(None, url=f"redis+cluster://:{PASSWORD}@127.0.0.1:{free_port()}", namespace="n")  # does not connect yet
    calls = []

    async def fetch() -> dict:
        calls.append(1)
        return {"n": len(calls)}

    assert await c.get_or_fetch("default", "k", fetch) == {"n": 1}
    assert c.stats()["store_errors"] == 1  # then the store is left alone for STORE_BACKOFF seconds
    assert await c.get_or_fetch("default", "k", fetch) == {"n": 2}
    with pytest.raises(SecretMCPError) as info:
        c._store.get("default|k")
    assert info.value.code == "SHARED_STORE_UNAVAILABLE" and "Redis Cluster cannot be connected" in info.value.message
    assert PASSWORD not in info.value.message and "redis+cluster://***@127.0.0.1" in info.value.message
    c.close()


async def test_losing_the_node_of_the_namespace_at_run_time():
    # A private one-node cluster (every slot on it) so that the shared cluster stays whole.
    import redis

    node = RedisServer(require_redis_server(), "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                       "--cluster-port", str(free_port()))
    try:
        admin = redis.Redis(port=node.port, decode_responses=True)
        admin.execute_command("CLUSTER", "ADDSLOTSRANGE", 0, 16383)
        deadline = time.monotonic() + 10
        while admin.cluster("info")["cluster_state"] != "ok" and time.monotonic() < deadline:
            time.sleep(0.02)
        admin.close()
        url = f"redis+cluster://127.0.0.1:{node.port}"
        c, codes = Cache(None, url=url, namespace="n"), codes_on(url)
        await c.get_or_fetch("default", "k", fetch_one)
        assert c.stats()["misses"] == 1 and c._store.get("default|k") == '{"n": 1}'
        node.stop()
        assert await c.get_or_fetch("default", "k", fetch_one) == {"n": 1}  # from the chain, not an error
        assert c.stats()["store_errors"] == 1 and c.stats()["misses"] == 2
        with pytest.raises(SecretMCPError) as info:
            codes.issue("secret_send_tokens", {"amount": "1"}, "c", "p")  # codes fail closed
        assert info.value.code == "SHARED_STORE_UNAVAILABLE"
        c.close()
    finally:
        node.stop()


def test_a_plain_server_is_not_a_cluster_and_a_cluster_node_is_not_a_plain_server(redis_server, redis_cluster):
    with pytest.raises(ConfigError) as info:
        connect_redis(redis_server.url.replace("redis://", "redis+cluster://").removesuffix("/0"), check=True)
    assert info.value.message.startswith("cache_url: cannot reach Redis at redis+cluster://127.0.0.1")
    assert "Cluster mode is not enabled" in info.value.message
    with pytest.raises(ConfigError) as info:
        connect_redis(f"redis://127.0.0.1:{redis_cluster.ports[0]}/0", check=True)
    assert "is a Redis Cluster node" in info.value.message and "redis+cluster://" in info.value.suggestions[0]
