"""Addresses and signatures as the Secret Network computes them (bech32, secp256k1 with low-S)."""

from __future__ import annotations

import hashlib

import bech32 as _bech32
from ecdsa import BadSignatureError, SECP256k1, VerifyingKey
from ecdsa.util import sigdecode_string

_HALF_N = SECP256k1.order // 2


def bech32_encode(hrp: str, data: bytes) -> str:
    five = _bech32.convertbits(data, 8, 5)
    return _bech32.bech32_encode(hrp, five)


def bech32_decode(addr: str) -> tuple[str, bytes]:
    """Split a bech32 string into (hrp, payload bytes); ValueError on anything malformed."""
    if not isinstance(addr, str) or not addr:
        raise ValueError("empty address string is not allowed")
    hrp, five = _bech32.bech32_decode(addr)
    if hrp is None or five is None:
        raise ValueError(f"decoding bech32 failed: invalid bech32 string {addr!r}")
    data = _bech32.convertbits(five, 5, 8, False)
    if data is None:
        raise ValueError(f"decoding bech32 failed: invalid padding in {addr!r}")
    return hrp, bytes(data)


def ripemd160(data: bytes) -> bytes:
    try:
        return hashlib.new("ripemd160", data).digest()
    except ValueError:  # OpenSSL 3 may hide ripemd160; ecdsa ships a pure-Python one
        from ecdsa._ripemd160 import ripemd160 as _pure

        return _pure(data).digest()


def pubkey_to_address(pub33: bytes, hrp: str = "secret") -> str:
    """RIPEMD160(SHA256(compressed secp256k1 pubkey)) as bech32."""
    return bech32_encode(hrp, ripemd160(hashlib.sha256(pub33).digest()))


def to_valoper(addr: str) -> str:
    return bech32_encode("secretvaloper", bech32_decode(addr)[1])


def from_valoper(valoper: str) -> str:
    return bech32_encode("secret", bech32_decode(valoper)[1])


def module_address(name: str) -> str:
    """The SDK's NewModuleAddress: first 20 bytes of SHA256(module name)."""
    return bech32_encode("secret", hashlib.sha256(name.encode()).digest()[:20])


def valcons_from_ed25519(pub32: bytes) -> str:
    return bech32_encode("secretvalcons", hashlib.sha256(pub32).digest()[:20])


def address_bytes(addr: str) -> bytes:
    return bech32_decode(addr)[1]


def verify_secp256k1(pub33: bytes, message: bytes, signature: bytes) -> bool:
    """True iff `signature` (64-byte r||s, low-S as the SDK demands) signs SHA256(message) under pub33."""
    if len(signature) != 64 or len(pub33) != 33:
        return False
    s = int.from_bytes(signature[32:], "big")
    if s > _HALF_N or s == 0:
        return False
    try:
        key = VerifyingKey.from_string(pub33, curve=SECP256k1)
        return key.verify(signature, message, hashfunc=hashlib.sha256, sigdecode=sigdecode_string)
    except (BadSignatureError, ValueError, AssertionError):
        return False
