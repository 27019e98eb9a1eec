"""The genesis SNIP-20 token ("Sandbox Secret", SSCRT) through encrypted txs and queries (docs/protocol-notes.md#snip-20)."""

from __future__ import annotations

import base64
import json

import pytest
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
from secret_sdk.protobuf.secret.compute import v1beta1 as pb

from secret_sandbox_chain import testing
from secret_sandbox_chain.chain import GENESIS_ADDRESSES as ADDR
from secret_sandbox_chain.contracts import permit as permits
from secret_sandbox_chain.contracts.base import ContractError

from .test_compute import WALLET, by_label, decrypt_error, execute, query, response_data

GENESIS_BALANCE = 1_000_000_000_000
VK_ERROR = {"viewing_key_error": {"msg": "Wrong viewing key for this address or viewing key not set"}}


def q(sandbox, msg: dict) -> dict:
    _, plain = query(sandbox, by_label(sandbox, "sandbox-sscrt"), msg)
    assert len(plain) % 256 == 0  # SNIP-20 pads every answer
    return json.loads(plain)


def x(sandbox, who: str, msg: dict, **kw) -> tuple[dict, dict | None, bytes]:
    """Execute on the token -> (tx_response, decrypted data or None, wire)."""
    res, wire = execute(sandbox, who, by_label(sandbox, "sandbox-sscrt"), msg, **kw)
    if res["code"] != 0:
        return res, None, wire
    data = response_data(res, pb.MsgExecuteContractResponse).data
    plain = base64.b64decode(WALLET.session(wire).decrypt(data))
    assert len(plain) % 256 == 0
    return res, json.loads(plain), wire


def set_key(sandbox, who: str, key: str) -> None:
    assert x(sandbox, who, {"set_viewing_key": {"key": key}})[1] == {"set_viewing_key": {"status": "success"}}


def balance(sandbox, who: str, key: str) -> dict:
    return q(sandbox, {"balance": {"address": ADDR[who], "key": key}})


def make_permit(signer: str, tokens: list[str], perms: list[str], name: str = "p1", chain_id: str = "secret-sandbox-1"):
    params = {"permit_name": name, "allowed_tokens": tokens, "chain_id": chain_id, "permissions": perms}
    key = testing.genesis_key(signer)
    sig = key.sign(permits.sign_bytes(params))
    return {"params": params, "signature": {
        "pub_key": {"type": "tendermint/PubKeySecp256k1", "value": base64.b64encode(key.public_key.key).decode()},
        "signature": base64.b64encode(sig).decode()}}


def test_token_info_and_viewing_keys(sandbox):
    info = q(sandbox, {"token_info": {}})
    assert info == {"token_info": {"name": "Sandbox Secret", "symbol": "SSCRT", "decimals": 6,
                                   "total_supply": str(4 * GENESIS_BALANCE)}}
    assert balance(sandbox, "a", "anything") == VK_ERROR  # no key set yet: an answer, not an error
    set_key(sandbox, "a", "hunter2")
    assert balance(sandbox, "a", "hunter2") == {"balance": {"amount": str(GENESIS_BALANCE)}}
    assert balance(sandbox, "a", "hunter3") == VK_ERROR
    _, data, _ = x(sandbox, "b", {"create_viewing_key": {"entropy": "dice"}})
    key = data["create_viewing_key"]["key"]
    assert key.startswith("api_key_") and len(base64.b64decode(key[8:])) == 32
    assert balance(sandbox, "b", key) == {"balance": {"amount": str(GENESIS_BALANCE)}}
    # the store keeps only the hash of the key
    contract = by_label(sandbox, "sandbox-sscrt")
    assert key not in json.dumps(sandbox.chain.store.snapshot().get(f"compute/state/{contract}/vk/{ADDR['b']}"))


