"""A simulated Secret Network chain behind a loopback LCD server; needs nothing of secret-mcp."""

from __future__ import annotations

import contextlib
import importlib
import warnings
from typing import TYPE_CHECKING, Any, Iterator

# secret-sdk's betterproto imports pkg_resources, which warns on import (setuptools<81, a dependency, keeps it
# working): noise in every log. Set here, before any module of the chain imports secret_sdk.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated as an API", category=UserWarning,
                        module=r"(betterproto|secret_sdk)(\.|$)")

if TYPE_CHECKING:
    from .chain import GENESIS_ADDRESSES, GENESIS_MNEMONICS, Chain, ChainConfig
    from .server import Faults, SandboxServer, find_server, launch_server, running_servers

__all__ = ["Chain", "ChainConfig", "Faults", "GENESIS_ADDRESSES", "GENESIS_MNEMONICS", "SandboxServer",
           "find_server", "launch", "running_servers"]

# The chain (protobuf, crypto) costs ~0.3 s to import. secret-mcp's sandbox pack imports this package at the
# server's start-up, so the chain and its LCD server are imported on first use instead.
_LAZY = {
    "Chain": "chain", "ChainConfig": "chain", "GENESIS_ADDRESSES": "chain", "GENESIS_MNEMONICS": "chain",
    "Faults": "server", "SandboxServer": "server", "find_server": "server", "launch_server": "server",
    "running_servers": "server",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


@contextlib.contextmanager
def launch(*, host: str = "127.0.0.1", port: int = 0, state_dir: str | None = None, block_time_ms: int = 0,
           chain_id: str = "secret-sandbox-1", **config: Any) -> Iterator[SandboxServer]:
    """Start a sandbox chain and its LCD server; stop both on exit. `config`: other ChainConfig fields."""
    from .server import launch_server

    server = launch_server(host=host, port=port, state_dir=state_dir, block_time_ms=block_time_ms,
                           chain_id=chain_id, **config)
    try:
        yield server
    finally:
        server.stop()
