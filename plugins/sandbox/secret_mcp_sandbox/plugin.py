"""Hook implementations of the sandbox pack: the "sandbox" network preset and the `sandbox` command."""

from __future__ import annotations

import contextlib
from typing import Iterator

import click

from secret_mcp.api import Network, hookimpl

CHAIN_ID = "secret-sandbox-1"


@contextlib.contextmanager
def launch_in_process() -> Iterator[str]:
    """Start a sandbox chain on a free loopback port; yield its LCD URL; stop it on exit.

    While it runs, `secret_sandbox_chain.find_server(url)` returns the server (faucet, faults, chain)."""
    from secret_sandbox_chain import launch

    with launch(chain_id=CHAIN_ID) as server:
        yield server.url


def serves(url: str) -> bool:
    """True for the URL of a sandbox chain running in this process (started by this server or its host)."""
    from secret_sandbox_chain import find_server

    return find_server(url) is not None


@hookimpl
def secret_mcp_networks() -> list[Network]:
    return [Network(
        name="sandbox",
        chain_id=CHAIN_ID,
        lcd_urls=(),
        kind="sandbox",
        gas_price="0.0125",
        description="Embedded simulated chain; tokens are worthless.",
        launcher=launch_in_process,
        serves=serves,
    )]


@hookimpl
def secret_mcp_register_commands(cli: click.Group) -> None:
    @cli.command("sandbox")
    @click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
    @click.option("--port", default=1317, show_default=True, type=int, help="LCD port (0 = any free port).")
    @click.option("--state-dir", default=None, type=click.Path(file_okay=False),
                  help="Keep the chain here across restarts (default: in memory).")
    @click.option("--block-time", default=0, show_default=True, type=int,
                  help="Milliseconds between blocks; 0 = one block per transaction, instantly.")
    def sandbox(host: str, port: int, state_dir: str | None, block_time: int) -> None:
        """Run the embedded sandbox chain (simulated Secret Network LCD) in the foreground."""
        from secret_sandbox_chain.__main__ import serve_forever

        serve_forever(host, port, state_dir, block_time, echo=click.echo)


from .faucet_tool import secret_mcp_register  # noqa: E402,F401  (the pack's MCP tool; pluggy finds it here)
