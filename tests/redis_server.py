"""A real, private redis-server for the tests: its own loopback port and temp dir, no persistence.

Import the fixtures where needed (`from tests.redis_server import redis_url, redis_client`). Without the
`redis-server` binary the tests skip locally and FAIL under CI (CI set), like tests/security/test_keyring.py:
.ci/run installs Debian's redis-server. `redis_cluster` starts a real Redis Cluster of three primaries (three
more redis-server processes, joined by `redis-cli --cluster create`, which needs redis-cli: same package).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from typing import Iterator

import pytest

BINARY = "redis-server"


def require_redis_server(binary: str = BINARY) -> str:
    path = shutil.which(binary)
    if path is None:
        reason = f"{binary} is not installed (Debian package: redis-server)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(f"CI must run the Redis tests: {reason}")  # .ci/run installs it
        pytest.skip(reason)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_server(proc: subprocess.Popen, directory: str) -> None:
    """Stop a server process (terminate, then kill after 10 s) and remove its temp directory."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
    shutil.rmtree(directory, ignore_errors=True)


class RedisServer:
    """`redis-server` on 127.0.0.1:<free port>; `stop()` ends it and removes its directory."""

    def __init__(self, binary: str, *extra: str, directory: str | None = None) -> None:
        self.dir = directory or tempfile.mkdtemp(prefix="secret-mcp-redis-")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.dir, "--daemonize", "no", "--loglevel", "warning", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self._wait()

    def _wait(self, timeout: float = 10) -> None:
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    out = self.proc.communicate()[0]
                    self.stop()
                    raise RuntimeError(f"redis-server exited: {out[-2000:]}")
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    time.sleep(0.05)
        finally:
            client.close()
        self.stop()
        raise RuntimeError("redis-server did not answer")

    def stop(self) -> None:
        stop_server(self.proc, self.dir)


class RedisCluster:
    """Three cluster-enabled redis-servers on free loopback ports, every slot assigned, no replicas.

    `url` is the cache_url form that selects cluster mode (redis+cluster://); `stop()` ends every node and
    removes the directory (a nodes.conf per node and nothing else: no persistence)."""

    PRIMARIES = 3

    def __init__(self, server: str, cli: str) -> None:
        self.dir = tempfile.mkdtemp(prefix="secret-mcp-redis-cluster-")
        self.nodes: list[RedisServer] = []
        try:
            for i in range(self.PRIMARIES):
                node_dir = os.path.join(self.dir, f"node-{i}")  # a node's stop() removes its own directory
                os.mkdir(node_dir)
                self.nodes.append(RedisServer(
                    server, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-port", str(free_port()),  # else port + 10000, which may be taken or above 65535
                    "--cluster-node-timeout", "2000", directory=node_dir))
            addresses = [f"127.0.0.1:{node.port}" for node in self.nodes]
            create = subprocess.run(
                [cli, "--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes"],
                capture_output=True, text=True, timeout=30)
            if create.returncode != 0:
                raise RuntimeError(f"redis-cli --cluster create failed: {(create.stdout + create.stderr)[-2000:]}")
            self._wait_ok()
        except BaseException:
            self.stop()
            raise
        self.ports = [node.port for node in self.nodes]
        self.url = f"redis+cluster://127.0.0.1:{self.ports[0]}"

    def _wait_ok(self, timeout: float = 15) -> None:
        """Until every node says cluster_state:ok and knows all three primaries (the gossip has settled)."""
        import redis

        clients = [redis.Redis(port=node.port, socket_connect_timeout=0.5, decode_responses=True)
                   for node in self.nodes]
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                infos = [client.cluster("info") for client in clients]
                if all(info.get("cluster_state") == "ok" and int(info.get("cluster_known_nodes", 0)) == self.PRIMARIES
                       for info in infos):
                    return
                time.sleep(0.05)
        finally:
            for client in clients:
                client.close()
        raise RuntimeError("the Redis Cluster did not reach cluster_state:ok")

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


_cluster: list[RedisCluster] = []  # one per test run, whichever module asks first


@pytest.fixture(scope="session")
def redis_cluster() -> Iterator[RedisCluster]:
    # Each module that imports this fixture gets its own copy of it (pytest keys fixtures by where they are
    # defined), so a plain session fixture would start a cluster per module (~2 s each): share one instead.
    # Every copy is torn down at the end of the session; stop() is idempotent.
    if not _cluster:
        _cluster.append(RedisCluster(require_redis_server(), require_redis_server("redis-cli")))
    yield _cluster[0]
    _cluster[0].stop()


@pytest.fixture
def cluster_client(redis_cluster: RedisCluster) -> Iterator[object]:
    """A RedisCluster client, every primary emptied before each test (the cluster is ours alone)."""
    from redis.cluster import RedisCluster as Client

    client = Client(host="127.0.0.1", port=redis_cluster.ports[0], decode_responses=True)
    client.flushall(target_nodes=Client.PRIMARIES)
    yield client
    client.close()


@pytest.fixture
def cluster_url(redis_cluster: RedisCluster, cluster_client: object) -> str:
    return redis_cluster.url


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(require_redis_server())
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[object]:
    """A client on the private server, emptied before each test (the server is ours alone)."""
    import redis

    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def redis_url(redis_server: RedisServer, redis_client: object) -> str:
    return redis_server.url
