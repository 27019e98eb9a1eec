"""`serve --http` as an OAuth 2.1 resource server, against a real authorization server (authlib, tests/http/
oauth_server.py): RFC 9728 metadata, 401 with resource_metadata, JWTs checked against the issuer's JWKS,
audience binding, the two scopes, one principal per subject, non-custodial by default."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import call_err, call_ok
from tests.http.oauth_server import AuthServer
from tests.http.test_http import FRIEND, free_port, http_client, start, stop, wait_listening
from tests.tx.fixtures import sandbox  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def oauth(sandbox):
    """An authorization server and one `serve --http` trusting it; yields (mcp url, auth server)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    issuer = AuthServer(url).start()
    issuer.register("alice")
    issuer.register("bob")
    issuer.register("reader", scope="secret:read")
    issuer.register("nobody", scope="")
    issuer.register("late", expires_in=-120)  # expired two minutes ago: beyond any clock-skew leeway
    issuer.register("elsewhere", aud="https://another-service.example/mcp")  # a token meant for another server
    issuer.register("forger", iss="https://issuer.example")  # signed by our issuer's key, claims another issuer
    proc = start(port, "--network", "sandbox", "--lcd-url", sandbox.url, "--chain-id", sandbox.chain.chain_id,
                 "--plugins", "network,sandbox,wallet,bank",
                 SECRET_MCP_SANDBOX_URLS=sandbox.url,  # this chain is the sandbox (its faucet tool is offered)
                 SECRET_MCP_OAUTH_ISSUER=issuer.issuer, SECRET_MCP_OAUTH_AUDIENCE=url)
    try:
        wait_listening(proc, port)
        yield url, issuer
    finally:
        _out, err = stop(proc)
        issuer.stop()
        assert "Traceback" not in err, err[-2000:]
        assert "eyJ" not in err  # no token (a JWT starts with eyJ) reaches the log


def test_protected_resource_metadata_names_the_issuer(oauth):
    url, issuer = oauth
    base = url.removesuffix("/mcp")
    meta = httpx.get(f"{base}/.well-known/oauth-protected-resource/mcp").json()
    assert meta["resource"] == url
    assert [s.rstrip("/") for s in meta["authorization_servers"]] == [issuer.issuer]
    assert set(meta["scopes_supported"]) == {"secret:read", "secret:write"}


