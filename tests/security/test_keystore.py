"""The keystore: sealed in memory, watch-only wallets, persistence all-or-nothing, the encrypted file store."""

from __future__ import annotations

import json

import pytest

from secret_mcp.errors import SecretMCPError
from secret_mcp.security.keystore import Keystore
from secret_mcp.security.storage import FileStore, Index

from tests.security.test_keys import ADDRESS, MNEMONIC, PRIVKEY

WATCH = "secret1me70k2r7x9r9tp2d8qnj0m5t5vmk5q0elr9dd6"


def file_keystore(tmp_path, passphrase="correct horse"):
    store = FileStore(tmp_path / "keystore", passphrase=lambda: passphrase)
    return Keystore(index=Index(tmp_path / "wallets.json"), stores=lambda _b: store), store


def test_memory_holds_no_plaintext(tmp_path):
    ks = Keystore(index=Index(tmp_path / "w.json"))
    ks.import_mnemonic("main", MNEMONIC)
    dump = repr(vars(ks)) + repr(ks._sealed)
    assert PRIVKEY not in dump and "island" not in dump and bytes.fromhex(PRIVKEY) not in b"".join(ks._sealed["main"])
    assert ks.address("main") == ADDRESS
    assert not (tmp_path / "w.json").exists()  # memory wallets write nothing


def test_sealing_key_is_per_process(tmp_path):
    a, b = Keystore(index=Index(tmp_path / "a")), Keystore(index=Index(tmp_path / "b"))
    a.import_mnemonic("w", MNEMONIC)
    b._sealed["w"] = a._sealed["w"]
    b.wallets["w"] = a.wallets["w"]
    with pytest.raises(Exception):  # another keystore's key cannot open it (AES-GCM tag check)
        b.sign("w", b"x")


def test_watch_only_cannot_sign(tmp_path):
    ks = Keystore(index=Index(tmp_path / "w.json"))
    wallet = ks.add_watch("cold", WATCH.upper())
    assert wallet.address == WATCH and wallet.watch_only
    with pytest.raises(SecretMCPError) as info:
        ks.sign("cold", b"x")
    assert info.value.code == "WATCH_ONLY_WALLET"
    with pytest.raises(SecretMCPError) as bad:
        ks.add_watch("bad", "cosmos1me70k2r7x9r9tp2d8qnj0m5t5vmk5q0elr9dd6")
    assert bad.value.code == "INVALID_ADDRESS" and "bad" not in ks.wallets


@pytest.mark.parametrize(
    ("name", "code"), [("main", "WALLET_EXISTS"), ("", "INVALID_WALLET_NAME"), ("a/b", "INVALID_WALLET_NAME")]
)
def test_bad_names(tmp_path, name, code):
    ks = Keystore(index=Index(tmp_path / "w.json"))
    ks.import_mnemonic("main", MNEMONIC)
    with pytest.raises(SecretMCPError) as info:
        ks.create(name)
    assert info.value.code == code
    assert sorted(ks.wallets) == ["main"]


def test_unknown_wallet(tmp_path):
    ks = Keystore(index=Index(tmp_path / "w.json"))
    with pytest.raises(SecretMCPError) as info:
        ks.sign("nope", b"x")
    assert info.value.code == "UNKNOWN_WALLET"


def test_file_store_round_trip_and_reload(tmp_path):
    ks, _store = file_keystore(tmp_path)
    ks.import_mnemonic("saved", MNEMONIC, backend="file")
    text = (tmp_path / "keystore" / "saved.json").read_text()
    assert "island" not in text and PRIVKEY not in text
    assert (tmp_path / "keystore" / "saved.json").stat().st_mode & 0o777 == 0o600
    assert json.loads((tmp_path / "wallets.json").read_text())["saved"]["address"] == ADDRESS
    # A new process: the wallet is listed from the index, its key loaded on first use.
    fresh, _ = file_keystore(tmp_path)
    assert fresh.load_persisted() == ["saved"]
    assert fresh.export_mnemonic("saved") == MNEMONIC
    fresh.remove("saved")
    assert not (tmp_path / "keystore" / "saved.json").exists() and json.loads((tmp_path / "wallets.json").read_text()) == {}


def test_file_store_wrong_or_missing_passphrase(tmp_path):
    ks, _ = file_keystore(tmp_path)
    ks.import_mnemonic("saved", MNEMONIC, backend="file")
    wrong, _ = file_keystore(tmp_path, passphrase="wrong")
    wrong.load_persisted()
    with pytest.raises(SecretMCPError) as info:
        wrong.sign("saved", b"x")
    assert info.value.code == "KEYSTORE_PASSPHRASE_WRONG"
    none, _ = file_keystore(tmp_path, passphrase="")
    with pytest.raises(SecretMCPError) as missing:
        none.create("other", backend="file")
    assert missing.value.code == "KEYSTORE_PASSPHRASE_MISSING"
    assert "other" not in none.wallets and not (tmp_path / "keystore" / "other.json").exists()


def test_index_failure_leaves_nothing_half_written(tmp_path):
    ks, store = file_keystore(tmp_path)

    class BrokenIndex(Index):
        def put(self, name, meta):
            raise OSError("disk full")

    ks.index = BrokenIndex(tmp_path / "wallets.json")
    with pytest.raises(OSError):
        ks.import_mnemonic("saved", MNEMONIC, backend="file")
    assert "saved" not in ks.wallets and not store.path("saved").exists()


def test_a_scoped_items_value_is_redacted_as_soon_as_it_is_loaded():
    # After a restart the keystore loads the sealed envelope; the kept value inside is fingerprinted right away.
    import json

    from secret_mcp.security.keystore import SCOPED, _register_scoped_value
    from secret_mcp.security.redact import redact

    value = "scoped viewing key loaded from disk 7"
    assert value in redact({"shown": value})["shown"]
    _register_scoped_value(json.dumps({SCOPED: 1, "value": value, "scope": ["preset:mainnet"]}))
    assert value not in str(redact({"shown": value}))
