"""The MCP inspector's CLI mode (a client nobody here wrote) drives `secret-mcp serve` over stdio on the sandbox.

The inspector is pinned in tests/conformance with the Node 22 it needs. Without node_modules the module is
skipped locally, but fails under CI, where a missing install is a broken build, not a reason to skip.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.proof._proofkit import REPO_ROOT, in_ci

MODULES = REPO_ROOT / "tests" / "conformance" / "node_modules"
NODE = MODULES / ".bin" / "node"
INSPECTOR = MODULES / "@modelcontextprotocol" / "inspector" / "clients" / "launcher" / "build" / "index.js"
BIN = Path(sys.executable).parent / "secret-mcp"


@pytest.fixture
def inspect(tmp_path: Path):
    if not (NODE.is_file() and INSPECTOR.is_file()):
        reason = "tests/conformance/node_modules is missing (run `npm ci` in tests/conformance)"
        if in_ci():
            pytest.fail(f"inspector smoke test cannot run under CI: {reason}")
        pytest.skip(f"inspector smoke test not run: {reason}")

    def run(*args: str) -> tuple[int, dict, str]:
        # The inspector hands the server only the variables given with -e (plus PATH, HOME, ...), so the
        # isolated home goes explicitly; its own HOME is a temp dir so it never writes the developer's.
        command = [str(NODE), str(INSPECTOR), "--cli", "-e", f"SECRET_MCP_HOME={tmp_path / 'home'}",
                   str(BIN), "serve", *args]
        env = {"PATH": f"{NODE.parent}:/usr/bin:/bin", "HOME": str(tmp_path), "NO_COLOR": "1"}
        proc = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)
        # On a tool error the inspector prints the result, then one JSON line of its own verdict.
        body = proc.stdout[: proc.stdout.rfind("\n{\"error\"")] if proc.returncode else proc.stdout
        return proc.returncode, json.loads(body), proc.stderr

    return run


def test_tools_list_with_portable_schemas(inspect):
    code, listed, stderr = inspect("--method", "tools/list", "--strict")
    assert code == 0, stderr  # --strict exits 6 on any error-severity schema portability problem
    assert "Warning" not in stderr, stderr  # nor a lesser one (e.g. a list of types, which Gemini's dialect rejects)
    tools = {t["name"]: t for t in listed["tools"]}
    assert {"secret_get_network_info", "secret_get_block", "secret_sandbox_faucet", "secret_vote_proposal"} <= set(tools)
    assert tools["secret_get_block"]["annotations"]["readOnlyHint"] is True
    assert "annotations" not in tools["secret_vote_proposal"]  # a chain write: every hint is the spec's default
    assert "height" in tools["secret_get_block"]["inputSchema"]["properties"]


def test_tools_call_reads_the_sandbox_genesis_block(inspect):
    code, result, stderr = inspect("--method", "tools/call", "--tool-name", "secret_get_block", "--tool-arg", "height=1")
    assert code == 0 and result["isError"] is False, stderr
    block = result["structuredContent"]
    assert block["height"] == 1 and block["chain_id"] == "secret-sandbox-1" and len(block["hash"]) == 64


def test_tools_call_error_is_structured(inspect):
    code, result, _ = inspect("--method", "tools/call", "--tool-name", "secret_get_block", "--tool-arg", "height=abc")
    assert code != 0 and result["isError"] is True
    error = result["structuredContent"]["error"]
    assert error["code"] == "INVALID_INPUT" and error["details"]["fields"] == ["height"]
    assert "Traceback" not in result["content"][0]["text"]
