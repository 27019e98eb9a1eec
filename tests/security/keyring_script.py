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

second = Keystore()  # a new process would do the same: index lists it, the keyring holds the phrase
assert second.load_persisted() == ["kr"]
assert second.address("kr") == ADDRESS and len(second.sign("kr", b"doc")) == 64
second.remove("kr")
assert keyring.get_password(SERVICE, "kr") is None
KeyringStore().delete("kr")  # deleting twice is fine
print("OK")
