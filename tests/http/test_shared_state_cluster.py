"""Two real `secret-mcp serve --http` processes sharing the cache and the confirmation codes through a real
three-primary Redis Cluster (`cache_url = "redis+cluster://..."`): the scenario of test_shared_state.py.

`pair` (imported) starts its processes on the `redis_server` fixture's URL; this module's `redis_server` is
the cluster, so the same fixture and the same scenario run against Redis Cluster.
"""

from __future__ import annotations

import pytest

from tests.http.test_shared_state import pair  # noqa: F401 (fixture)
from tests.http.test_shared_state import test_cache_and_confirmation_codes_are_shared as scenario
from tests.redis_server import cluster_client, redis_cluster  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def redis_server(redis_cluster):  # noqa: F811 - what `pair` connects its processes to: the cluster
    assert redis_cluster.url.startswith("redis+cluster://")
    return redis_cluster


@pytest.mark.anyio
async def test_cache_and_confirmation_codes_are_shared_on_a_cluster(pair, sandbox, cluster_client, mode):  # noqa: F811
    await scenario(pair, sandbox, cluster_client, mode)
