"""One principal per token subject, each with its own state; in Redis when `cache_url` is set.

A principal's state: its wallet index (and, where server keys are allowed, their keys), its active wallet,
its network, its spending window and the viewing keys it keeps; its pending confirmation codes live under
its own Redis prefix (security/confirm.py), so another principal's code is simply unknown here.

Every request of a principal runs with `principal.CURRENT` set to it, so `app.session` and `app.security`
are its own. With a shared store, the request first loads the principal's state when another worker wrote a
newer version, and afterwards writes it back when it changed: any worker serves any request. The state is
one JSON document sealed with AES-256-GCM under a key derived from `state_key` (bound to the principal's
id), so Redis never holds a phrase, key or viewing key in the clear. Concurrent requests of one principal on
two workers: the later write wins (a wallet created on one and the other's change of active wallet at the
same instant may lose one of the two).

Non-custodial by default: a principal cannot give the server a recovery phrase (create or import a key
wallet) unless `allow_server_keys = true`; watch-only wallets are always possible.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import logging
import threading
from typing import TYPE_CHECKING, Any

import anyio
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import SecretMCPError
from ..principal import CURRENT, own, scope_app
from ..security import Security
from ..security.confirm import ConfirmationCodes
from ..security.keystore import Keystore, Wallet
from ..security.limits import SpendingLimits
from ..security.redact import register_phrase, register_secret
from ..session import Session

if TYPE_CHECKING:
    from ..app import App

log = logging.getLogger("secret_mcp.auth")

SERVER_KEYS_REFUSED = SecretMCPError(
    "SERVER_KEYS_DISABLED",
    "This remote server does not hold recovery phrases: it cannot create or import a key wallet for you.",
    ["Watch an address instead: secret_import_wallet with address (watch-only).",
     "The operator can allow server-held keys with allow_server_keys = true."],
)


def principal_id(issuer: str | None, subject: str) -> str:
    """A fixed-length id for (issuer, subject): a subject is unique only per issuer."""
    return hashlib.sha256(f"{issuer or ''}\n{subject}".encode()).hexdigest()[:32]


def derive_key(state_key: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"secret-mcp " + label).derive(state_key.encode())


class PrincipalKeystore(Keystore):
    """A principal's keystore: memory only (its state is what persists), phrases only when allowed."""

    def __init__(self, wallets: dict[str, Any], allow_server_keys: bool) -> None:
        super().__init__(wallets)
        self.allow_server_keys = allow_server_keys

    def import_mnemonic(self, name: str, mnemonic: str, *, backend: str = "memory", **kwargs: Any) -> Wallet:
        if not self.allow_server_keys:
            raise SERVER_KEYS_REFUSED
        _memory_only(backend)
        return super().import_mnemonic(name, mnemonic, backend="memory", **kwargs)

    def add_watch(self, name: str, address: str, *, persist: bool = False) -> Wallet:
        _memory_only("file" if persist else "memory")
        return super().add_watch(name, address)

    def add_wallet_signer(self, name: str, address: str, *, persist: bool = False) -> Wallet:
        """Issue 17's wallet-signer wallets (key in the person's wallet app): kept in the principal's state.
        Their signing requests are still this process's (the loopback signing server): a remote deployment
        needs them in Redis and a public signing route, which is not built yet."""
        _memory_only("file" if persist else "memory")
        return super().add_wallet_signer(name, address)  # type: ignore[misc]

    # -- the state document ------------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, wallet in sorted(self.wallets.items()):
            entry: dict[str, Any] = {"meta": wallet.meta()}
            if name in self._sealed:
                entry["secret"] = self._open(name)  # {"m": phrase, "k": key hex}: sealed again as a whole
            if self._others.get(name):
                entry["others"] = {slot: self._open_other(wallet, slot) for slot in sorted(self._others[name])}
            out[name] = entry
        return out

    def fingerprint(self) -> bytes:
        """Changes whenever a wallet or secret does, without opening any (every seal has a fresh nonce)."""
        h = hashlib.sha256()
        for name, wallet in sorted(self.wallets.items()):
            h.update(json.dumps(wallet.meta(), sort_keys=True).encode())
            for nonce, sealed in [self._sealed[name]] if name in self._sealed else []:
                h.update(nonce + sealed)
            for slot, (nonce, sealed) in sorted(self._others.get(name, {}).items()):
                h.update(slot.encode() + nonce + sealed)
        return h.digest()

    def load(self, data: dict[str, Any]) -> None:
        self.wallets.clear()
        self._sealed.clear()
        self._others.clear()
        for name, entry in data.items():
            wallet = Wallet(**entry["meta"])
            self.wallets[name] = wallet
            secret = entry.get("secret")
            if secret:
                register_secret(secret["k"])
                register_phrase(secret["m"])
                self._seal(name, secret["m"], bytes.fromhex(secret["k"]))
            if entry.get("others"):
                self._others[name] = {}
                for slot, value in entry["others"].items():
                    self._seal_other(wallet, slot, value)


