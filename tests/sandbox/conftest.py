"""Sandbox fixtures: a running chain per test, plus helpers to sign and broadcast real txs.

Usage in a test:
    def test_x(sandbox, tx):
        body = tx.send(sandbox, "a", [MsgSend(from_address=ADDR["a"], to_address=ADDR["b"], amount=[...])])
        assert body["tx_response"]["code"] == 0
`tx` is the module secret_sandbox_chain.testing (sign, broadcast, wait_tx, send_tx, balance, account,
genesis_key, type_url); ADDR is GENESIS_ADDRESSES ("a".."d").
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from secret_sandbox_chain import GENESIS_ADDRESSES, SandboxServer, launch
from secret_sandbox_chain import testing as _testing

ADDR = GENESIS_ADDRESSES


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A fresh in-memory sandbox (instant blocks) on a free loopback port."""
    with launch() as server:
        yield server


@pytest.fixture
def sandbox_factory(tmp_path) -> Iterator[Any]:
    """Start extra sandboxes with options (state_dir, block_time_ms, ...); all are stopped at the end."""
    started: list[SandboxServer] = []

    def start(**options: Any) -> SandboxServer:
        from secret_sandbox_chain.server import launch_server

        server = launch_server(**options)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.url and server._thread is not None and server._thread.is_alive():
            server.stop()


@pytest.fixture
def tx() -> Any:
    """The helper module: tx.send(server, signer, msgs, gas=..., fee_uscrt=...), tx.sign, tx.broadcast, ..."""
    _testing.send = _testing.send_tx  # short alias used in tests
    return _testing
