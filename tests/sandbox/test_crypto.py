"""Addresses and signature verification against public and computed vectors (docs/protocol-notes.md#tx-signing, #test-vectors)."""

from __future__ import annotations

import base64
import hashlib

import pytest
from secret_sdk.key.mnemonic import MnemonicKey
from secret_sdk.protobuf.cosmos.tx.v1beta1 import SignDoc, TxBody

from secret_sandbox_chain.crypto import (
    bech32_decode, bech32_encode, from_valoper, module_address, pubkey_to_address, to_valoper,
    valcons_from_ed25519, verify_secp256k1,
)
from secret_sandbox_chain.encoding import coins, dec, duration, ts
from secret_sandbox_chain.modules.tendermint import consensus_io_pubkey

SIGN_DOC_HEX = (
    "0a93010a90010a1c2f636f736d6f732e62616e6b2e763162657461312e4d736753656e6412700a2d736563726574316d6537306b32"
    "7237783972397470326438716e6a306d357435766d6b357130656c7239646436122d73656372657431787667647233327433376575"
    "776b357333383777346c373076796738707a6b7976636c6e37381a100a05757363727412073130303030303012640a4e0a460a1f2f"
    "636f736d6f732e63727970746f2e736563703235366b312e5075624b657912230a21021ea9b35e496481e96f0e536feebd4b463ec0"
    "2afa24b4b1383b8c92919d6a300f12040a02080112120a0c0a05757363727412033639381083eb021a0a686f6c6f6465636b2d3220"
    "2d"
)
SIGNATURE = "67xBRB2QYsPYl4wPvlYYcOKoJaMHS08R1dfNJU5YIdcf8EFsEmRwpFSI6/LtUuk+r6uAiuWN6+sNF+LPeQdpUg=="
PUBKEY = base64.b64decode("Ah6ps15JZIHpbw5Tb+69S0Y+wCr6JLSxODuMkpGdajAP")


def test_reference_signature_vector_verifies():
    doc = bytes.fromhex(SIGN_DOC_HEX)
    sig = base64.b64decode(SIGNATURE)
    assert verify_secp256k1(PUBKEY, doc, sig)
    parsed = SignDoc().parse(doc)  # the vector is the SignDoc of docs/protocol-notes.md#tx-signing
    assert (parsed.chain_id, parsed.account_number) == ("holodeck-2", 45)
    assert TxBody().parse(parsed.body_bytes).messages[0].type_url == "/cosmos.bank.v1beta1.MsgSend"


def test_verifier_refuses_tampering_and_high_s():
    doc, sig = bytes.fromhex(SIGN_DOC_HEX), base64.b64decode(SIGNATURE)
    assert not verify_secp256k1(PUBKEY, doc + b"\x00", sig)
    assert not verify_secp256k1(PUBKEY, doc, sig[:63] + bytes([sig[63] ^ 1]))
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    high_s = sig[:32] + (n - int.from_bytes(sig[32:], "big")).to_bytes(32, "big")  # same signature, high-S form
    assert not verify_secp256k1(PUBKEY, doc, high_s)
    assert not verify_secp256k1(PUBKEY, doc, sig[:40])


def test_addresses():
    assert pubkey_to_address(PUBKEY) == "secret1me70k2r7x9r9tp2d8qnj0m5t5vmk5q0elr9dd6"
    other = base64.b64decode("Ai6wP5LzPBek0ZjJI6IgXqaVRHSLMbekxwmAv45kz2W4")
    addr = pubkey_to_address(other)
    assert addr == "secret1xvgdr32t37euwk5s387w4l70vyg8pzkyvcln78"
    assert to_valoper(addr) == "secretvaloper1xvgdr32t37euwk5s387w4l70vyg8pzkyal3wnw"
    assert from_valoper(to_valoper(addr)) == addr
    hrp, data = bech32_decode(addr)
    assert hrp == "secret" and len(data) == 20 and bech32_encode("secret", data) == addr
    assert module_address("fee_collector") == bech32_encode("secret", hashlib.sha256(b"fee_collector").digest()[:20])
    assert valcons_from_ed25519(b"\x01" * 32).startswith("secretvalcons1")
    for bad in ("", "secret1", "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s04", "notbech32"):
        with pytest.raises(ValueError):
            bech32_decode(bad)


def test_localsecret_account_a():
    key = MnemonicKey("grant rice replace explain federal release fix clever romance raise often wild taxi quarter "
                      "soccer fiber love must tape steak together observe swap guitar")
    assert pubkey_to_address(key.public_key.key) == "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"


def test_consensus_io_key_matches_reference():
    assert base64.b64encode(consensus_io_pubkey()).decode() == "3vwlTN808yr08OVxBheLCQ60thCnnK6/yCFZj1WUuDs="


def test_json_helpers():
    from datetime import datetime, timezone

    assert dec("0.05") == "0.050000000000000000" and dec(3) == "3.000000000000000000"
    assert ts(datetime(2025, 6, 3, 1, 54, 49, tzinfo=timezone.utc)) == "2025-06-03T01:54:49Z"
    assert ts(datetime(2025, 6, 3, 1, 54, 49, 120000, tzinfo=timezone.utc)) == "2025-06-03T01:54:49.120Z"
    assert ts(datetime(2025, 6, 3, 1, 54, 49, 123456, tzinfo=timezone.utc)) == "2025-06-03T01:54:49.123456Z"
    assert duration(1814400) == "1814400s"
    assert coins({"uscrt": 5, "ibc/X": 0, "aaa": 2}) == [{"denom": "aaa", "amount": "2"},
                                                        {"denom": "uscrt", "amount": "5"}]
