"""Turning chain answers into results and errors: explorer links per network, chain codes into advice, and the
txhash computed locally (so a lost broadcast can be looked up)."""

from __future__ import annotations

import base64

import pytest
from secret_sdk.protobuf.cosmos.bank.v1beta1 import MsgSend
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin

from secret_mcp.networks import MAINNET, TESTNET
from secret_mcp.tx import Msg, as_msg, tx_hash
from secret_mcp.tx.build import auth_info_bytes, body_bytes, sign_doc
from secret_mcp.tx.result import chain_failure, from_response

SIGN_DOC_HEX = (
    "0a93010a90010a1c2f636f736d6f732e62616e6b2e763162657461312e4d736753656e6412700a2d736563726574316d6537306b3272"
    "37783972397470326438716e6a306d357435766d6b357130656c7239646436122d73656372657431787667647233327433376575776b"
    "357333383777346c373076796738707a6b7976636c6e37381a100a05757363727412073130303030303012640a4e0a460a1f2f636f73"
    "6d6f732e63727970746f2e736563703235366b312e5075624b657912230a21021ea9b35e496481e96f0e536feebd4b463ec02afa24b4"
    "b1383b8c92919d6a300f12040a02080112120a0c0a05757363727412033639381083eb021a0a686f6c6f6465636b2d32202d"
)
COMMITTED = {"height": "12", "txhash": "ab" * 32, "code": 0, "codespace": "", "raw_log": "", "gas_wanted": "90000",
             "gas_used": "61234", "timestamp": "2026-11-24T15:00:00Z", "data": "12",
             "events": [{"type": "transfer", "attributes": [{"key": "recipient", "value": "secret1x", "index": True}]}]}


@pytest.mark.parametrize("network", [MAINNET, TESTNET])
def test_real_networks_get_an_explorer_link_and_no_sandbox_note(network):
    result = from_response(COMMITTED, status="success", fee=("uscrt", 9000), summary="s", sender="secret1me",
                           types=["/cosmos.bank.v1beta1.MsgSend"], memo="", network=network)
    assert result.explorer_url == network.explorer_tx_url.format(hash="AB" * 32) and result.note is None
    assert result.fee.display == "0.009 SCRT (9000uscrt)" and result.height == 12 and result.gas_used == 61234
    assert result.events[0].attributes == {"recipient": "secret1x"} and result.response is COMMITTED


@pytest.mark.parametrize(("code", "codespace", "log", "ours"), [
    (13, "sdk", "insufficient fees; got: 1uscrt required: 2uscrt: insufficient fee", "INSUFFICIENT_FEE"),
    (32, "sdk", "account sequence mismatch, expected 4, got 3: incorrect account sequence", "SEQUENCE_MISMATCH"),
    (5, "sdk", "0uscrt is smaller than 9uscrt: insufficient funds", "INSUFFICIENT_FUNDS"),
    (11, "sdk", "out of gas in location: WriteFlat; gasWanted: 1, gasUsed: 2: out of gas", "OUT_OF_GAS"),
    (4, "compute", "failed to execute message; message index: 0: contract error", "TX_FAILED"),
])
def test_chain_codes_become_advice(code, codespace, log, ours):
    err = chain_failure({"code": code, "codespace": codespace, "raw_log": log, "txhash": "CD" * 32, "height": "0"},
                        stage="check", nothing_sent=True)
    assert err.code == ours and log in err.message and "nothing was spent" in err.message and err.suggestions
    assert err.details == {"code": code, "codespace": codespace, "raw_log": log, "stage": "check", "txhash": "CD" * 32}


def test_messages_and_hashes():
    send = MsgSend(from_address="a", to_address="b", amount=[Coin(denom="uscrt", amount="1")])
    assert as_msg(send) == Msg("/cosmos.bank.v1beta1.MsgSend", send) == as_msg(("/cosmos.bank.v1beta1.MsgSend", send))
    assert as_msg(send).to_json()["@type"] == "/cosmos.bank.v1beta1.MsgSend"
    with pytest.raises(TypeError):
        as_msg({"@type": "/cosmos.bank.v1beta1.MsgSend"})
    assert tx_hash(b"") == "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"


def test_sign_doc_matches_the_reference_vector():
    # docs/protocol-notes.md#tx-signing (secret-sdk-python's test vector): the bytes we sign are byte-for-byte the chain's.
    send = MsgSend(from_address="secret1me70k2r7x9r9tp2d8qnj0m5t5vmk5q0elr9dd6",
                   to_address="secret1xvgdr32t37euwk5s387w4l70vyg8pzkyvcln78",
                   amount=[Coin(denom="uscrt", amount="1000000")])
    pub = base64.b64decode("Ah6ps15JZIHpbw5Tb+69S0Y+wCr6JLSxODuMkpGdajAP")
    doc = sign_doc(body_bytes([as_msg(send)], ""), auth_info_bytes(pub, 0, 698, "uscrt", 46467), "holodeck-2", 45)
    assert doc.hex() == SIGN_DOC_HEX