@pytest.mark.parametrize("who", [None, "garbage", "late", "elsewhere", "forger"])
def test_requests_without_a_valid_token_get_401_naming_the_metadata(oauth, who):
    url, issuer = oauth
    token = {None: None, "garbage": "not-a-jwt"}.get(who, None) if who in (None, "garbage") else issuer.token(who)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = httpx.post(url, headers=headers | {"Accept": "application/json, text/event-stream"},
                        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert answer.status_code == 401
    challenge = answer.headers["www-authenticate"]
    base = url.removesuffix("/mcp")
    assert challenge.startswith("Bearer ") and f'resource_metadata="{base}/.well-known/oauth-protected-resource/mcp"' in challenge


def test_a_token_without_any_scope_gets_403(oauth):
    url, issuer = oauth
    answer = httpx.post(url, headers={"Authorization": f"Bearer {issuer.token('nobody')}",
                                      "Accept": "application/json, text/event-stream"},
                        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert answer.status_code == 403 and 'error="insufficient_scope"' in answer.headers["www-authenticate"]


@pytest.mark.anyio
async def test_read_only_token_sees_and_runs_no_write_tool(oauth, mode):
    from mcp import Client

    url, issuer = oauth
    async with Client(http_client(url, issuer.token("reader")), mode=mode) as reader, \
            Client(http_client(url, issuer.token("alice")), mode=mode) as writer:
        seen = {t.name for t in (await reader.list_tools()).tools}
        full = {t.name for t in (await writer.list_tools()).tools}
        assert "secret_get_balance" in seen and "secret_send_tokens" not in seen
        assert "secret_confirm_transaction" not in seen
        assert {"secret_send_tokens", "secret_confirm_transaction"} <= full
        err = await call_err(reader, "secret_send_tokens", {"recipient": FRIEND, "amount": "1 SCRT"})
        assert err["code"] == "INSUFFICIENT_SCOPE" and "secret:write" in err["message"]
        info = await call_ok(reader, "secret_get_network_info")
        assert info["chain_id"] == "secret-sandbox-1"


@pytest.mark.anyio
async def test_principals_are_apart_and_no_phrase_is_taken(oauth, mode):
    from mcp import Client

    url, issuer = oauth
    async with Client(http_client(url, issuer.token("alice")), mode=mode) as alice, \
            Client(http_client(url, issuer.token("bob")), mode=mode) as bob:
        err = await call_err(alice, "secret_create_wallet", {"name": "hot"})
        assert err["code"] == "SERVER_KEYS_DISABLED"
        name = f"watched-{mode}"
        await call_ok(alice, "secret_import_wallet", {"name": name, "address": FRIEND})
        await call_ok(alice, "secret_set_active_wallet", {"name": name})
        assert name in {w["name"] for w in (await call_ok(alice, "secret_list_wallets"))["wallets"]}
        assert name not in {w["name"] for w in (await call_ok(bob, "secret_list_wallets"))["wallets"]}
        assert (await call_err(bob, "secret_set_active_wallet", {"name": name}))["code"] == "UNKNOWN_WALLET"
    # A new connection of the same subject finds its own state again.
    async with Client(http_client(url, issuer.token("alice")), mode=mode) as again:
        assert (await call_ok(again, "secret_get_active_wallet"))["active"]["name"] == name


@pytest.mark.parametrize("env, named", [
    ({"SECRET_MCP_OAUTH_ISSUER": "https://auth.example.com"}, "oauth_audience"),
    ({"SECRET_MCP_OAUTH_ISSUER": "http://auth.example.com", "SECRET_MCP_OAUTH_AUDIENCE": "https://mcp.example.com/mcp"},
     "oauth_issuer must be an https:// URL"),
])
def test_a_half_configured_oauth_server_does_not_start(env, named):
    import os
    import subprocess

    from tests.http.test_http import BIN

    proc = subprocess.run([str(BIN), "serve", "--http", "--port", str(free_port())], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "SECRET_MCP_PLUGINS": "", **env})
    assert proc.returncode != 0 and named in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.anyio
async def test_a_stock_sdk_client_finds_its_way_from_401_to_a_token(oauth, mode):
    # The MCP SDK's own OAuth client: no token at first; the 401 names the metadata, the metadata the issuer,
    # the issuer's metadata its token endpoint; client credentials there; then the call goes through.
    import httpx2
    from mcp import Client
    from mcp.client.auth.extensions.client_credentials import ClientCredentialsOAuthProvider
    from mcp.client.streamable_http import streamable_http_client

    url, issuer = oauth

    class Memory:
        tokens = client_info = None

        async def get_tokens(self):
            return self.tokens

        async def set_tokens(self, tokens):
            self.tokens = tokens

        async def get_client_info(self):
            return self.client_info

        async def set_client_info(self, info):
            self.client_info = info

    client_id = issuer.register(f"sdk-{mode}", scope="secret:read")
    storage = Memory()
    provider = ClientCredentialsOAuthProvider(
        url, storage, client_id, issuer.clients[client_id].secret, scope="secret:read", issuer=issuer.issuer)
    before = issuer.issued
    http = httpx2.AsyncClient(auth=provider, timeout=30)
    async with Client(streamable_http_client(url, http_client=http), mode=mode) as client:
        assert (await call_ok(client, "secret_get_network_info"))["chain_id"] == "secret-sandbox-1"
    assert storage.tokens is not None and issuer.issued == before + 1


def test_the_example_config_is_valid():
    from pathlib import Path

    from secret_mcp.config import load_config

    config = load_config(env={}, path=Path(__file__).resolve().parents[2] / "examples" / "configs" / "http-oauth.toml")
    assert config.oauth_issuer == "https://auth.example.com" and config.oauth_audience.endswith("/mcp")
    assert config.allow_server_keys is False and config.max_sessions_per_principal == 10


@pytest.mark.anyio
async def test_one_principal_changing_network_changes_no_other_tool_list(oauth, sandbox, mode):
    from mcp import Client

    from mcp.types import ElicitResult

    url, issuer = oauth
    issuer.register(f"mover-{mode}")
    issuer.register(f"stayer-{mode}")

    async def accept(_ctx, _params):  # the person agrees to the custom endpoint
        return ElicitResult(action="accept", content={"confirm": True})

    async with Client(http_client(url, issuer.token(f"mover-{mode}")), mode=mode, elicitation_callback=accept) as mover, \
            Client(http_client(url, issuer.token(f"stayer-{mode}")), mode=mode) as stayer:
        await call_ok(mover, "secret_configure_network",
                      {"network": "custom", "lcd_url": [sandbox.url], "chain_id": sandbox.chain.chain_id})
        moved = {t.name for t in (await mover.list_tools()).tools}
        stayed = {t.name for t in (await stayer.list_tools()).tools}
        assert "secret_sandbox_faucet" not in moved and "secret_sandbox_faucet" in stayed
        err = await call_err(mover, "secret_sandbox_faucet", {"amount_uscrt": 1})
        assert err["code"] == "TOOL_NOT_AVAILABLE_ON_NETWORK"
        assert (await call_ok(stayer, "secret_get_network_info"))["kind"] == "sandbox"
        assert (await call_ok(mover, "secret_get_network_info"))["kind"] == "custom"
