"""Hooks that fire around chain access and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from secret_mcp import hookimpl
from secret_mcp.testing import call_ok, connect, make_server, plugin_host


class Watcher:
    def __init__(self) -> None:
        self.pools: list[str] = []
        self.changes: list[str] = []

    @hookimpl
    def secret_mcp_client_pool_created(self, pool, network):
        self.pools.append(network.name)

    @hookimpl
    def secret_mcp_network_changed(self, session, network):
        self.changes.append(network.name)


def watched_server(watcher: Watcher):
    return make_server(register={"watcher": watcher})


@pytest.mark.anyio
async def test_hook_secret_mcp_client_pool_created(mode):
    watcher = Watcher()
    async with connect(watched_server(watcher), mode) as client:
        assert watcher.pools == []  # connecting is lazy: nothing until a tool needs the chain
        await call_ok(client, "secret_get_network_info")
        await call_ok(client, "secret_get_gas_prices")
    assert watcher.pools == ["sandbox"]


@pytest.mark.anyio
async def test_hook_secret_mcp_network_changed(mode):
    watcher = Watcher()
    async with connect(watched_server(watcher), mode) as client:
        await call_ok(client, "secret_configure_network", {"network": "localsecret"})
        await call_ok(client, "secret_configure_network", {"network": "sandbox"})
    assert watcher.changes == ["localsecret", "sandbox"]


def test_hook_secret_mcp_register_commands():
    class Hello:
        @hookimpl
        def secret_mcp_register_commands(self, cli):
            @cli.command()
            def hello():
                click.echo("hello from a pack")

    host = plugin_host(entry_points=False, register={"hello": Hello()})

    @click.group()
    def group():
        pass

    for _name, impl in host.impls("secret_mcp_register_commands"):
        impl(cli=group)
    result = CliRunner().invoke(group, ["hello"])
    assert result.exit_code == 0 and result.output == "hello from a pack\n"


def test_sandbox_pack_adds_its_command():
    exe = Path(sys.executable).parent / "secret-mcp"
    proc = subprocess.run([str(exe), "sandbox", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "--state-dir" in proc.stdout and "--block-time" in proc.stdout
