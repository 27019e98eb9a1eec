"""The keystore: wallets by name, their keys sealed in memory, signing on request.

In memory every secret (private key, recovery phrase) is sealed with AES-256-GCM under a key made fresh
for this process; it is opened only inside `sign` / `export_mnemonic` and the plaintext reference is dropped
right after (Python cannot wipe immutable bytes; sealing keeps secrets out of casual dumps and reprs).
Persisted wallets (keyring / encrypted file) are listed from the index and their phrase loaded on first use.

A wallet's other secrets (a pack's per-wallet items such as token viewing keys and signed query permits) go
through `put_secret` / `get_secret` / `forget_secret`: kept where the wallet's phrase is kept (OS keyring,
encrypted file, or sealed in memory for session-only wallets), loaded on first use, and dropped with the wallet.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from typing import Any, Callable, Literal

import attrs
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..addresses import validate_address
from ..errors import SecretMCPError
from . import keys, redact
from .storage import FileStore, Index, KeyringStore, store_for

Backend = Literal["memory", "keyring", "file"]
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
KIND_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
SCOPED = "secret_mcp_scoped"  # marks a scoped item's envelope
MIN_REDACTED_SECRET = 8  # shorter items are not fingerprinted: "k" would mask every quoted "k" in output
log = logging.getLogger(__name__)


@attrs.frozen
class Wallet:
    """What the session holds for a wallet: public facts only."""

    name: str
    address: str
    kind: Literal["key", "watch", "wallet"]  # wallet: the key stays in the person's own wallet app
    backend: Backend
    account: int = 0
    index: int = 0
    coin_type: int = keys.SCRT_COIN_TYPE

    @property
    def watch_only(self) -> bool:
        return self.kind == "watch"

    @property
    def signs_elsewhere(self) -> bool:
        """The person's wallet app (Keplr, Leap, secretcli, a Ledger) signs: this server holds no key for it."""
        return self.kind == "wallet"

    def meta(self) -> dict[str, Any]:
        return attrs.asdict(self)


