"""The sandbox "enclave": Secret contract message encryption exactly as docs/protocol-notes.md#contract-encryption.

Wire bytes = nonce(32) ‖ client X25519 pubkey(32) ‖ AES-128-SIV output (tag ‖ ciphertext).
tx_key = HKDF-SHA256(X25519(node_priv, client_pub) ‖ nonce, salt = halving block hash, info = "", L = 32).
Every output of a message is encrypted with that message's tx_key (one empty associated-data item).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Bitcoin halving block hash, the enclave's HKDF salt (cosmwasm/enclaves/shared/crypto/src/kdf.rs).
HKDF_SALT = bytes.fromhex("000000000000000000024bead8df69990852c202db0e0097c1a12ea637d7e96d")
# The sandbox consensus IO key (docs/protocol-notes.md#test-vectors); its public half is what /registration/v1beta1/tx-key serves.
NODE_PRIVKEY = hashlib.sha256(b"sandbox consensus io key").digest()
MIN_WIRE_LEN = 82  # the enclave rejects anything shorter (types.rs)
_AD = [b""]  # exactly one empty AD item; zero items would give another tag


class EnclaveError(Exception):
    """A plaintext failure before the contract runs (bad ciphertext, wrong code hash)."""


def derive_key(node_priv: bytes, client_pub: bytes, nonce: bytes) -> bytes:
    shared = X25519PrivateKey.from_private_bytes(node_priv).exchange(X25519PublicKey.from_public_bytes(client_pub))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=b"").derive(shared + nonce)


class Session:
    """The keys of one encrypted input; encrypts everything that input's execution returns."""

    def __init__(self, key: bytes, nonce: bytes, client_pub: bytes) -> None:
        self.key, self.nonce, self.client_pub = key, nonce, client_pub
        self._siv = AESSIV(key)

    def encrypt(self, plaintext: bytes) -> bytes:
        return self._siv.encrypt(plaintext, _AD)

    def decrypt(self, ciphertext: bytes) -> bytes:
        return self._siv.decrypt(ciphertext, _AD)

    def encrypt_binary(self, data: bytes) -> bytes:
        """Query answers and execute/instantiate data: the base64 text of the Binary is what gets encrypted."""
        return self.encrypt(base64.b64encode(data))

    def encrypt_attr(self, text: str) -> str:
        """One wasm event attribute key or value: encrypted from its UTF-8 text, then base64."""
        return base64.b64encode(self.encrypt(text.encode())).decode()

    def error_text(self, err_json: bytes) -> str:
        """A contract error as Go renders it: `encrypted: <b64 of the encrypted error JSON>`."""
        return "encrypted: " + base64.b64encode(self.encrypt(err_json)).decode()


class Enclave:
    def __init__(self, node_priv: bytes = NODE_PRIVKEY) -> None:
        self.node_priv = node_priv

    def pubkey(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        return X25519PrivateKey.from_private_bytes(self.node_priv).public_key().public_bytes(
            Encoding.Raw, PublicFormat.Raw)

    def open(self, wire: bytes) -> tuple[Session, bytes]:
        """Split and decrypt wire bytes -> (session, plaintext = code hash text ‖ message)."""
        if len(wire) < MIN_WIRE_LEN:
            raise EnclaveError("failed to decrypt data: ciphertext too short")
        nonce, client_pub, siv = wire[:32], wire[32:64], wire[64:]
        try:
            session = Session(derive_key(self.node_priv, client_pub, nonce), nonce, client_pub)
            return session, session.decrypt(siv)
        except (InvalidTag, ValueError):
            raise EnclaveError("failed to decrypt data") from None

    def open_for(self, wire: bytes, code_hash: str) -> tuple[Session, bytes]:
        """Decrypt and check the 64-char code hash prefix (hex, case-insensitive); returns (session, msg bytes)."""
        session, plain = self.open(wire)
        prefix = plain[:64].decode("ascii", "replace").lower()
        if prefix != code_hash.lower():
            raise EnclaveError("failed to validate transaction: code hash mismatch")
        return session, plain[64:]


def encrypt_for_node(node_pub: bytes, client_seed: bytes, nonce: bytes, plaintext: bytes) -> bytes:
    """Client side (tests and tools): wire bytes for `plaintext` under the given seed and nonce."""
    priv = X25519PrivateKey.from_private_bytes(client_seed)
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    client_pub = priv.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = priv.exchange(X25519PublicKey.from_public_bytes(node_pub))
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=b"").derive(shared + nonce)
    return nonce + client_pub + AESSIV(key).encrypt(plaintext, _AD)


class ClientCrypto:
    """What a wallet does (secretjs/secret-sdk EncryptionUtils): encrypt inputs, decrypt the chain's outputs."""

    def __init__(self, seed: bytes, node_pub: bytes | None = None) -> None:
        self.seed = seed
        self.node_pub = node_pub if node_pub is not None else Enclave().pubkey()

    def encrypt(self, code_hash: str, msg: dict | str, nonce: bytes | None = None) -> bytes:
        import json
        import os

        text = msg if isinstance(msg, str) else json.dumps(msg, separators=(",", ":"))
        return encrypt_for_node(self.node_pub, self.seed, nonce or os.urandom(32), (code_hash + text).encode())

    def session(self, wire: bytes) -> Session:
        """The session of an input we encrypted (nonce = first 32 bytes)."""
        priv = X25519PrivateKey.from_private_bytes(self.seed)
        shared = priv.exchange(X25519PublicKey.from_public_bytes(self.node_pub))
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=b"").derive(shared + wire[:32])
        return Session(key, wire[:32], wire[32:64])