def test_transfer_history_and_insufficient_funds(sandbox):
    set_key(sandbox, "b", "kb")
    res, data, _ = x(sandbox, "a", {"transfer": {"recipient": ADDR["b"], "amount": "100", "memo": "hi"}})
    assert data == {"transfer": {"status": "success"}}
    assert balance(sandbox, "b", "kb")["balance"]["amount"] == str(GENESIS_BALANCE + 100)
    hist = q(sandbox, {"transaction_history": {"address": ADDR["b"], "key": "kb", "page_size": 10}})
    txs = hist["transaction_history"]["txs"]
    assert hist["transaction_history"]["total"] == 2  # genesis mint + this transfer
    assert txs[0]["action"] == {"transfer": {"from": ADDR["a"], "sender": ADDR["a"], "recipient": ADDR["b"]}}
    assert txs[0]["coins"] == {"denom": "SSCRT", "amount": "100"} and txs[0]["memo"] == "hi"
    assert txs[0]["block_height"] == int(res["height"])
    assert "mint" in txs[1]["action"]
    res, _, wire = x(sandbox, "c", {"transfer": {"recipient": ADDR["b"], "amount": str(GENESIS_BALANCE + 1)}})
    assert res["code"] == 3
    assert decrypt_error(res, wire) == {"generic_err": {
        "msg": f"insufficient funds: balance={GENESIS_BALANCE}, required={GENESIS_BALANCE + 1}"}}
    _, err = query(sandbox, by_label(sandbox, "sandbox-sscrt"),
                   {"transfer_history": {"address": ADDR["b"], "key": "kb", "page_size": 10}}, expect=500)
    assert "UNSUPPORTED" in json.loads(err)["generic_err"]["msg"]


def test_allowances(sandbox):
    set_key(sandbox, "a", "ka")
    _, data, _ = x(sandbox, "a", {"increase_allowance": {"spender": ADDR["c"], "amount": "50"}})
    assert data == {"increase_allowance": {"spender": ADDR["c"], "owner": ADDR["a"], "allowance": "50"}}
    assert x(sandbox, "c", {"transfer_from": {"owner": ADDR["a"], "recipient": ADDR["d"], "amount": "30"}})[1] == \
        {"transfer_from": {"status": "success"}}
    allowance = q(sandbox, {"allowance": {"owner": ADDR["a"], "spender": ADDR["c"], "key": "ka"}})
    assert allowance == {"allowance": {"spender": ADDR["c"], "owner": ADDR["a"], "allowance": "20", "expiration": None}}
    res, _, wire = x(sandbox, "c", {"transfer_from": {"owner": ADDR["a"], "recipient": ADDR["d"], "amount": "21"}})
    assert "insufficient allowance" in decrypt_error(res, wire)["generic_err"]["msg"]
    _, data, _ = x(sandbox, "a", {"decrease_allowance": {"spender": ADDR["c"], "amount": "100"}})
    assert data["decrease_allowance"]["allowance"] == "0"
    assert q(sandbox, {"allowance": {"owner": ADDR["a"], "spender": ADDR["c"], "key": "wrong"}}) == VK_ERROR


def test_permits(sandbox):
    token = by_label(sandbox, "sandbox-sscrt")
    good = make_permit("b", [token], ["balance"])
    ok = q(sandbox, {"with_permit": {"permit": good, "query": {"balance": {}}}})
    assert ok == {"balance": {"amount": str(GENESIS_BALANCE)}}

    def fails(permit, inner=None) -> str:
        _, err = query(sandbox, token, {"with_permit": {"permit": permit, "query": inner or {"balance": {}}}}, 500)
        return json.loads(err)["generic_err"]["msg"]

    assert "doesn't apply to token" in fails(make_permit("b", [ADDR["a"]], ["balance"]))
    assert "No permission to query history" in fails(good, {"transaction_history": {"page_size": 5}})
    forged = json.loads(json.dumps(good))
    forged["params"]["permit_name"] = "other"  # the signature no longer covers the params
    assert "Failed to verify signatures" in fails(forged)
    owner = make_permit("b", [token], ["owner"], name="all")
    assert "transaction_history" in q(sandbox, {"with_permit": {"permit": owner,
                                                                "query": {"transaction_history": {"page_size": 5}}}})
    assert x(sandbox, "b", {"revoke_permit": {"permit_name": "p1"}})[1] == {"revoke_permit": {"status": "success"}}
    assert "was revoked" in fails(good)
    assert q(sandbox, {"with_permit": {"permit": owner, "query": {"balance": {}}}})["balance"]  # others still work


