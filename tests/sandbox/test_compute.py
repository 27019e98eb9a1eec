"""x/compute on the sandbox: signed txs with real contract encryption, LCD routes and errors
(docs/protocol-notes.md#compute-routes, #lcd-errors)."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import json

import httpx
import pytest
from secret_sdk.protobuf.cosmos.base.abci.v1beta1 import TxMsgData
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
from secret_sdk.protobuf.secret.compute import v1beta1 as pb

from secret_sandbox_chain import testing
from secret_sandbox_chain.chain import GENESIS_ADDRESSES as ADDR
from secret_sandbox_chain.contracts import BUILTIN_BLOBS
from secret_sandbox_chain.crypto import address_bytes, bech32_encode, ripemd160
from secret_sandbox_chain.enclave import ClientCrypto

C = "/compute/v1beta1"
WALLET = ClientCrypto(bytes(range(1, 33)))


def get(sandbox, path: str, expect: int = 200, **params) -> dict:
    r = httpx.get(sandbox.url + path, params=params, timeout=10)
    assert r.status_code == expect, (r.status_code, r.text)
    return r.json()


def by_label(sandbox, label: str) -> str:
    return get(sandbox, f"{C}/contract_address/{label}")["contract_address"]


def code_hash(sandbox, addr: str) -> str:
    return get(sandbox, f"{C}/code_hash/by_contract_address/{addr}")["code_hash"]


def query(sandbox, addr: str, msg: dict, expect: int = 200) -> tuple[dict, bytes]:
    """Encrypted smart query -> (LCD body, plaintext answer or decrypted error JSON)."""
    wire = WALLET.encrypt(code_hash(sandbox, addr), msg)
    body = get(sandbox, f"{C}/query/{addr}", expect, query=base64.b64encode(wire).decode())
    session = WALLET.session(wire)
    if expect == 200:
        return body, base64.b64decode(session.decrypt(base64.b64decode(body["data"])))
    cipher = body["message"].split("encrypted: ")[1].split(":")[0]
    return body, session.decrypt(base64.b64decode(cipher))


def execute(sandbox, signer: str, addr: str, msg: dict, funds=None, **kw) -> tuple[dict, bytes]:
    wire = WALLET.encrypt(code_hash(sandbox, addr), msg)
    m = pb.MsgExecuteContract(sender=address_bytes(ADDR[signer]), contract=address_bytes(addr), msg=wire,
                              sent_funds=funds or [])
    res = testing.send_tx(sandbox, signer, [m], gas=kw.pop("gas", 400_000), **kw)["tx_response"]
    return res, wire


def response_data(res: dict, cls):
    anys = TxMsgData().parse(bytes.fromhex(res["data"])).msg_responses
    return cls().parse(anys[0].value)


def events(res: dict, type_: str) -> list[list[tuple[str, str]]]:
    return [[(a["key"], a["value"]) for a in e["attributes"]] for e in res["events"] if e["type"] == type_]


def decrypt_error(res: dict, wire: bytes) -> dict:
    cipher = res["raw_log"].split("encrypted: ")[1].split(":")[0]
    return json.loads(WALLET.session(wire).decrypt(base64.b64decode(cipher)))


def expected_address(code_id: int, instance: int, creator: str) -> str:
    seed = ((code_id << 32) + instance).to_bytes(8, "big") + address_bytes(creator)
    return bech32_encode("secret", ripemd160(hashlib.sha256(seed).digest()))


def test_genesis_codes_contracts_and_address_rule(sandbox):
    codes = get(sandbox, f"{C}/codes")["code_infos"]
    assert [c["code_id"] for c in codes] == ["1", "2", "3"]
    assert codes[0]["code_hash"] == hashlib.sha256(BUILTIN_BLOBS["snip20"]).hexdigest()
    assert codes[1]["code_hash"] == hashlib.sha256(BUILTIN_BLOBS["counter"]).hexdigest()
    assert codes[2]["code_hash"] == hashlib.sha256(BUILTIN_BLOBS["amm_pair"]).hexdigest()
    token, counter = by_label(sandbox, "sandbox-sscrt"), by_label(sandbox, "sandbox-counter")
    assert token == expected_address(1, 1, ADDR["a"]) and counter == expected_address(2, 2, ADDR["a"])
    info = get(sandbox, f"{C}/info/{counter}")
    assert info["contract_info"]["label"] == "sandbox-counter" and info["contract_info"]["code_id"] == "2"
    assert get(sandbox, f"{C}/label/{counter}") == {"label": "sandbox-counter"}
    assert get(sandbox, f"{C}/code_hash/by_code_id/2")["code_hash"] == codes[1]["code_hash"]
    listed = get(sandbox, f"{C}/contracts/1")["contract_infos"]
    assert [c["contract_address"] for c in listed] == [token, by_label(sandbox, "sandbox-susd")]
    assert by_label(sandbox, "sandbox-scrt-susd") == expected_address(3, 4, ADDR["a"])
    code = get(sandbox, f"{C}/code/1")
    assert base64.b64decode(code["wasm"]) == BUILTIN_BLOBS["snip20"]
    assert get(sandbox, f"{C}/params")["params"]["max_contract_size"] == str(2 * 1024 * 1024)
    assert get(sandbox, f"{C}/code/9", 500)["message"] == "not found: unknown request"
    assert get(sandbox, f"{C}/info/{expected_address(2, 9, ADDR['a'])}", 500)["code"] == 2


def test_counter_execute_query_events_and_data(sandbox):
    counter = by_label(sandbox, "sandbox-counter")
    assert json.loads(query(sandbox, counter, {"get_count": {}})[1]) == {"count": 0}
    res, wire = execute(sandbox, "b", counter, {"increment": {}})
    assert res["code"] == 0, res["raw_log"]
    assert ("contract_address", counter) in events(res, "message")[-1]
    assert ("module", "compute") in events(res, "message")[-1]
    wasm = events(res, "wasm")[0]
    assert wasm[0] == ("contract_address", counter)
    s = WALLET.session(wire)
    plain = [(s.decrypt(base64.b64decode(k)).decode(), s.decrypt(base64.b64decode(v)).decode())
             for k, v in wasm[1:] if k != "msg_index"]
    assert plain == [("action", "increment"), ("count", "1")]
    data = response_data(res, pb.MsgExecuteContractResponse).data
    assert json.loads(base64.b64decode(s.decrypt(data))) == {"increment": {"count": 1}}
    assert json.loads(query(sandbox, counter, {"get_count": {}})[1]) == {"count": 1}
    # searchable like a real node's index
    found = get(sandbox, "/cosmos/tx/v1beta1/txs", query=f"wasm.contract_address='{counter}'")
    assert found["total"] == "1"


def test_execute_failure_is_encrypted_and_state_unchanged(sandbox):
    counter = by_label(sandbox, "sandbox-counter")
    res, wire = execute(sandbox, "b", counter, {"reset": {"count": 5}})
    assert res["code"] == 3 and res["codespace"] == "compute"
    assert res["raw_log"].startswith("failed to execute message; message index: 0: encrypted: ")
    assert res["raw_log"].endswith(": execute contract failed")
    assert decrypt_error(res, wire) == {"generic_err": {"msg": "Only the owner can reset count"}}
    assert json.loads(query(sandbox, counter, {"get_count": {}})[1]) == {"count": 0}
    res, _ = execute(sandbox, "a", counter, {"reset": {"count": 5}})
    assert res["code"] == 0
    assert json.loads(query(sandbox, counter, {"get_count": {}})[1]) == {"count": 5}
    # an unknown message is a parse error, also encrypted
    res, wire = execute(sandbox, "a", counter, {"explode": {}})
    assert "unknown variant `explode`" in decrypt_error(res, wire)["parse_err"]["msg"]


def test_query_error_body_and_code_hash_mismatch(sandbox):
    counter = by_label(sandbox, "sandbox-counter")
    body, err = query(sandbox, counter, {"nope": {}}, expect=500)
    assert body["code"] == 2 and body["details"] == []
    assert body["message"].startswith("encrypted: ") and body["message"].endswith(
        ": query contract failed: unknown request")
    assert "unknown variant `nope`" in json.loads(err)["parse_err"]["msg"]
    wire = WALLET.encrypt("00" * 32, {"get_count": {}})
    body = get(sandbox, f"{C}/query/{counter}", 500, query=base64.b64encode(wire).decode())
    assert "query contract failed" in body["message"] and "encrypted" not in body["message"]
    # a tx with the wrong code hash fails before the contract runs
    m = pb.MsgExecuteContract(sender=address_bytes(ADDR["a"]), contract=address_bytes(counter),
                              msg=WALLET.encrypt("11" * 32, {"increment": {}}))
    res = testing.send_tx(sandbox, "a", [m], gas=300_000)["tx_response"]
    assert res["code"] == 3 and "code hash mismatch" in res["raw_log"]


def test_uploaded_wasm_is_listed_but_not_instantiable(sandbox):
    wasm = b"\x00asm\x01\x00\x00\x00" + bytes(range(256)) * 40
    m = pb.MsgStoreCode(sender=address_bytes(ADDR["c"]), wasm_byte_code=gzip.compress(wasm), source="s", builder="b")
    res = testing.send_tx(sandbox, "c", [m], gas=1_000_000)["tx_response"]
    assert res["code"] == 0, res["raw_log"]
    assert response_data(res, pb.MsgStoreCodeResponse).code_id == 4
    assert ("code_id", "4") in [kv for ev in events(res, "message") for kv in ev]
    assert int(res["gas_used"]) > len(wasm) * 0.8  # storing is charged per byte
    code = get(sandbox, f"{C}/code/4")
    assert code["code_info"]["code_hash"] == hashlib.sha256(wasm).hexdigest()
    assert code["code_info"]["creator"] == ADDR["c"]
    assert base64.b64decode(code["wasm"]) == wasm
    assert len(get(sandbox, f"{C}/codes")["code_infos"]) == 4
    init = pb.MsgInstantiateContract(sender=address_bytes(ADDR["c"]), code_id=4, label="x",
                                     init_msg=WALLET.encrypt(hashlib.sha256(wasm).hexdigest(), {}))
    res = testing.send_tx(sandbox, "c", [init], gas=300_000)["tx_response"]
    assert res["code"] == 2 and res["codespace"] == "compute"
    assert "runs only its built-in Python contracts, code ids: 1 (snip20), 2 (counter), 3 (amm_pair)" in res["raw_log"]


def test_store_builtin_again_instantiate_and_migrate(sandbox):
    m = pb.MsgStoreCode(sender=address_bytes(ADDR["b"]), wasm_byte_code=BUILTIN_BLOBS["counter"])
    code_id = response_data(testing.send_tx(sandbox, "b", [m], gas=500_000)["tx_response"],
                            pb.MsgStoreCodeResponse).code_id
    h = hashlib.sha256(BUILTIN_BLOBS["counter"]).hexdigest()
    wire = WALLET.encrypt(h, {"count": 7})
    init = pb.MsgInstantiateContract(sender=address_bytes(ADDR["b"]), code_id=code_id, label="mine", init_msg=wire,
                                     init_funds=[Coin(denom="uscrt", amount="1000")], admin=ADDR["b"])
    res = testing.send_tx(sandbox, "b", [init], gas=500_000)["tx_response"]
    assert res["code"] == 0, res["raw_log"]
    addr = response_data(res, pb.MsgInstantiateContractResponse).address
    assert addr == expected_address(code_id, 5, ADDR["b"]) == by_label(sandbox, "mine")
    assert ("contract_address", addr) in events(res, "message")[-1]
    assert testing.balance(sandbox.url, addr) == 1000
    assert json.loads(query(sandbox, addr, {"get_count": {}})[1]) == {"count": 7}
    hist = get(sandbox, f"{C}/contract_history/{addr}")["entries"]
    assert hist[0]["operation"] == "CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT"
    assert base64.b64decode(hist[0]["msg"]) == wire  # the chain keeps the encrypted message
    # the label is unique
    dup = pb.MsgInstantiateContract(sender=address_bytes(ADDR["b"]), code_id=code_id, label="mine",
                                    init_msg=WALLET.encrypt(h, {"count": 1}))
    assert "label already exists" in testing.send_tx(sandbox, "b", [dup], gas=500_000)["tx_response"]["raw_log"]
    # migrate: only the admin; the new code id shows in info and history
    mig = pb.MsgMigrateContract(sender=ADDR["a"], contract=addr, code_id=2, msg=WALLET.encrypt(
        get(sandbox, f"{C}/code_hash/by_code_id/2")["code_hash"], {}))
    res = testing.send_tx(sandbox, "a", [mig], gas=500_000)["tx_response"]
    assert res["code"] == 4 and "requires migrate from admin" in res["raw_log"]
    mig.sender = ADDR["b"]
    res = testing.send_tx(sandbox, "b", [mig], gas=500_000)["tx_response"]
    assert res["code"] == 0, res["raw_log"]
    assert get(sandbox, f"{C}/info/{addr}")["contract_info"]["code_id"] == "2"
    assert [e["code_id"] for e in get(sandbox, f"{C}/contract_history/{addr}")["entries"]] == [str(code_id), "2"]
    assert json.loads(query(sandbox, addr, {"get_count": {}})[1]) == {"count": 7}  # state survives migration


def test_tx_json_renders_compute_addresses_as_bech32(sandbox):
    counter = by_label(sandbox, "sandbox-counter")
    res, _ = execute(sandbox, "a", counter, {"increment": {}})
    msg = res["tx"]["body"]["messages"][0]
    assert msg["@type"] == "/secret.compute.v1beta1.MsgExecuteContract"
    assert msg["sender"] == ADDR["a"] and msg["contract"] == counter


@pytest.fixture
def own_event_loop():
    """secret-sdk's sync client runs on this thread's current loop (and nest_asyncio patches it): give it a
    fresh one, so earlier async tests that closed theirs don't matter, and drop it afterwards."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(None)
    loop.close()


