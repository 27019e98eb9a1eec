"""LCD bodies have the same shape (keys, recursively) as the reference samples in tests/fixtures/lcd, and the
errors exactly (docs/protocol-notes.md#lcd-errors)."""

from __future__ import annotations

import base64

import httpx
from secret_sdk.protobuf.cosmos.bank.v1beta1 import MsgSend
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin

from secret_sandbox_chain.testing import http
from secret_sandbox_chain.crypto import bech32_decode, module_address

from tests.helpers import fixture_json

from .conftest import ADDR

TB = "/cosmos/base/tendermint/v1beta1"


def fixture(name: str) -> dict:
    return fixture_json("lcd", f"{name}.json")


def shape(value):
    """Keys of dicts (recursively), the shape of a list's first object, and the JSON type of leaves."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):  # lists of scalars (e.g. data.txs, empty in a sample) only need to be lists
        return [shape(value[0])] if value and isinstance(value[0], dict) else "list"
    return type(value).__name__ if value is not None else "null"


def get(sandbox, path: str, **params) -> httpx.Response:
    return http().get(sandbox.url + path, params=params)


def one_send(sandbox, tx) -> dict:
    return tx.send(sandbox, "a", [MsgSend(from_address=ADDR["a"], to_address=ADDR["b"],
                                          amount=[Coin(denom="uscrt", amount="1")])])


def test_account_and_balances_shapes(sandbox, tx):
    one_send(sandbox, tx)  # gives a a public key, like the sample
    r = get(sandbox, f"/cosmos/auth/v1beta1/accounts/{ADDR['a']}")
    assert r.status_code == 200 and r.headers["grpc-metadata-x-cosmos-block-height"] == str(sandbox.chain.height)
    assert shape(r.json()) == shape(fixture("auth_account_SYNTHETIC")["response"])
    body = get(sandbox, f"/cosmos/bank/v1beta1/balances/{ADDR['a']}").json()
    assert shape(body) == shape(fixture("bank_balances_SYNTHETIC")["response"])
    assert body["pagination"] == {"next_key": None, "total": "1"}
    page = get(sandbox, "/cosmos/auth/v1beta1/accounts", **{"pagination.limit": "2"}).json()
    assert len(page["accounts"]) == 2 and page["pagination"]["total"] == "0" and page["pagination"]["next_key"]
    nxt = get(sandbox, "/cosmos/auth/v1beta1/accounts",
              **{"pagination.limit": "2", "pagination.key": page["pagination"]["next_key"]}).json()
    assert nxt["accounts"][0]["account_number"] == "2"
    fee_collector = get(sandbox, f"/cosmos/auth/v1beta1/accounts/{module_address('fee_collector')}").json()["account"]
    assert fee_collector["@type"] == "/cosmos.auth.v1beta1.ModuleAccount" and fee_collector["name"] == "fee_collector"
    assert fee_collector["base_account"]["address"] == module_address("fee_collector")
    by_denom = get(sandbox, f"/cosmos/bank/v1beta1/balances/{ADDR['c']}/by_denom", denom="uatom").json()
    assert by_denom == {"balance": {"denom": "uatom", "amount": "0"}}
    meta = get(sandbox, "/cosmos/bank/v1beta1/denoms_metadata/uscrt").json()["metadata"]
    assert (meta["base"], meta["display"], meta["symbol"]) == ("uscrt", "scrt", "SCRT")
    supply = get(sandbox, "/cosmos/bank/v1beta1/supply/by_denom", denom="uscrt").json()["amount"]
    assert int(supply["amount"]) >= 4 * 10**12


def test_block_and_node_shapes(sandbox, tx):
    one_send(sandbox, tx)
    one_send(sandbox, tx)
    latest = get(sandbox, f"{TB}/blocks/latest").json()
    assert shape(latest) == shape(fixture("block_latest_SYNTHETIC")["response"])
    header = latest["block"]["header"]
    assert header["chain_id"] == "secret-sandbox-1" and header["height"] == str(sandbox.chain.height)
    assert latest["sdk_block"]["header"]["proposer_address"].startswith("secretvalcons1")
    assert base64.b64decode(header["proposer_address"]) == bech32_decode(
        latest["sdk_block"]["header"]["proposer_address"])[1]
    assert len(base64.b64decode(header["encrypted_random"]["random"])) == 48
    prev = get(sandbox, f"{TB}/blocks/{sandbox.chain.height - 1}").json()
    assert header["last_block_id"] == prev["block_id"]
    assert get(sandbox, f"{TB}/blocks/{sandbox.chain.height}").json() == latest  # deterministic
    info = get(sandbox, f"{TB}/node_info").json()
    assert shape(info) == shape(fixture("tendermint_node_info_SYNTHETIC")["response"])
    assert info["default_node_info"]["network"] == "secret-sandbox-1"
    vs = get(sandbox, f"{TB}/validatorsets/latest").json()
    assert shape(vs) == shape(fixture("tendermint_validatorset_SYNTHETIC")["response"])
    assert get(sandbox, f"{TB}/syncing").json() == {"syncing": False}
    assert get(sandbox, "/cosmos/base/node/v1beta1/config").json()["minimum_gas_price"] == "0.012500000000000000uscrt"
    status = get(sandbox, "/cosmos/base/node/v1beta1/status").json()
    assert status["height"] == str(sandbox.chain.height) and status["timestamp"] == header["time"]
    assert get(sandbox, "/registration/v1beta1/tx-key").json() == {"key": "3vwlTN808yr08OVxBheLCQ60thCnnK6/yCFZj1WUuDs="}


def test_cometbft_rpc_block_by_hash(sandbox, tx):
    res = one_send(sandbox, tx)["tx_response"]
    block = get(sandbox, f"{TB}/blocks/{res['height']}").json()
    hash_hex = base64.b64decode(block["block_id"]["hash"]).hex().upper()
    rpc = get(sandbox, "/block_by_hash", hash=f"0x{hash_hex}").json()
    assert rpc["jsonrpc"] == "2.0" and rpc["result"]["block_id"]["hash"] == hash_hex
    assert rpc["result"]["block"]["header"]["height"] == res["height"]
    assert rpc["result"]["block"]["data"]["txs"] == block["block"]["data"]["txs"]
    results = get(sandbox, "/block_results", height=res["height"]).json()["result"]
    assert results["height"] == res["height"] and len(results["txs_results"]) == 1
    assert results["txs_results"][0]["code"] == 0 and results["txs_results"][0]["events"] == res["events"]
    status = get(sandbox, "/status").json()["result"]
    assert status["sync_info"]["latest_block_height"] == str(sandbox.chain.height)
    assert status["sync_info"]["catching_up"] is False


def test_error_bodies_match_reference(sandbox):
    errors = fixture("lcd_error_bodies_DERIVED")
    missing = "secret190vqdjtlpcq27xslcveglfmr4ynfwg7gz7v7d0"
    r = get(sandbox, f"/cosmos/auth/v1beta1/accounts/{missing}")
    assert (r.status_code, r.json()) == (errors["account_not_found"]["_http"], errors["account_not_found"]["body"])
    h = "8ACD08F99BB1E78BC43EB8F507393331F9C58B63B9E700A8E7FE7E377AFB401E"
    r = get(sandbox, f"/cosmos/tx/v1beta1/txs/{h}")
    assert (r.status_code, r.json()) == (errors["tx_not_found"]["_http"], errors["tx_not_found"]["body"])
    r = get(sandbox, "/cosmos/tx/v1beta1/txs")
    assert (r.status_code, r.json()) == (errors["tx_search_without_query"]["_http"],
                                         errors["tx_search_without_query"]["body"])
    r = http().post(sandbox.url + "/cosmos/tx/v1beta1/txs", json={"tx_bytes": "CgA=", "mode": "BROADCAST_MODE_BLOCK"})
    assert (r.status_code, r.json()) == (errors["broadcast_block_mode"]["_http"], errors["broadcast_block_mode"]["body"])
    r = get(sandbox, f"{TB}/blocks/999")
    assert r.status_code == 400 and r.json() == {
        "code": 3, "message": "rpc error: code = InvalidArgument desc = requested block height is bigger then the "
                              "chain length: invalid request", "details": []}
    r = get(sandbox, "/cosmos/bank/v1beta1/balances/notanaddress")
    assert r.status_code == 400 and r.json()["code"] == 3 and r.json()["message"].endswith(": invalid request")
    r = get(sandbox, "/cosmos/nothing/v1/here")
    assert (r.status_code, r.json()) == (501, {"code": 12, "message": "Not Implemented", "details": []})
