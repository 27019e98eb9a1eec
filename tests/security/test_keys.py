"""Key derivation vectors, phrase validation and signatures (checked with an independent library)."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from secret_mcp.errors import SecretMCPError
from secret_mcp.security import keys
from secret_mcp.security.keystore import Keystore
from secret_mcp.security.storage import Index

# secret-sdk's own test vector.
MNEMONIC = ("island relax shop such yellow opinion find know caught erode blue dolphin behind coach tattoo "
            "light focus snake common size analyst imitate employ walnut")
PRIVKEY = "f759e3b7af33939d062c4cebbdc1c54337aa67d1d858385a64de6753e9c82491"
ADDRESS = "secret1me70k2r7x9r9tp2d8qnj0m5t5vmk5q0elr9dd6"
# secp256k1 group order: a low-S signature has s <= N/2.
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def verify(public_key: bytes, message: bytes, signature: bytes) -> None:
    pub = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), public_key)
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    pub.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA256()))


def test_derivation_vector():
    derived = keys.derive(MNEMONIC)
    assert derived.private_key.hex() == PRIVKEY
    assert derived.address == ADDRESS
    assert len(derived.public_key) == 33 and derived.public_key[0] in (2, 3)
    assert PRIVKEY not in repr(derived)


def test_path_options_change_the_key():
    base = keys.derive(MNEMONIC).address
    others = {keys.derive(MNEMONIC, account=1).address, keys.derive(MNEMONIC, index=1).address,
              keys.derive(MNEMONIC, coin_type=118).address}
    assert len(others) == 3 and base not in others
    with pytest.raises(SecretMCPError) as info:
        keys.derive(MNEMONIC, coin_type=60)
    assert info.value.code == "INVALID_DERIVATION_PATH"


def test_generated_phrase_is_24_valid_words():
    phrase = keys.generate_mnemonic()
    assert len(phrase.split()) == 24
    assert keys.normalize_mnemonic(phrase) == phrase
    assert keys.generate_mnemonic() != phrase


def test_phrase_is_normalised():
    assert keys.normalize_mnemonic("  " + MNEMONIC.upper().replace(" ", "   ") + "\n") == MNEMONIC


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        (" ".join(MNEMONIC.split()[:23]), "has 23"),
        (MNEMONIC.replace("island", "islandx"), "position 1 "),
        (MNEMONIC.replace("walnut", "zoo"), "checksum"),
        ("", "has 0"),
    ],
    ids=["wrong-length", "unknown-word", "bad-checksum", "empty"],
)
def test_bad_phrases_are_clear_errors(phrase, message):
    with pytest.raises(SecretMCPError) as info:
        keys.normalize_mnemonic(phrase)
    assert info.value.code == "INVALID_MNEMONIC"
    assert message in info.value.message
    assert "island" not in info.value.message  # the words themselves are never echoed


def test_keystore_signature_verifies_and_is_low_s(tmp_path):
    ks = Keystore(index=Index(tmp_path / "w.json"))
    ks.import_mnemonic("main", MNEMONIC)
    message = b"sign doc bytes"
    signature = ks.sign("main", message)
    public_key = ks.public_key("main")
    assert len(signature) == 64 and public_key == keys.derive(MNEMONIC).public_key
    verify(public_key, message, signature)
    assert int.from_bytes(signature[32:], "big") <= N // 2
    with pytest.raises(InvalidSignature):
        verify(public_key, b"another doc", signature)


def test_low_s_holds_over_many_messages():
    # About half of raw ECDSA signatures are high-S; 40 messages would catch a missing normalisation.
    private_key = bytes.fromhex(PRIVKEY)
    for i in range(40):
        sig = keys.sign(private_key, hashlib.sha256(str(i).encode()).digest())
        assert int.from_bytes(sig[32:], "big") <= N // 2
