"""`secret-mcp serve --http` as a real subprocess: bearer token, DNS-rebinding protection, both protocol eras."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from secret_mcp.testing import call_ok

BIN = Path(sys.executable).parent / "secret-mcp"
TOKEN = "test-token-0123456789-abcdefghij"
FRIEND = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN), "serve", "--http", "--port", str(port), "--log-level", "WARNING", *args],
        env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_listening(proc: subprocess.Popen, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.communicate()[1]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server did not start listening")


def stop(proc: subprocess.Popen) -> tuple[str, str]:
    proc.terminate()
    try:
        return proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


@pytest.fixture(scope="module")
def server():
    port = free_port()
    proc = start(port, SECRET_MCP_HTTP_TOKEN=TOKEN)
    wait_listening(proc, port)
    yield f"http://127.0.0.1:{port}/mcp"
    out, err = stop(proc)
    assert TOKEN not in out + err  # a configured token is never echoed anywhere
    assert out == ""  # stdout stays clean: nothing but what a caller asked for goes there


def http_client(url: str, token: str | None):
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return streamable_http_client(url, http_client=httpx2.AsyncClient(headers=headers, timeout=30))


@pytest.mark.anyio
async def test_tools_over_http_with_the_token(server, mode):
    from mcp import Client

    async with Client(http_client(server, TOKEN), mode=mode) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "secret_sandbox_faucet" in names
        info = await call_ok(client, "secret_get_network_info")
        caps = client.server_capabilities
    assert info["chain_id"] == "secret-sandbox-1" and info["simulated"] is True
    # serve installs resources/subscribe for the handshake era; 2026-07-28 uses subscriptions/listen instead.
    if mode == "legacy":
        assert caps.resources.subscribe is True
    assert caps.completions is not None


@pytest.mark.anyio
async def test_confirmed_send_over_http(server, mode):
    # Legacy asks mid-call on the SSE stream; 2026-07-28 answers with InputRequiredResult and the client retries.
    from mcp import Client
    from mcp.types import ElicitResult

    shown = []

    async def accept(_ctx, params):
        shown.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    async with Client(http_client(server, TOKEN), mode=mode, elicitation_callback=accept) as client:
        name = f"http-{mode}"  # one server process for the module: each era gets its own wallet
        await call_ok(client, "secret_create_wallet", {"name": name})
        await call_ok(client, "secret_set_active_wallet", {"name": name})
        await call_ok(client, "secret_sandbox_faucet", {"amount_uscrt": 5_000_000})
        sent = await call_ok(client, "secret_send_tokens", {"recipient": FRIEND, "amount": "1 SCRT"})
    assert sent["status"] == "success" and len(shown) == 1 and FRIEND in shown[0]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-wrong-token"},
                                     {"Authorization": f"Basic {TOKEN}"}, {"Authorization": TOKEN}])
def test_missing_or_wrong_token_is_401_json(server, headers):
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    r = httpx.post(server, json=body, headers={"Accept": "application/json, text/event-stream", **headers})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "UNAUTHORIZED"
    assert r.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["host", "origin"])
def test_foreign_host_or_origin_is_refused_even_with_the_token(server, header):
    # A DNS-rebinding page runs in the browser under the attacker's name: its Host/Origin give it away.
    value = "evil.example:80" if header == "host" else "http://evil.example"
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    r = httpx.post(server, json=body, headers={
        "Accept": "application/json, text/event-stream", "Authorization": f"Bearer {TOKEN}", header: value,
    })
    assert r.status_code == (421 if header == "host" else 403)


@pytest.mark.anyio
async def test_wrong_token_fails_through_the_mcp_client(server):
    from mcp import Client

    with pytest.raises(Exception) as info:
        async with Client(http_client(server, "not-the-token-not-the-token"), mode="legacy") as client:
            await client.list_tools()
    assert "Server returned an error response" in repr(info.value)  # the SDK's wording for the HTTP 401


def test_non_loopback_bind_without_a_token_is_refused():
    proc = subprocess.run([str(BIN), "serve", "--http", "--host", "0.0.0.0", "--port", str(free_port())],
                          capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert proc.returncode != 0
    assert "Refusing to listen on 0.0.0.0" in proc.stderr and "SECRET_MCP_HTTP_TOKEN" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_generated_token_is_printed_to_stderr_and_works():
    port = free_port()
    proc = start(port)
    try:
        wait_listening(proc, port)
        r = httpx.post(f"http://127.0.0.1:{port}/mcp", json={}, headers={"Authorization": "Bearer x" * 3})
        assert r.status_code == 401
    finally:
        out, err = stop(proc)
    line = next(l for l in err.splitlines() if "bearer token (generated" in l)
    token = line.rsplit(" ", 1)[1]
    assert len(token) >= 40 and token not in out


def test_short_configured_token_is_refused():
    proc = subprocess.run([str(BIN), "serve", "--http", "--port", str(free_port())], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "SECRET_MCP_HTTP_TOKEN": "short"})
    assert proc.returncode != 0 and "at least 16" in proc.stderr
