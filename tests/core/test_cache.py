"""Cache: TTLs, single-flight, errors not cached, invalidation by address, namespaces, disabled mode.

The behaviour tests run on every store: diskcache (the default), a real redis-server and a real three-primary
Redis Cluster (tests/redis_server.py).
"""

from __future__ import annotations

import os

import anyio
import pytest

from secret_mcp.cache import DEFAULT_TTLS, Cache
from tests.redis_server import (  # noqa: F401 (fixtures)
    cluster_client, cluster_url, redis_client, redis_cluster, redis_server, redis_url,
)

pytestmark = pytest.mark.anyio


class Counter:
    """A fetch that counts its calls and returns a new value each time."""

    def __init__(self, delay: float = 0.0, fail: Exception | None = None) -> None:
        self.calls, self.delay, self.fail = 0, delay, fail

    async def __call__(self) -> dict:
        self.calls += 1
        if self.delay:
            await anyio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        return {"n": self.calls}


@pytest.fixture(params=["disk", "redis", "cluster"])
def make(request, tmp_path):
    """Cache(...) on the parametrized store: the same directory, Redis or Redis Cluster, for every call."""
    url = {"disk": None, "redis": "redis_url", "cluster": "cluster_url"}[request.param]
    url = request.getfixturevalue(url) if url else None
    made: list[Cache] = []

    def build(**kwargs) -> Cache:
        made.append(Cache(tmp_path / "c", url=url, **kwargs))
        assert made[-1].backend == ("disk" if url is None else "redis")
        return made[-1]

    yield build
    for c in made:
        c.close()


@pytest.fixture
def cache(make):
    return make(namespace="secret-4")


async def test_hit_after_miss(cache):
    fetch = Counter()
    assert await cache.get_or_fetch("balances", "k", fetch) == {"n": 1}
    assert await cache.get_or_fetch("balances", "k", fetch) == {"n": 1}
    assert fetch.calls == 1
    s = cache.stats()
    assert (s["hits"], s["misses"], s["hit_rate"]) == (1, 1, 0.5)


async def test_hits_are_copies(cache):
    first = await cache.get_or_fetch("default", "k", Counter())
    first["n"] = 999  # a caller mutating its result must not change the cache
    assert await cache.get_or_fetch("default", "k", Counter()) == {"n": 1}


async def test_ttl_expiry_per_class(make):
    c = make(ttls={"block": 0.1})
    fetch_block, fetch_tx = Counter(), Counter()
    await c.get_or_fetch("block", "latest", fetch_block)
    await c.get_or_fetch("tx", "h", fetch_tx)
    await anyio.sleep(0.2)
    assert await c.get_or_fetch("block", "latest", fetch_block) == {"n": 2}  # expired, fetched again
    assert await c.get_or_fetch("tx", "h", fetch_tx) == {"n": 1}  # tx keeps its hour


@pytest.mark.parametrize("short_first", [True, False])
async def test_address_index_outlives_its_shortest_entry(make, short_first):
    # The index of an address must last as long as its longest entry, in either order of writing: when the
    # short entry expires, invalidating the address still drops the long one.
    c = make(ttls={"block": 0.3})
    calls = [("block", "b"), ("tx", "t")] if short_first else [("tx", "t"), ("block", "b")]
    for data_class, key in calls:
        await c.get_or_fetch(data_class, key, Counter(), addresses=["secret1someone"])
    await anyio.sleep(0.5)
    assert c.invalidate_address("secret1someone") == 1  # the tx entry; the block entry had expired
    again = Counter()
    assert await c.get_or_fetch("tx", "t", again) == {"n": 1} and again.calls == 1


def test_default_ttls_and_unknown_class_uses_default(tmp_path):
    c = Cache(tmp_path, ttls={"balances": 5})
    assert c.ttl("balances") == 5
    assert c.ttl("code_hash") == 86400 and c.ttl("validators") == 300
    assert c.ttl("something_new") == DEFAULT_TTLS["default"] == 30
    c.close()


async def test_single_flight_100_concurrent_calls_one_fetch(cache):
    fetch = Counter(delay=0.05)
    results: list = []

    async def call() -> None:
        results.append(await cache.get_or_fetch("validators", "all", fetch))

    async with anyio.create_task_group() as tg:
        for _ in range(100):
            tg.start_soon(call)
    assert fetch.calls == 1
    assert results == [{"n": 1}] * 100
    assert cache.stats()["single_flight_joins"] == 99
    assert cache.stats()["in_flight"] == 0


