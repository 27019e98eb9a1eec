"""A principal's whole state through Redis, between two servers in this process (two workers' Apps): wallets
and keys, active wallet, network, kept viewing keys and the 24-hour spending window; sealed at rest."""

from __future__ import annotations

import pytest
from mnemonic import Mnemonic

from tests.helpers import make_server
from tests.http.test_oauth_shared import STATE_KEY, redis_dump
from tests.redis_server import redis_client, redis_server  # noqa: F401 (fixtures)
from tests.tx.fixtures import home  # noqa: F401 (fixture)

ISSUER = "https://issuer.example"
CONTRACT = "secret1k0jntykt7e4g3y88ltc60czgjuqdy4c9e8fzek"
VIEWING_KEY = "api_key_Zm9yLXRoZS1zdGF0ZS10ZXN0LW9ubHk="


def worker(url: str):
    from secret_mcp.auth.principals import Principals

    app = make_server(network="mainnet", plugins=("wallet",), cache_url=url, state_key=STATE_KEY,
                      allow_server_keys=True).secret_app
    return app, Principals(app)


@pytest.mark.anyio
async def test_state_follows_the_principal_sealed(redis_server, redis_client, home):
    from secret_mcp.policy import TxOutcome, TxRequest
    from secret_mcp.security.keys import derive

    phrase = Mnemonic("english").generate(256)
    app_a, principals_a = worker(redis_server.url)
    app_b, principals_b = worker(redis_server.url)

    async def on_a() -> str:
        sec = app_a.security
        address = sec.keystore.import_mnemonic("main", phrase).address
        app_a.session.active_wallet = "main"
        sec.keystore.put_secret("main", "viewing_key", CONTRACT, VIEWING_KEY)
        request = TxRequest(tool="secret_send_tokens", network="mainnet", chain_id="secret-4", sender=address,
                            messages=(), amounts=(("uscrt", 7_000_000),))
        sec.limits.record(TxOutcome(request, "AB" * 32, 10, 0, "success"))  # mainnet: counted in the window
        await app_a.session.switch_network(app_a.resolve_network("testnet"))
        return address

    address = await principals_a.run(await principals_a.get(ISSUER, "alice"), on_a)

    async def on_b() -> tuple:
        sec = app_b.security
        return (app_b.session.network.name, app_b.session.active_wallet, app_b.session.active_wallet_address(),
                sec.keystore.get_secret("main", "viewing_key", CONTRACT), sec.keystore.public_key("main"),
                sec.limits.spent_today("secret-4", "uscrt"))

    network, active, active_address, key, public_key, spent = await principals_b.run(
        await principals_b.get(ISSUER, "alice"), on_b)
    assert (network, active, active_address, key) == ("testnet", "main", address, VIEWING_KEY)
    assert len(public_key) == 33  # the key itself came along: this worker can sign
    assert spent == 7_000_000  # the 24-hour window too

    async def bob() -> tuple:
        return dict(app_b.session.wallets), app_b.session.network.name

    principals_b.KEEP = 1  # bob pushes alice out of worker B's memory; her state is in Redis
    first = await principals_b.get(ISSUER, "alice")
    assert await principals_b.run(await principals_b.get(ISSUER, "bob"), bob) == ({}, "mainnet")
    again = await principals_b.get(ISSUER, "alice")
    assert again is not first
    assert (await principals_b.run(again, on_b))[:4] == ("testnet", "main", address, VIEWING_KEY)

    dump = redis_dump(redis_client)
    assert "principal:" in dump
    for secret in (phrase, derive(phrase).private_key.hex(), VIEWING_KEY, address):
        assert secret not in dump  # sealed: not even the address is readable in Redis
