"""x/compute (Secret contracts): store/instantiate/execute/migrate/admin messages, LCD routes of docs/protocol-notes.md#compute-routes.

Inputs are decrypted and outputs encrypted by the sandbox enclave (enclave.py, docs/protocol-notes.md#contract-encryption);
contracts are the built-in
Python ones of `contracts/` (selected by code hash). Uploaded code of any other kind is stored, listed and hashed
but cannot be instantiated. A contract's messages (other contracts, bank sends) run after it in the same tx, all
or nothing, their outputs encrypted under the original input's key (`Call`). Genesis: SSCRT (code 1), counter
(code 2), SUSD (code 1) and the SCRT/SUSD AMM pair (code 3, label `sandbox-scrt-susd`) — see the README.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import io
import json
import math
import struct
from decimal import Decimal
from typing import Any

import attrs

from secret_sdk.protobuf.secret.compute import v1beta1 as pb

from .. import contracts, gas
from ..contracts.base import BankSend, ContractError, Deps, Env, Info, Response, Storage, WasmExecute
from ..crypto import bech32_decode, bech32_encode, ripemd160
from ..enclave import Enclave, EnclaveError, Session
from ..store import GasMeter, OutOfGas
from ..base import LCDError, Module, Request, Route, TxError

MAX_CONTRACT_SIZE = 2 * 1024 * 1024  # docs/protocol-notes.md#network-facts: max contract size 2 MiB (checked on the un-gzipped code too)
COMPILE_COST = Decimal("0.8")  # gas per stored byte (the chain's compile_cost param)
QUERY_GAS_CAP = 10_000_000
# Genesis SCRT/SUSD pool (contracts/amm_pair.py): 200 000 SCRT against 100 000 SUSD, i.e. 1 SCRT ~ 0.5 SUSD.
POOL_USCRT, POOL_SUSD = 200_000_000_000, 100_000_000_000
GENESIS_SUSD = 10_000_000_000  # 10 000 SUSD for each LocalSecret account, to swap back into SCRT
MAX_CALL_DEPTH = 20  # contract -> contract nesting (x/compute's default max call depth)
P = "compute/"
_OP = {"init": "CONTRACT_CODE_HISTORY_OPERATION_TYPE_INIT", "migrate": "CONTRACT_CODE_HISTORY_OPERATION_TYPE_MIGRATE",
       "genesis": "CONTRACT_CODE_HISTORY_OPERATION_TYPE_GENESIS"}
_FAIL = {"instantiate": (2, "instantiate contract failed"), "execute": (3, "execute contract failed"),
         "migrate": (5, "migrate contract failed")}


def contract_address(code_id: int, instance_id: int, creator: bytes) -> str:
    """docs/protocol-notes.md#network-facts: RIPEMD160(SHA256(BE_u64((code_id << 32) + instance_id) ‖ creator bytes))."""
    seed = struct.pack(">Q", (code_id << 32) + instance_id) + creator
    return bech32_encode("secret", ripemd160(hashlib.sha256(seed).digest()))


def _charge_call(store, payload: bytes) -> None:
    """x/compute's price of one contract call: loading the instance, then running it (gas.py)."""
    meter = getattr(store, "meter", None)
    if meter is not None:
        meter.consume(gas.INSTANCE_COST + gas.WASM_FLAT + gas.WASM_PER_MSG_BYTE * len(payload), "compute")


def _unzip(wasm: bytes) -> bytes:
    if wasm[:2] != b"\x1f\x8b":
        return wasm
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(wasm)) as f:
            out = f.read(MAX_CONTRACT_SIZE + 1)
    except (OSError, EOFError) as exc:
        raise TxError("compute", 1, f"uncompress wasm archive: {exc}: create wasm contract failed") from None
    return out


def _addr_bytes(raw: bytes, what: str) -> str:
    if len(raw) not in (20, 32):
        raise TxError("sdk", 7, f"invalid {what} address: address length {len(raw)} is invalid: invalid address")
    return bech32_encode("secret", raw)


def _bech32(addr: str, what: str) -> str:
    try:
        hrp, data = bech32_decode(addr)
    except ValueError as exc:
        raise TxError("sdk", 7, f"invalid {what} address: {exc}: invalid address") from None
    if hrp != "secret":
        raise TxError("sdk", 7, f"invalid {what} address: invalid Bech32 prefix; expected secret, got {hrp}: "
                                "invalid address")
    return addr


