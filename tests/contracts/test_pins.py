"""Consensus key pins (core/secret_mcp/contracts/pins.py): built in for mainnet, first seen elsewhere, chain-wide
for a preset's chain id, and a person's override. The MCP-level cases are in tests/packs/test_tokens_endpoint_scope.py."""

from __future__ import annotations

import base64
import json
import os

import pytest

from secret_mcp.contracts import pins
from secret_mcp.errors import SecretMCPError
from secret_mcp.networks import MAINNET, TESTNET, Network

KEY_A, KEY_B = bytes(range(32)), bytes(range(1, 33))
CUSTOM = Network(name="custom", chain_id="pulsar-3", lcd_urls=("https://lcd.example.com",), kind="custom")


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_MCP_HOME", str(tmp_path))
    return tmp_path


def changed(network, endpoint, key) -> SecretMCPError:
    with pytest.raises(SecretMCPError) as info:
        pins.check(network, endpoint, key)
    assert info.value.code == "CONSENSUS_KEY_CHANGED"
    return info.value


def test_mainnet_has_a_built_in_pin_and_nothing_is_written():
    pins.check(MAINNET, "preset:mainnet", base64.b64decode(pins.BUILT_IN["secret-4"]))
    err = changed(MAINNET, "urls:https://evil.example", KEY_A)
    assert "built-in" in err.message and err.details["served_pubkey"] == base64.b64encode(KEY_A).decode()
    assert not pins.pins_path().exists()


def test_first_seen_then_pinned_per_endpoint_and_chain_wide_for_a_preset(home):
    pins.check(TESTNET, "preset:testnet", KEY_A)  # pulsar-3: pinned on first use
    pins.check(TESTNET, "preset:testnet", KEY_A)
    assert changed(TESTNET, "preset:testnet", KEY_B).details["pinned_pubkey"] == base64.b64encode(KEY_A).decode()
    # A custom endpoint claiming pulsar-3 must serve what the preset served.
    changed(CUSTOM, "urls:https://lcd.example.com", KEY_B)
    pins.check(CUSTOM, "urls:https://lcd.example.com", KEY_A)
    saved = json.loads(pins.pins_path().read_text())
    assert saved == {"pulsar-3|preset:testnet": base64.b64encode(KEY_A).decode(),
                     "pulsar-3|urls:https://lcd.example.com": base64.b64encode(KEY_A).decode()}
    assert oct(os.stat(pins.pins_path()).st_mode & 0o777) == "0o600"


def test_the_person_accepts_a_rotation_by_editing_the_file():
    pins.pins_path().parent.mkdir(parents=True, exist_ok=True)
    pins.pins_path().write_text(json.dumps({"secret-4|*": base64.b64encode(KEY_B).decode()}))
    pins.check(MAINNET, "preset:mainnet", KEY_B)
    assert "pinned for the chain" in changed(MAINNET, "preset:mainnet", base64.b64decode(pins.BUILT_IN["secret-4"])).message


def test_an_unreadable_pin_file_refuses():
    pins.pins_path().parent.mkdir(parents=True, exist_ok=True)
    pins.pins_path().write_text("{not json")
    with pytest.raises(SecretMCPError) as info:
        pins.check(TESTNET, "preset:testnet", KEY_A)
    assert info.value.code == "CONSENSUS_PINS_UNREADABLE"


def test_the_sandbox_this_process_runs_is_not_pinned():
    sandbox = Network(name="sandbox", chain_id="secret-sandbox-1", lcd_urls=(), kind="sandbox")
    pins.check(sandbox, "embedded:sandbox", KEY_A)
    pins.check(sandbox, "embedded:sandbox", KEY_B)
    assert not pins.pins_path().exists()