def _memory_only(backend: str) -> None:
    if backend != "memory":
        raise SecretMCPError(
            "PERSIST_NOT_AVAILABLE",
            "On this server your wallets are kept with your account's state, not in the server's keyring or files.",
            ["Call the tool again without persist."],
        )


class PrincipalSession(Session):
    """A principal's session: on the server's own network it uses the server's connection (pool, cache and,
    for a launched sandbox, the one chain), so principals do not each start a chain or a pool."""

    def _shared(self) -> Session | None:
        base = own(self.app, "session")
        return base if self.network is not None and self.network is base.network else None

    @property
    def connected(self) -> bool:
        base = self._shared()
        return base.connected if base is not None else super().connected

    @property
    def urls(self) -> tuple[str, ...]:
        base = self._shared()
        return base.urls if base is not None else super().urls

    async def connect(self) -> Any:
        base = self._shared()
        return await base.connect() if base is not None else await super().connect()

    async def cache(self) -> Any:
        base = self._shared()
        return await base.cache() if base is not None else await super().cache()


def _every_tool(app: "App") -> bool:
    """`sync_tools` of a server of many principals: principals are on different networks, so every tool stays
    registered; tools/list shows each principal the tools of its own network (gate.py), and a call on another
    network is refused before it runs (App.check_allowed). True: the list may have changed for this one."""
    present = {t.name for t in app.server._tool_manager.list_tools()} if app.server is not None else set()
    for _plugin, spec in app.tool_specs():
        if spec.name not in present:
            app._add_tool(spec)
    return True


class Principal:
    def __init__(self, app: "App", pid: str, subject: str, session: Session) -> None:
        self.app, self.id, self.subject, self.session = app, pid, subject, session
        self.security: Security | None = None
        self.version = 0  # of the shared state last loaded or written
        self.digest = ""  # Principals._marker of the state last loaded or written
        self.lock = anyio.Lock()  # one load/save at a time per principal in this worker
        self.running = 0  # requests in flight: a principal is dropped from memory only when idle


class StateStore:
    """The sealed state documents in Redis: `secret-mcp:principal:{<id>}:state`, a hash of v (version) and blob."""

    _WRITE = """
local v = redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('HSET', KEYS[1], 'blob', ARGV[1])
return v
"""

    def __init__(self, url: str, client: Any, state_key: str) -> None:
        self.url, self._client = url, client
        self._aead = AESGCM(derive_key(state_key, b"principal state"))
        self._write = client.register_script(self._WRITE)

    @staticmethod
    def key(pid: str) -> str:
        from ..cache_backends import PREFIX

        return f"{PREFIX}principal:{{{pid}}}:state"

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        from ..cache_backends import redis_errors, unavailable

        try:
            return fn(*args, **kwargs)
        except redis_errors() as exc:  # fail closed: a request never runs on state it could not load
            raise unavailable(self.url, exc) from None

    def version(self, pid: str) -> int:
        return int(self._call(self._client.hget, self.key(pid), "v") or 0)

    def read(self, pid: str) -> tuple[int, dict[str, Any] | None]:
        version, blob = self._call(self._client.hmget, self.key(pid), ["v", "blob"])
        if not blob:
            return int(version or 0), None
        raw = base64.b64decode(blob)
        plain = self._aead.decrypt(raw[:12], raw[12:], pid.encode())  # bound to its principal: no swapping
        return int(version), json.loads(plain)

    def write(self, pid: str, state: dict[str, Any]) -> int:
        import secrets

        nonce = secrets.token_bytes(12)
        blob = base64.b64encode(nonce + self._aead.encrypt(nonce, json.dumps(state).encode(), pid.encode())).decode()
        return int(self._call(self._write, keys=[self.key(pid)], args=[blob]))