def _coins(pb_coins) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in pb_coins:
        if not c.amount.isdigit() or not c.denom:
            raise TxError("sdk", 10, f"{c.amount}{c.denom}: invalid coins")
        out[c.denom] = out.get(c.denom, 0) + int(c.amount)
    return {d: a for d, a in out.items() if a}


def _address(addr: Any) -> str:
    """An address a contract put in a message (the chain validates it before dispatching)."""
    try:
        hrp, _ = bech32_decode(addr)
    except (ValueError, TypeError):
        raise TxError("sdk", 7, f"invalid address {addr!r}: invalid address") from None
    if hrp != "secret":
        raise TxError("sdk", 7, f"invalid address {addr!r}: invalid Bech32 prefix; expected secret, got {hrp}: "
                                "invalid address")
    return addr


@attrs.define
class Call:
    """One top-level compute message (or a genesis step) and everything its contracts call.

    `session` is the input's enclave session (None at genesis: nothing to encrypt for); `ctx` takes the events."""

    chain: Any
    store: Any
    height: int
    time: Any
    ctx: Any = None
    session: Session | None = None
    depth: int = 0

    def emit(self, type_: str, *attributes: tuple[str, str]) -> None:
        if self.ctx is not None:
            self.ctx.emit(type_, *attributes)

    def seal(self, text: str) -> str:
        return self.session.encrypt_attr(text) if self.session is not None else text

    def error_text(self, err: ContractError) -> str:
        return self.session.error_text(err.json_bytes()) if self.session is not None else f"Generic error: {err.value}"


def _call(fn, *args):
    """Run a contract entry point; a message of the wrong shape that slips past its checks becomes the parse
    error serde would have raised, never a chain panic."""
    try:
        return fn(*args)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ContractError.parse(f"Error parsing into type: {type(exc).__name__}: {exc}", "msg") from None


