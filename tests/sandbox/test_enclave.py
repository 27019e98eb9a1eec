"""The sandbox enclave against tests/fixtures/encryption_vectors.json (docs/protocol-notes.md#test-vectors)."""

from __future__ import annotations

import base64

import pytest

from secret_sandbox_chain.enclave import Enclave, EnclaveError, Session, derive_key, encrypt_for_node
from secret_sandbox_chain.modules.tendermint import consensus_io_pubkey
from tests.helpers import fixture_json

V = fixture_json("encryption_vectors.json")


def _session() -> Session:
    nonce, pub = bytes.fromhex(V["nonce_hex"]), bytes.fromhex(V["user_x25519_pubkey_hex"])
    return Session(derive_key(bytes.fromhex(V["node_consensus_io_privkey_hex"]), pub, nonce), nonce, pub)


def test_node_key_is_the_served_tx_key():
    assert base64.b64encode(Enclave().pubkey()).decode() == V["node_consensus_io_pubkey_b64"]
    assert Enclave().pubkey() == consensus_io_pubkey()


def test_key_derivation_matches_the_vector():
    assert _session().key.hex() == V["tx_encryption_key_hex"]


def test_wire_bytes_decrypt_to_the_plaintext_and_check_the_code_hash():
    session, plain = Enclave().open(base64.b64decode(V["wire_bytes_b64"]))
    assert plain.decode() == V["plaintext_utf8"]
    assert session.nonce.hex() == V["nonce_hex"]
    _, msg = Enclave().open_for(base64.b64decode(V["wire_bytes_b64"]), V["code_hash"].upper())
    assert msg.decode() == V["msg_json"]
    with pytest.raises(EnclaveError, match="code hash"):
        Enclave().open_for(base64.b64decode(V["wire_bytes_b64"]), "00" * 32)


def test_tampered_or_short_wire_bytes_are_rejected():
    wire = bytearray(base64.b64decode(V["wire_bytes_b64"]))
    wire[-1] ^= 1
    with pytest.raises(EnclaveError):
        Enclave().open(bytes(wire))
    with pytest.raises(EnclaveError, match="short"):
        Enclave().open(bytes(81))


def test_outputs_match_the_vectors():
    s = _session()
    answer = s.encrypt_binary(V["query_answer_json"].encode())
    assert base64.b64encode(answer).decode() == V["query_response_data_b64"]
    assert s.decrypt(answer).decode() == V["query_answer_plaintext"]
    assert s.error_text(V["error_plaintext"].encode()) == "encrypted: " + V["error_ciphertext_b64"]
    assert s.encrypt_attr(V["wasm_attr_key_plain"]) == V["wasm_attr_key_b64"]
    assert s.encrypt_attr(V["wasm_attr_value_plain"]) == V["wasm_attr_value_b64"]
    data = s.encrypt_binary(V["execute_data_plain_json"].encode())
    assert base64.b64encode(data).decode() == V["execute_data_ciphertext_b64"]


def test_client_side_helper_round_trips_with_secret_sdk():
    from secret_sdk.util.encrypt_utils import EncryptionUtils

    seed = bytes.fromhex(V["user_encryption_seed_hex"])
    wire = encrypt_for_node(Enclave().pubkey(), seed, bytes.fromhex(V["nonce_hex"]), V["plaintext_utf8"].encode())
    assert base64.b64encode(wire).decode() == V["wire_bytes_b64"]
    # secret_sdk's own encryption (random nonce) must open here too
    utils = EncryptionUtils(Enclave().pubkey(), list(seed))
    wire2 = bytes(utils.encrypt(V["code_hash"], V["msg_json"]))
    session, msg = Enclave().open_for(wire2, V["code_hash"])
    assert msg.decode() == V["msg_json"]
    out = session.encrypt_binary(b'{"ok":1}')
    assert base64.b64decode(utils.decrypt(out, list(wire2[:32]))) == b'{"ok":1}'
