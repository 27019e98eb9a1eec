"""A pack nobody here wrote: pip-installed from a temp dir, found through its entry point alone, called over stdio.

A second, broken pack sits beside it: it is reported, and everything else keeps working.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from secret_mcp.testing import call_ok

HELLO = '''
from pydantic import BaseModel
from secret_mcp import hookimpl, tool, ToolContext


class Hello(BaseModel):
    greeting: str
    chain_id: str


@tool(title="Hello")
async def secret_hello(ctx: ToolContext, name: str) -> Hello:
    """Greet someone on the current network."""
    return Hello(greeting=f"hello {name}", chain_id=ctx.network.chain_id)


@hookimpl
def secret_mcp_register(registry):
    registry.tool(secret_hello)
'''


def make_pack(root: Path, name: str, body: str) -> Path:
    src = root / name
    (src / f"secret_mcp_{name}").mkdir(parents=True)
    (src / f"secret_mcp_{name}" / "__init__.py").write_text(body)
    (src / "pyproject.toml").write_text(textwrap.dedent(f"""
        [build-system]
        requires = ["setuptools>=69"]
        build-backend = "setuptools.build_meta"
        [project]
        name = "secret-mcp-{name}"
        version = "1.2.3"
        [project.entry-points.secret_mcp]
        {name} = "secret_mcp_{name}"
        [tool.setuptools]
        packages = ["secret_mcp_{name}"]
    """))
    return src


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("third-party")
    hello = make_pack(root, "hello", HELLO)
    broken = make_pack(root, "broken", "raise ImportError('this pack is broken on purpose')\n")
    target = root / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(hello), str(broken)],
        check=True,
    )
    return target


def run_cli(site: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "PYTHONPATH": str(site), **env}
    return subprocess.run(
        [sys.executable, "-m", "secret_mcp.cli", *args], capture_output=True, text=True, env=full_env, timeout=120
    )


def test_plugins_json_reports_the_pack_and_the_broken_one(site: Path):
    proc = run_cli(site, "plugins", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = {row["name"]: row for row in json.loads(proc.stdout)}
    assert rows["hello"]["version"] == "1.2.3"
    assert rows["hello"]["distribution"] == "secret-mcp-hello"
    assert rows["hello"]["tools"] == ["secret_hello"]
    assert rows["hello"]["hooks"] == ["secret_mcp_register"]
    assert "this pack is broken on purpose" in rows["broken"]["error"]
    assert rows["network"]["error"] is None and "secret_get_network_info" in rows["network"]["tools"]


def test_subset_loads_only_the_named_pack(site: Path):
    proc = run_cli(site, "tools", "--json", SECRET_MCP_PLUGINS="hello")
    assert proc.returncode == 0, proc.stderr
    assert [row["name"] for row in json.loads(proc.stdout)] == ["secret_hello"]


@pytest.mark.anyio
async def test_called_over_stdio_despite_broken_pack(site: Path, mode: str):
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "secret_mcp.cli", "serve", "--network", "localsecret"],
        env={**os.environ, "PYTHONPATH": str(site)},
    )
    async with Client(params, mode=mode) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert {"secret_hello", "secret_get_network_info"} <= names
        out = await call_ok(client, "secret_hello", {"name": "ada"})
    assert out == {"greeting": "hello ada", "chain_id": "secretdev-1"}


MISSPELLED = '''
from secret_mcp import hookimpl


@hookimpl
def secret_mcp_regsiter(registry):
    raise AssertionError("never called: the hook does not exist")
'''


def test_a_misspelled_hook_stops_start_up_naming_the_pack(tmp_path: Path):
    src = make_pack(tmp_path, "typo", MISSPELLED)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(src)],
                   check=True)
    out = run_cli(target, "tools", "--json")
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "pack typo (secret-mcp-typo)" in out.stderr and "secret_mcp_regsiter" in out.stderr