class ComputeModule(Module):
    name = "compute"

    def __init__(self) -> None:
        self.enclave = Enclave()

    # ---- keepers
    @staticmethod
    def code_info(store, code_id: int) -> dict | None:
        return store.get(f"{P}code/{code_id:016d}")

    @staticmethod
    def contract_info(store, addr: str) -> dict | None:
        return store.get(f"{P}contract/{addr}")

    @staticmethod
    def builtin_code_ids(store) -> dict[int, str]:
        return {int(v["code_id"]): contracts.builtin_name(v["code_hash"])
                for _, v in store.iterate(f"{P}code/") if contracts.builtin_name(v["code_hash"])}

    def store_code(self, store, creator: str, wasm: bytes, source: str = "", builder: str = "") -> int:
        wasm = _unzip(wasm)
        if not wasm:
            raise TxError("compute", 1, "empty wasm code: create wasm contract failed")
        if len(wasm) > MAX_CONTRACT_SIZE:
            raise TxError("compute", 1, f"uncompress wasm archive: max {MAX_CONTRACT_SIZE} bytes: exceeds limit: "
                                        "create wasm contract failed")
        meter = getattr(store, "meter", None)
        if meter is not None:
            meter.consume(math.ceil(COMPILE_COST * len(wasm)), "Compiling WASM Bytecode")
        code_id = int(store.get(f"{P}last_code_id", 0)) + 1
        store.set(f"{P}last_code_id", code_id)
        store.set(f"{P}code/{code_id:016d}", {"code_id": str(code_id), "creator": creator,
                                              "code_hash": contracts.code_hash(wasm), "source": source,
                                              "builder": builder})
        blob = store.branch(GasMeter(None))  # the bytes were paid for by the compile cost above
        blob.set(f"{P}wasm/{code_id:016d}", base64.b64encode(wasm).decode())
        blob.write()
        return code_id

    def _runnable(self, store, code_id: int):
        code = self.code_info(store, code_id)
        if code is None:
            raise TxError("compute", 2, f"code id {code_id}: not found: instantiate contract failed")
        contract = contracts.contract_for(code["code_hash"])
        if contract is None:
            ids = ", ".join(f"{i} ({n})" for i, n in sorted(self.builtin_code_ids(store).items()))
            raise TxError("compute", 2, f"code id {code_id} is not a built-in contract: the sandbox cannot run "
                                        f"uploaded wasm and runs only its built-in Python contracts, code ids: "
                                        f"{ids}: instantiate contract failed")
        return code, contract

    def _deps(self, store, addr: str) -> Deps:
        return Deps(storage=Storage(store, f"{P}state/{addr}/"))

    def _env(self, chain, height: int, time, addr: str, code_hash: str) -> Env:
        return Env(height=height, time_seconds=int(time.timestamp()), chain_id=chain.chain_id, contract=addr,
                   code_hash=code_hash)

    def _position(self, store, height: int) -> dict:
        # AbsoluteTxPosition: the block height and a counter of contract creations within that block
        last = store.get(f"{P}position") or [0, -1]
        index = last[1] + 1 if last[0] == height else 0
        store.set(f"{P}position", [height, index])
        return {"block_height": str(height), "tx_index": str(index)}

    def instantiate(self, call: "Call", creator: str, code_id: int, label: str, msg: dict, funds: dict[str, int],
                    admin: str, history_msg: bytes, operation: str = "init") -> tuple[str, Response]:
        """Create a contract, run its instantiate, then its messages. The contract's own failure propagates as
        ContractError (the caller encrypts it); a failing sub-message as TxError (already worded)."""
        store, chain = call.store, call.chain
        code, contract = self._runnable(store, code_id)
        if not label:
            raise TxError("compute", 2, "label is required: instantiate contract failed")
        if store.get(f"{P}label/{label}") is not None:
            raise TxError("compute", 2, f"label already exists. You must choose a unique label for your contract "
                                        f"instance: instantiate contract failed")
        instance = int(store.get(f"{P}last_instance_id", 0)) + 1
        store.set(f"{P}last_instance_id", instance)
        addr = contract_address(code_id, instance, bech32_decode(creator)[1])
        chain.module("auth").ensure_account(store, addr)
        if funds:
            chain.module("bank").send(store, creator, addr, funds, call.ctx)
        created = self._position(store, call.height)
        store.set(f"{P}contract/{addr}", {"code_id": str(code_id), "creator": creator, "label": label,
                                          "created": created, "ibc_port_id": "", "admin": admin,
                                          "admin_proof": None, "require_governance": False})
        store.set(f"{P}label/{label}", addr)
        store.set(f"{P}by_code/{code_id:016d}/{instance:016d}", addr)
        store.set(f"{P}history/{addr}", [{"operation": _OP[operation], "code_id": str(code_id), "updated": created,
                                          "msg": base64.b64encode(history_msg).decode()}])
        env = self._env(chain, call.height, call.time, addr, code["code_hash"])
        res = _call(contract.instantiate, self._deps(store, addr), env, Info(creator, funds), msg)
        call.emit("instantiate", ("contract_address", addr), ("code_id", str(code_id)))
        self._respond(call, addr, res)
        return addr, res

    # ---- what a contract's response does: events, then its messages in order (x/compute handleContractResponse)
    def _respond(self, call: "Call", addr: str, res: Response) -> None:
        attrs_ = [("contract_address", addr)]  # plaintext, as the chain adds it; the contract's own are encrypted
        attrs_ += [(call.seal(k), call.seal(v)) for k, v in res.attributes if k != "contract_address"]
        call.emit("wasm", *attrs_)
        for m in res.messages:
            try:
                if isinstance(m, BankSend):
                    call.chain.module("bank").send(call.store, addr, _address(m.to), dict(m.amount), call.ctx)
                elif isinstance(m, WasmExecute):
                    self._sub_execute(call, addr, m)
                else:
                    raise TxError("compute", 3, f"unsupported contract message {type(m).__name__}")
            except TxError as err:
                raise TxError(err.codespace, err.code, f"dispatch: submessages: {err.log}") from None

    def _sub_execute(self, call: "Call", sender: str, m: WasmExecute) -> None:
        """A contract calling another: the enclave re-encrypts the message under the original tx's key, so its
        outputs (events, errors) are readable by the original sender like the first contract's."""
        if call.depth >= MAX_CALL_DEPTH:
            raise TxError("compute", 3, f"exceeds max call depth of {MAX_CALL_DEPTH}: execute contract failed")
        target = _address(m.contract)
        info = self.contract_info(call.store, target)
        if info is None:
            raise TxError("compute", 3, f"contract {target}: not found: execute contract failed")
        code = self.code_info(call.store, int(info["code_id"]))
        if str(m.code_hash).lower().removeprefix("0x") != code["code_hash"]:
            raise TxError("compute", 3, "Execution error: Enclave: failed to validate transaction: code hash mismatch "
                                        "of the callback: execute contract failed")
        contract = contracts.contract_for(code["code_hash"])
        payload = json.dumps(m.msg, separators=(",", ":")).encode()
        _charge_call(call.store, payload)
        funds = {d: int(a) for d, a in m.funds.items() if int(a)}
        if funds:
            call.chain.module("bank").send(call.store, sender, target, funds, call.ctx)
        call.emit("execute", ("contract_address", target))
        env = self._env(call.chain, call.height, call.time, target, code["code_hash"])
        inner = attrs.evolve(call, depth=call.depth + 1)
        try:
            res = _call(contract.execute, self._deps(call.store, target), env, Info(sender, funds), m.msg)
        except ContractError as err:
            raise TxError("compute", 3, f"{call.error_text(err)}: execute contract failed") from None
        self._respond(inner, target, res)

    def execute_as(self, call: "Call", sender: str, addr: str, msg: dict, funds: dict[str, int]) -> Response:
        """Run a contract's execute outside a tx (genesis set-up); plaintext, same dispatch as a tx."""
        self._sub_execute(call, sender, WasmExecute(addr, self._code_hash_of(call.store, addr), msg, funds))
        return Response()

    def _code_hash_of(self, store, addr: str) -> str:
        return self.code_info(store, int(self.contract_info(store, addr)["code_id"]))["code_hash"]

    # ---- genesis
    def default_genesis(self, accounts: dict[str, str]) -> dict:
        a = accounts["a"]
        initial = [{"address": accounts[k], "amount": "1000000000000"} for k in sorted(accounts)]
        dollars = [{"address": accounts[k], "amount": str(GENESIS_SUSD)} for k in sorted(accounts)]
        dollars.append({"address": "faucet", "amount": str(POOL_SUSD)})  # the faucet seeds the pool below
        return {
            "codes": [{"creator": a, "builtin": "snip20"}, {"creator": a, "builtin": "counter"},
                      {"creator": a, "builtin": "amm_pair"}],
            "contracts": [
                {"code_id": 1, "creator": a, "label": "sandbox-sscrt", "admin": a, "backing_uscrt": True,
                 "init_msg": {"name": "Sandbox Secret", "symbol": "SSCRT", "decimals": 6, "prng_seed": "c2FuZGJveA==",
                              "initial_balances": initial,
                              "config": {"public_total_supply": True, "enable_deposit": True, "enable_redeem": True,
                                         "enable_mint": False, "enable_burn": True}}},
                {"code_id": 2, "creator": a, "label": "sandbox-counter", "admin": a, "init_msg": {"count": 0}},
                {"code_id": 1, "creator": a, "label": "sandbox-susd", "admin": a,
                 "init_msg": {"name": "Sandbox Dollar", "symbol": "SUSD", "decimals": 6, "prng_seed": "ZG9sbGFy",
                              "initial_balances": dollars,
                              "config": {"public_total_supply": True, "enable_deposit": False,
                                         "enable_redeem": False, "enable_mint": False, "enable_burn": False}}},
                {"code_id": 3, "creator": a, "label": "sandbox-scrt-susd", "admin": a,
                 "init_msg": {"asset_infos": [{"native_token": {"denom": "uscrt"}}, {"token": "$sandbox-susd"}]},
                 "liquidity": {"provider": "faucet", "uscrt": str(POOL_USCRT), "token": str(POOL_SUSD)}},
            ],
        }

    def init_genesis(self, ctx, genesis: dict) -> None:
        store = ctx.store
        call = Call(ctx.chain, store, ctx.height, ctx.time, ctx)
        faucet = ctx.chain.faucet_address()
        for code in genesis.get("codes", []):
            self.store_code(store, code["creator"], contracts.BUILTIN_BLOBS[code["builtin"]], "", "sandbox-genesis")
        for c in genesis.get("contracts", []):
            init = self._genesis_refs(store, c["init_msg"], faucet)
            plain = json.dumps(init, separators=(",", ":")).encode()
            addr, _ = self.instantiate(call, c["creator"], c["code_id"], c["label"], init, {}, c.get("admin", ""),
                                       plain, operation="genesis")
            if c.get("backing_uscrt"):  # genesis balances of a wrapped token are backed 1:1 so redeem works
                total = sum(int(b["amount"]) for b in init.get("initial_balances", []))
                ctx.chain.module("bank").mint(store, addr, {"uscrt": total})
            if c.get("liquidity"):
                self._seed_pool(call, addr, c["liquidity"], faucet)

    def _genesis_refs(self, store, value: Any, faucet: str) -> Any:
        """Genesis messages name other genesis contracts as "$label" (-> {contract_addr, token_code_hash})."""
        if isinstance(value, dict):
            return {k: self._genesis_refs(store, v, faucet) for k, v in value.items()}
        if isinstance(value, list):
            return [self._genesis_refs(store, v, faucet) for v in value]
        if value == "faucet":
            return faucet
        if isinstance(value, str) and value.startswith("$"):
            addr = store.get(f"{P}label/{value[1:]}")
            return {"contract_addr": addr, "token_code_hash": self._code_hash_of(store, addr)}
        return value

    def _seed_pool(self, call: Call, pair: str, liquidity: dict, faucet: str) -> None:
        """Genesis liquidity, provided by the faucet like any provider (allowance, then provide_liquidity)."""
        provider = faucet if liquidity["provider"] == "faucet" else liquidity["provider"]
        native, tokens = int(liquidity["uscrt"]), int(liquidity["token"])
        call.chain.module("bank").mint(call.store, provider, {"uscrt": native})  # spent at once: net zero
        token = next(i["token"]["contract_addr"] for i in
                     self._query_json(call, pair, {"pair": {}})["asset_infos"] if "token" in i)
        self.execute_as(call, provider, token, {"increase_allowance": {"spender": pair, "amount": str(tokens)}}, {})
        assets = [{"info": {"native_token": {"denom": "uscrt"}}, "amount": str(native)},
                  {"info": {"token": {"contract_addr": token}}, "amount": str(tokens)}]
        self.execute_as(call, provider, pair, {"provide_liquidity": {"assets": assets}}, {"uscrt": native})

    def _query_json(self, call: Call, addr: str, msg: dict) -> Any:
        code_hash = self._code_hash_of(call.store, addr)
        env = self._env(call.chain, call.height, call.time, addr, code_hash)
        return json.loads(contracts.contract_for(code_hash).query(self._deps(call.store, addr), env, msg))

    # ---- messages
    def msg_handlers(self) -> dict:
        return {
            "/secret.compute.v1beta1.MsgStoreCode": (pb.MsgStoreCode, self._msg_store),
            "/secret.compute.v1beta1.MsgInstantiateContract": (pb.MsgInstantiateContract, self._msg_instantiate),
            "/secret.compute.v1beta1.MsgExecuteContract": (pb.MsgExecuteContract, self._msg_execute),
            "/secret.compute.v1beta1.MsgMigrateContract": (pb.MsgMigrateContract, self._msg_migrate),
            "/secret.compute.v1beta1.MsgUpdateAdmin": (pb.MsgUpdateAdmin, self._msg_update_admin),
            "/secret.compute.v1beta1.MsgClearAdmin": (pb.MsgClearAdmin, self._msg_clear_admin),
        }

    def amino_names(self) -> dict[str, str]:
        return {
            "/secret.compute.v1beta1.MsgStoreCode": "wasm/MsgStoreCode",
            "/secret.compute.v1beta1.MsgInstantiateContract": "wasm/MsgInstantiateContract",
            "/secret.compute.v1beta1.MsgExecuteContract": "wasm/MsgExecuteContract",
            "/secret.compute.v1beta1.MsgMigrateContract": "wasm/MsgMigrateContract",
            "/secret.compute.v1beta1.MsgUpdateAdmin": "wasm/MsgUpdateAdmin",
            "/secret.compute.v1beta1.MsgClearAdmin": "wasm/MsgClearAdmin",
        }

    def amino_json(self) -> dict:
        """secretjs (>= mid-2024) amino values: address bytes and ciphertext as base64; funds always present."""
        def b64(raw: bytes) -> str:
            return base64.b64encode(raw).decode()

        def coins(cs) -> list[dict]:
            return [{"amount": c.amount, "denom": c.denom} for c in cs]

        def execute(m: pb.MsgExecuteContract) -> dict:
            return {"sender": b64(m.sender), "contract": b64(m.contract), "msg": b64(m.msg),
                    "sent_funds": coins(m.sent_funds)}

        def instantiate(m: pb.MsgInstantiateContract) -> dict:
            out = {"sender": b64(m.sender), "code_id": str(m.code_id), "label": m.label,
                   "init_funds": coins(m.init_funds)}
            if m.init_msg:
                out["init_msg"] = b64(m.init_msg)
            if m.admin:
                out["admin"] = m.admin
            return out
        return {"/secret.compute.v1beta1.MsgExecuteContract": execute,
                "/secret.compute.v1beta1.MsgInstantiateContract": instantiate}

    def json_overrides(self) -> dict:
        """docs/protocol-notes.md#lcd-json: sender/contract are sdk.AccAddress bytes, rendered by jsonpb as bech32 strings."""
        from ..encoding import proto_json

        def render(fields):
            def fn(msg):
                out = proto_json(msg, lambda url: None)
                for f in fields:
                    raw = getattr(msg, f)
                    out[f] = bech32_encode("secret", raw) if raw else ""
                return out
            return fn
        return {"/secret.compute.v1beta1.MsgStoreCode": render(["sender"]),
                "/secret.compute.v1beta1.MsgInstantiateContract": render(["sender"]),
                "/secret.compute.v1beta1.MsgExecuteContract": render(["sender", "contract"])}

    def _msg_store(self, ctx, msg: pb.MsgStoreCode):
        sender = _addr_bytes(msg.sender, "sender")
        code_id = self.store_code(ctx.store, sender, msg.wasm_byte_code, msg.source, msg.builder)
        ctx.emit("message", ("module", "compute"), ("sender", sender), ("signer", sender))
        ctx.emit("message", ("code_id", str(code_id)))
        return pb.MsgStoreCodeResponse(code_id=code_id)

    def _open(self, wire: bytes, code_hash: str, kind: str) -> tuple[Session, dict]:
        code, text = _FAIL[kind]
        try:
            session, raw = self.enclave.open_for(wire, code_hash)
        except EnclaveError as exc:
            raise TxError("compute", code, f"Execution error: Enclave: {exc}: {text}") from None
        try:
            return session, json.loads(raw)
        except ValueError as exc:
            err = ContractError.parse(f"Error parsing into type: {exc}", "msg")
            raise TxError("compute", code, f"{session.error_text(err.json_bytes())}: {text}") from None

    def _msg_instantiate(self, ctx, msg: pb.MsgInstantiateContract):
        sender = _addr_bytes(msg.sender, "sender")
        admin = _bech32(msg.admin, "admin") if msg.admin else ""
        code = self.code_info(ctx.store, msg.code_id)
        if code is None:
            raise TxError("compute", 2, f"code id {msg.code_id}: not found: instantiate contract failed")
        self._runnable(ctx.store, msg.code_id)
        session, init = self._open(msg.init_msg, code["code_hash"], "instantiate")
        _charge_call(ctx.store, msg.init_msg)
        call = Call(ctx.chain, ctx.store, ctx.height, ctx.time, ctx, session)
        try:
            addr, res = self.instantiate(call, sender, msg.code_id, msg.label, init, _coins(msg.init_funds), admin,
                                         msg.init_msg)
        except ContractError as err:
            text = session.error_text(err.json_bytes())
            raise TxError("compute", 2, f"{text}: instantiate contract failed") from None
        # x/compute's msg server adds this after the keeper's instantiate/wasm events (execute: before them)
        ctx.emit("message", ("module", "compute"), ("sender", sender), ("contract_address", addr))
        data = session.encrypt_binary(res.data) if res.data is not None else b""
        return pb.MsgInstantiateContractResponse(address=addr, data=data)

    def _msg_execute(self, ctx, msg: pb.MsgExecuteContract):
        sender = _addr_bytes(msg.sender, "sender")
        addr = _addr_bytes(msg.contract, "contract")
        info = self.contract_info(ctx.store, addr)
        if info is None:
            raise TxError("compute", 3, f"contract {addr}: not found: execute contract failed")
        code = self.code_info(ctx.store, int(info["code_id"]))
        contract = contracts.contract_for(code["code_hash"])
        session, body = self._open(msg.msg, code["code_hash"], "execute")
        _charge_call(ctx.store, msg.msg)
        ctx.emit("message", ("module", "compute"), ("sender", sender), ("contract_address", addr))
        funds = _coins(msg.sent_funds)
        if funds:
            ctx.chain.module("bank").send(ctx.store, sender, addr, funds, ctx)
        ctx.emit("execute", ("contract_address", addr))
        env = self._env(ctx.chain, ctx.height, ctx.time, addr, code["code_hash"])
        try:
            res = _call(contract.execute, self._deps(ctx.store, addr), env, Info(sender, funds), body)
        except ContractError as err:
            raise TxError("compute", 3, f"{session.error_text(err.json_bytes())}: execute contract failed") from None
        self._respond(Call(ctx.chain, ctx.store, ctx.height, ctx.time, ctx, session), addr, res)
        return pb.MsgExecuteContractResponse(data=session.encrypt_binary(res.data) if res.data is not None else b"")

    def _admin_checked(self, ctx, contract: str, sender: str, what: str) -> dict:
        info = self.contract_info(ctx.store, _bech32(contract, "contract"))
        if info is None:
            raise TxError("compute", 5 if what == "migrate" else 8, f"contract {contract}: not found")
        if not info["admin"] or info["admin"] != sender:
            raise TxError("sdk", 4, f"requires {what} from admin: unauthorized")
        return info

    def _msg_migrate(self, ctx, msg: pb.MsgMigrateContract):
        sender = _bech32(msg.sender, "sender")
        info = self._admin_checked(ctx, msg.contract, sender, "migrate")
        code = self.code_info(ctx.store, msg.code_id)
        if code is None or contracts.contract_for(code["code_hash"]) is None:
            raise TxError("compute", 5, f"code id {msg.code_id} cannot be run by the sandbox (built-in contracts: "
                                        f"{sorted(self.builtin_code_ids(ctx.store))}): migrate contract failed")
        session, body = self._open(msg.msg, code["code_hash"], "migrate")
        _charge_call(ctx.store, msg.msg)
        contract = contracts.contract_for(code["code_hash"])
        migrate = getattr(contract, "migrate", None)
        res = Response()
        if migrate is not None:
            env = self._env(ctx.chain, ctx.height, ctx.time, msg.contract, code["code_hash"])
            try:
                res = _call(migrate, self._deps(ctx.store, msg.contract), env, body)
            except ContractError as err:  # migrate errors come back in plaintext (docs/protocol-notes.md#contract-outputs)
                raise TxError("compute", 5, f"Generic error: {err.value}: migrate contract failed") from None
        ctx.store.set(f"{P}contract/{msg.contract}", {**info, "code_id": str(msg.code_id)})
        history = list(ctx.store.get(f"{P}history/{msg.contract}", []))
        history.append({"operation": _OP["migrate"], "code_id": str(msg.code_id),
                        "updated": self._position(ctx.store, ctx.height), "msg": base64.b64encode(msg.msg).decode()})
        ctx.store.set(f"{P}history/{msg.contract}", history)
        ctx.emit("message", ("module", "compute"), ("sender", sender), ("contract_address", msg.contract))
        ctx.emit("migrate", ("code_id", str(msg.code_id)), ("contract_address", msg.contract))
        self._respond(Call(ctx.chain, ctx.store, ctx.height, ctx.time, ctx, session), msg.contract, res)
        return pb.MsgMigrateContractResponse(data=session.encrypt_binary(res.data) if res.data is not None else b"")

    def _msg_update_admin(self, ctx, msg: pb.MsgUpdateAdmin):
        sender = _bech32(msg.sender, "sender")
        info = self._admin_checked(ctx, msg.contract, sender, "update")
        ctx.store.set(f"{P}contract/{msg.contract}", {**info, "admin": _bech32(msg.new_admin, "new admin")})
        ctx.emit("message", ("module", "compute"), ("sender", sender), ("contract_address", msg.contract))
        return pb.MsgUpdateAdminResponse()

    def _msg_clear_admin(self, ctx, msg: pb.MsgClearAdmin):
        sender = _bech32(msg.sender, "sender")
        info = self._admin_checked(ctx, msg.contract, sender, "clear")
        ctx.store.set(f"{P}contract/{msg.contract}", {**info, "admin": ""})
        ctx.emit("message", ("module", "compute"), ("sender", sender), ("contract_address", msg.contract))
        return pb.MsgClearAdminResponse()

    # ---- LCD
    def routes(self) -> list[Route]:
        p = "/compute/v1beta1"
        return [
            Route("GET", p + "/codes", self._q_codes),
            Route("GET", p + "/code/{code_id}", self._q_code),
            Route("GET", p + "/contracts/{code_id}", self._q_contracts),
            Route("GET", p + "/info/{contract_address}", self._q_info),
            Route("GET", p + "/code_hash/by_contract_address/{contract_address}", self._q_hash_by_addr),
            Route("GET", p + "/code_hash/by_code_id/{code_id}", self._q_hash_by_id),
            Route("GET", p + "/query/{contract_address}", self._q_query),
            Route("GET", p + "/label/{contract_address}", self._q_label),
            Route("GET", p + "/contract_address/{label}", self._q_by_label),
            Route("GET", p + "/contract_history/{contract_address}", self._q_history),
            Route("GET", p + "/params", lambda req: {"params": {
                "compile_cost": f"{COMPILE_COST:.18f}", "max_contract_size": str(MAX_CONTRACT_SIZE)}}),
            Route("GET", p + "/authorized_migration/{contract_address}", lambda req: {"new_code_id": "0"}),
        ]

    @staticmethod
    def _code_id(req: Request) -> int:
        raw = req.path_params["code_id"]
        try:
            code_id = int(raw)
        except ValueError:
            raise LCDError.invalid(f"type mismatch, parameter: code_id, error: strconv.ParseUint: parsing {raw!r}: "
                                   "invalid syntax") from None
        if code_id <= 0:
            raise LCDError.invalid("code id: invalid")
        return code_id

    def _code_or_404(self, req: Request) -> dict:
        code = self.code_info(req.chain.store, self._code_id(req))
        if code is None:
            raise LCDError.unknown("not found")
        return code

    @staticmethod
    def _addr(req: Request) -> str:
        addr = req.path_params["contract_address"]
        try:
            hrp, _ = bech32_decode(addr)
        except ValueError as exc:
            raise LCDError.invalid(str(exc)) from None
        if hrp != "secret":
            raise LCDError.invalid(f"invalid Bech32 prefix; expected secret, got {hrp}")
        return addr

    def _contract_or_404(self, req: Request) -> tuple[str, dict]:
        addr = self._addr(req)
        info = self.contract_info(req.chain.store, addr)
        if info is None:
            raise LCDError.unknown(f"contract {addr}: not found")
        return addr, info

    def _q_codes(self, req: Request) -> dict:
        return {"code_infos": [dict(v) for _, v in req.chain.store.iterate(f"{P}code/")]}

    def _q_code(self, req: Request) -> dict:
        code = self._code_or_404(req)
        return {"code_info": dict(code), "wasm": req.chain.store.get(f"{P}wasm/{int(code['code_id']):016d}")}

    def _q_contracts(self, req: Request) -> dict:
        code_id = self._code_id(req)
        store = req.chain.store
        out = [{"contract_address": addr, "contract_info": self.contract_info(store, addr)}
               for _, addr in store.iterate(f"{P}by_code/{code_id:016d}/")]
        return {"contract_infos": out}

    def _q_info(self, req: Request) -> dict:
        addr, info = self._contract_or_404(req)
        return {"contract_address": addr, "contract_info": info}

    def _q_hash_by_addr(self, req: Request) -> dict:
        _, info = self._contract_or_404(req)
        return {"code_hash": self.code_info(req.chain.store, int(info["code_id"]))["code_hash"]}

    def _q_hash_by_id(self, req: Request) -> dict:
        return {"code_hash": self._code_or_404(req)["code_hash"]}

    def _q_label(self, req: Request) -> dict:
        return {"label": self._contract_or_404(req)[1]["label"]}

    def _q_by_label(self, req: Request) -> dict:
        addr = req.chain.store.get(f"{P}label/{req.path_params['label']}")
        if addr is None:
            raise LCDError.unknown(f"label {req.path_params['label']}: not found")
        return {"contract_address": addr}

    def _q_history(self, req: Request) -> dict:
        addr, _ = self._contract_or_404(req)
        return {"entries": list(req.chain.store.get(f"{P}history/{addr}", []))}

    def _q_query(self, req: Request) -> dict:
        chain = req.chain
        with chain.lock:
            addr, info = self._contract_or_404(req)
            text = (req.param("query") or "").replace(" ", "+")
            try:
                wire = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise LCDError.invalid("illegal base64 data in query") from None
            code = self.code_info(chain.store, int(info["code_id"]))
            try:
                session, raw = self.enclave.open_for(wire, code["code_hash"])
            except EnclaveError as exc:
                raise LCDError.unknown(f"Execution error: Enclave: {exc}: query contract failed") from None
            store = chain.store.branch(GasMeter(QUERY_GAS_CAP))
            env = self._env(chain, chain.height, chain.time, addr, code["code_hash"])
            try:
                try:
                    body = json.loads(raw)
                except ValueError as exc:
                    raise ContractError.parse(f"Error parsing into type: {exc}", "msg") from None
                answer = _call(contracts.contract_for(code["code_hash"]).query, self._deps(store, addr), env, body)
            except ContractError as err:
                raise LCDError(2, f"{session.error_text(err.json_bytes())}: query contract failed: unknown request") \
                    from None
            except OutOfGas as exc:
                raise LCDError.unknown(f"{exc}: out of gas") from None
        return {"data": base64.b64encode(session.encrypt_binary(answer)).decode()}