def test_secret_sdk_client_queries_and_decrypts(sandbox, own_event_loop):
    """The real python client against the sandbox: code hash lookup, encrypted query, error decryption."""
    from secret_sdk.client.lcd import LCDClient
    from secret_sdk.exceptions import LCDResponseError

    counter = by_label(sandbox, "sandbox-counter")
    client = LCDClient(url=sandbox.url, chain_id=sandbox.chain.chain_id)
    assert client.wasm.contract_query(counter, {"get_count": {}}) == {"count": 0}
    try:
        client.wasm.contract_query(counter, {"nope": {}})
        raise AssertionError("expected a query error")
    except LCDResponseError as exc:
        assert "unknown variant" in str(exc.message)


def test_amino_signed_execute_like_secretjs(sandbox):
    """Keplr/Ledger-style LEGACY_AMINO_JSON: the sign doc secretjs builds for wasm/MsgExecuteContract."""
    counter = by_label(sandbox, "sandbox-counter")
    wire = WALLET.encrypt(code_hash(sandbox, counter), {"increment": {}})
    msg = pb.MsgExecuteContract(sender=address_bytes(ADDR["c"]), contract=address_bytes(counter), msg=wire)
    acc = testing.account(sandbox.url, ADDR["c"])

    def doc(body, auth_info) -> bytes:
        value = {"sender": base64.b64encode(address_bytes(ADDR["c"])).decode(),
                 "contract": base64.b64encode(address_bytes(counter)).decode(),
                 "msg": base64.b64encode(wire).decode(), "sent_funds": []}
        fee = auth_info.fee
        sign_doc = {"account_number": acc["account_number"], "chain_id": sandbox.chain.chain_id,
                    "fee": {"amount": [{"amount": c.amount, "denom": c.denom} for c in fee.amount],
                            "gas": str(fee.gas_limit)},
                    "memo": "", "msgs": [{"type": "wasm/MsgExecuteContract", "value": value}],
                    "sequence": acc["sequence"]}
        return json.dumps(sign_doc, sort_keys=True, separators=(",", ":")).encode()

    raw = testing.sign(sandbox.url, sandbox.chain.chain_id, "c", [msg], gas=300_000, amino_sign_bytes=doc)
    res = testing.wait_tx(sandbox.url, testing.broadcast(sandbox.url, raw)["txhash"])["tx_response"]
    assert res["code"] == 0, res["raw_log"]
    assert json.loads(query(sandbox, counter, {"get_count": {}})[1]) == {"count": 1}


