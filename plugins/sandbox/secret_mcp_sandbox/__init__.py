"""secret-mcp sandbox: an embedded local Secret Network chain behind a loopback LCD server."""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

from .chain import GENESIS_ADDRESSES, GENESIS_MNEMONICS, Chain, ChainConfig
from .server import Faults, SandboxServer, find_server, launch_server, running_servers

__all__ = ["Chain", "ChainConfig", "Faults", "GENESIS_ADDRESSES", "GENESIS_MNEMONICS", "SandboxServer",
           "find_server", "launch", "running_servers"]


@contextlib.contextmanager
def launch(*, host: str = "127.0.0.1", port: int = 0, state_dir: str | None = None, block_time_ms: int = 0,
           chain_id: str = "secret-sandbox-1", **config: Any) -> Iterator[SandboxServer]:
    """Start a sandbox chain and its LCD server; stop both on exit. `config`: other ChainConfig fields."""
    server = launch_server(host=host, port=port, state_dir=state_dir, block_time_ms=block_time_ms,
                           chain_id=chain_id, **config)
    try:
        yield server
    finally:
        server.stop()
