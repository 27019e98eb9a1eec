"""Where persisted wallets live: the OS keyring, or an encrypted file (scrypt + AES-256-GCM).

The recovery phrase is stored (the path parameters and address sit in the metadata index,
`data_dir()/wallets.json`, which holds no secret); watch-only wallets live in the index alone. Next to a
wallet's phrase, in the same backend, sits one more sealed entry: the wallet's other secrets (token viewing
keys, signed query permits) as one JSON object, written by `Keystore.put_secret`.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ..errors import SecretMCPError
from ..paths import data_dir, open_private, write_private

try:
    import fcntl
except ImportError:  # Windows: no flock; the exclusive file create below still keeps file entries apart
    fcntl = None  # type: ignore[assignment]

SERVICE = "secret-mcp"
PASSPHRASE_ENV = "SECRET_MCP_KEYSTORE_PASSPHRASE"
SECRETS_SUFFIX = "/secrets"  # the keyring user / AES-GCM associated data of a wallet's other secrets
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1  # ~32 MiB, ~0.1 s: slows guessing of a stolen file

NO_KEYRING = [
    "On a desktop, unlock your login keyring; on a headless Linux box install one: "
    "`apt-get install gnome-keyring dbus dbus-x11` and run the server under "
    "`dbus-run-session -- sh -c 'echo PASSWORD | gnome-keyring-daemon --unlock --components=secrets; secret-mcp serve'`.",
    f"Or keep the wallet in the encrypted file keystore instead: backend='file', with the passphrase in "
    f"{PASSPHRASE_ENV} (or `secret-mcp wallet import NAME --backend file`, which asks for it on the terminal).",
]


def _write_private(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write atomically with mode 0600 (readable by this user only); a crash leaves the old file intact."""
    write_private(path, text, exclusive=exclusive)


def _exists(name: str) -> SecretMCPError:
    return SecretMCPError(
        "WALLET_EXISTS", f"A wallet named {name!r} already exists on this machine.",
        ["Choose another name. (Another secret-mcp process or the terminal command may have created it; "
         "this server lists it after a restart.)", "Or remove the existing wallet first."],
    )


