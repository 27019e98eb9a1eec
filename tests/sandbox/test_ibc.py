"""IBC transfer on the sandbox (docs/protocol-notes.md#ibc): channel/denom routes, escrow, relayed ack, timeout with refund."""

from __future__ import annotations

import hashlib
import time

import httpx
import pytest
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
from secret_sdk.protobuf.ibc.applications.transfer.v1 import MsgTransfer
from secret_sdk.protobuf.ibc.core.client.v1 import Height

from secret_sandbox_chain import testing
from secret_sandbox_chain.chain import GENESIS_ADDRESSES as ADDR
from secret_sandbox_chain.crypto import bech32_encode

T = "/ibc/apps/transfer/v1"
ATOM = "ibc/" + hashlib.sha256(b"transfer/channel-0/uatom").hexdigest().upper()
COSMOS_RECEIVER = bech32_encode("cosmos", bytes(range(20)))
# ibc-go GetEscrowAddress for transfer/channel-0, computed here independently of the module
ESCROW = bech32_encode("secret", hashlib.sha256(b"ics20-1\x00transfer/channel-0").digest()[:20])


def get(sandbox, path: str, expect: int = 200, **params) -> dict:
    r = httpx.get(sandbox.url + path, params=params, timeout=10)
    assert r.status_code == expect, (r.status_code, r.text)
    return r.json()


def transfer(sandbox, who: str, denom: str, amount: int, receiver: str = COSMOS_RECEIVER, **timeouts) -> dict:
    msg = MsgTransfer(source_port="transfer", source_channel="channel-0", token=Coin(denom=denom, amount=str(amount)),
                      sender=ADDR[who], receiver=receiver, **timeouts)
    return testing.send_tx(sandbox, who, [msg], gas=300_000, fee_uscrt=4000)["tx_response"]


def attrs(res: dict, type_: str) -> dict:
    ev = [e for e in res["events"] if e["type"] == type_]
    assert ev, f"no {type_} event"
    return {a["key"]: a["value"] for a in ev[0]["attributes"]}


def search(sandbox, query: str) -> list[dict]:
    return get(sandbox, "/cosmos/tx/v1beta1/txs", query=query)["tx_responses"]


FAR = {"timeout_height": Height(revision_number=4, revision_height=10**9)}


@pytest.fixture
def sandbox(sandbox):
    """The usual sandbox, with the background relay ticks off so tests decide when blocks happen."""
    sandbox.chain.module("ibc").tick_seconds = None
    return sandbox


def test_channel_and_denom_routes(sandbox):
    channels = get(sandbox, "/ibc/core/channel/v1/channels")
    assert [(c["channel_id"], c["state"], c["counterparty"]["channel_id"]) for c in channels["channels"]] == \
        [("channel-0", "STATE_OPEN", "channel-235")]
    assert get(sandbox, "/ibc/core/channel/v1/channels/channel-0/ports/transfer")["channel"]["ordering"] == \
        "ORDER_UNORDERED"
    assert get(sandbox, "/ibc/core/channel/v1/channels/channel-9/ports/transfer", 404)["code"] == 5
    assert get(sandbox, f"{T}/params") == {"params": {"send_enabled": True, "receive_enabled": True}}
    assert "07-tendermint" in get(sandbox, "/ibc/client/v1/params")["params"]["allowed_clients"]
    trace = {"path": "transfer/channel-0", "base_denom": "uatom"}
    assert get(sandbox, f"{T}/denom_traces")["denom_traces"] == [trace]
    assert get(sandbox, f"{T}/denom_traces/{ATOM[4:]}")["denom_trace"] == trace
    assert get(sandbox, f"{T}/denom_traces/{ATOM}")["denom_trace"] == trace  # with the ibc/ prefix
    assert get(sandbox, f"{T}/denom_traces/{'0' * 64}", 404)["code"] == 5
    assert get(sandbox, f"{T}/denom_hashes/transfer/channel-0/uatom") == {"hash": ATOM[4:]}
    assert get(sandbox, f"{T}/channels/channel-0/ports/transfer/escrow_address") == {"escrow_address": ESCROW}
    assert testing.balance(sandbox.url, ADDR["d"], ATOM) == 1_000_000_000


