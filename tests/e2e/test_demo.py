"""`secret-mcp demo` as a subprocess: the scripted session against the sandbox passes, and a failing one says so."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

BIN = Path(sys.executable).parent / "secret-mcp"
PACKS = {ep.name for ep in entry_points(group="secret_mcp")}


def demo(tmp_path: Path, *server_args: str, **env_vars: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SECRET_MCP_HOME": str(tmp_path), **env_vars}  # its own home: no persisted wallet leaks in
    return subprocess.run([str(BIN), "demo", "--", *server_args], capture_output=True, text=True, timeout=120, env=env)


def test_demo_runs_the_whole_story(tmp_path):
    proc = demo(tmp_path)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert re.search(r"Connected to secret-mcp over stdio \(\d+ ms\): \d+ tools\.", out)
    optional = {"Delegate 5 SCRT": "staking", "Vote on the open proposal": "governance",
                "SNIP-20: wrap 3 SCRT into SSCRT": "tokens", "SNIP-20: viewing key + private balance": "tokens",
                "SNIP-20: transfer 1 SSCRT (with confirmation)": "tokens"}
    for title in ("Network info", "Create a wallet", "Fund it from the sandbox faucet (100 SCRT)", "Balances",
                  "Send 1.5 SCRT (with confirmation)", *optional, "Balances after"):
        if optional.get(title, "bank") in PACKS:
            assert re.search(rf"^✓ {re.escape(title)} \(\d+ ms\)$", out, re.M), title
        else:  # that pack is not installed: the step says so instead of failing
            assert re.search(rf"^· {re.escape(title)}: skipped \(.* not installed\)$", out, re.M), title
    # The person was shown each write before it happened, and the demo printed what they saw.
    previews = out.split("? confirmation shown to the person (answered: accept):")[1:]
    # send, delegate, vote, wrap (an execute), the viewing key (a transaction too) and the token transfer ask
    asking = {"Delegate 5 SCRT", "Vote on the open proposal", "SNIP-20: wrap 3 SCRT into SSCRT",
              "SNIP-20: viewing key + private balance", "SNIP-20: transfer 1 SSCRT (with confirmation)"}
    assert len(previews) == 1 + sum(optional[title] in PACKS for title in asking)
    assert "To: secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03" in previews[0] and "Estimated fee" in previews[0]
    assert "SIMULATED" in previews[0]
    if "staking" in PACKS:
        assert "Delegate 5 SCRT" in previews[1]
    if "governance" in PACKS:
        assert any("Vote: YES" in p for p in previews)
    if "tokens" in PACKS:
        assert '"display": "3 SSCRT"' in out and 'Transfer 1 "SSCRT" to ' + "secret1ap26" in out
        assert 'Create a viewing key for "SSCRT"' in out and "api_key_" not in out
    assert '"balance_scrt": "100"' in out and '"status": "success"' in out
    assert out.rstrip().splitlines()[-1].startswith("All steps passed.")


def test_demo_exits_non_zero_when_steps_fail(tmp_path):
    # LocalSecret is not running here: every chain step fails, the sandbox-only faucet is skipped.
    proc = demo(tmp_path, "--network", "localsecret")
    assert proc.returncode == 1
    assert "✗ Network info" in proc.stdout and "CHAIN_UNREACHABLE" in proc.stdout
    assert ("· Fund it from the sandbox faucet (100 SCRT): skipped (secret_sandbox_faucet exists on the sandbox "
            "network only)") in proc.stdout
    # Creating the wallet is local and works; the chain steps fail; the faucet is no missing pack.
    last = proc.stdout.rstrip().splitlines()[-1]
    if PACKS >= {"network", "bank", "wallet", "staking", "governance", "tokens", "contracts"}:
        assert re.fullmatch(r"9 step\(s\) failed, 1 step\(s\) passed, 1 skipped \(1 for another reason\)\. "
                            r"\(\d+\.\d s\)", last), proc.stdout
    assert re.match(r"\d+ step\(s\) failed, \d+ step\(s\) passed, ", last) and "sandbox" not in last


def test_demo_with_a_subset_says_what_it_skipped(tmp_path):
    # No wallet pack: every step acting as the demo's wallet is skipped, naming the pack; nothing fails.
    proc = demo(tmp_path, SECRET_MCP_PLUGINS="network,bank,sandbox")
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert re.search(r"^✓ Network info \(\d+ ms\)$", out, re.M)
    assert "· Balances: skipped (needs secret_create_wallet: wallet pack not installed)" in out
    assert ("· Delegate 5 SCRT: skipped (needs secret_get_validators, secret_delegate, secret_create_wallet: "
            "staking and wallet packs not installed)") in out
    assert "All steps passed" not in out
    last = out.rstrip().splitlines()[-1]
    assert re.fullmatch(r"1 step\(s\) passed, 10 skipped \(packs not installed: contracts, governance, staking, "
                        r"tokens, wallet\)\. \(\d+\.\d s\)", last), last
