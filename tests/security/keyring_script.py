"""Run inside a private D-Bus session with gnome-keyring (see test_keyring.py); prints OK when all passed."""

from __future__ import annotations

import sys

import keyring

from secret_mcp.security.keystore import Keystore
from secret_mcp.security.storage import SERVICE, KeyringStore

MNEMONIC, ADDRESS = sys.argv[1], sys.argv[2]

assert "SecretService" in type(keyring.get_keyring()).__module__, keyring.get_keyring()
first = Keystore()
first.import_mnemonic("kr", MNEMONIC, backend="keyring")
assert keyring.get_password(SERVICE, "kr") == MNEMONIC  # stored in the Secret Service itself
assert first.put_secret("kr", "viewing_key", "secret-4/secret1tok/addr", "vk in the keyring") == "keyring"
assert "vk in the keyring" in keyring.get_password(SERVICE, "kr/secrets")  # the wallet's other secrets, one entry

second = Keystore()  # a new process would do the same: index lists it, the keyring holds the phrase
assert second.load_persisted() == ["kr"]
assert second.address("kr") == ADDRESS and len(second.sign("kr", b"doc")) == 64
assert second.get_secret("kr", "viewing_key", "secret-4/secret1tok/addr") == "vk in the keyring"
second.remove("kr")
assert keyring.get_password(SERVICE, "kr") is None and keyring.get_password(SERVICE, "kr/secrets") is None
KeyringStore().delete("kr")  # deleting twice is fine
print("OK")
