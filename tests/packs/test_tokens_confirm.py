"""Viewing-key writes sign a transaction and pay a fee: the person confirms them first, and the preview (and
everything else that leaves the server) never holds the key itself. Both eras, against the sandbox SNIP-20."""

from __future__ import annotations

import json

import pytest

from tests.contracts.sandbox_addresses import TOKEN
from tests.helpers import call_err, call_ok, connect
from tests.redis_server import redis_client, redis_server, redis_url  # noqa: F401 (fixtures)
from tests.packs.test_tokens import deposit
from tests.tx.fixtures import accept, balance, decline, funded_wallet, home, recording, sandbox, server_on  # noqa: F401

pytestmark = pytest.mark.anyio

HAND_KEY = "a chosen key nobody may see 7"


def sequence(sandbox, address: str) -> int:
    from secret_sandbox_chain.testing import account

    return int(account(sandbox.url, address)["sequence"])


async def test_declined_viewing_key_writes_sign_nothing(mode, sandbox, home):
    refuse, shown = recording(decline)
    async with connect(server_on(sandbox), mode, elicitation_callback=refuse) as client:
        me = await funded_wallet(client, sandbox)
        seq, funds = sequence(sandbox, me), balance(sandbox, me)
        made = await call_err(client, "secret_token_create_viewing_key", {"token": "SSCRT"})
        chosen = await call_err(client, "secret_token_set_viewing_key", {"token": TOKEN, "key": HAND_KEY})
        none_kept = await call_err(client, "secret_token_balance", {"token": TOKEN})
        # The chain has no such key either: the contract refuses it when given by hand.
        not_on_chain = await call_err(client, "secret_token_balance", {"token": TOKEN, "viewing_key": HAND_KEY})
    assert made["code"] == chosen["code"] == "CONFIRMATION_DECLINED"
    assert sequence(sandbox, me) == seq and balance(sandbox, me) == funds  # nothing signed, no fee paid
    assert none_kept["code"] == "NO_VIEWING_KEY" and not_on_chain["code"] == "WRONG_VIEWING_KEY"
    assert len(shown) == 2
    # The token's symbol is its own (chain) text: quoted, so it cannot pose as a line of the preview.
    assert shown[0].startswith('Create a viewing key for "SSCRT"') and shown[1].startswith('Set a viewing key for "SSCRT"')
    for text in shown:
        assert TOKEN in text and me in text and "fee" in text.lower() and HAND_KEY not in text


async def test_accepted_viewing_key_writes_work_and_the_preview_hides_the_key(mode, sandbox, home):
    look, shown = recording(accept)
    async with connect(server_on(sandbox), mode, elicitation_callback=look) as client:
        me = await funded_wallet(client, sandbox)
        await deposit(client, 1_000_000)
        seq = sequence(sandbox, me)
        made = await call_ok(client, "secret_token_create_viewing_key", {"token": TOKEN})
        by_made = await call_ok(client, "secret_token_balance", {"token": TOKEN})
        chosen = await call_ok(client, "secret_token_set_viewing_key", {"token": TOKEN, "key": HAND_KEY})
        by_chosen = await call_ok(client, "secret_token_balance", {"token": TOKEN, "viewing_key": HAND_KEY})
    assert made["stored"] is chosen["stored"] is True and sequence(sandbox, me) == seq + 2
    assert by_made["amount"] == by_chosen["amount"] == "1000000"
    key_previews = [t for t in shown if "viewing key" in t]
    assert len(key_previews) == 2 and all("Estimated fee:" in t for t in key_previews)
    assert HAND_KEY not in json.dumps(chosen) and not any(HAND_KEY in t for t in shown)
    for path in home.rglob("*"):  # audit log, cache, keystore: the key is nowhere in clear
        if path.is_file():
            assert HAND_KEY.encode() not in path.read_bytes(), path


async def test_without_elicitation_a_code_is_asked_for_and_the_key_stays_hidden(sandbox, home):
    # A client that cannot show a confirmation (as Claude Desktop): the code is the fallback.
    async with connect(server_on(sandbox), "auto") as client:
        me = await funded_wallet(client, sandbox)
        await deposit_by_code(client)
        seq = sequence(sandbox, me)
        asked = await client.call_tool("secret_token_set_viewing_key", {"token": TOKEN, "key": HAND_KEY})
        body = asked.structured_content
        unsigned = sequence(sandbox, me)
        done = await call_ok(client, "secret_confirm_transaction",
                             {"code": body["confirmation_code"], "tool": "secret_token_set_viewing_key"})
        by_key = await call_ok(client, "secret_token_balance", {"token": TOKEN})
    assert asked.is_error and body["error"]["code"] == "CONFIRMATION_REQUIRED" and unsigned == seq
    assert body["preview"].startswith('Set a viewing key for "SSCRT"') and TOKEN in body["preview"]
    everything = json.dumps(body) + "".join(getattr(c, "text", "") for c in asked.content) + json.dumps(done)
    assert HAND_KEY not in everything
    assert done["status"] == "done" and done["result"]["stored"] is True and sequence(sandbox, me) == seq + 1
    assert by_key["amount"] == "1000000"