class Index:
    """Metadata of persisted wallets (no secrets): name -> {address, kind, backend, account, index, coin_type}.

    Writers hold an exclusive file lock (`locked`) from reading to writing, so processes sharing a home never
    lose each other's entries, and a creator can check a name is free and take it in one step.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / "wallets.json"
        self._lock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the index's lock file (`wallets.json.lock`) exclusively; re-entrant within this object."""
        with self._lock:
            if self._depth == 0:
                self._fd = open_private(self.path.with_name(self.path.name + ".lock"), os.O_RDWR)
                if fcntl is not None:
                    fcntl.flock(self._fd, fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    os.close(self._fd)  # closing releases the flock
                    self._fd = None

    def load(self) -> dict[str, dict[str, Any]]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def put(self, name: str, meta: dict[str, Any]) -> None:
        with self.locked():
            data = self.load()
            data[name] = meta
            _write_private(self.path, json.dumps(data, indent=2, sort_keys=True))

    def drop(self, name: str) -> None:
        with self.locked():
            data = self.load()
            if data.pop(name, None) is not None:
                _write_private(self.path, json.dumps(data, indent=2, sort_keys=True))


class KeyringStore:
    """The OS keyring (Secret Service, macOS Keychain, Windows Credential Locker) via `keyring`."""

    name = "keyring"

    def _backend(self) -> Any:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        usable = [b for b in getattr(backend, "backends", [backend]) if not isinstance(b, fail.Keyring)]
        if isinstance(backend, fail.Keyring) or not usable:
            raise SecretMCPError("KEYRING_UNAVAILABLE", "No OS keyring is available to this server.", NO_KEYRING)
        return keyring

    def _call(self, fn: Callable[[], Any]) -> Any:
        from keyring.errors import KeyringError

        try:
            return fn()
        except KeyringError as exc:
            raise SecretMCPError(
                "KEYRING_UNAVAILABLE", f"The OS keyring refused the request ({type(exc).__name__}).", NO_KEYRING
            ) from None

    def save(self, name: str, mnemonic: str, *, exclusive: bool = False) -> None:
        """exclusive: refuse if the entry exists (the caller holds the index lock, so no other creator of
        secret-mcp can slip in between the check and the write)."""
        kr = self._backend()
        if exclusive and self.exists(name):
            raise _exists(name)
        self._call(lambda: kr.set_password(SERVICE, name, mnemonic))

    def exists(self, name: str) -> bool:
        return self._get(name) is not None

    def load(self, name: str) -> str:
        value = self._get(name)
        if value is None:
            raise SecretMCPError(
                "WALLET_SECRET_MISSING", f"The OS keyring has no entry for wallet {name!r}.",
                ["Import the wallet again, or remove it with secret_remove_wallet."],
            )
        return value

    def _get(self, username: str) -> str | None:
        kr = self._backend()
        return self._call(lambda: kr.get_password(SERVICE, username))

    def delete(self, name: str) -> None:
        from keyring.errors import PasswordDeleteError

        kr = self._backend()

        def delete() -> None:
            try:
                kr.delete_password(SERVICE, name)
            except PasswordDeleteError:
                pass  # already gone: removing is idempotent (checked before _call turns errors into ours)

        self._call(delete)

    # A wallet's other secrets: one entry, user "<name>/secrets" (a wallet name never contains "/").

    def save_secrets(self, name: str, items: dict[str, str]) -> None:
        kr = self._backend()
        self._call(lambda: kr.set_password(SERVICE, name + SECRETS_SUFFIX, json.dumps(items)))

    def load_secrets(self, name: str) -> dict[str, str]:
        value = self._get(name + SECRETS_SUFFIX)
        return json.loads(value) if value else {}

    def delete_secrets(self, name: str) -> None:
        self.delete(name + SECRETS_SUFFIX)


class FileStore:
    """One JSON file per wallet under `data_dir()/keystore/`, the phrase sealed with a passphrase."""

    name = "file"

    def __init__(self, directory: Path | None = None, passphrase: Callable[[], str | None] | None = None) -> None:
        self.dir = directory or data_dir() / "keystore"
        self._passphrase = passphrase or (lambda: os.environ.get(PASSPHRASE_ENV))

    def _key(self, salt: bytes) -> bytes:
        passphrase = self._passphrase()
        if not passphrase:
            raise SecretMCPError(
                "KEYSTORE_PASSPHRASE_MISSING",
                "The encrypted file keystore needs a passphrase, and none was given.",
                [f"Set {PASSPHRASE_ENV} in the server's environment (never in the conversation).",
                 "Or use the OS keyring (backend='keyring')."],
            )
        return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase.encode())

    def path(self, name: str) -> Path:
        return self.dir / f"{name}.json"

    def secrets_path(self, name: str) -> Path:
        return self.dir / "secrets" / f"{name}.json"  # a subfolder: no clash with a wallet named "<name>.x"

    def _seal_to(self, path: Path, text: str, aad: str, *, exclusive: bool = False) -> None:
        salt, nonce = secrets.token_bytes(16), secrets.token_bytes(12)
        sealed = AESGCM(self._key(salt)).encrypt(nonce, text.encode(), aad.encode())
        body = {"version": 1, "kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P}
        body |= {k: base64.b64encode(v).decode() for k, v in (("salt", salt), ("nonce", nonce), ("ciphertext", sealed))}
        _write_private(path, json.dumps(body), exclusive=exclusive)

    def _open_from(self, path: Path, aad: str) -> str | None:
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        raw = {k: base64.b64decode(body[k]) for k in ("salt", "nonce", "ciphertext")}
        try:
            return AESGCM(self._key(raw["salt"])).decrypt(raw["nonce"], raw["ciphertext"], aad.encode()).decode()
        except InvalidTag:
            raise SecretMCPError(
                "KEYSTORE_PASSPHRASE_WRONG", "The keystore passphrase is wrong (or the file was altered).", []
            ) from None

    def save(self, name: str, mnemonic: str, *, exclusive: bool = False) -> None:
        """exclusive: the entry file is created only if absent, atomically (WALLET_EXISTS otherwise)."""
        try:
            self._seal_to(self.path(name), mnemonic, name, exclusive=exclusive)
        except FileExistsError:
            raise _exists(name) from None

    def exists(self, name: str) -> bool:
        return self.path(name).exists()

    def load(self, name: str) -> str:
        phrase = self._open_from(self.path(name), name)
        if phrase is None:
            raise SecretMCPError("WALLET_SECRET_MISSING", f"No keystore file for wallet {name!r}.", [])
        return phrase

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def save_secrets(self, name: str, items: dict[str, str]) -> None:
        self._seal_to(self.secrets_path(name), json.dumps(items), name + SECRETS_SUFFIX)

    def load_secrets(self, name: str) -> dict[str, str]:
        text = self._open_from(self.secrets_path(name), name + SECRETS_SUFFIX)
        return json.loads(text) if text else {}

    def delete_secrets(self, name: str) -> None:
        self.secrets_path(name).unlink(missing_ok=True)


def store_for(backend: str) -> KeyringStore | FileStore:
    return KeyringStore() if backend == "keyring" else FileStore()
