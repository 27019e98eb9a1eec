"""The tokens pack through a real MCP client against the sandbox SNIP-20 (real encryption), in both eras."""

from __future__ import annotations

import json

import pytest

from secret_mcp.testing import accept, call_err, call_ok, connect, funded_wallet, recording, server_on
from tests.contracts.sandbox_addresses import TOKEN
from tests.helpers import B

pytestmark = pytest.mark.anyio


async def deposit(client, uscrt: int) -> None:
    # Wrap SCRT into the sandbox token with the contracts pack, so each test starts from an exact token balance.
    await call_ok(client, "secret_execute_contract", {"contract": TOKEN, "msg": {"deposit": {}}, "funds": f"{uscrt}uscrt"})


async def test_registry_and_token_info(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        listed = await call_ok(client, "secret_token_list")
        info = await call_ok(client, "secret_token_info", {"token": "sscrt"})
        added = await call_ok(client, "secret_token_add", {"address": TOKEN})
        unknown = await call_err(client, "secret_token_info", {"token": "NOPE"})
    assert [t["address"] for t in listed["tokens"]] == [TOKEN]  # discovered as the first contract of code 1
    assert info["name"] == "Sandbox Secret" and info["symbol"] == "SSCRT" and info["address"] == TOKEN
    assert info["decimals"] == 6 and len(info["code_hash"]) == 64 and added["symbol"] == "SSCRT"
    assert unknown["code"] == "UNKNOWN_TOKEN"


async def test_viewing_key_balance_transfer_history(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        await deposit(client, 3_000_000)
        missing = await call_err(client, "secret_token_balance", {"token": TOKEN})
        made = await client.call_tool("secret_token_create_viewing_key", {"token": "SSCRT"})
        before = await call_ok(client, "secret_token_balance", {"token": TOKEN})
        sent = await call_ok(client, "secret_token_transfer", {"token": "SSCRT", "recipient": B, "amount": "1.25",
                                                              "memo": "thanks"})
        after = await call_ok(client, "secret_token_balance", {"token": TOKEN})
        history = await call_ok(client, "secret_token_history", {"token": TOKEN})
        wrong = await call_err(client, "secret_token_balance", {"token": TOKEN, "viewing_key": "api_key_not_it"})
    assert missing["code"] == "NO_VIEWING_KEY"
    assert not made.is_error and made.structured_content["stored"] is True
    # The key itself never reaches the model: neither in the structured result nor in the text.
    assert "api_key_" not in json.dumps(made.structured_content) and "api_key_" not in made.content[0].text
    assert before["amount"] == "3000000" and before["display"] == "3 SSCRT" and before["address"] == me
    assert sent["status"] == "success" and sent["responses"][0]["data"] == {"transfer": {"status": "success"}}
    assert after["amount"] == "1750000"  # exactly 1.25 SSCRT left; the fee was paid in SCRT
    actions = [next(iter(tx["action"])) for tx in history["txs"]]
    assert actions[:2] == ["transfer", "deposit"] and history["txs"][0]["action"]["transfer"]["recipient"] == B
    assert history["txs"][0]["coins"]["amount"] == "1250000" and history["txs"][0]["memo"] == "thanks"
    assert wrong["code"] == "WRONG_VIEWING_KEY" and "api_key_not_it" not in wrong["message"]


async def test_set_key_and_permit_queries(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        await deposit(client, 2_000_000)
        await call_ok(client, "secret_token_set_viewing_key", {"token": TOKEN, "key": "my own key"})
        sent = await call_ok(client, "secret_token_send", {"token": "SSCRT", "recipient": B, "amount": "0.5",
                                                          "msg": {"hello": {}}})
        by_key = await call_ok(client, "secret_token_balance", {"token": TOKEN})
        permit = await call_ok(client, "secret_token_create_permit",
                               {"permit_name": "p1", "tokens": ["SSCRT"], "permissions": ["balance"]})
        by_permit = await call_ok(client, "secret_token_balance", {"token": TOKEN, "permit_name": "p1"})
        # The permit lacks "history": the contract refuses, and its reason comes back decrypted.
        no_history = await call_err(client, "secret_token_history", {"token": TOKEN, "permit_name": "p1"})
        no_permit = await call_err(client, "secret_token_balance", {"token": TOKEN, "permit_name": "p2"})
    assert sent["responses"][0]["data"] == {"send": {"status": "success"}}
    assert by_key["amount"] == "1500000" and by_permit["amount"] == "1500000"  # 2 deposited, 0.5 sent
    assert permit["signer"] == me and permit["allowed_tokens"] == [TOKEN] and permit["chain_id"]
    assert no_history["code"] == "CONTRACT_ERROR" and "history" in no_history["message"].lower()
    assert no_permit["code"] == "UNKNOWN_PERMIT"


async def test_transfer_beyond_balance_shows_the_contracts_reason(mode, sandbox, home):
    look, seen = recording(accept)

    async with connect(server_on(sandbox), mode, elicitation_callback=look) as client:
        await funded_wallet(client, sandbox)
        await deposit(client, 1_000_000)
        await call_ok(client, "secret_token_set_viewing_key", {"token": TOKEN, "key": "k"})
        err = await call_err(client, "secret_token_transfer", {"token": TOKEN, "recipient": B, "amount": "2"})
        left = await call_ok(client, "secret_token_balance", {"token": TOKEN})
    assert err["code"] == "CONTRACT_ERROR" and "insufficient funds" in err["message"]
    assert err["details"]["contract_error"] and "encrypted:" not in json.dumps(err)
    assert left["amount"] == "1000000"
    # The simulation refused it in the contract's words before the person was asked: only the deposit and the
    # viewing key were shown for confirmation, never the transfer.
    assert len(seen) == 2 and not any(text.startswith("Transfer") for text in seen)


async def test_kept_keys_go_with_the_wallet_and_never_reach_the_audit_log(mode, sandbox, home):
    from mnemonic import Mnemonic
    from secret_sdk.key.mnemonic import MnemonicKey

    phrase = Mnemonic("english").generate(256)
    sandbox.faucet(MnemonicKey(phrase).acc_address, 20_000_000)
    hand_key = "a hand made key for the audit"
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        await call_ok(client, "secret_import_wallet", {"name": "k", "mnemonic": phrase})
        await deposit(client, 1_000_000)
        kept = await call_ok(client, "secret_token_set_viewing_key", {"token": TOKEN, "key": hand_key})
        by_key = await call_ok(client, "secret_token_balance", {"token": TOKEN})
        forgot = await call_ok(client, "secret_token_forget_key", {"token": TOKEN})
        again = await call_ok(client, "secret_token_forget_key", {"token": TOKEN})
        forgotten = await call_err(client, "secret_token_balance", {"token": TOKEN})
        given = await call_ok(client, "secret_token_balance", {"token": TOKEN, "viewing_key": hand_key})
        both = await call_err(client, "secret_token_forget_key", {"token": TOKEN, "permit_name": "p"})
        await call_ok(client, "secret_token_set_viewing_key", {"token": TOKEN, "key": hand_key})
        await call_ok(client, "secret_token_create_permit", {"permit_name": "p", "tokens": [TOKEN]})
        await call_ok(client, "secret_create_wallet", {"name": "next"})
        await call_ok(client, "secret_remove_wallet", {"name": "k", "new_active": "next"})
        # The same wallet again: nothing of what was kept for it survived its removal.
        await call_ok(client, "secret_import_wallet", {"name": "k", "mnemonic": phrase})
        await call_ok(client, "secret_set_active_wallet", {"name": "k"})
        no_key = await call_err(client, "secret_token_balance", {"token": TOKEN})
        no_permit = await call_err(client, "secret_token_balance", {"token": TOKEN, "permit_name": "p"})
    assert kept["stored"] is True and kept["kept_in"] == "memory" and hand_key not in json.dumps(kept)
    assert by_key["amount"] == given["amount"] == "1000000"
    assert forgot["forgotten"] is True and again["forgotten"] is False and forgotten["code"] == "NO_VIEWING_KEY"
    assert both["code"] == "INVALID_ARGUMENTS"
    assert no_key["code"] == "NO_VIEWING_KEY" and no_permit["code"] == "UNKNOWN_PERMIT"
    audit = [p for p in home.rglob("*") if p.is_file() and "audit" in p.name]
    assert audit and "secret_token_set_viewing_key" in audit[0].read_text()
    for path in home.rglob("*"):
        if path.is_file():
            assert hand_key.encode() not in path.read_bytes(), path
