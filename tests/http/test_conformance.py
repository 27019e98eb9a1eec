"""The official MCP conformance suite (@modelcontextprotocol/conformance, pinned in tests/conformance) against
the real `secret-mcp serve --http` as an OAuth resource server, run by Node 22 from the same folder.

The suite's server scenarios cannot send an Authorization header, so they reach the server through nginx
adding a token minted by the test authorization server (tests/http/oauth_server.py), as an API gateway
would: every request passes the server's own token check (JWKS, audience, scopes) and principal layer.

Every scenario not in conformance-baseline.yml must pass, and every scenario in it must still fail, so the
baseline cannot rot. Install once with `npm ci` in tests/conformance. Without node_modules the module is
skipped locally, but fails under CI, where a missing install is a broken build, not a reason to skip.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.http.nginx_server import Nginx, gateway_config, nginx_binary
from tests.http.oauth_server import AuthServer
from tests.http.test_http import free_port, start, stop, wait_listening
from tests.proof._proofkit import REPO_ROOT, in_ci

CONFORMANCE_DIR = REPO_ROOT / "tests" / "conformance"
NODE = CONFORMANCE_DIR / "node_modules" / ".bin" / "node"  # Node 22 from npm: the suite needs it, the machine has 20
SUITE = CONFORMANCE_DIR / "node_modules" / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"
BASELINE = Path(__file__).with_name("conformance-baseline.yml")
RESULT_DIR = re.compile(r"^server-(?P<scenario>.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$")  # server-<scenario>-<timestamp>


def baseline_scenarios() -> list[str]:
    """The `server:` list of the baseline (a flat YAML list; read here so no YAML library is needed)."""
    names, in_server = [], False
    for line in BASELINE.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            in_server = line.strip() == "server:"
        elif in_server and line.strip().startswith("- "):
            names.append(line.strip()[2:].strip())
    return names


EXPECTED_FAILURES = baseline_scenarios()


@dataclass(repr=False)  # keeps assertion messages to the explanation, not the whole run
class SuiteRun:
    returncode: int
    output: str
    checks: dict[str, list[dict]]  # scenario -> the checks it reported

    def failed(self, scenario: str) -> bool:
        # The suite's own rule: a scenario fails when any check is a FAILURE or a WARNING.
        return any(check["status"] in ("FAILURE", "WARNING") for check in self.checks[scenario])

    def explain(self, scenario: str) -> str:
        bad = [c for c in self.checks[scenario] if c["status"] != "SUCCESS"]
        return json.dumps([{k: c.get(k) for k in ("id", "status", "errorMessage")} for c in bad])


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> SuiteRun:
    if not (NODE.is_file() and SUITE.is_file()):
        reason = "tests/conformance/node_modules is missing (run `npm ci` in tests/conformance)"
        if in_ci():
            pytest.fail(f"conformance suite cannot run under CI: {reason}")
        pytest.skip(f"conformance suite not run: {reason}")
    nginx_binary()
    out = tmp_path_factory.mktemp("conformance")
    port, gateway = free_port(), free_port()
    url = f"http://127.0.0.1:{gateway}/mcp"
    issuer = AuthServer(url).start()
    issuer.register("conformance")
    # One principal runs every scenario, and the suite leaves its sessions open: no per-principal caps here
    # (tests/http/test_oauth_limits.py covers them).
    server = start(port, SECRET_MCP_OAUTH_ISSUER=issuer.issuer, SECRET_MCP_OAUTH_AUDIENCE=url,
                   SECRET_MCP_MAX_SESSIONS_PER_PRINCIPAL="1000", SECRET_MCP_RATE_LIMIT_BURST="10000")
    proxy = None
    try:
        wait_listening(server, port)
        proxy = Nginx(gateway, gateway_config(gateway, port, issuer.token("conformance")))
        command = [str(NODE), str(SUITE), "server", "--url", url,
                   "--expected-failures", str(BASELINE), "--output-dir", str(out)]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL, cwd=out)
    finally:
        if proxy is not None:
            proxy.stop()
        _out, err = stop(server)
        issuer.stop()
    assert "Traceback" not in err, err[-2000:]
    checks = {}
    for result in out.iterdir():
        match = RESULT_DIR.match(result.name)
        if match and (result / "checks.json").is_file():
            checks[match["scenario"]] = json.loads((result / "checks.json").read_text())
    return SuiteRun(proc.returncode, proc.stdout + proc.stderr, checks)


def test_suite_ran_the_core_scenarios(suite: SuiteRun) -> None:
    ran = set(suite.checks)
    assert {"server-initialize", "tools-list", "tools-call-error", "resources-list", "prompts-list",
            "dns-rebinding-protection"} <= ran, suite.output[-3000:]


def test_every_scenario_outside_the_baseline_passes(suite: SuiteRun) -> None:
    unexpected = {s: suite.explain(s) for s in suite.checks if s not in EXPECTED_FAILURES and suite.failed(s)}
    assert not unexpected, f"scenarios that fail but are not in {BASELINE.name}: {unexpected}"


@pytest.mark.parametrize("scenario", EXPECTED_FAILURES)
def test_baseline_scenario_still_fails(suite: SuiteRun, scenario: str) -> None:
    assert scenario in suite.checks, f"{scenario} is in {BASELINE.name} but the suite no longer runs it: drop it"
    assert suite.failed(scenario), f"{scenario} passes now: remove it from {BASELINE.name}"


def test_suite_exit_code_agrees(suite: SuiteRun) -> None:
    """The CLI's own baseline check (exit 1 on a regression or a stale entry) reaches the same verdict."""
    assert suite.returncode == 0, suite.output[-3000:]
