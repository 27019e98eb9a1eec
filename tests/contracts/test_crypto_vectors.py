"""The client crypto of secret_mcp.contracts against the vectors of docs/protocol-notes.md#test-vectors."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.exceptions import InvalidTag

from secret_mcp.contracts import Cipher
from secret_mcp.contracts import decrypt
from tests.helpers import fixture_json

V = fixture_json("encryption_vectors.json")
SEED, NODE = bytes.fromhex(V["user_encryption_seed_hex"]), base64.b64decode(V["node_consensus_io_pubkey_b64"])
NONCE = bytes.fromhex(V["nonce_hex"])


@pytest.fixture
def c() -> Cipher:
    return Cipher(SEED, NODE)


def test_keys_and_wire_match_vectors(c):
    assert c.public.hex() == V["user_x25519_pubkey_hex"]
    assert c.tx_key(NONCE).hex() == V["tx_encryption_key_hex"]
    wire = c.encrypt("0x" + V["code_hash"].upper(), V["msg_json"], NONCE)  # hash is normalized like the clients do
    assert base64.b64encode(wire).decode() == V["wire_bytes_b64"]
    assert wire[64:].hex() == V["siv_ciphertext_hex"]


def test_outputs_decrypt(c):
    wire = c.encrypt(V["code_hash"], V["msg_json"], NONCE)
    assert decrypt.answer(c, wire, V["query_response_data_b64"]) == json.loads(V["query_answer_json"])
    assert decrypt.answer(c, wire, V["execute_data_ciphertext_b64"]) == json.loads(V["execute_data_plain_json"])
    log = f"failed to execute message; message index: 0: encrypted: {V['error_ciphertext_b64']}: execute contract failed"
    text, parsed = decrypt.error_text(c, [wire], log)
    assert parsed == json.loads(V["error_plaintext"]) and V["error_ciphertext_b64"] not in text
    event = {"type": "wasm", "attributes": [{"key": "contract_address", "value": "secret1x"},
                                            {"key": V["wasm_attr_key_b64"], "value": V["wasm_attr_value_b64"]},
                                            {"key": "msg_index", "value": "0"}]}
    (row,) = decrypt.wasm_attributes(c, [wire], [event])
    assert row["attributes"] == {V["wasm_attr_key_plain"]: V["wasm_attr_value_plain"]}


def test_another_seed_cannot_read_the_answer(c):
    # Only the holder of the seed can decrypt: a different session seed fails the SIV tag.
    other = Cipher(bytes(32), NODE)
    wire = c.encrypt(V["code_hash"], V["msg_json"], NONCE)
    with pytest.raises(InvalidTag):
        decrypt.answer(other, wire, V["query_response_data_b64"])
    log = f"message index: 0: encrypted: {V['error_ciphertext_b64']}: execute contract failed"
    assert decrypt.error_text(other, [wire], log) == (log, None)
