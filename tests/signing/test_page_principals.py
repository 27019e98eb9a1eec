"""The loopback signing page serves every principal of an OAuth server: a request is carried out as the principal
that opened it, whoever's call first started the page's server (its task would otherwise keep that first
principal's context for every later request)."""

from __future__ import annotations

import httpx
import pytest

from secret_mcp.testing import balance, call_ok, connect, server_on
from tests.helpers import B

pytestmark = pytest.mark.anyio
ISSUER = "https://issuer.example"


async def _approved_send(server, principals, principal, opened: list[str], name: str, sandbox) -> tuple[int, dict]:
    async def call() -> tuple[int, dict]:
        async with connect(server) as client:
            made = await call_ok(client, "secret_create_wallet", {"name": name})
            sandbox.faucet(made["wallet"]["address"], 5_000_000)
            result = await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "0.2 SCRT"})
            assert result.is_error and result.structured_content["status"] == "awaiting_signature"
        base, _, query = opened[-1].partition("?")
        async with httpx.AsyncClient(timeout=60) as http:  # the person's browser: no principal of its own
            reply = await http.post(f"{base}/approve?{query}")
        return reply.status_code, reply.json()

    return await principals.run(principal, call)


async def test_a_page_approval_runs_as_the_principal_that_opened_it(sandbox, home, monkeypatch):
    # Before: the second principal's approval ran in the first one's session (CONFIRMATION_STALE: "the active
    # wallet changed"), with the first one's keystore, audit and spending window.
    from secret_mcp import signweb
    from secret_mcp.auth.principals import Principals

    opened: list[str] = []
    monkeypatch.setattr(signweb, "OPEN", lambda url: opened.append(url) or True)
    server = server_on(sandbox, approval="browser", allow_server_keys=True)
    principals = Principals(server.secret_app)
    alice, bob = await principals.get(ISSUER, "alice"), await principals.get(ISSUER, "bob")
    before = balance(sandbox, B)
    status, answer = await _approved_send(server, principals, alice, opened, "a", sandbox)
    assert status == 200 and answer["status"] == "included", answer
    status, answer = await _approved_send(server, principals, bob, opened, "b", sandbox)
    assert status == 200 and answer["status"] == "included", answer
    assert answer["result"]["sender"] == bob.security.keystore.address("b")  # bob's own wallet signed it
    assert balance(sandbox, B) == before + 400_000


async def test_a_principal_cannot_see_or_answer_another_principals_request(sandbox, home, monkeypatch):
    # Before: requests were looked up by App only, and every principal of an OAuth server shares the App.
    from secret_mcp import signweb
    from secret_mcp.auth.principals import Principals

    opened: list[str] = []
    monkeypatch.setattr(signweb, "OPEN", lambda url: opened.append(url) or True)
    server = server_on(sandbox, approval="browser", allow_server_keys=True)
    principals = Principals(server.secret_app)
    alice, bob = await principals.get(ISSUER, "alice"), await principals.get(ISSUER, "bob")

    async def open_one() -> str:
        async with connect(server) as client:
            made = await call_ok(client, "secret_create_wallet", {"name": "a"})
            sandbox.faucet(made["wallet"]["address"], 5_000_000)
            result = await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "0.2 SCRT"})
            rid = result.structured_content["request_id"]
            assert (await call_ok(client, "secret_get_transaction_status", {"hash": rid}))["status"] == "awaiting_signature"
            return rid

    rid = await principals.run(alice, open_one)

    async def peek() -> tuple[dict, dict]:
        async with connect(server) as client:
            seen = await client.call_tool("secret_get_transaction_status", {"hash": rid})
            used = await client.call_tool("secret_submit_signed_transaction", {"request_id": rid, "tx_bytes": "AAAA"})
            return seen.structured_content, used.structured_content

    seen, used = await principals.run(bob, peek)
    assert seen.get("status") != "awaiting_signature" and rid not in str(seen.get("request_id")), seen
    assert used["error"]["code"] == "SIGNING_REQUEST_UNKNOWN", used