async def test_error_reaches_every_waiter_and_is_not_cached(cache):
    fetch = Counter(delay=0.05, fail=RuntimeError("node down"))
    errors: list = []

    async def call() -> None:
        try:
            await cache.get_or_fetch("account", "a", fetch)
        except RuntimeError as exc:
            errors.append(str(exc))

    async with anyio.create_task_group() as tg:
        for _ in range(10):
            tg.start_soon(call)
    assert errors == ["node down"] * 10 and fetch.calls == 1
    fetch.fail = None
    assert await cache.get_or_fetch("account", "a", fetch) == {"n": 2}  # nothing was stored


async def test_cancelled_leader_lets_a_waiter_fetch(cache):
    fetch = Counter(delay=0.1)
    got: list = []

    async def waiter() -> None:
        got.append(await cache.get_or_fetch("default", "k", fetch))

    async with anyio.create_task_group() as tg:
        tg.start_soon(waiter)  # runs only once this task awaits, so it joins the leader's flight
        with anyio.move_on_after(0.02):
            await cache.get_or_fetch("default", "k", fetch)
    assert got == [{"n": 2}] and fetch.calls == 2


async def test_invalidate_address(cache):
    alice, bob = "secret1alice", "secret1bob"
    f = Counter()
    await cache.get_or_fetch("balances", "bal-alice", f, addresses=[alice])
    await cache.get_or_fetch("account", "acct-alice", f, addresses=[alice])
    await cache.get_or_fetch("default", "transfer", f, addresses=[alice, bob])
    await cache.get_or_fetch("balances", "bal-bob", f, addresses=[bob])
    assert cache.invalidate_address(alice) == 3
    assert cache.invalidate_address(alice) == 0
    assert cache.stats()["invalidations"] == 3
    g = Counter()
    assert await cache.get_or_fetch("balances", "bal-alice", g) == {"n": 1}  # refetched
    assert await cache.get_or_fetch("balances", "bal-bob", g) == {"n": 4}  # bob untouched
    assert cache.invalidate_address(bob) == 1  # "transfer" already went with alice


async def test_namespaces_are_separate_and_clear_is_scoped(make):
    # "secret-4|a" is a prefix of the other namespace: clearing it must not reach into "secret-4|a|b".
    main, test = make(namespace="secret-4|a|b"), make(namespace="secret-4|a")
    await main.get_or_fetch("default", "k", Counter())
    f = Counter()
    assert await test.get_or_fetch("default", "k", f) == {"n": 1} and f.calls == 1
    assert test.clear() == 1
    g = Counter()
    assert await main.get_or_fetch("default", "k", g) == {"n": 1} and g.calls == 0


async def test_disabled_cache_always_fetches(tmp_path):
    c = Cache(tmp_path / "never", enabled=False)
    f = Counter()
    for _ in range(3):
        await c.get_or_fetch("validators", "k", f)
    assert f.calls == 3
    assert c.stats()["misses"] == 3 and c.stats()["hits"] == 0 and c.stats()["enabled"] is False
    assert not (tmp_path / "never").exists()
    assert c.invalidate_address("x") == 0
    c.close()


async def test_temp_directory_removed_on_close():
    c = Cache(None)
    await c.get_or_fetch("default", "k", Counter())
    directory = c._tempdir
    assert directory and os.path.isdir(directory)
    c.close()
    assert not os.path.exists(directory)


async def test_non_json_value_is_refused_and_not_cached(cache):
    async def fetch() -> object:
        return {1, 2}

    with pytest.raises(TypeError):
        await cache.get_or_fetch("default", "set", fetch)
    assert await cache.get_or_fetch("default", "set", Counter()) == {"n": 1}


async def test_persists_across_instances(make):
    a = make(namespace="n")
    await a.get_or_fetch("tx", "h", Counter())
    a.close()
    b = make(namespace="n")  # on Redis this is also what a second server process sees
    f = Counter()
    assert await b.get_or_fetch("tx", "h", f) == {"n": 1} and f.calls == 0
