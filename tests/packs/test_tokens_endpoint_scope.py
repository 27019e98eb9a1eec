"""Kept viewing keys and permits stay with the endpoint they were made for; consensus keys are pinned.

A second endpoint under the same chain id (a loopback proxy in front of the sandbox, which records every query
it forwards) must not receive a kept key unless the person approves; one serving its own consensus key is
refused once another key was pinned for it (or the chain has a built-in pin).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from mcp.types import ElicitResult
from starlette.requests import Request
from starlette.responses import Response

from secret_mcp.contracts.crypto import Cipher
from tests.contracts.sandbox_addresses import TOKEN
from tests.core.lcd_standin import LCDStandin
from tests.helpers import call_err, call_ok, connect
from tests.tx.fixtures import accept, funded_wallet, home, sandbox, server_on  # noqa: F401

pytestmark = pytest.mark.anyio
HAND_KEY = "hand made viewing key for scope"
TX_KEY = "/registration/v1beta1/tx-key"
SANDBOX_IO_PRIV = hashlib.sha256(b"sandbox consensus io key").digest()  # SECRET_PROTOCOL.md, sandbox vectors


class Proxy(LCDStandin):
    """Forwards everything to `upstream`, keeps what it saw; serves its own tx-key when `own_key` is set."""

    def __init__(self, upstream: str) -> None:
        super().__init__()
        self.upstream = upstream
        self.own_key: bytes | None = None

    async def _handle(self, request: Request) -> Response:
        import aiohttp

        path = request.url.path
        self.requests.append({"path": path, "query": dict(request.query_params)})
        if path == TX_KEY and self.own_key is not None:
            return Response(json.dumps({"key": base64.b64encode(self.own_key).decode()}), media_type="application/json")
        async with aiohttp.ClientSession() as session:
            async with session.request(request.method, self.upstream + path, params=request.query_params.multi_items(),
                                       data=await request.body(), headers={"Content-Type": "application/json"}) as up:
                return Response(await up.read(), status_code=up.status, media_type="application/json")

    def plaintexts(self) -> list[str]:
        """Every contract query it forwarded, decrypted with the sandbox's consensus key (as its operator could)."""
        out = []
        for r in self.requests:
            if r["path"].startswith("/compute/v1beta1/query/") and "query" in r.get("query", {}):
                wire = base64.b64decode(r["query"]["query"])
                nonce, client_pub, ciphertext = wire[:32], wire[32:64], wire[64:]
                out.append(Cipher(SANDBOX_IO_PRIV, client_pub).decrypt(nonce, ciphertext).decode(errors="replace"))
        return out


@pytest.fixture
def proxy(sandbox):
    p = Proxy(sandbox.url).start()
    yield p
    p.stop()


def person(*, switch: bool = True, release: bool | None = None):
    """Says `switch` to a network switch and `release` to sending a kept item elsewhere; records what it saw."""
    seen: list[str] = []

    async def callback(_ctx: Any, params: Any) -> ElicitResult:
        seen.append(params.message)
        yes = release if params.message.startswith("Send ") else switch
        if params.message.startswith("Send ") and release is None:
            raise AssertionError(f"unexpected question: {params.message}")
        return ElicitResult(action="accept", content={"confirm": True}) if yes else ElicitResult(action="decline")

    return callback, seen


async def _switch(client: Any, url: str, chain_id: str = "secret-sandbox-1") -> None:
    await call_ok(client, "secret_configure_network", {"network": "custom", "lcd_url": [url], "chain_id": chain_id})