def test_snip24_reference_vector_verifies():
    """A real permit (docs/protocol-notes.md#snip-24-permits) from secret-toolkit's tests (pulsar-2)."""
    contract = "secret1rf03820fp8gngzg2w02vd30ns78qkc8rg8dxaq"
    permit = {"params": {"chain_id": "pulsar-2", "permit_name": f"memo_{contract}", "allowed_tokens": [contract],
                         "permissions": ["history"]},
              "signature": {"pub_key": {"type": "tendermint/PubKeySecp256k1",
                                        "value": "A5M49l32ZrV+SDsPnoRv8fH7ivNC4gEX9prvd4RwvRaL"},
                            "signature": "hw/Mo3ZZYu1pEiDdymElFkuCuJzg9soDHw+4DxK7cL9rafiyykh7VynS+guotRAKXhfYMwCiyWmi"
                                         "znc6R+UlsQ=="}}
    assert permits.sign_bytes(permit["params"]).decode() == (
        '{"account_number":"0","chain_id":"pulsar-2","fee":{"amount":[{"amount":"0","denom":"uscrt"}],"gas":"1"},'
        f'"memo":"","msgs":[{{"type":"query_permit","value":{{"allowed_tokens":["{contract}"],"permissions":'
        f'["history"],"permit_name":"memo_{contract}"}}}}],"sequence":"0"}}')
    assert permits.verify(permit, contract)[0] == "secret1399pyvvk3hvwgxwt3udkslsc5jl3rqv4yshfrl"
    permit["params"]["permissions"] = ["balance"]
    with pytest.raises(ContractError):
        permits.verify(permit, contract)


def test_deposit_and_redeem(sandbox):
    token = by_label(sandbox, "sandbox-sscrt")
    set_key(sandbox, "d", "kd")
    before = testing.balance(sandbox.url, ADDR["d"])
    res, data, _ = x(sandbox, "d", {"deposit": {}}, funds=[Coin(denom="uscrt", amount="5000")], fee_uscrt=5000)
    assert data == {"deposit": {"status": "success"}}
    assert balance(sandbox, "d", "kd")["balance"]["amount"] == str(GENESIS_BALANCE + 5000)
    res, data, _ = x(sandbox, "d", {"redeem": {"amount": "2000"}}, fee_uscrt=5000)
    assert data == {"redeem": {"status": "success"}}
    assert balance(sandbox, "d", "kd")["balance"]["amount"] == str(GENESIS_BALANCE + 3000)
    assert testing.balance(sandbox.url, ADDR["d"]) == before - 5000 - 2 * 5000 + 2000  # deposit, 2 fees, redeem
    assert q(sandbox, {"token_info": {}})["token_info"]["total_supply"] == str(4 * GENESIS_BALANCE + 3000)
    assert testing.balance(sandbox.url, token) == 4 * GENESIS_BALANCE + 3000  # backing stays 1:1


def test_malformed_fields_are_contract_errors_not_panics(sandbox):
    set_key(sandbox, "a", "ka")
    _, err = query(sandbox, by_label(sandbox, "sandbox-sscrt"),
                   {"transaction_history": {"address": ADDR["a"], "key": "ka", "page": "x"}}, expect=500)
    assert "parse_err" in json.loads(err)
    res, _, wire = x(sandbox, "a", {"transfer": {"recipient": ADDR["b"], "amount": 5}})  # a number, not a string
    assert res["code"] == 3 and "Uint128" in decrypt_error(res, wire)["parse_err"]["msg"]