def test_transfer_is_escrowed_then_acknowledged(sandbox):
    before = testing.balance(sandbox.url, ADDR["b"])
    res = transfer(sandbox, "b", "uscrt", 12_345, **FAR)
    assert res["code"] == 0, res["raw_log"]
    sent = attrs(res, "send_packet")
    assert sent["packet_sequence"] == "1" and sent["packet_src_channel"] == "channel-0"
    assert sent["packet_dst_channel"] == "channel-235" and sent["packet_timeout_height"] == "4-1000000000"
    assert '"receiver":"' + COSMOS_RECEIVER in sent["packet_data"]
    assert testing.balance(sandbox.url, ESCROW) == 12_345
    assert testing.balance(sandbox.url, ADDR["b"]) == before - 12_345 - 4000
    assert search(sandbox, "acknowledge_packet.packet_sequence='1'") == []  # not relayed yet
    sandbox.chain.advance(blocks=4)
    acks = search(sandbox, "acknowledge_packet.packet_src_channel='channel-0' AND "
                           "acknowledge_packet.packet_sequence='1'")  # secretjs' own ack query
    assert len(acks) == 1 and acks[0]["code"] == 0
    assert attrs(acks[0], "fungible_token_packet")["acknowledgement"] == '{"result":"AQ=="}'
    assert search(sandbox, "send_packet.packet_sequence='1'")[0]["txhash"] == res["txhash"]
    assert testing.balance(sandbox.url, ESCROW) == 12_345  # funds stay escrowed after a success ack
    assert get(sandbox, f"{T}/denoms/uscrt/total_escrow")["amount"]["amount"] == "12345"


def test_timeout_refunds_the_sender(sandbox):
    before = testing.balance(sandbox.url, ADDR["c"])
    deadline_ns = int((time.time() + 20) * 1e9)
    res = transfer(sandbox, "c", "uscrt", 5_000, timeout_timestamp=deadline_ns)
    assert res["code"] == 0, res["raw_log"]
    assert testing.balance(sandbox.url, ESCROW) == 5_000
    sandbox.chain.advance(blocks=4, seconds=40)  # past the deadline (short of genesis unbondings)
    found = search(sandbox, "timeout_packet.packet_sequence='1'")
    assert len(found) == 1 and found[0]["code"] == 0
    refund = attrs(found[0], "timeout")
    assert refund["refund_receiver"] == ADDR["c"] and refund["refund_amount"] == "5000"
    assert testing.balance(sandbox.url, ESCROW) == 0
    assert testing.balance(sandbox.url, ADDR["c"]) == before - 4000  # only the fee is gone
    assert search(sandbox, "acknowledge_packet.packet_sequence='1'") == []


def test_voucher_returning_home_is_burned_and_error_ack_refunds(sandbox):
    supply = int(get(sandbox, "/cosmos/bank/v1beta1/supply/by_denom", denom=ATOM)["amount"]["amount"])
    res = transfer(sandbox, "d", ATOM, 700, receiver=ADDR["b"], **FAR)  # not a cosmos1… address
    assert res["code"] == 0, res["raw_log"]
    assert '"denom":"transfer/channel-0/uatom"' in attrs(res, "send_packet")["packet_data"]
    assert int(get(sandbox, "/cosmos/bank/v1beta1/supply/by_denom", denom=ATOM)["amount"]["amount"]) == supply - 700
    sandbox.chain.advance(blocks=4)
    ack = search(sandbox, "acknowledge_packet.packet_sequence='1'")[0]
    assert "error" in attrs(ack, "fungible_token_packet")["acknowledgement"]
    assert testing.balance(sandbox.url, ADDR["d"], ATOM) == 1_000_000_000  # minted back


def test_invalid_transfers_fail(sandbox):
    msg = MsgTransfer(source_port="transfer", source_channel="channel-7", token=Coin(denom="uscrt", amount="1"),
                      sender=ADDR["a"], receiver=COSMOS_RECEIVER, timeout_timestamp=int((time.time() + 600) * 1e9))
    res = testing.send_tx(sandbox, "a", [msg], gas=300_000)["tx_response"]
    assert res["code"] != 0 and "channel not found" in res["raw_log"]
    res = transfer(sandbox, "a", "uscrt", 1)  # neither timeout set
    assert res["code"] != 0 and "cannot both be 0" in res["raw_log"]
    res = transfer(sandbox, "a", "uscrt", 1, timeout_height=Height(revision_number=4, revision_height=5))
    assert res["code"] != 0 and "packet timeout" in res["raw_log"]


def test_instant_chain_relays_by_itself():
    """With instant blocks and nobody sending txs, in-flight packets still get blocks and a relayed ack."""
    from secret_sandbox_chain import launch

    with launch() as server:
        assert server.chain.module("ibc").tick_seconds == 1.0
        sent = transfer(server, "b", "uscrt", 10, **FAR)
        deadline = time.monotonic() + 15
        while not search(server, "acknowledge_packet.packet_sequence='1'"):
            assert time.monotonic() < deadline, "no ack relayed"
            time.sleep(0.2)
        height = server.chain.height
        time.sleep(1.5)
        assert server.chain.height == height  # nothing in flight: the ticks stop
        assert int(sent["height"]) + 2 < height