async def test_a_kept_key_is_not_sent_to_another_endpoint_without_the_person(mode, sandbox, home, proxy):
    server = server_on(sandbox)
    async with connect(server, mode, elicitation_callback=accept) as client:
        await funded_wallet(client, sandbox)
        await call_ok(client, "secret_execute_contract", {"contract": TOKEN, "msg": {"deposit": {}}, "funds": "1000000uscrt"})
        await call_ok(client, "secret_token_set_viewing_key", {"token": TOKEN, "key": HAND_KEY})
        here = await call_ok(client, "secret_token_balance", {"token": TOKEN})
        await call_ok(client, "secret_token_create_permit", {"permit_name": "p", "tokens": [TOKEN]})
        by_permit = await call_ok(client, "secret_token_balance", {"token": TOKEN, "permit_name": "p"})
        await _switch(client, proxy.url)
    declining, seen = person(release=False)
    async with connect(server, mode, elicitation_callback=declining) as client:
        declined = await call_err(client, "secret_token_balance", {"token": TOKEN})
        history_declined = await call_err(client, "secret_token_history", {"token": TOKEN})
    async with connect(server, mode) as client:  # nobody to ask: refused, and no code to redeem
        refused = await call_err(client, "secret_token_balance", {"token": TOKEN})
        permit_refused = await call_err(client, "secret_token_balance", {"token": TOKEN, "permit_name": "p"})
    assert here["amount"] == by_permit["amount"] == "1000000"
    assert permit_refused["code"] == "ENDPOINT_NOT_TRUSTED" and "query permit" in permit_refused["message"]
    assert declined["code"] == history_declined["code"] == "CONFIRMATION_DECLINED"
    assert len(seen) == 2 and proxy.url in seen[0] and "viewing key" in seen[0]
    assert refused["code"] == "ENDPOINT_NOT_TRUSTED" and "confirmation_code" not in json.dumps(refused)
    assert not any(HAND_KEY in text or "with_permit" in text for text in proxy.plaintexts())
    # With the person's yes it goes through (so the check above could fail), and the scope now holds the proxy.
    approving, asked = person(release=True)
    async with connect(server, mode, elicitation_callback=approving) as client:
        there = await call_ok(client, "secret_token_balance", {"token": TOKEN})
    async with connect(server, mode) as client:
        again = await call_ok(client, "secret_token_balance", {"token": TOKEN})
    assert there["amount"] == again["amount"] == "1000000" and len(asked) == 1
    assert any(HAND_KEY in text for text in proxy.plaintexts())


async def test_read_only_mode_keeps_the_scope(mode, sandbox, home, proxy):
    from secret_mcp.networks import endpoint_id
    from secret_mcp_tokens.vault import VK

    server = server_on(sandbox, network="custom", lcd_urls=(proxy.url,), read_only=True)
    app = server.secret_app
    async with connect(server, mode) as client:
        me = (await call_ok(client, "secret_create_wallet", {"name": "ro"}))["wallet"]["address"]
    # A key kept earlier on the sandbox itself (as secret_token_set_viewing_key would keep it there).
    sandbox_net = app.resolve_network("sandbox", lcd_urls=(sandbox.url,))
    app.security.keystore.put_scoped_secret("ro", VK, f"secret-sandbox-1/{TOKEN}/{me}", HAND_KEY,
                                            {endpoint_id(sandbox_net, (sandbox.url,))})
    declining, seen = person(release=False)
    async with connect(server, mode, elicitation_callback=declining) as client:
        declined = await call_err(client, "secret_token_balance", {"token": TOKEN})
    async with connect(server, mode) as client:
        refused = await call_err(client, "secret_token_balance", {"token": TOKEN})
    assert declined["code"] == "CONFIRMATION_DECLINED" and len(seen) == 1
    assert refused["code"] == "ENDPOINT_NOT_TRUSTED"
    assert not any(HAND_KEY in text for text in proxy.plaintexts())


def _x25519_public() -> bytes:
    return X25519PrivateKey.generate().public_key().public_bytes(serialization.Encoding.Raw,
                                                                 serialization.PublicFormat.Raw)


async def test_a_changed_consensus_key_refuses_contract_traffic(mode, sandbox, home, proxy):
    server = server_on(sandbox, network="custom", lcd_urls=(proxy.url,))
    async with connect(server, mode) as client:
        first = await call_ok(client, "secret_token_info", {"token": TOKEN})  # the sandbox's key, pinned now
    pins = json.loads((home / "data" / "consensus_keys.json").read_text())
    assert first["symbol"] == "SSCRT" and list(pins) == [f"secret-sandbox-1|urls:{proxy.url}"]
    proxy.own_key = _x25519_public()  # the same endpoint now hands out a key of its own
    tx_keys_before, seen_before = proxy.hits(TX_KEY), len(proxy.requests)
    again = server_on(sandbox, network="custom", lcd_urls=(proxy.url,))  # a new process state, the same home
    async with connect(again, mode) as client:
        err = await call_err(client, "secret_query_contract", {"address": TOKEN, "query_msg": {"token_info": {}}})
    assert err["code"] == "CONSENSUS_KEY_CHANGED" and proxy.hits(TX_KEY) == tx_keys_before + 1
    assert not [r for r in proxy.requests[seen_before:] if r["path"].startswith("/compute/v1beta1/query/")]


async def test_mainnet_chain_id_has_a_built_in_pin(mode, sandbox, home, proxy):
    # An endpoint claiming secret-4 must serve mainnet's pinned key; the sandbox's is not it.
    from tests.helpers import make_server

    server = make_server(network="custom", lcd_urls=(proxy.url,), chain_id="secret-4")
    async with connect(server, mode) as client:
        err = await call_err(client, "secret_query_contract", {"address": TOKEN, "query_msg": {"token_info": {}}})
    assert err["code"] == "CONSENSUS_KEY_CHANGED" and "built-in" in err["message"]
    assert not (home / "data" / "consensus_keys.json").exists()
