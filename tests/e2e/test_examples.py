"""The files in examples/ stay valid: configs load, client configs launch flags the CLI accepts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from secret_mcp.config import from_env, load_config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BIN = Path(sys.executable).parent / "secret-mcp"
PACKS = {ep.name for ep in entry_points(group="secret_mcp")}


@pytest.mark.parametrize("name", ["read-only-explorer", "staking", "full-wallet"])
def test_config_sets_load(name):
    config = load_config(path=EXAMPLES / "configs" / f"{name}.toml", env={})
    assert set(config.plugins or ()) <= PACKS and set(config.exclude) <= PACKS  # no typo'd pack names
    assert config.network in {"mainnet", "testnet"}
    if name == "read-only-explorer":
        assert config.read_only and "wallet" not in config.plugins
    if name == "staking":
        assert {"wallet", "staking", "rewards", "governance"} <= set(config.plugins) and not config.read_only
    if name == "full-wallet":
        assert config.plugins is None and config.spend_limit_per_tx == "uscrt=50000000"


def test_read_only_explorer_offers_no_writing_tool():
    proc = subprocess.run([str(BIN), "tools", "--json", "--config", str(EXAMPLES / "configs" / "read-only-explorer.toml")],
                          capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    effects = {row["effect"] for row in json.loads(proc.stdout)}
    assert effects <= {"reads", "local"} and "secret_get_validators" in {r["name"] for r in json.loads(proc.stdout)}


@pytest.mark.parametrize("name", ["sandbox", "testnet", "mainnet"])
def test_claude_desktop_configs(name):
    servers = json.loads((EXAMPLES / "claude_desktop" / f"{name}.json").read_text())["mcpServers"]
    (entry,) = servers.values()
    assert entry["command"].endswith("/secret-mcp") and entry["args"][:3] == ["serve", "--network", name]
    env = entry.get("env", {})
    assert set(from_env(env)) == {k.removeprefix("SECRET_MCP_").lower() for k in env}  # every variable is a setting
    load_config(env=env)  # and every value is valid
    # The same flags, given to a command that parses them like `serve` but exits at once.
    proc = subprocess.run([str(BIN), "plugins", *entry["args"][1:]], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **env})
    assert proc.returncode == 0, proc.stderr


def test_vscode_config():
    data = json.loads((EXAMPLES / "vscode" / ".vscode" / "mcp.json").read_text())
    stdio, http = data["servers"]["secret-network"], data["servers"]["secret-network-http"]
    assert stdio["type"] == "stdio" and stdio["args"][0] == "serve"
    assert http["type"] == "http" and http["url"].endswith("/mcp")
    token_input = data["inputs"][0]
    assert token_input["password"] is True and f"${{input:{token_input['id']}}}" in http["headers"]["Authorization"]
