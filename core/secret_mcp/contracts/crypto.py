"""Client-side contract encryption (docs/protocol-notes.md#contract-encryption): X25519 + HKDF-SHA256 + AES-128-SIV with one empty AD."""

from __future__ import annotations

import json
import os
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# The Bitcoin halving block hash: the enclave's fixed HKDF salt.
SALT = bytes.fromhex("000000000000000000024bead8df69990852c202db0e0097c1a12ea637d7e96d")
AD = [b""]  # exactly one empty associated-data item; zero items would give a different tag


def _raw(pub: X25519PublicKey) -> bytes:
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def normalize_hash(code_hash: str) -> str:
    return code_hash.lower().removeprefix("0x")


class Cipher:
    """Encrypts messages for one chain (its consensus IO key) with one client seed; decrypts the answers."""

    def __init__(self, seed: bytes, consensus_pub: bytes) -> None:
        if len(seed) != 32 or len(consensus_pub) != 32:
            raise ValueError("seed and consensus key must be 32 bytes")
        self._priv = X25519PrivateKey.from_private_bytes(seed)
        self.public = _raw(self._priv.public_key())
        self._shared = self._priv.exchange(X25519PublicKey.from_public_bytes(consensus_pub))

    def tx_key(self, nonce: bytes) -> bytes:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=SALT, info=b"")
        return hkdf.derive(self._shared + nonce)

    def encrypt(self, code_hash: str, msg: Any, nonce: bytes | None = None) -> bytes:
        """Wire bytes nonce ‖ client pubkey ‖ SIV(code hash ‖ compact JSON)."""
        nonce = nonce if nonce is not None else os.urandom(32)
        text = msg if isinstance(msg, str) else json.dumps(msg, separators=(",", ":"))
        plain = normalize_hash(code_hash).encode() + text.encode()
        return nonce + self.public + AESSIV(self.tx_key(nonce)).encrypt(plain, AD)

    def decrypt(self, nonce: bytes, ciphertext: bytes) -> bytes:
        return AESSIV(self.tx_key(nonce)).decrypt(ciphertext, AD)


def nonce_of(wire: bytes) -> bytes:
    return wire[:32]