async def deposit_by_code(client) -> None:
    args = {"contract": TOKEN, "msg": {"deposit": {}}, "funds": "1000000uscrt"}
    body = (await client.call_tool("secret_execute_contract", args)).structured_content
    await call_ok(client, "secret_confirm_transaction", {"code": body["confirmation_code"]})


@pytest.mark.parametrize("chosen", [HAND_KEY, "Zq7!"])  # a short key too: no secret shape, the call says it
async def test_a_code_for_a_chosen_key_stays_out_of_a_shared_redis(sandbox, home, redis_url, redis_client, chosen):
    # With `cache_url` pending confirmations are shared through Redis; one that holds a viewing key must not be.
    def held() -> str:
        return "".join(k + str(redis_client.get(k)) for k in redis_client.keys("*") if redis_client.type(k) == "string")

    async with connect(server_on(sandbox, cache_url=redis_url, state_key="k" * 32), "auto") as client:
        me = await funded_wallet(client, sandbox)
        seq = sequence(sandbox, me)
        asked = (await client.call_tool("secret_token_set_viewing_key", {"token": TOKEN, "key": chosen})).structured_content
        pending = held()
        done = await call_ok(client, "secret_confirm_transaction", {"code": asked["confirmation_code"]})
        after = held()
    assert asked["error"]["code"] == "CONFIRMATION_REQUIRED" and sequence(sandbox, me) == seq + 1
    assert done["status"] == "done" and "secret-mcp:cache:" in pending  # Redis is in use
    assert chosen not in pending and chosen not in after


async def test_a_viewing_key_set_through_a_raw_execution_is_hidden_and_kept_out_of_redis(sandbox, home, redis_url,
                                                                                         redis_client):
    # A key in a raw execution's message: its code stays in this process even with a shared Redis, and neither
    # the preview nor anything stored holds the key.
    def held() -> str:
        return "".join(k + str(redis_client.get(k)) for k in redis_client.keys("*") if redis_client.type(k) == "string")

    async with connect(server_on(sandbox, cache_url=redis_url, state_key="k" * 32), "auto") as client:
        me = await funded_wallet(client, sandbox)
        seq = sequence(sandbox, me)
        asked = (await client.call_tool("secret_execute_contract", {
            "contract": TOKEN, "msg": {"set_viewing_key": {"key": HAND_KEY}}})).structured_content
        pending = held()
        done = await call_ok(client, "secret_confirm_transaction", {"code": asked["confirmation_code"]})
        by_key = await call_ok(client, "secret_token_balance", {"token": TOKEN, "viewing_key": HAND_KEY})
    assert asked["error"]["code"] == "CONFIRMATION_REQUIRED" and "set_viewing_key" in asked["preview"]
    assert HAND_KEY not in json.dumps(asked) and HAND_KEY not in pending and "secret-mcp:cache:" in pending
    # The key is set on chain: the token answers a balance query made with it.
    assert done["status"] == "done" and sequence(sandbox, me) == seq + 1 and by_key["amount"] == "0"
    for path in home.rglob("*"):  # audit log, cache: the key is nowhere in clear
        if path.is_file():
            assert HAND_KEY.encode() not in path.read_bytes(), path


async def test_the_preview_of_a_raw_execution_hides_the_viewing_key_it_sets(mode, sandbox, home):
    look, shown = recording(accept)
    async with connect(server_on(sandbox), mode, elicitation_callback=look) as client:
        me = await funded_wallet(client, sandbox)
        done = await call_ok(client, "secret_execute_contract", {
            "contract": TOKEN, "msg": {"set_viewing_key": {"key": HAND_KEY, "padding": "pad"}}})
        by_key = await call_ok(client, "secret_token_balance", {"token": TOKEN, "address": me, "viewing_key": HAND_KEY})
    (text,) = shown
    # What the person is asked about names the message and its other fields, never the key itself.
    assert 'Execute on %s: "{\\"set_viewing_key\\": {\\"key\\": \\"<hidden>\\", \\"padding\\": \\"pad\\"}}"' % TOKEN in text
    assert HAND_KEY not in text and HAND_KEY not in json.dumps(done)
    assert done["status"] == "success" and by_key["amount"] == "0"  # the key was set on chain all the same