def test_code_and_contract_state_survive_a_restart(tmp_path):
    from secret_sandbox_chain import launch

    wasm = b"\x00asm\x01\x00\x00\x00persisted"
    with launch(state_dir=tmp_path) as first:
        m = pb.MsgStoreCode(sender=address_bytes(ADDR["a"]), wasm_byte_code=wasm)
        assert testing.send_tx(first, "a", [m], gas=500_000)["tx_response"]["code"] == 0
        counter = by_label(first, "sandbox-counter")
        assert execute(first, "a", counter, {"increment": {}})[0]["code"] == 0
    with launch(state_dir=tmp_path) as second:
        assert base64.b64decode(get(second, f"{C}/code/4")["wasm"]) == wasm
        assert json.loads(query(second, counter, {"get_count": {}})[1]) == {"count": 1}


def test_secret_sdk_wallet_execute_and_error_decryption(sandbox, own_event_loop):
    """secret-sdk-python's Wallet.execute_tx encrypts with its own seed; tx_info decrypts the failure."""
    from secret_sdk.client.lcd import LCDClient

    counter = by_label(sandbox, "sandbox-counter")
    client = LCDClient(url=sandbox.url, chain_id=sandbox.chain.chain_id)
    wallet = client.wallet(testing.genesis_key("b"))
    ok = wallet.execute_tx(counter, {"increment": {}})
    assert ok.code == 0 and testing.wait_tx(sandbox.url, ok.txhash)["tx_response"]["code"] == 0
    assert client.wasm.contract_query(counter, {"get_count": {}}) == {"count": 1}
    bad = wallet.execute_tx(counter, {"reset": {"count": 3}})
    testing.wait_tx(sandbox.url, bad.txhash)
    info = client.tx.tx_info(bad.txhash)
    assert info.code == 3
    assert info.rawlog == ('failed to execute message; message index: 0: '
                           '{"generic_err":{"msg":"Only the owner can reset count"}}: execute contract failed')


def test_code_over_the_size_limit_is_refused(sandbox):
    big = gzip.compress(b"\x00asm\x01\x00\x00\x00" + bytes(2 * 1024 * 1024))  # small gzip, too big unpacked
    m = pb.MsgStoreCode(sender=address_bytes(ADDR["a"]), wasm_byte_code=big)
    res = testing.send_tx(sandbox, "a", [m], gas=2_000_000)["tx_response"]
    assert res["code"] == 1 and res["codespace"] == "compute" and "exceeds limit" in res["raw_log"]
    assert len(get(sandbox, f"{C}/codes")["code_infos"]) == 3
