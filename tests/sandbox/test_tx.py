"""The tx pipeline end to end over HTTP: ante checks and committed TxResponses (docs/protocol-notes.md#ante-checks,
#tx-response), search, simulate."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime

from secret_sdk.protobuf.cosmos.bank.v1beta1 import Input, MsgMultiSend, MsgSend, Output
from secret_sdk.protobuf.cosmos.base.abci.v1beta1 import TxMsgData
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin

from secret_sandbox_chain.testing import http
from secret_sandbox_chain.crypto import module_address

from tests.helpers import fixture_json

from .conftest import ADDR

FEE_COLLECTOR = module_address("fee_collector")
TXS = "/cosmos/tx/v1beta1/txs"


def send_msg(frm: str, to: str, amount: int, denom: str = "uscrt") -> MsgSend:
    return MsgSend(from_address=ADDR[frm], to_address=ADDR[to], amount=[Coin(denom=denom, amount=str(amount))])


def seq(sandbox, who: str) -> int:
    return int(http().get(f"{sandbox.url}/cosmos/auth/v1beta1/accounts/{ADDR[who]}").json()["account"]["sequence"])


def attrs_of(event: dict) -> dict:
    return {a["key"]: a["value"] for a in event["attributes"]}


def test_msg_send_commits_with_exact_fee(sandbox, tx):
    a0, b0 = tx.balance(sandbox.url, ADDR["a"]), tx.balance(sandbox.url, ADDR["b"])
    raw = tx.sign(sandbox.url, sandbox.chain.chain_id, "a", [send_msg("a", "b", 1_000_000)], gas=200_000)
    sync = tx.broadcast(sandbox.url, raw)
    assert sync["code"] == 0 and sync["height"] == "0" and sync["tx"] is None
    assert sync["txhash"] == hashlib.sha256(raw).hexdigest().upper()
    body = tx.wait_tx(sandbox.url, sync["txhash"].lower())  # hashes are case-insensitive
    res = body["tx_response"]
    sample = fixture_json("lcd", "tx_broadcast_sync_pulsar3_REAL.json")["tx_response"]
    assert list(res) == list(sample) and list(sync) == list(sample)  # same fields, same order as a real node
    assert res["code"] == 0 and res["raw_log"] == "" and res["logs"] == [] and res["codespace"] == ""
    assert res["gas_wanted"] == "200000" and 0 < int(res["gas_used"]) < 200_000
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", res["timestamp"])
    assert tx.balance(sandbox.url, ADDR["a"]) == a0 - 1_000_000 - 2_500  # fee = ceil(200000 x 0.0125)
    assert tx.balance(sandbox.url, ADDR["b"]) == b0 + 1_000_000
    # tx both at top level (no @type) and inside tx_response (an Any)
    assert "@type" not in body["tx"] and res["tx"]["@type"] == "/cosmos.tx.v1beta1.Tx"
    assert body["tx"]["body"]["messages"][0] == {
        "@type": "/cosmos.bank.v1beta1.MsgSend", "from_address": ADDR["a"], "to_address": ADDR["b"],
        "amount": [{"denom": "uscrt", "amount": "1000000"}]}
    assert body["tx"]["auth_info"]["signer_infos"][0]["mode_info"] == {"single": {"mode": "SIGN_MODE_DIRECT"}}
    assert body["tx"]["auth_info"]["fee"] == {"amount": [{"denom": "uscrt", "amount": "2500"}], "gas_limit": "200000",
                                              "payer": "", "granter": ""}
    # data = upper hex of TxMsgData with the MsgSendResponse
    data = TxMsgData().parse(bytes.fromhex(res["data"]))
    assert res["data"] == res["data"].upper()
    assert [r.type_url for r in data.msg_responses] == ["/cosmos.bank.v1beta1.MsgSendResponse"]
    # ante events first (no msg_index), then the message's events, each with msg_index
    types = [e["type"] for e in res["events"]]
    assert types[:7] == ["coin_spent", "coin_received", "transfer", "message", "tx", "tx", "tx"]
    assert attrs_of(res["events"][4]) == {"fee": "2500uscrt", "fee_payer": ADDR["a"]}
    assert attrs_of(res["events"][5]) == {"acc_seq": f"{ADDR['a']}/0"}
    assert attrs_of(res["events"][6]) == {"signature": base64.b64encode(
        __import__("secret_sdk.protobuf.cosmos.tx.v1beta1", fromlist=["TxRaw"]).TxRaw().parse(raw).signatures[0]
    ).decode()}
    assert attrs_of(res["events"][1])["receiver"] == FEE_COLLECTOR
    assert attrs_of(res["events"][7]) == {"action": "/cosmos.bank.v1beta1.MsgSend", "sender": ADDR["a"],
                                         "module": "bank", "msg_index": "0"}
    assert all("msg_index" not in attrs_of(e) for e in res["events"][:7])
    assert all(attrs_of(e).get("msg_index") == "0" for e in res["events"][7:])
    assert attrs_of(res["events"][-2]) == {"recipient": ADDR["b"], "sender": ADDR["a"], "amount": "1000000uscrt",
                                          "msg_index": "0"}
    # the account now has its public key and sequence 1
    acc = tx.account(sandbox.url, ADDR["a"])
    assert acc["sequence"] == "1" and acc["pub_key"]["@type"] == "/cosmos.crypto.secp256k1.PubKey"
    # the block holds the tx bytes
    block = http().get(f"{sandbox.url}/cosmos/base/tendermint/v1beta1/blocks/{res['height']}").json()
    assert block["block"]["data"]["txs"] == [base64.b64encode(raw).decode()]
    by_block = http().get(f"{sandbox.url}{TXS}/block/{res['height']}").json()
    assert by_block["txs"] == [body["tx"]] and by_block["block"]["header"]["height"] == res["height"]


def test_wrong_key_is_refused_and_nothing_moves(sandbox, tx):
    a0, b0 = tx.balance(sandbox.url, ADDR["a"]), tx.balance(sandbox.url, ADDR["b"])
    a_pub = tx.genesis_key("a").public_key.key
    # b signs, but the tx claims a's public key: the signature cannot verify
    raw = tx.sign(sandbox.url, sandbox.chain.chain_id, tx.genesis_key("b"), [send_msg("a", "b", 5)],
                  account_number=0, sequence=0, public_key=a_pub)
    res = tx.broadcast(sandbox.url, raw)
    assert res["code"] == 4 and res["codespace"] == "sdk"
    assert res["raw_log"] == (f"signature verification failed; please verify account number (0) and chain-id "
                              f"({sandbox.chain.chain_id}): (unable to verify single signer signature): unauthorized")
    # b's own key for a's message: the key does not belong to the signer
    raw = tx.sign(sandbox.url, sandbox.chain.chain_id, tx.genesis_key("b"), [send_msg("a", "b", 5)],
                  account_number=0, sequence=0)
    res = tx.broadcast(sandbox.url, raw)
    assert res["code"] == 8 and res["raw_log"].startswith(f"pubKey does not match signer address {ADDR['a']}")
    # the right key, the wrong chain id
    from secret_sandbox_chain.txbuild import build_tx

    raw = build_tx(tx.genesis_key("a"), [(tx.type_url(m), m) for m in [send_msg("a", "b", 5)]], chain_id="secret-4",
                   account_number=0, sequence=0)
    assert tx.broadcast(sandbox.url, raw)["code"] == 4
    assert tx.balance(sandbox.url, ADDR["a"]) == a0 and tx.balance(sandbox.url, ADDR["b"]) == b0
    assert seq(sandbox, "a") == 0
    assert http().get(f"{sandbox.url}{TXS}/{hashlib.sha256(raw).hexdigest()}").status_code == 404


def test_sequence_mismatch_is_code_32(sandbox, tx):
    raw = tx.sign(sandbox.url, sandbox.chain.chain_id, "a", [send_msg("a", "b", 5)], sequence=7)
    res = tx.broadcast(sandbox.url, raw)
    assert (res["code"], res["codespace"]) == (32, "sdk")
    assert res["raw_log"] == "account sequence mismatch, expected 0, got 7: incorrect account sequence"


def test_insufficient_fee_is_code_13(sandbox, tx):
    raw = tx.sign(sandbox.url, sandbox.chain.chain_id, "a", [send_msg("a", "b", 5)], gas=200_000, fee_uscrt=100)
    res = tx.broadcast(sandbox.url, raw)
    assert res["code"] == 13
    assert res["raw_log"] == "insufficient fees; got: 100uscrt required: 2500uscrt: insufficient fee"
    raw = tx.sign(sandbox.url, sandbox.chain.chain_id, "a", [send_msg("a", "b", 5)], gas=0, fee_uscrt=0)
    res = tx.broadcast(sandbox.url, raw)
    assert res["code"] == 41 and res["raw_log"] == "must provide positive gas: invalid gas limit"


def test_unknown_account_and_fee_larger_than_balance(sandbox, tx):
    from secret_sdk.key.raw import RawKey

    stranger = RawKey(hashlib.sha256(b"stranger").digest())
    msg = MsgSend(from_address=stranger.acc_address, to_address=ADDR["a"], amount=[Coin(denom="uscrt", amount="1")])
    raw = tx.sign(sandbox.url, sandbox.chain.chain_id, stranger, [msg], account_number=0, sequence=0)
    res = tx.broadcast(sandbox.url, raw)
    assert res["code"] == 9 and res["raw_log"] == f"account {stranger.acc_address} does not exist: unknown address"
    sandbox.faucet(stranger.acc_address, 1_000)
    raw = tx.sign(sandbox.url, sandbox.chain.chain_id, stranger, [msg], gas=200_000)
    res = tx.broadcast(sandbox.url, raw)
    assert res["code"] == 5
    assert res["raw_log"] == "spendable balance 1000uscrt is smaller than 2500uscrt: insufficient funds: " \
                             "insufficient funds"


def test_out_of_gas_bumps_sequence_and_charges_fee(sandbox, tx):
    raw = tx.sign(sandbox.url, sandbox.chain.chain_id, "a", [send_msg("a", "b", 5)])
    sim = http().post(f"{sandbox.url}/cosmos/tx/v1beta1/simulate", json={"txBytes": base64.b64encode(raw).decode()})
    needed = int(sim.json()["gas_info"]["gas_used"])
    gas = needed - 1_000  # enough for the ante handler, not for the message (a send's is ~2 000)
    a0, b0 = tx.balance(sandbox.url, ADDR["a"]), tx.balance(sandbox.url, ADDR["b"])
    body = tx.send(sandbox, "a", [send_msg("a", "b", 5)], gas=gas)
    res = body["tx_response"]
    assert (res["code"], res["codespace"]) == (11, "sdk")
    assert re.fullmatch(rf"out of gas in location: \w+; gasWanted: {gas}, gasUsed: \d+: out of gas", res["raw_log"])
    assert int(res["gas_used"]) > gas and res["data"] == ""
    assert [e["type"] for e in res["events"]] == ["coin_spent", "coin_received", "transfer", "message", "tx", "tx",
                                                 "tx"]  # only the ante events
    fee = -(-gas * 125 // 10_000)
    assert tx.balance(sandbox.url, ADDR["a"]) == a0 - fee and tx.balance(sandbox.url, ADDR["b"]) == b0
    assert seq(sandbox, "a") == 1


def test_failed_message_keeps_ante_effects(sandbox, tx):
    c0 = tx.balance(sandbox.url, ADDR["c"])
    body = tx.send(sandbox, "c", [send_msg("c", "d", c0 * 2)], gas=100_000)
    res = body["tx_response"]
    assert (res["code"], res["codespace"]) == (5, "sdk")
    assert res["raw_log"] == (f"failed to execute message; message index: 0: spendable balance {c0 - 1250}uscrt is "
                              f"smaller than {c0 * 2}uscrt: insufficient funds")
    assert tx.balance(sandbox.url, ADDR["c"]) == c0 - 1250 and seq(sandbox, "c") == 1


def test_multi_send_and_atomicity_across_messages(sandbox, tx):
    b0, c0, d0 = (tx.balance(sandbox.url, ADDR[k]) for k in "bcd")
    multi = MsgMultiSend(inputs=[Input(address=ADDR["b"], coins=[Coin(denom="uscrt", amount="30")])],
                         outputs=[Output(address=ADDR["c"], coins=[Coin(denom="uscrt", amount="10")]),
                                  Output(address=ADDR["d"], coins=[Coin(denom="uscrt", amount="20")])])
    res = tx.send(sandbox, "b", [multi], gas=200_000)["tx_response"]
    assert res["code"] == 0, res
    assert (tx.balance(sandbox.url, ADDR["c"]), tx.balance(sandbox.url, ADDR["d"])) == (c0 + 10, d0 + 20)
    assert tx.balance(sandbox.url, ADDR["b"]) == b0 - 30 - 2500
    # second message fails -> the first one is rolled back too
    res = tx.send(sandbox, "b", [send_msg("b", "c", 1), send_msg("b", "c", 10**20)], gas=300_000)["tx_response"]
    assert res["code"] == 5 and res["raw_log"].startswith("failed to execute message; message index: 1: ")
    assert tx.balance(sandbox.url, ADDR["c"]) == c0 + 10


def test_simulate(sandbox, tx):
    raw = tx.sign(sandbox.url, sandbox.chain.chain_id, "a", [send_msg("a", "b", 5)], signature=b"\x00" * 64)
    r = http().post(f"{sandbox.url}/cosmos/tx/v1beta1/simulate", json={"txBytes": base64.b64encode(raw).decode()})
    assert r.status_code == 200, r.text
    out = r.json()
    assert int(out["gas_info"]["gas_used"]) > 1000 and out["gas_info"]["gas_wanted"] == "18446744073709551615"
    assert out["result"]["log"] == ""
    assert out["result"]["msg_responses"] == [{"@type": "/cosmos.bank.v1beta1.MsgSendResponse"}]
    assert any(e["type"] == "transfer" for e in out["result"]["events"])
    assert seq(sandbox, "a") == 0 and sandbox.chain.height == 1  # nothing committed
    bad = tx.sign(sandbox.url, sandbox.chain.chain_id, "a", [send_msg("a", "b", 5)], sequence=3)
    r = http().post(f"{sandbox.url}/cosmos/tx/v1beta1/simulate", json={"tx_bytes": base64.b64encode(bad).decode()})
    assert r.status_code == 500
    msg = r.json()["message"]
    assert msg.startswith("rpc error: code = Unknown desc = account sequence mismatch, expected 0, got 3")
    assert msg.endswith("': unknown request")


def test_search_by_sender_and_height(sandbox, tx):
    first = tx.send(sandbox, "a", [send_msg("a", "b", 1)])["tx_response"]
    tx.send(sandbox, "b", [send_msg("b", "a", 2)])
    second = tx.send(sandbox, "a", [send_msg("a", "c", 3)])["tx_response"]
    q = {"query": f"message.sender='{ADDR['a']}'"}
    out = http().get(f"{sandbox.url}{TXS}", params=q).json()
    assert out["total"] == "2" and out["pagination"] is None
    assert [r["txhash"] for r in out["tx_responses"]] == [first["txhash"], second["txhash"]]
    assert len(out["txs"]) == 2 and "@type" not in out["txs"][0]
    out = http().get(f"{sandbox.url}{TXS}", params={**q, "order_by": "ORDER_BY_DESC", "limit": "1", "page": "1"}).json()
    assert [r["txhash"] for r in out["tx_responses"]] == [second["txhash"]] and out["total"] == "2"
    q2 = f"message.sender='{ADDR['a']}' AND tx.height>{first['height']}"
    out = http().get(f"{sandbox.url}{TXS}", params={"query": q2, "events": "ignored='x'"}).json()
    assert [r["txhash"] for r in out["tx_responses"]] == [second["txhash"]]
    out = http().get(f"{sandbox.url}{TXS}", params={"query": f"tx.hash='{first['txhash']}'"}).json()
    assert out["total"] == "1"
    out = http().get(f"{sandbox.url}{TXS}", params={"query": "message.action='/cosmos.bank.v1beta1.MsgSend'"}).json()
    assert out["total"] == "3"
    # the legacy `events=` alone is ignored by SDK 0.50 -> empty query
    r = http().get(f"{sandbox.url}{TXS}", params={"events": f"message.sender='{ADDR['a']}'"})
    assert r.status_code == 500 and "query cannot be empty" in r.json()["message"]


def test_sync_vs_async_with_a_mempool(sandbox_factory, tx):
    server = sandbox_factory(block_time_ms=60_000)  # blocks only when the test advances the chain
    raw = tx.sign(server.url, server.chain.chain_id, "a", [send_msg("a", "b", 5)])
    res = tx.broadcast(server.url, raw, "BROADCAST_MODE_SYNC", key="txBytes")
    assert res["code"] == 0
    r = http().get(f"{server.url}{TXS}/{res['txhash']}")
    assert r.status_code == 404  # still in the mempool
    assert r.json() == {"code": 5, "message": f"rpc error: code = NotFound desc = tx not found: {res['txhash']}: "
                                             "key not found", "details": []}
    server.chain.advance(1)
    assert tx.wait_tx(server.url, res["txhash"], timeout=1)["tx_response"]["code"] == 0
    # ASYNC answers before CheckTx: a bad tx still gets code 0 and is never included
    bad = tx.sign(server.url, server.chain.chain_id, "a", [send_msg("a", "b", 5)], sequence=9)
    res = tx.broadcast(server.url, bad, "BROADCAST_MODE_ASYNC")
    assert res["code"] == 0 and res["txhash"] == hashlib.sha256(bad).hexdigest().upper()
    assert tx.broadcast(server.url, bad, "BROADCAST_MODE_SYNC")["code"] == 32
    good = tx.sign(server.url, server.chain.chain_id, "a", [send_msg("a", "b", 5)])
    res = tx.broadcast(server.url, good, "BROADCAST_MODE_ASYNC")
    assert res["code"] == 0
    server.chain.advance(1)
    assert tx.wait_tx(server.url, res["txhash"], timeout=1)["tx_response"]["code"] == 0
    assert http().get(f"{server.url}{TXS}/{hashlib.sha256(bad).hexdigest()}").status_code == 404


def test_block_producer_makes_blocks_on_time(sandbox_factory, tx):
    server = sandbox_factory(block_time_ms=100)
    start = server.chain.height
    raw = tx.sign(server.url, server.chain.chain_id, "a", [send_msg("a", "b", 5)])
    res = tx.broadcast(server.url, raw)
    assert tx.wait_tx(server.url, res["txhash"], timeout=5)["tx_response"]["code"] == 0
    assert server.chain.wait_for_height(start + 3, timeout=5)  # empty blocks keep coming
    times = [datetime.fromisoformat(server.chain.blocks[h]["time"].replace("Z", "+00:00"))
             for h in range(start, start + 4)]
    assert all(a < b for a, b in zip(times, times[1:]))


def test_broadcast_request_errors(sandbox, tx):
    url = f"{sandbox.url}{TXS}"
    r = http().post(url, json={"tx_bytes": "", "mode": "BROADCAST_MODE_SYNC"})
    assert r.status_code == 400 and r.json()["code"] == 3 and "invalid empty tx" in r.json()["message"]
    raw = tx.sign(sandbox.url, sandbox.chain.chain_id, "a", [send_msg("a", "b", 5)])
    for mode in ("BROADCAST_MODE_BLOCK", "BROADCAST_MODE_UNSPECIFIED"):
        r = http().post(url, json={"tx_bytes": base64.b64encode(raw).decode(), "mode": mode})
        assert r.status_code == 500
        assert r.json() == {"code": 2, "message": "unsupported return type unspecified; supported types: sync, async",
                            "details": []}
    assert seq(sandbox, "a") == 0
    r = http().post(url, json={"tx_bytes": base64.b64encode(b"\xff\xff garbage").decode(),
                              "mode": "BROADCAST_MODE_SYNC"})
    assert r.status_code == 200 and r.json()["tx_response"]["code"] == 2
    once = tx.broadcast(sandbox.url, raw)
    again = tx.broadcast(sandbox.url, raw)
    assert once["code"] == 0 and (again["code"], again["codespace"], again["raw_log"]) == (19, "sdk", "")


def _amino_doc(body, auth_info, *, chain_id: str, number: int, sequence: int, memo: str | None = None) -> bytes:
    """Written out by hand from docs/protocol-notes.md#amino-signing so the chain's own amino code is checked against it."""
    msg = body.messages[0]
    send = MsgSend().parse(msg.value)
    doc = {
        "account_number": str(number), "chain_id": chain_id,
        "fee": {"amount": [{"amount": c.amount, "denom": c.denom} for c in auth_info.fee.amount],
                "gas": str(auth_info.fee.gas_limit)},
        "memo": body.memo if memo is None else memo,
        "msgs": [{"type": "cosmos-sdk/MsgSend", "value": {
            "amount": [{"amount": c.amount, "denom": c.denom} for c in send.amount],
            "from_address": send.from_address, "to_address": send.to_address}}],
        "sequence": str(sequence),
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


def test_amino_json_signing(sandbox, tx):
    chain_id = sandbox.chain.chain_id
    b0 = tx.balance(sandbox.url, ADDR["b"])
    raw = tx.sign(sandbox.url, chain_id, "a", [send_msg("a", "b", 7)], memo="amino <&> test",
                  amino_sign_bytes=lambda body, ai: _amino_doc(body, ai, chain_id=chain_id, number=0, sequence=0))
    res = tx.broadcast(sandbox.url, raw)
    assert res["code"] == 0, res
    body = tx.wait_tx(sandbox.url, res["txhash"])
    assert body["tx"]["auth_info"]["signer_infos"][0]["mode_info"]["single"]["mode"] == "SIGN_MODE_LEGACY_AMINO_JSON"
    assert tx.balance(sandbox.url, ADDR["b"]) == b0 + 7
    # signed bytes that differ from the tx (another memo) -> the amino flavour of code 4
    raw = tx.sign(sandbox.url, chain_id, "a", [send_msg("a", "b", 7)], memo="real",
                  amino_sign_bytes=lambda body, ai: _amino_doc(body, ai, chain_id=chain_id, number=0, sequence=1,
                                                               memo="forged"))
    res = tx.broadcast(sandbox.url, raw)
    assert res["code"] == 4
    assert res["raw_log"] == (f"signature verification failed; please verify account number (0), sequence (1) and "
                              f"chain-id ({chain_id}): (unable to verify single signer signature): unauthorized")


def test_two_txs_of_one_account_share_a_timed_block(sandbox_factory, tx):
    server = sandbox_factory(block_time_ms=60_000)  # no block on its own during the test: we make it below
    first = tx.sign(server.url, server.chain.chain_id, "a", [send_msg("a", "b", 1)], sequence=0)
    second = tx.sign(server.url, server.chain.chain_id, "a", [send_msg("a", "c", 2)], sequence=1)
    answers = [tx.broadcast(server.url, raw) for raw in (first, second)]  # CheckTx state tracks the sequence
    assert [a["code"] for a in answers] == [0, 0]
    assert http().get(f"{server.url}{TXS}/{answers[0]['txhash']}").status_code == 404  # pending
    http().post(f"{server.url}/sandbox/admin/advance", json={"blocks": 1})
    done = [tx.wait_tx(server.url, a["txhash"], timeout=5)["tx_response"] for a in answers]
    assert [d["code"] for d in done] == [0, 0] and done[0]["height"] == done[1]["height"]
    assert seq(server, "a") == 2