class Principals:
    """Every principal this worker has served, and (with `cache_url`) their shared state."""

    KEEP = 1000

    def __init__(self, app: "App") -> None:
        scope_app(app, sync_tools=_every_tool)
        if app.server is not None:
            app.sync_tools()
        self.app = app
        self.allow_server_keys = bool(getattr(app.config, "allow_server_keys", False))
        self._known: dict[str, Principal] = {}  # insertion order: least recently seen first
        self._guard = threading.Lock()
        self.store: StateStore | None = None
        base = own(app, "security")
        shared = getattr(base.codes, "_shared", None)
        if app.config.cache_url and shared is not None:
            self.store = StateStore(app.config.cache_url, shared._client, app.config.state_key or "")

    async def get(self, issuer: str | None, subject: str) -> Principal:
        """The principal of (issuer, subject), made on first sight. With a shared store, at most KEEP stay in
        this worker's memory: the least recently seen idle ones are dropped (their state is in Redis)."""
        pid = principal_id(issuer, subject)
        dropped = []
        with self._guard:
            principal = self._known.pop(pid, None) or self._new(pid, subject)
            self._known[pid] = principal  # most recent last
            if self.store is not None and len(self._known) > self.KEEP:
                for other in list(self._known.values())[: len(self._known) - self.KEEP]:
                    if not other.running and other is not principal:
                        dropped.append(self._known.pop(other.id))
        for other in dropped:
            await other.session.disconnect()  # its own pool, if it moved to another network
        return principal

    def _new(self, pid: str, subject: str) -> Principal:
        app = self.app
        session = PrincipalSession(app)
        session.network = own(app, "session").network  # the configured network until the principal picks one
        principal = Principal(app, pid, subject, session)
        principal.security = self._security(principal)
        principal.digest = self._marker(principal)  # nothing to write until something changes
        return principal

    def _security(self, principal: Principal) -> Security:
        """The principal's own keystore, limits and codes; the settings and audit log are the server's."""
        base: Security = own(self.app, "security")
        sec = Security.__new__(Security)  # Security() would bind the server's own session, files and Redis
        sec.app, sec.settings, sec.audit = self.app, base.settings, base.audit
        sec.keystore = PrincipalKeystore(principal.session.wallets, self.allow_server_keys)
        sec.limits = SpendingLimits(base.settings, base.limits._kind_of, base.limits.clock, None)
        shared = base.codes._shared
        if shared is not None:  # the principal's codes under its own prefix: another's code is unknown here
            shared = copy.copy(shared)
            shared.prefix = f"{shared.prefix}{principal.id}:"
        sec.codes = ConfirmationCodes(base.codes.ttl, base.codes.clock, shared=shared, revive=base.codes._revive,
                                      sender=principal.session.active_wallet_address, record=base.codes._record)
        return sec

    # -- the state document ------------------------------------------------------------------------------

    def snapshot(self, principal: Principal) -> dict[str, Any]:
        session, sec = principal.session, principal.security
        assert sec is not None
        network = session.network
        return {
            "network": None if network is None else {
                "name": network.name, "lcd_urls": list(network.lcd_urls), "chain_id": network.chain_id},
            "wallets": sec.keystore.dump(),
            "active": session.active_wallet,
            "spent": {f"{c}|{d}": [list(r) for r in rows] for (c, d), rows in sec.limits._spent.items() if rows},
        }

    async def restore(self, principal: Principal, state: dict[str, Any]) -> None:
        from collections import deque

        session, sec = principal.session, principal.security
        assert sec is not None
        wanted = state.get("network")
        if wanted is not None:
            current = session.network
            if current is None or (current.name, list(current.lcd_urls), current.chain_id) != (
                    wanted["name"], wanted["lcd_urls"], wanted["chain_id"]):
                network = self.app.resolve_network(wanted["name"], lcd_urls=tuple(wanted["lcd_urls"]),
                                                   chain_id=wanted["chain_id"]) if wanted["lcd_urls"] else \
                    self.app.resolve_network(wanted["name"])
                await session.switch_network(network)
        sec.keystore.load(state.get("wallets") or {})
        session.active_wallet = state.get("active")
        sec.limits._spent = {tuple(k.split("|", 1)): deque((float(t), int(a)) for t, a in rows)  # type: ignore[misc]
                             for k, rows in (state.get("spent") or {}).items()}

    @staticmethod
    def _marker(principal: Principal) -> str:
        """What the state looks like, cheaply: no secret is opened to tell whether it changed."""
        session, sec = principal.session, principal.security
        assert sec is not None
        network = session.network
        plain = json.dumps([None if network is None else [network.name, list(network.lcd_urls), network.chain_id],
                            session.active_wallet, sorted((f"{c}|{d}", list(rows)) for (c, d), rows in
                                                          sec.limits._spent.items())], default=list)
        return hashlib.sha256(plain.encode() + sec.keystore.fingerprint()).hexdigest()

    async def load(self, principal: Principal) -> None:
        """Before a request: take the shared state when another worker wrote a newer one."""
        if self.store is None:
            return
        store = self.store
        if await anyio.to_thread.run_sync(store.version, principal.id) == principal.version:
            return
        version, state = await anyio.to_thread.run_sync(store.read, principal.id)
        if state is not None:
            await self.restore(principal, state)
        principal.version, principal.digest = version, self._marker(principal)

    async def save(self, principal: Principal) -> None:
        """After a request: write the state back when it changed (only then are the secrets opened)."""
        if self.store is None:
            return
        marker = self._marker(principal)
        if marker == principal.digest:
            return
        principal.version = await anyio.to_thread.run_sync(self.store.write, principal.id, self.snapshot(principal))
        principal.digest = marker

    async def run(self, principal: Principal, call: Any) -> Any:
        """`await call()` as `principal`, its state loaded before and saved after."""
        token = CURRENT.set(principal)
        principal.running += 1
        try:
            async with principal.lock:
                await self.load(principal)
            try:
                return await call()
            finally:
                async with principal.lock:
                    await self.save(principal)
        finally:
            principal.running -= 1
            CURRENT.reset(token)
