"""Key material: BIP39 phrases, BIP44 derivation (m/44'/529'/account'/0/index) and secp256k1 signing.

Derivation goes through secret-sdk's MnemonicKey; its object holds the key in the clear, so it is dropped
as soon as the key bytes are taken. Every input problem is a SecretMCPError that never quotes the input.
"""

from __future__ import annotations

import hashlib
import unicodedata

import attrs
from ecdsa import SECP256k1, SigningKey
from ecdsa.util import sigencode_string_canonize
from mnemonic import Mnemonic

from ..errors import SecretMCPError

SCRT_COIN_TYPE = 529
COSMOS_COIN_TYPE = 118
COIN_TYPES = (SCRT_COIN_TYPE, COSMOS_COIN_TYPE)
PHRASE_LENGTHS = (12, 15, 18, 21, 24)

_BIP39 = Mnemonic("english")


@attrs.frozen(repr=False)
class Derived:
    private_key: bytes
    public_key: bytes  # 33-byte compressed
    address: str

    def __repr__(self) -> str:  # never print key bytes, even in a debugger or traceback
        return f"Derived(address={self.address!r})"


def generate_mnemonic() -> str:
    """A fresh 24-word phrase (256 bits of entropy from the OS CSPRNG)."""
    return _BIP39.generate(256)


def normalize_mnemonic(phrase: str) -> str:
    """Validate a phrase; returns it normalised (NFKD, lower case, single spaces) or raises INVALID_MNEMONIC."""
    words = unicodedata.normalize("NFKD", phrase).lower().split()
    if len(words) not in PHRASE_LENGTHS:
        raise SecretMCPError(
            "INVALID_MNEMONIC",
            f"A recovery phrase has 12, 15, 18, 21 or 24 words; this one has {len(words)}.",
            ["Check that the whole phrase was given, with the words separated by spaces."],
        )
    unknown = [i + 1 for i, w in enumerate(words) if w not in _BIP39.wordlist]
    if unknown:
        raise SecretMCPError(
            "INVALID_MNEMONIC",
            "Word(s) at position " + ", ".join(map(str, unknown)) + " are not in the BIP39 English word list.",
            ["Check the spelling of those words."],
            {"positions": unknown},
        )
    normal = " ".join(words)
    if not _BIP39.check(normal):
        raise SecretMCPError(
            "INVALID_MNEMONIC",
            "The phrase's checksum does not match: a word is wrong or the words are out of order.",
            ["Compare the phrase word by word with the written copy."],
        )
    return normal


def check_path(account: int, index: int, coin_type: int) -> None:
    if coin_type not in COIN_TYPES:
        raise SecretMCPError(
            "INVALID_DERIVATION_PATH", f"coin_type must be 529 (Secret) or 118 (Cosmos), not {coin_type}.", []
        )
    for label, value in (("account", account), ("index", index)):
        if not 0 <= value < 2**31:
            raise SecretMCPError("INVALID_DERIVATION_PATH", f"{label} must be from 0 to 2147483647.", [])


def derive(mnemonic: str, account: int = 0, index: int = 0, coin_type: int = SCRT_COIN_TYPE) -> Derived:
    from secret_sdk.key.mnemonic import MnemonicKey  # heavy import, only when a key is derived

    check_path(account, index, coin_type)
    key = MnemonicKey(mnemonic, account=account, index=index, coin_type=coin_type)
    try:
        return Derived(bytes(key.private_key), bytes(key.public_key.key), key.acc_address)
    finally:
        del key


def sign(private_key: bytes, message: bytes) -> bytes:
    """64-byte r||s signature over SHA-256(message), RFC 6979 deterministic, low-S (as Cosmos requires)."""
    sk = SigningKey.from_string(private_key, curve=SECP256k1)
    return sk.sign_deterministic(message, hashfunc=hashlib.sha256, sigencode=sigencode_string_canonize)
