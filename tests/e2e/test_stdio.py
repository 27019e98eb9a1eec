"""`secret-mcp serve` as a subprocess over stdio, as Claude Desktop launches it, in both protocol eras."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from secret_mcp.testing import call_ok

BIN = Path(sys.executable).parent / "secret-mcp"


def cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=120, env={**os.environ, **env})


@pytest.mark.anyio
async def test_serve_over_stdio_against_sandbox(mode):
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(command=str(BIN), args=["serve"], env=dict(os.environ))
    async with Client(params, mode=mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert {"secret_get_network_info", "secret_sandbox_faucet"} <= set(tools)
        info = await call_ok(client, "secret_get_network_info")
        assert info["chain_id"] == "secret-sandbox-1" and info["simulated"] is True
        funded = await call_ok(
            client, "secret_sandbox_faucet",
            {"address": "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03", "amount_uscrt": 2_500_000},
        )
    assert funded["amount_scrt"] == "2.5" and funded["balance_uscrt"] >= 2_500_000
    assert len(funded["txhash"]) == 64


def test_plugins_json_lists_first_party_packs():
    proc = cli("plugins", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = {row["name"]: row for row in json.loads(proc.stdout)}
    assert {"core", "network", "sandbox"} <= set(rows)
    assert rows["network"]["distribution"] == "secret-mcp-network" and rows["network"]["version"] == "0.1.0"
    assert "secret_mcp_register" in rows["network"]["hooks"]
    assert "secret_mcp_networks" in rows["sandbox"]["hooks"] and "secret_sandbox_faucet" in rows["sandbox"]["tools"]
    assert all(row["error"] is None for row in rows.values())


def test_tools_json_for_the_network_subset_only():
    proc = cli("tools", "--json", SECRET_MCP_PLUGINS="network")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    # The network tools, plus the core's confirmation-code tool that the mainnet switch can need.
    assert sorted((r["plugin"], r["name"]) for r in rows) == [
        ("network", "secret_configure_network"), ("network", "secret_get_gas_prices"),
        ("network", "secret_get_network_info"), ("network", "secret_health_check"),
        ("security", "secret_confirm_transaction"),
    ]
    # Compact, as tools/list sends it by default: no title or output schema, only the hints that are not defaults.
    info = next(r for r in rows if r["name"] == "secret_get_network_info")
    assert info["annotations"] == {"readOnlyHint": True} and "outputSchema" not in info and "title" not in info
    configure = next(r for r in rows if r["name"] == "secret_configure_network")
    assert configure["effect"] == "local" and "network" in configure["inputSchema"]["required"]
    confirm = next(r for r in rows if r["name"] == "secret_confirm_transaction")
    assert "annotations" not in confirm  # a chain write: every hint is the spec's default


def test_tools_json_full_has_titles_output_schemas_and_every_hint():
    proc = cli("tools", "--json", "--full", SECRET_MCP_PLUGINS="network")
    assert proc.returncode == 0, proc.stderr
    info = next(r for r in json.loads(proc.stdout) if r["name"] == "secret_get_network_info")
    assert info["title"] == "Network info" and info["outputSchema"]["type"] == "object"
    assert info["annotations"] == {"title": "Network info", "readOnlyHint": True, "destructiveHint": False,
                                   "idempotentHint": True, "openWorldHint": True}


def test_exclude_and_read_only_flags():
    proc = cli("tools", "--json", "--exclude", "sandbox", "--read-only")
    assert proc.returncode == 0, proc.stderr
    names = {r["name"] for r in json.loads(proc.stdout)}
    assert "secret_sandbox_faucet" not in names and "secret_get_network_info" in names


def test_invalid_config_names_the_key():
    proc = cli("tools", SECRET_MCP_MAX_CONNECTIONS="-3")
    assert proc.returncode != 0
    assert "max_connections" in proc.stderr and "Traceback" not in proc.stderr
