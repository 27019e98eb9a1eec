"""Addresses of the sandbox's genesis contracts, derived the way x/compute derives them (no chain lookup)."""

from __future__ import annotations

import hashlib

import bech32


def _raw(address: str) -> bytes:
    return bytes(bech32.convertbits(bech32.bech32_decode(address)[1], 5, 8, False))


def contract_address(code_id: int, instance: int, creator: str) -> str:
    seed = ((code_id << 32) + instance).to_bytes(8, "big") + _raw(creator)
    digest = hashlib.new("ripemd160", hashlib.sha256(seed).digest()).digest()
    return bech32.bech32_encode("secret", bech32.convertbits(digest, 8, 5))


GENESIS_A = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"
TOKEN = contract_address(1, 1, GENESIS_A)  # "Sandbox Secret" SNIP-20, first contract of code 1
COUNTER = contract_address(2, 2, GENESIS_A)  # the genesis counter
