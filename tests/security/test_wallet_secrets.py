"""A wallet's other secrets (viewing keys, permits): kept in the wallet's backend, sealed, dropped with the wallet."""

from __future__ import annotations

import logging

import pytest

from secret_mcp.errors import SecretMCPError
from secret_mcp.security.keystore import Keystore
from secret_mcp.security.redact import REDACTED, redact, redact_text
from secret_mcp.security.storage import FileStore, Index

from tests.security.test_keys import MNEMONIC
from tests.security.test_keystore import file_keystore

KEY = "a hand-made viewing key 7"


def test_memory_wallet_secrets_are_sealed_and_dropped(tmp_path):
    ks = Keystore(index=Index(tmp_path / "w.json"))
    ks.import_mnemonic("w", MNEMONIC)
    assert ks.get_secret("w", "viewing_key", "chain/tok") is None
    assert ks.put_secret("w", "viewing_key", "chain/tok", KEY) == "memory"
    assert ks.get_secret("w", "viewing_key", "chain/tok") == KEY
    assert ks.get_secret("w", "viewing_key", "chain/other") is None and ks.get_secret("w", "permit", "chain/tok") is None
    assert KEY.encode() not in b"".join(b"".join(pair) for pair in ks._others["w"].values())
    assert ks.secret_ids("w", "viewing_key") == ["chain/tok"]
    assert ks.forget_secret("w", "viewing_key", "chain/tok") and not ks.forget_secret("w", "viewing_key", "chain/tok")
    ks.put_secret("w", "viewing_key", "chain/tok", KEY)
    ks.remove("w")
    ks.import_mnemonic("w", MNEMONIC)  # same name and address again: nothing of the old wallet comes back
    assert ks.get_secret("w", "viewing_key", "chain/tok") is None
    assert not (tmp_path / "w.json").exists()  # memory wallets write nothing
    with pytest.raises(ValueError):
        ks.put_secret("w", "Bad Kind", "x", "v")


def test_file_wallet_secrets_survive_a_new_process_and_go_with_the_wallet(tmp_path):
    ks, store = file_keystore(tmp_path)
    ks.import_mnemonic("saved", MNEMONIC, backend="file")
    assert ks.put_secret("saved", "viewing_key", "c/t/a", KEY) == "file"
    ks.put_secret("saved", "permit", "c/a/p1", '{"signature": "sig"}')
    path = store.secrets_path("saved")
    text = path.read_text()
    assert "hand-made" not in text and "sig" not in text and path.stat().st_mode & 0o777 == 0o600
    fresh, _ = file_keystore(tmp_path)  # a new process: same files, new in-memory sealing key
    fresh.load_persisted()
    assert fresh.get_secret("saved", "viewing_key", "c/t/a") == KEY
    assert fresh.get_secret("saved", "permit", "c/a/p1") == '{"signature": "sig"}'
    wrong, _ = file_keystore(tmp_path, passphrase="wrong")
    wrong.load_persisted()
    with pytest.raises(SecretMCPError) as info:
        wrong.get_secret("saved", "viewing_key", "c/t/a")
    assert info.value.code == "KEYSTORE_PASSPHRASE_WRONG"
    assert fresh.forget_secret("saved", "permit", "c/a/p1")
    again, _ = file_keystore(tmp_path)
    again.load_persisted()
    assert again.secret_ids("saved", "permit") == [] and again.secret_ids("saved", "viewing_key") == ["c/t/a"]
    again.remove("saved")
    assert not path.exists() and not store.path("saved").exists()


def test_a_secrets_file_is_bound_to_its_wallet(tmp_path):
    ks, store = file_keystore(tmp_path)
    ks.import_mnemonic("a", MNEMONIC, backend="file")
    ks.import_mnemonic("b", MNEMONIC, backend="file")
    ks.put_secret("a", "viewing_key", "x", KEY)
    store.secrets_path("b").write_bytes(store.secrets_path("a").read_bytes())  # copied under another name
    fresh, _ = file_keystore(tmp_path)
    fresh.load_persisted()
    with pytest.raises(SecretMCPError) as info:
        fresh.get_secret("b", "viewing_key", "x")
    assert info.value.code == "KEYSTORE_PASSPHRASE_WRONG"  # AES-GCM associated data names the wallet


def test_unwritable_backend_keeps_the_secret_in_memory_and_says_so(tmp_path, caplog):
    ks, _store = file_keystore(tmp_path)
    ks.import_mnemonic("saved", MNEMONIC, backend="file")
    broken = FileStore(tmp_path / "keystore", passphrase=lambda: None)
    ks._stores = lambda _b: broken
    caplog.set_level(logging.WARNING)
    assert ks.put_secret("saved", "viewing_key", "x", KEY) == "memory"
    assert ks.get_secret("saved", "viewing_key", "x") == KEY
    assert "KEYSTORE_PASSPHRASE_MISSING" in caplog.text and "hand-made" not in caplog.text


def test_kept_secrets_are_redacted_wherever_they_are_quoted(tmp_path):
    ks = Keystore(index=Index(tmp_path / "w.json"))
    ks.import_mnemonic("w", MNEMONIC)
    ks.put_secret("w", "viewing_key", "x", KEY)
    out = redact_text(f"balance with key '{KEY}' and {{\"k\": \"{KEY}\"}}")
    assert "hand-made" not in out and out.count(REDACTED) == 2
    assert redact({"anything": KEY, "list": [KEY]}) == {"anything": REDACTED, "list": [REDACTED]}
    ks.put_secret("w", "viewing_key", "short", "k")  # too short to fingerprint: "k" would mask everything
    assert redact_text('{"k": 1}') == '{"k": 1}'


def test_viewing_keys_are_redacted_by_label_in_calls_and_audit_summaries():
    summary = 'secret_token_set_viewing_key {"key":"my own key","token":"secret1xyz"}'
    request = '{"name":"secret_token_set_viewing_key","arguments":{"token":"secret1xyz","key":"my own key"}}'
    nested = '{\\"name\\":\\"secret_token_set_viewing_key\\",\\"arguments\\":{\\"key\\":\\"my own key\\"}}'
    python = "call({'token': 'secret1xyz', 'viewing_key': 'my own key'})"
    for text in (summary, request, nested, python):
        out = redact_text(text)
        assert "my own key" not in out and REDACTED in out and ("secret1xyz" in out) == ("secret1xyz" in text)
    assert redact({"viewing_key": "my own key", "set_viewing_key": {"key": "my own key"}}) == {
        "viewing_key": REDACTED, "set_viewing_key": {"key": REDACTED}}
    # Names of tools alone are left alone.
    assert redact_text('"tool": "secret_token_create_viewing_key"') == '"tool": "secret_token_create_viewing_key"'
