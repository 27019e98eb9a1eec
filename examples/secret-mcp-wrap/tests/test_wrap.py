"""secret-mcp-wrap against the sandbox chain, through an MCP client in both protocol eras.

Expected values come from the chain (balances over its LCD, the token's own answers), never from the pack.
"""

import pytest
from secret_mcp.testing import answerer, balance, call_err, call_ok, connect, funded_wallet, server_on

pytestmark = pytest.mark.anyio
PACKS = ("sandbox", "wallet", "wrap")  # the sandbox network, wallets to sign with, and this pack: nothing else


def wrap_server(sandbox):
    return server_on(sandbox, *PACKS)


async def test_info_reads_the_sandbox_token(sandbox, mode, home):
    async with connect(wrap_server(sandbox), mode) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        info = await call_ok(client, "secret_wrap_info")
        again = await call_ok(client, "secret_wrap_info", {"token": info["token"]})
    assert {"secret_wrap_info", "secret_wrap"} <= names
    assert (info["symbol"], info["decimals"], info["deposit_enabled"]) == ("SSCRT", 6, True)
    assert again == info and int(info["total_supply"]) >= 0


async def test_wrap_moves_scrt_into_the_token(sandbox, mode, home):
    person = answerer("yes")
    async with connect(wrap_server(sandbox), mode, elicitation_callback=person) as client:
        me = await funded_wallet(client, sandbox, uscrt=10_000_000)
        before = await call_ok(client, "secret_wrap_info")
        out = await call_ok(client, "secret_wrap", {"amount": "2.5 SCRT"})
        after = await call_ok(client, "secret_wrap_info")
    fee = int(out["fee"]["amount"])
    assert out["status"] == "success" and out["messages"] == ["/secret.compute.v1beta1.MsgExecuteContract"]
    assert balance(sandbox, me) == 10_000_000 - 2_500_000 - fee
    assert int(after["total_supply"]) == int(before["total_supply"]) + 2_500_000
    (shown,) = person.shown  # the person saw one preview, naming the amount and the token
    assert "Wrap 2.5 SCRT (2500000uscrt)" in shown and before["token"] in shown


async def test_no_or_declined_moves_nothing(sandbox, mode, home):
    for reply in ("no", "decline"):
        async with connect(wrap_server(sandbox), mode, elicitation_callback=answerer(reply)) as client:
            me = await funded_wallet(client, sandbox, name=f"w-{reply}", uscrt=5_000_000)
            err = await call_err(client, "secret_wrap", {"amount": "1 SCRT"})
        assert err["code"] == "CONFIRMATION_DECLINED", err
        assert balance(sandbox, me) == 5_000_000  # no fee either: nothing was signed


async def test_bad_input_is_a_structured_error(sandbox, mode, home):
    async with connect(wrap_server(sandbox), mode, elicitation_callback=answerer("yes")) as client:
        no_wallet = await call_err(client, "secret_wrap", {"amount": "1 SCRT"})
        await funded_wallet(client, sandbox)
        not_scrt = await call_err(client, "secret_wrap", {"amount": "5 uatom"})
        garbage = await call_err(client, "secret_wrap", {"amount": "lots"})
        not_token = await call_err(client, "secret_wrap_info", {"token": "secret1nope"})
    assert no_wallet["code"] == "NO_ACTIVE_WALLET"
    assert not_scrt["code"] == "WRAP_NOT_SCRT" and garbage["code"] == "INVALID_AMOUNT"
    assert not_token["code"] == "INVALID_ADDRESS"
