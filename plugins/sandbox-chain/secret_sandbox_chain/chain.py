"""The sandbox chain: modules over one store, a tx pipeline, blocks (instant or timed), optional durability."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import sys
import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
from secret_sdk.protobuf.cosmos.crypto.ed25519 import PubKey as Ed25519PubKey
from secret_sdk.protobuf.cosmos.crypto.secp256k1 import PubKey as Secp256k1PubKey
from secret_sdk.protobuf.cosmos.tx.v1beta1 import AuthInfo, Tx, TxBody, TxRaw

from . import blocks
from .crypto import pubkey_to_address
from .encoding import events_json, proto_json, ts, ts_seconds
from .modules import load as load_modules
from .base import BlockContext, Event, Module, TxError
from .persist import BlockLog
from .store import Store
from .tx import TxResult, TxRunner, tx_hash

log = logging.getLogger(__name__)

# LocalSecret's genesis accounts (secret.js tests); a = secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03.
GENESIS_MNEMONICS = {
    "a": "grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer fiber "
         "love must tape steak together observe swap guitar",
    "b": "jelly shadow frog dirt dragon use armed praise universe win jungle close inmate rain oil canvas beauty "
         "pioneer chef soccer icon dizzy thunder meadow",
    "c": "chair love bleak wonder skirt permit say assist aunt credit roast size obtain minute throw sand usual age "
         "smart exact enough room shadow charge",
    "d": "word twist toast cloth movie predict advance crumble escape whale sail such angry muffin balcony keen move "
         "employ cook valve hurt glimpse breeze brick",
}
# Their addresses (m/44'/529'/0'/0/0), fixed so that starting a chain needs no key derivation.
GENESIS_ADDRESSES = {
    "a": "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03",
    "b": "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne",
    "c": "secret1ajz54hz8azwuy34qwy9fkjnfcrvf0dzswy0lqq",
    "d": "secret1ldjxljw7v4vk6zhyduywh04hpj0jdwxsmrlatf",
}
# The faucet signs real txs with this throw-away key (sandbox only; derived from a public constant).
FAUCET_PRIVKEY = hashlib.sha256(b"sandbox faucet key").digest()
FAUCET_FUNDS = 10**18


@attrs.define
class ChainConfig:
    chain_id: str = "secret-sandbox-1"
    block_time_ms: int = 0  # 0: every broadcast tx gets its own block at once
    min_gas_price: Decimal = Decimal("0.0125")
    unbonding_seconds: int = 120
    voting_period_seconds: int = 60
    max_deposit_period_seconds: int = 120
    state_dir: str | None = None


class Chain:
    def __init__(self, config: ChainConfig | None = None, modules: list[Module] | None = None) -> None:
        self.config = config or ChainConfig()
        self.chain_id = self.config.chain_id
        self.lock = threading.RLock()
        self.committed = threading.Condition(self.lock)  # notified after every block
        self._modules: dict[str, Module] = {}
        self.msg_handlers: dict[str, tuple[type, Any]] = {}
        self.msg_module: dict[str, str] = {}
        self.amino_names: dict[str, str] = {}
        self.amino_json: dict[str, Any] = {}
        self.json_overrides: dict[str, Any] = {}
        self._types: dict[str, type] = {
            "/cosmos.crypto.secp256k1.PubKey": Secp256k1PubKey,
            "/cosmos.crypto.ed25519.PubKey": Ed25519PubKey,
        }
        for m in modules if modules is not None else load_modules():  # modules.MODULES, or ModuleLoadError
            self._register(m)
        self.runner = TxRunner(self)
        self.store = Store()
        self.height = 0
        self.time = datetime.now(timezone.utc)
        self.blocks: dict[int, dict] = {}
        self.txs: dict[str, dict] = {}
        self.tx_order: list[str] = []
        self.mempool: list[bytes] = []
        self._clock_offset = timedelta(0)
        self._check_store = self.store.branch()
        self._log = BlockLog(self.config.state_dir) if self.config.state_dir else None
        loaded = self._log.load() if self._log else None
        if loaded:
            self._restore(*loaded)
        else:
            self._genesis()
        self._stop = threading.Event()
        self._producer: threading.Thread | None = None
        if self.config.block_time_ms > 0:
            self._producer = threading.Thread(target=self._produce_loop, name="sandbox-blocks", daemon=True)
            self._producer.start()

    # ---- modules
    def _register(self, m: Module) -> None:
        self._modules[m.name] = m
        for url, (cls, handler) in m.msg_handlers().items():
            self.msg_handlers[url] = (cls, handler)
            self.msg_module[url] = m.name
            self._types[url] = cls
            response_cls = getattr(sys.modules.get(cls.__module__), cls.__name__ + "Response", None)
            if response_cls is not None:  # so msg_responses render with their fields
                self._types[url + "Response"] = response_cls
        self.amino_names.update(m.amino_names())
        self.amino_json.update(getattr(m, "amino_json", dict)())  # optional: {type_url: fn(msg) -> dict}
        self.json_overrides.update(getattr(m, "json_overrides", dict)())  # optional: {type_url: fn(msg) -> dict}
        self._types.update(getattr(m, "proto_types", dict)())  # optional: extra Any types for JSON
        if m.name == "bank":
            m._auth = self._modules.get("auth")

    def module(self, name: str) -> Any:
        return self._modules[name]

    @property
    def modules(self) -> list[Module]:
        return list(self._modules.values())

    def resolve(self, type_url: str) -> type | None:
        return self._types.get(type_url)

    # ---- genesis / restore
    def _genesis(self) -> None:
        with self.lock:
            self.time = self._now()
            branch = self.store.branch()
            ctx = BlockContext(self, branch, 1, self.time)
            accounts = dict(GENESIS_ADDRESSES)
            for m in self._modules.values():
                default = getattr(m, "default_genesis", None)
                if default is not None:
                    m.init_genesis(ctx, default(accounts))
            faucet = self.faucet_address()
            self.module("bank").mint(branch, faucet, {"uscrt": FAUCET_FUNDS})
            self.module("auth").ensure_account(branch, faucet)
            changes = branch.write()
            self._finish_block(1, self.time, [], [], changes, ctx.events, [])

    def _restore(self, kv: dict, blocks_: dict[int, dict], txs: list[dict], meta: dict) -> None:
        self.store = Store(kv)
        self.blocks = blocks_
        for t in txs:
            self.txs[t["hash"]] = t
            self.tx_order.append(t["hash"])
        self.height = max(blocks_)
        self.time = datetime.fromisoformat(blocks_[self.height]["time"].replace("Z", "+00:00"))
        self._clock_offset = timedelta(seconds=meta.get("clock_offset", 0))
        self._check_store = self.store.branch()

    @staticmethod
    def faucet_address() -> str:
        return _faucet_address()

    # ---- time
    def _now(self) -> datetime:
        return datetime.now(timezone.utc) + self._clock_offset

    def _next_time(self) -> datetime:
        t = self._now()
        floor = self.time + timedelta(milliseconds=1)
        return t if t > floor else floor

    # ---- transactions
    def check_tx(self, raw: bytes) -> TxResult:
        with self.lock:
            return self.runner.run(self._check_store, raw, "check", self.height + 1, self._next_time())

    def broadcast(self, raw: bytes, mode: str) -> dict:
        """CheckTx then queue (and, in instant mode, commit a block). Returns the broadcast tx_response."""
        h = tx_hash(raw)
        with self.lock:
            if h in self.txs or raw in self.mempool:
                return broadcast_response(h, TxResult(code=19, codespace="sdk"))  # CometBFT sends no log here
            result = self.check_tx(raw)
            if result.code == 0:
                self.mempool.append(raw)
                if self.config.block_time_ms <= 0:
                    self.produce_block()
        if mode == "async":
            return broadcast_response(h, TxResult())  # CometBFT answers async before CheckTx finishes
        return broadcast_response(h, result)

    def simulate(self, raw: bytes) -> TxResult:
        with self.lock:
            return self.runner.run(self.store.branch(), raw, "simulate", self.height + 1, self._next_time())

    # ---- blocks
    def produce_block(self) -> dict:
        """Commit one block with everything in the mempool (possibly nothing)."""
        with self.lock:
            raws, self.mempool = self.mempool, []
            height, time = self.height + 1, self._next_time()
            branch = self.store.branch()
            begin = BlockContext(self, branch, height, time)
            for m in self._modules.values():
                m.begin_block(begin)
            results = []
            for raw in raws:
                results.append(self.runner.run(branch, raw, "deliver", height, time))
            end = BlockContext(self, branch, height, time)
            for m in self._modules.values():
                m.end_block(end)
            changes = branch.write()
            return self._finish_block(height, time, raws, results, changes, begin.events, end.events)

    def _finish_block(self, height: int, time: datetime, raws: list[bytes], results: list[TxResult],
                      changes: dict, begin_events: list[Event], end_events: list[Event]) -> dict:
        prev = self.blocks.get(height - 1)
        last_app = bytes.fromhex(prev["app_hash"]) if prev else b""
        app_hash = hashlib.sha256(last_app + json.dumps(changes, sort_keys=True, default=str).encode()).digest()
        last_results = hashlib.sha256(json.dumps([[r.code, r.gas_used] for r in results]).encode()).digest()
        block = blocks.make_block(
            chain_id=self.chain_id, height=height, time_text=ts(time),
            last_hash=bytes.fromhex(prev["hash"]) if prev else b"", raw_txs=raws, app_hash=app_hash,
            validators=blocks.validator_set(self, self.store), last_results=last_results)
        block["begin_events"] = events_json(begin_events)
        block["end_events"] = events_json(end_events)
        records = [self._tx_record(raw, res, height, i, time) for i, (raw, res) in enumerate(zip(raws, results))]
        if self._log is not None:
            self._log.commit(changes, block, records, {"chain_id": self.chain_id,
                                                       "clock_offset": self._clock_offset.total_seconds()})
        self.blocks[height] = block
        for rec in records:
            self.txs[rec["hash"]] = rec
            self.tx_order.append(rec["hash"])
        self.height, self.time = height, time
        self._check_store = self.store.branch()
        self._recheck()
        self.committed.notify_all()
        return block

    def _recheck(self) -> None:
        """Like CometBFT's recheck: drop pending txs that no longer pass the ante checks."""
        keep = []
        for raw in self.mempool:
            if self.runner.run(self._check_store, raw, "check", self.height + 1, self._next_time()).code == 0:
                keep.append(raw)
        self.mempool = keep

    def _tx_record(self, raw: bytes, res: TxResult, height: int, index: int, time: datetime) -> dict:
        h = tx_hash(raw)
        tx = self.tx_json(raw)
        response = {
            "height": str(height), "txhash": h, "codespace": res.codespace, "code": res.code,
            "data": res.data.hex().upper(), "raw_log": res.log, "logs": [], "info": "",
            "gas_wanted": str(res.gas_wanted), "gas_used": str(res.gas_used), "tx": tx,
            "timestamp": ts_seconds(time), "events": events_json(res.events),
        }
        index_events = [["tx.height", str(height)], ["tx.hash", h]]
        for ev in res.events:
            for k, v in ev.attributes:
                index_events.append([f"{ev.type}.{k}", v])
        return {"hash": h, "height": height, "index": index, "raw": base64.b64encode(raw).decode(),
                "response": response, "index_events": index_events}

    def tx_json(self, raw: bytes) -> dict:
        """The Tx as the gateway renders it inside tx_response (an Any with "@type")."""
        try:
            tx_raw = TxRaw().parse(raw)
            tx = Tx(body=TxBody().parse(tx_raw.body_bytes), auth_info=AuthInfo().parse(tx_raw.auth_info_bytes),
                    signatures=list(tx_raw.signatures))
            return {"@type": "/cosmos.tx.v1beta1.Tx", **proto_json(tx, self.resolve, self.json_overrides)}
        except Exception:  # undecodable txs are never committed, but never crash a view either
            return {"@type": "/cosmos.tx.v1beta1.Tx", "body": None, "auth_info": None, "signatures": []}

    def advance(self, blocks: int = 1, seconds: float = 0) -> None:
        """Commit `blocks` blocks spread over `seconds` of chain time (for ending voting/unbonding periods)."""
        with self.lock:
            for _ in range(max(1, blocks)):
                self._clock_offset += timedelta(seconds=seconds / max(1, blocks))
                self.produce_block()

    def wait_for_height(self, height: int, timeout: float = 10) -> bool:
        with self.lock:
            return self.committed.wait_for(lambda: self.height >= height, timeout)

    def _produce_loop(self) -> None:
        interval = self.config.block_time_ms / 1000
        while not self._stop.wait(interval):
            try:
                self.produce_block()
            except Exception:  # noqa: BLE001 - keep producing; the failure is logged
                log.exception("sandbox: block production failed")

    def close(self) -> None:
        self._stop.set()
        if self._producer is not None:
            self._producer.join(timeout=5)
        if self._log is not None:
            self._log.close()

    # ---- faucet
    def faucet(self, address: str, amount: int, denom: str = "uscrt") -> dict:
        """Send `amount` from the faucet account in a real signed tx; returns {"txhash", "height"}."""
        from secret_sdk.key.raw import RawKey
        from secret_sdk.protobuf.cosmos.bank.v1beta1 import MsgSend
        from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin

        from .txbuild import build_tx

        key = RawKey(FAUCET_PRIVKEY)
        with self.lock:
            faucet = self.faucet_address()
            bank = self.module("bank")
            if bank.balance(self.store, faucet, denom) < amount + 1_000_000:
                branch = self.store.branch()  # top the faucet up; sandbox tokens are worthless
                bank.mint(branch, faucet, {denom: amount + FAUCET_FUNDS})
                changes = branch.write()
                if self._log is not None:
                    self._log.commit(changes, self.blocks[self.height], [], {})
                self._check_store = self.store.branch()
                self._recheck()
            acc = self.module("auth").get_account(self._check_store, faucet)
            msg = MsgSend(from_address=faucet, to_address=address, amount=[Coin(denom=denom, amount=str(amount))])
            raw = build_tx(key, [("/cosmos.bank.v1beta1.MsgSend", msg)], chain_id=self.chain_id,
                           account_number=acc["account_number"], sequence=acc["sequence"], gas=100_000,
                           fee_uscrt=2_500, memo="sandbox faucet")
            result = self.check_tx(raw)
            if result.code != 0:
                raise TxError(result.codespace, result.code, result.log)
            self.mempool.append(raw)
            block = self.produce_block()
            h = tx_hash(raw)
            rec = self.txs[h]
            if rec["response"]["code"] != 0:
                raise TxError(rec["response"]["codespace"], rec["response"]["code"], rec["response"]["raw_log"])
            return {"txhash": h, "height": block["height"]}


@functools.lru_cache(maxsize=1)
def _faucet_address() -> str:
    from secret_sdk.key.raw import RawKey

    return pubkey_to_address(RawKey(FAUCET_PRIVKEY).public_key.key)


def broadcast_response(h: str, result: TxResult) -> dict:
    return {"height": "0", "txhash": h, "codespace": result.codespace, "code": result.code, "data": "",
            "raw_log": result.log, "logs": [], "info": "", "gas_wanted": "0", "gas_used": "0", "tx": None,
            "timestamp": "", "events": []}