class Keystore:
    def __init__(
        self,
        wallets: dict[str, Any] | None = None,
        *,
        index: Index | None = None,
        stores: Callable[[str], KeyringStore | FileStore] = store_for,
    ) -> None:
        self.wallets: dict[str, Any] = {} if wallets is None else wallets  # the session's dict, shared
        self.index = index or Index()
        self._stores = stores
        self._aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self._sealed: dict[str, tuple[bytes, bytes]] = {}
        # wallet name -> "kind|key_id" -> (nonce, ciphertext); a name is present once its store was read
        self._others: dict[str, dict[str, tuple[bytes, bytes]]] = {}

    # -- sealing -----------------------------------------------------------------------------------------

    def _seal(self, name: str, mnemonic: str, private_key: bytes) -> None:
        plain = json.dumps({"m": mnemonic, "k": private_key.hex()}).encode()
        nonce = secrets.token_bytes(12)
        self._sealed[name] = (nonce, self._aead.encrypt(nonce, plain, name.encode()))

    def _open(self, name: str) -> dict[str, str]:
        wallet = self.get(name)
        if wallet.watch_only:
            raise SecretMCPError(
                "WATCH_ONLY_WALLET", f"Wallet {name!r} is watch-only: it has an address but no key.",
                ["Import the wallet's recovery phrase on the terminal (`secret-mcp wallet import NAME`) to sign."],
            )
        if wallet.signs_elsewhere:
            raise SecretMCPError(
                "WALLET_SIGNS_ELSEWHERE", f"Wallet {name!r} signs in the person's own wallet: this server has no key.",
                ["Its transactions are signed on the signing page or with secret_submit_signed_transaction."],
            )
        if name not in self._sealed:
            self._load_persisted_secret(wallet)
        nonce, sealed = self._sealed[name]
        return json.loads(self._aead.decrypt(nonce, sealed, name.encode()))

    def _load_persisted_secret(self, wallet: Wallet) -> None:
        if wallet.backend == "memory":
            raise SecretMCPError("WALLET_SECRET_MISSING", f"Wallet {wallet.name!r} has no key in memory.", [])
        mnemonic = self._stores(wallet.backend).load(wallet.name)
        derived = keys.derive(mnemonic, wallet.account, wallet.index, wallet.coin_type)
        if derived.address != wallet.address:
            raise SecretMCPError(
                "WALLET_SECRET_MISMATCH", f"The stored phrase of {wallet.name!r} does not derive its address.", []
            )
        redact.register_secret(derived.private_key.hex())
        redact.register_phrase(mnemonic)
        self._seal(wallet.name, mnemonic, derived.private_key)

    # -- wallets -----------------------------------------------------------------------------------------

    def load_persisted(self) -> list[str]:
        """Add every wallet listed in the index (secrets stay where they are until first use)."""
        added = []
        for name, meta in sorted(self.index.load().items()):
            if name not in self.wallets:
                self.wallets[name] = Wallet(**meta)
                added.append(name)
        return added

    def get(self, name: str) -> Wallet:
        wallet = self.wallets.get(name)
        if wallet is None:
            raise SecretMCPError(
                "UNKNOWN_WALLET", f"There is no wallet named {name!r}.",
                ["List wallets with secret_list_wallets."], {"known": sorted(self.wallets)},
            )
        return wallet

    def _check_new_name(self, name: str) -> None:
        if not NAME_RE.match(name or ""):
            raise SecretMCPError(
                "INVALID_WALLET_NAME",
                "A wallet name has 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.", [],
            )
        if name in self.wallets:
            raise SecretMCPError(
                "WALLET_EXISTS", f"A wallet named {name!r} already exists.",
                ["Choose another name, or remove the existing wallet first."],
            )

    def _add(self, wallet: Wallet, mnemonic: str | None, private_key: bytes | None) -> Wallet:
        """Persist first (undoing the secret if the index write fails), then add to memory: all or nothing."""
        if wallet.backend != "memory":
            store = self._stores(wallet.backend) if mnemonic is not None else None
            # Other processes may share this home: under the index lock, the name must be free in the index
            # (re-read now) and in the stores, and the phrase is written only where no entry exists.
            with self.index.locked():
                self._check_free_on_disk(wallet.name, store)
                if store is not None:
                    store.save(wallet.name, mnemonic, exclusive=True)
                try:
                    self.index.put(wallet.name, wallet.meta())
                except Exception:
                    if store is not None:
                        store.delete(wallet.name)
                    raise
        if mnemonic is not None and private_key is not None:
            redact.register_secret(private_key.hex())
            redact.register_phrase(mnemonic)  # its fragments too: "the last six words are ..." is still a leak
            self._seal(wallet.name, mnemonic, private_key)
        self.wallets[wallet.name] = wallet
        return wallet

    def _check_free_on_disk(self, name: str, store: KeyringStore | FileStore | None) -> None:
        if name in self.index.load():
            raise SecretMCPError(
                "WALLET_EXISTS", f"A wallet named {name!r} already exists on this machine.",
                ["Choose another name. (Another secret-mcp process or the terminal command created it; this "
                 "server lists it after a restart.)", "Or remove the existing wallet first."],
            )
        # The keyring is asked only for keyring wallets (asking may prompt to unlock it); the file store always
        # (a file check): a phrase left there without an index line is still somebody's phrase.
        for other in {id(s): s for s in (store, self._stores("file")) if s is not None}.values():
            if other.exists(name):
                raise SecretMCPError(
                    "WALLET_EXISTS", f"A stored key named {name!r} already exists on this machine ({other.name}).",
                    ["Choose another name; the stored key was left untouched."],
                )

    def import_mnemonic(
        self, name: str, mnemonic: str, *, account: int = 0, index: int = 0,
        coin_type: int = keys.SCRT_COIN_TYPE, backend: Backend = "memory",
    ) -> Wallet:
        self._check_new_name(name)
        phrase = keys.normalize_mnemonic(mnemonic)
        derived = keys.derive(phrase, account, index, coin_type)
        wallet = Wallet(name, derived.address, "key", backend, account, index, coin_type)
        return self._add(wallet, phrase, derived.private_key)

    def create(self, name: str, *, account: int = 0, index: int = 0,
               coin_type: int = keys.SCRT_COIN_TYPE, backend: Backend = "memory") -> Wallet:
        self._check_new_name(name)  # before generating, so a bad name costs nothing
        return self.import_mnemonic(
            name, keys.generate_mnemonic(), account=account, index=index, coin_type=coin_type, backend=backend
        )

    def add_watch(self, name: str, address: str, *, persist: bool = False) -> Wallet:
        self._check_new_name(name)
        wallet = Wallet(name, validate_address(address), "watch", "file" if persist else "memory")
        return self._add(wallet, None, None)

    def add_wallet_signer(self, name: str, address: str, *, persist: bool = False) -> Wallet:
        """A wallet whose key stays in the person's wallet app: only its name, address and kind are kept."""
        self._check_new_name(name)
        wallet = Wallet(name, validate_address(address), "wallet", "file" if persist else "memory")
        return self._add(wallet, None, None)

    def remove(self, name: str) -> Wallet:
        wallet = self.get(name)
        self.drop_secrets(name)
        if wallet.backend != "memory":
            if wallet.kind == "key":
                self._stores(wallet.backend).delete(name)
            self.index.drop(name)
        self._sealed.pop(name, None)
        del self.wallets[name]
        return wallet

    # -- a wallet's other secrets (viewing keys, permits, ...) -------------------------------------------

    @staticmethod
    def _slot(kind: str, key_id: str) -> str:
        if not KIND_RE.match(kind or "") or not key_id:
            raise ValueError(f"secret kind {kind!r} must be lower_snake_case and key_id non-empty")
        return f"{kind}|{key_id}"

    @staticmethod
    def _aad(wallet: Wallet, slot: str) -> bytes:
        return f"{wallet.name}|{wallet.address}|{slot}".encode()

    def _seal_other(self, wallet: Wallet, slot: str, value: str) -> None:
        nonce = secrets.token_bytes(12)
        self._others[wallet.name][slot] = (nonce, self._aead.encrypt(nonce, value.encode(), self._aad(wallet, slot)))
        if len(value) >= MIN_REDACTED_SECRET:
            redact.register_secret(value)
        _register_scoped_value(value)

    def _open_other(self, wallet: Wallet, slot: str) -> str | None:
        sealed = self._others_of(wallet).get(slot)
        if sealed is None:
            return None
        return self._aead.decrypt(sealed[0], sealed[1], self._aad(wallet, slot)).decode()

    def _others_of(self, wallet: Wallet) -> dict[str, tuple[bytes, bytes]]:
        """The wallet's sealed items, read from its backend on first use."""
        if wallet.name not in self._others:
            stored = {} if wallet.backend == "memory" else self._stores(wallet.backend).load_secrets(wallet.name)
            self._others[wallet.name] = {}
            for slot, value in stored.items():
                self._seal_other(wallet, slot, value)
        return self._others[wallet.name]

    def _persist_others(self, wallet: Wallet) -> Backend:
        """Write the wallet's items back to its backend; if that fails they stay in memory (and we say so)."""
        if wallet.backend == "memory":
            return "memory"
        items = {slot: self._open_other(wallet, slot) or "" for slot in self._others_of(wallet)}
        try:
            store = self._stores(wallet.backend)
            if items:
                store.save_secrets(wallet.name, items)
            else:
                store.delete_secrets(wallet.name)
        except SecretMCPError as exc:
            log.warning("secrets of wallet %s kept in memory only: %s %s", wallet.name, exc.code, exc.message)
            return "memory"
        finally:
            items.clear()
        return wallet.backend

    def put_secret(self, wallet: str, kind: str, key_id: str, value: str) -> Backend:
        """Keep `value` for `wallet` under (kind, key_id), next to its phrase; returns where it is kept."""
        slot, w = self._slot(kind, key_id), self.get(wallet)
        self._others_of(w)
        self._seal_other(w, slot, value)
        return self._persist_others(w)

    def get_secret(self, wallet: str, kind: str, key_id: str) -> str | None:
        return self._open_other(self.get(wallet), self._slot(kind, key_id))

    # Scoped items: kept with the endpoints (networks.endpoint_id) they may be sent to. The value and its scope
    # are sealed together in one item; the value is fingerprinted for redaction on its own.
    def put_scoped_secret(self, wallet: str, kind: str, key_id: str, value: str, scope: Any) -> Backend:
        """Keep `value` like put_secret, usable only with the endpoints in `scope` (see get_scoped_secret)."""
        if len(value) >= MIN_REDACTED_SECRET:
            redact.register_secret(value)
        envelope = json.dumps({SCOPED: 1, "value": value, "scope": sorted(set(scope))}, sort_keys=True)
        return self.put_secret(wallet, kind, key_id, envelope)

    def get_scoped_secret(self, wallet: str, kind: str, key_id: str) -> tuple[str, frozenset[str]] | None:
        """(value, endpoints it may be sent to); an item kept before scoping existed has an empty scope."""
        raw = self.get_secret(wallet, kind, key_id)
        if raw is None:
            return None
        try:
            envelope = json.loads(raw)
        except ValueError:
            envelope = None
        if isinstance(envelope, dict) and envelope.get(SCOPED) == 1 and isinstance(envelope.get("value"), str):
            value, scope = envelope["value"], frozenset(str(e) for e in envelope.get("scope") or ())
        else:
            value, scope = raw, frozenset()
        if len(value) >= MIN_REDACTED_SECRET:
            redact.register_secret(value)
        return value, scope

    def secret_ids(self, wallet: str, kind: str) -> list[str]:
        """The key_ids of one kind kept for `wallet` (never the values)."""
        prefix = self._slot(kind, "-")[:-1]
        return sorted(slot[len(prefix):] for slot in self._others_of(self.get(wallet)) if slot.startswith(prefix))

    def forget_secret(self, wallet: str, kind: str, key_id: str) -> bool:
        """Drop one item; False when there was none."""
        slot, w = self._slot(kind, key_id), self.get(wallet)
        if self._others_of(w).pop(slot, None) is None:
            return False
        self._persist_others(w)
        return True

    def drop_secrets(self, wallet: str) -> None:
        """Drop every item of `wallet`, in memory and in its backend (removing a wallet calls this)."""
        w = self.get(wallet)
        self._others.pop(w.name, None)
        if w.backend != "memory":
            self._stores(w.backend).delete_secrets(w.name)

    # -- what the transaction pipeline uses --------------------------------------------------------------

    def address(self, name: str) -> str:
        return self.get(name).address

    def public_key(self, name: str) -> bytes:
        """33-byte compressed secp256k1 public key."""
        secret = self._open(name)
        try:
            from ecdsa import SECP256k1, SigningKey

            sk = SigningKey.from_string(bytes.fromhex(secret["k"]), curve=SECP256k1)
            return sk.get_verifying_key().to_string("compressed")
        finally:
            secret.clear()

    def sign(self, name: str, message: bytes) -> bytes:
        """64-byte low-S signature over SHA-256(message): SIGN_MODE_DIRECT signs the SignDoc bytes this way."""
        secret = self._open(name)
        try:
            return keys.sign(bytes.fromhex(secret["k"]), message)
        finally:
            secret.clear()

    def export_mnemonic(self, name: str) -> str:
        """The recovery phrase, for the terminal command only (never called by a tool)."""
        secret = self._open(name)
        try:
            return secret["m"]
        finally:
            secret.clear()


def _register_scoped_value(raw: str) -> None:
    """A scoped item's own value is fingerprinted as soon as it is loaded, like an unscoped one."""
    if SCOPED not in raw:
        return
    try:
        envelope = json.loads(raw)
    except ValueError:
        return
    value = envelope.get("value") if isinstance(envelope, dict) and envelope.get(SCOPED) == 1 else None
    if isinstance(value, str) and len(value) >= MIN_REDACTED_SECRET:
        redact.register_secret(value)
