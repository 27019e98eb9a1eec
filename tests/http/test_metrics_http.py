"""`GET /metrics` on `secret-mcp serve --http` (a real subprocess): token required, Prometheus text equal to the
`secret://server/metrics` resource; the same server logs JSON lines on stderr with no secret in them."""

from __future__ import annotations

import json
import subprocess

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from secret_mcp.testing import call_err, call_ok
from tests.http.test_http import TOKEN, free_port, http_client, start, stop, wait_listening
from tests.helpers import MNEMONIC_A

HEX_KEY = "5e1f" * 16  # shaped like a raw secp256k1 private key
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Served:
    def __init__(self, proc: subprocess.Popen, port: int) -> None:
        self.proc, self.base = proc, f"http://127.0.0.1:{port}"
        self.out: str | None = None
        self.err: str | None = None

    def stop(self) -> None:
        if self.err is None:
            self.out, self.err = stop(self.proc)


@pytest.fixture(scope="module")
def served():
    port = free_port()
    proc = start(port, "--log-format", "json", "--log-level", "INFO", SECRET_MCP_HTTP_TOKEN=TOKEN)
    wait_listening(proc, port)
    s = Served(proc, port)
    yield s
    s.stop()
    assert s.out == ""


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-wrong-token"}, {"Authorization": TOKEN}])
def test_metrics_need_the_token(served, headers):
    r = httpx.get(f"{served.base}/metrics", headers=headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHORIZED"
    assert "secret_mcp_" not in r.text


def test_metrics_refuse_other_methods(served):
    assert httpx.post(f"{served.base}/metrics", headers=AUTH).status_code == 405


@pytest.mark.anyio
async def test_prometheus_text_matches_the_resource(served, mode):
    from mcp import Client

    async def read(client) -> dict:
        result = await client.read_resource("secret://server/metrics")
        return json.loads(result.contents[0].text)

    async with Client(http_client(f"{served.base}/mcp", TOKEN), mode=mode) as client:
        before = await read(client)  # one server for the module: other tests' calls are counted too
        await call_ok(client, "secret_get_network_info")
        await call_err(client, "secret_get_balance", {"address": "secret1nope"})
        snap = await read(client)
        r = httpx.get(f"{served.base}/metrics", headers=AUTH)  # nothing ran in between
    assert r.status_code == 200 and r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    got = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            got[(s.name, tuple(sorted(s.labels.items())))] = s.value
    def count(s: dict, tool: str, code: str | None = None) -> int:
        t = s["tools"].get(tool, {"calls": 0, "errors": {}})
        return t["calls"] if code is None else t["errors"].get(code, 0)

    assert count(snap, "secret_get_network_info") == count(before, "secret_get_network_info") + 1
    assert count(snap, "secret_get_balance") == count(before, "secret_get_balance") + 1
    assert count(snap, "secret_get_balance", "INVALID_ADDRESS") == count(before, "secret_get_balance", "INVALID_ADDRESS") + 1
    for tool, t in snap["tools"].items():
        assert got[("secret_mcp_tool_calls_total", (("tool", tool),))] == t["calls"]
        assert got[("secret_mcp_tool_duration_seconds_count", (("tool", tool),))] == t["latency_seconds"]["count"]
        for code, n in t["errors"].items():
            assert got[("secret_mcp_tool_errors_total", (("code", code), ("tool", tool)))] == n
    for key in ("hits", "misses"):
        assert got[(f"secret_mcp_cache_{key}_total", ())] == snap["cache"][key]
    for key in ("requests", "failures", "retries"):
        assert got[(f"secret_mcp_pool_{key}_total", ())] == snap["pool"][key]
    assert snap["pool"]["requests"] > 0 and snap["pool"]["connected"] is True


@pytest.mark.anyio
async def test_stderr_is_json_lines_without_secrets(served):
    # Last in the module: it stops the server to read everything it wrote on stderr.
    from mcp import Client

    async with Client(http_client(f"{served.base}/mcp", TOKEN), mode="auto") as client:
        phrase = await call_err(client, "secret_get_balance", {"address": MNEMONIC_A})  # the error quotes it
        key = await call_err(client, "secret_get_balance", {"address": HEX_KEY})
    served.stop()
    assert phrase["code"] == key["code"] == "INVALID_ADDRESS"
    lines = [json.loads(line) for line in served.err.splitlines() if line.strip()]  # every line parses
    assert all({"ts", "level", "logger", "msg"} <= set(r) for r in lines)
    assert {"msg": "bearer token: the configured one", "logger": "secret_mcp.http"}.items() <= lines[2].items()
    failed = [r for r in lines if r.get("tool") == "secret_get_balance" and r.get("code") == "INVALID_ADDRESS"]
    assert len(failed) >= 2 and all(r["outcome"] == "error" and r["duration_ms"] >= 0 for r in failed)
    assert all("characters given" in r["msg"] and "[REDACTED]" not in r["msg"] for r in failed)  # length, no value
    words = MNEMONIC_A.split()
    assert HEX_KEY not in served.err and " ".join(words[:3]) not in served.err and " ".join(words[-3:]) not in served.err
    assert TOKEN not in served.err
