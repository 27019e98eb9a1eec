"""Packs declare what they need (`secret_mcp_requires`); what the server says names only tools it offers.

With only some packs loaded (network and bank, as `SECRET_MCP_PLUGINS=network,bank` would), the unmet needs
are warnings in `secret-mcp plugins` and the log, error suggestions and prompts name no missing tool."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from click.testing import CliRunner

from secret_mcp import hookimpl, needs, offered
from secret_mcp.app import App
from secret_mcp.cli import cli
from secret_mcp.config import Config
from secret_mcp.server import build_server

from secret_mcp.testing import call_err, connect, plugin_host

PACKS = {ep.name for ep in entry_points(group="secret_mcp")}
BIN = Path(sys.executable).parent / "secret-mcp"
SUBSET = ("network", "bank", "sandbox")
FRIEND = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"  # no wallet pack: nothing can choose the wallet that signs


def subset_server(*packs: str, **config):
    config.setdefault("network", "sandbox")
    return build_server(Config(**config), host=plugin_host(*(packs or SUBSET)))


def test_hook_secret_mcp_requires():
    class Needy:
        @hookimpl
        def secret_mcp_requires(self):  # leaves out the config argument
            return {"wallet": "to sign", "Ledger": "for the hardware key"}

    class ByNetwork:
        @hookimpl
        def secret_mcp_requires(self, config):
            return {"blockchain": f"on {config.network}"} if config.network == "testnet" else {}

    host = plugin_host("wallet", register={"needy": Needy(), "bynet": ByNetwork()})
    config = Config(network="testnet")
    got = {(n.plugin, n.pack, n.why) for n in needs.declared(host, config)}
    assert {("needy", "wallet", "to sign"), ("needy", "ledger", "for the hardware key"),
            ("bynet", "blockchain", "on testnet")} <= got
    missing = {(n.plugin, n.pack) for n in needs.unmet(host, config)}
    assert ("needy", "ledger") in missing and ("bynet", "blockchain") in missing
    assert ("needy", "wallet") not in missing or "wallet" not in PACKS  # the wallet pack is loaded: met
    assert not any(n.pack == "sandbox" for n in needs.unmet(host, config))  # the core needs it for the sandbox only
    assert {n.plugin for n in needs.unmet(host, Config(network="localsecret"))} == {"needy"}  # bynet: testnet only


@pytest.mark.skipif(not {"bank", "network"} <= PACKS, reason="needs the bank and network packs")
def test_plugins_json_lists_the_unmet_needs():
    runner = CliRunner()
    env = {"SECRET_MCP_PLUGINS": "network,bank"}
    rows = {row["name"]: row for row in json.loads(runner.invoke(cli, ["plugins", "--json"], env=env).stdout)}
    assert set(rows) == {"core", "security", "metrics", "resources", "network", "bank"}
    assert [u["pack"] for u in rows["bank"]["unmet"]] == ["wallet"]
    assert rows["bank"]["unmet"][0]["why"] == "to choose the wallet that signs"
    assert [u["pack"] for u in rows["core"]["unmet"]] == ["sandbox"]  # the default network is the sandbox
    assert rows["network"]["unmet"] == []
    text = runner.invoke(cli, ["plugins"], env=env).stdout
    assert "warning: bank needs the wallet pack (to choose the wallet that signs), which is not loaded" in text
    # With every pack loaded nothing is unmet, and nothing is said.
    everything = runner.invoke(cli, ["plugins", "--json"], env={"SECRET_MCP_PLUGINS": None})
    assert all(row["unmet"] == [] for row in json.loads(everything.stdout)) and "warning" not in everything.stdout


@pytest.mark.skipif(not set(SUBSET) <= PACKS, reason="needs the network, bank and sandbox packs")
def test_serve_logs_the_unmet_need(tmp_path):
    env = {**os.environ, "SECRET_MCP_HOME": str(tmp_path), "SECRET_MCP_PLUGINS": ",".join(SUBSET)}
    proc = subprocess.run([str(BIN), "serve"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
                          env=env)
    assert "WARNING" in proc.stderr and "bank needs the wallet pack (to choose the wallet that signs)" in proc.stderr
    assert "sandbox pack" not in proc.stderr  # loaded: met
    assert proc.stdout == ""


@pytest.mark.anyio
@pytest.mark.skipif(not set(SUBSET) <= PACKS, reason="needs the network, bank and sandbox packs")
async def test_suggestions_name_only_offered_tools(mode):
    async with connect(subset_server(), mode) as client:
        offered_names = {t.name for t in (await client.list_tools()).tools}
        assert "secret_set_active_wallet" not in offered_names and "secret_send_tokens" in offered_names
        err = await call_err(client, "secret_send_tokens", {"recipient": FRIEND, "amount": "1 SCRT"})
        balance = await call_err(client, "secret_get_balance")
    assert err["code"] == "NO_ACTIVE_WALLET" and balance["code"] == "NO_ADDRESS"
    assert balance["suggestions"][0] == "Pass an address."  # what is left of "..., or choose a wallet with ..."
    for e in (err, balance):
        named = {n for s in e["suggestions"] for n in offered.TOOL_NAME.findall(s)}
        assert named <= offered_names, e
        assert any("wallet pack (secret-mcp-wallet), which is not loaded" in s for s in e["suggestions"]), e


@pytest.mark.anyio
@pytest.mark.skipif(not {"bank", "wallet", "sandbox"} <= PACKS, reason="needs the bank, wallet and sandbox packs")
async def test_suggestions_keep_offered_tools(mode):
    async with connect(subset_server("network", "bank", "sandbox", "wallet"), mode) as client:
        err = await call_err(client, "secret_get_balance")
    assert err == {"code": "NO_ADDRESS", "message": "No address given and no active wallet.",
                   "suggestions": ["Pass an address, or choose a wallet with secret_set_active_wallet."]}


def test_a_tool_of_no_known_pack_is_dropped():
    app = App(Config(network="localsecret"), plugin_host("wallet"))
    out = offered.suggestions(app, ["Try secret_frobnicate.", "Call secret_get_balance.", "Plain advice.",
                                    "Plain advice, or try secret_frobnicate.",
                                    "Use secret_create_wallet." if "wallet" in PACKS else "Plain advice."])
    assert "Try secret_frobnicate." not in out and "Plain advice." in out
    assert out.count("Plain advice.") == 1
    if "wallet" in PACKS:
        assert "Use secret_create_wallet." in out
    if "bank" in PACKS:  # installed, just not loaded here
        assert offered.pack_hint("bank") in out


@pytest.mark.anyio
@pytest.mark.skipif(not set(SUBSET) <= PACKS, reason="needs the network, bank and sandbox packs")
async def test_prompts_name_only_offered_tools(mode):
    async with connect(subset_server(), mode) as client:
        offered_names = {t.name for t in (await client.list_tools()).tools}
        prompt = await client.get_prompt("portfolio_overview", {})
        checklist = await client.get_prompt("safe_transfer_checklist", {"recipient": FRIEND, "amount": "1 SCRT"})
    text = prompt.messages[0].content.text
    assert "secret_get_active_wallet" not in text and "secret_get_balance" in text
    assert "the active wallet on the current" in text  # "(secret_get_active_wallet)" is dropped, not replaced
    assert text.rstrip().endswith("(packs not installed: wallet): skip those steps and say so.")
    for t in (text, checklist.messages[0].content.text):
        assert set(offered.TOOL_NAME.findall(t)) <= offered_names, t


@pytest.mark.anyio
@pytest.mark.skipif(not {"staking", "rewards", "wallet"} <= PACKS, reason="needs the staking and rewards packs")
async def test_prompt_with_every_tool_is_unchanged():
    from secret_mcp_staking.prompt import choose_validators

    async with connect(subset_server("network", "staking", "sandbox"), "auto") as client:
        cut = (await client.get_prompt("choose_validators", {})).messages[0].content.text
    async with connect(subset_server("network", "staking", "rewards", "sandbox"), "auto") as client:
        whole = (await client.get_prompt("choose_validators", {})).messages[0].content.text
    assert whole == choose_validators()
    assert "secret_withdraw_rewards" in whole and "secret_withdraw_rewards" not in cut
    assert "rewards must be withdrawn.\n" in cut and "packs not installed: rewards" in cut


def test_first_party_map_matches_the_packs():
    host = plugin_host(*sorted(offered.FIRST_PARTY))
    app = App(Config(network="localsecret"), host)
    for pack in host.loaded():
        if pack in offered.FIRST_PARTY:
            assert tuple(app.registry.tools_of(pack)) == offered.FIRST_PARTY[pack], pack
