"""The transaction pipeline: decode, ante checks (docs/protocol-notes.md#ante-checks), atomic message execution,
TxResponse events (docs/protocol-notes.md#tx-response)."""

from __future__ import annotations

import base64
import hashlib
import logging
import math
from datetime import datetime
from typing import Any

import attrs
from betterproto.lib.google.protobuf import Any as AnyPb
from secret_sdk.protobuf.cosmos.base.abci.v1beta1 import TxMsgData
from secret_sdk.protobuf.cosmos.crypto.secp256k1 import PubKey as Secp256k1PubKey
from secret_sdk.protobuf.cosmos.tx.signing.v1beta1 import SignMode
from secret_sdk.protobuf.cosmos.tx.v1beta1 import AuthInfo, SignDoc, TxBody, TxRaw

from . import amino, gas
from .crypto import bech32_encode, from_valoper, module_address, pubkey_to_address, verify_secp256k1
from .encoding import coins_text
from .base import ChainRef, Event, MsgContext, TxError
from .store import GasMeter, OutOfGas, value_size as store_size

log = logging.getLogger(__name__)

SECP256K1_PUBKEY_URL = "/cosmos.crypto.secp256k1.PubKey"
FEE_COLLECTOR = module_address("fee_collector")
INFINITE_GAS = 18446744073709551615  # what simulate reports as gas_wanted (the infinite meter's limit)
# Message fields that name the signer, in the order the SDK's `cosmos.msg.v1.signer` options would pick them.
_SIGNER_FIELDS = ("from_address", "delegator_address", "proposer", "depositor", "voter", "sender", "authority",
                  "signer", "granter", "admin", "creator", "validator_address", "grantee")


def tx_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest().upper()


def msg_signer(msg: Any) -> str | None:
    """The bech32 signer of a message, read from its conventional signer field."""
    inputs = getattr(msg, "inputs", None)
    if inputs:
        return inputs[0].address
    for name in _SIGNER_FIELDS:
        value = getattr(msg, name, None)
        if isinstance(value, bytes) and value:
            return bech32_encode("secret", value)  # compute messages carry raw address bytes
        if isinstance(value, str) and value:
            return from_valoper(value) if value.startswith("secretvaloper") else value
    return None


@attrs.define
class DecodedTx:
    raw: bytes
    hash: str
    body: TxBody
    auth_info: AuthInfo
    signatures: list[bytes]
    msgs: list[tuple[str, Any]]  # (type URL, betterproto message)
    signer: str | None


@attrs.define
class TxResult:
    code: int = 0
    codespace: str = ""
    log: str = ""
    gas_wanted: int = 0
    gas_used: int = 0
    events: list[Event] = attrs.Factory(list)
    msg_responses: list[AnyPb] = attrs.Factory(list)

    @property
    def data(self) -> bytes:
        return bytes(TxMsgData(msg_responses=self.msg_responses)) if self.msg_responses else b""


def _fail(err: TxError, result: TxResult) -> TxResult:
    result.code, result.codespace, result.log = err.code, err.codespace, err.log
    return result


class TxRunner:
    def __init__(self, chain: ChainRef) -> None:
        self.chain = chain

    # ---- decoding
    def decode(self, raw: bytes) -> DecodedTx:
        try:
            tx_raw = TxRaw().parse(raw)
            body = TxBody().parse(tx_raw.body_bytes)
            auth_info = AuthInfo().parse(tx_raw.auth_info_bytes)
        except Exception:  # betterproto raises assorted errors on garbage
            raise TxError("sdk", 2, "tx parse error") from None
        if bytes(tx_raw) != raw or not tx_raw.body_bytes:  # the SDK rejects non-canonical or empty TxRaw too
            raise TxError("sdk", 2, "tx parse error")
        msgs = []
        for any_msg in body.messages:
            entry = self.chain.msg_handlers.get(any_msg.type_url)
            if entry is None:
                raise TxError("sdk", 2, f"unable to resolve type URL {any_msg.type_url}: tx parse error")
            try:
                msgs.append((any_msg.type_url, entry[0]().parse(any_msg.value)))
            except Exception:
                raise TxError("sdk", 2, "tx parse error") from None
        if not msgs:
            raise TxError("sdk", 18, "must contain at least one message: invalid request")
        signers = {msg_signer(m) for _, m in msgs}
        if len(signers) != 1 or None in signers:
            raise TxError("sdk", 4, f"wrong number of signers; expected {len(signers)}, got 1: unauthorized")
        return DecodedTx(raw, tx_hash(raw), body, auth_info, list(tx_raw.signatures), msgs, signers.pop())

    # ---- running
    def run(self, store, raw: bytes, mode: str, height: int, time: datetime) -> TxResult:
        """mode: "check" (ante only, min fee enforced), "deliver" (ante + messages), "simulate" (no signature
        check, infinite gas). Writes into `store` only what the tx commits (ante effects even if messages fail)."""
        result = TxResult()
        try:
            tx = self.decode(raw)
        except TxError as err:
            return _fail(err, result)
        gas_limit = tx.auth_info.fee.gas_limit
        result.gas_wanted = INFINITE_GAS if mode == "simulate" else gas_limit
        meter = GasMeter(None if mode == "simulate" else gas_limit)
        ante_store = store.branch(meter)
        ante_ctx = MsgContext(self.chain, ante_store, height, time, -1, tx.signer)
        try:
            self._ante(ante_ctx, tx, mode, meter)
        except TxError as err:
            result.gas_used = meter.used
            return _fail(err, result)
        except OutOfGas as err:
            result.gas_used = meter.used
            return _fail(TxError("sdk", 11, f"{err}: out of gas"), result)
        ante_store.write()
        result.events = list(ante_ctx.events)
        if mode == "check":
            result.gas_used = meter.used
            return result
        msg_store = store.branch(meter)
        msg_events: list[Event] = []
        try:
            for index, (type_url, msg) in enumerate(tx.msgs):
                msg_events.extend(self._run_msg(msg_store, tx, index, type_url, msg, height, time, result))
        except TxError as err:
            result.gas_used = meter.used
            err.log = f"failed to execute message; message index: {index}: {err.log}"
            result.msg_responses = []
            return _fail(err, result)
        except OutOfGas as err:
            result.gas_used = meter.used
            result.msg_responses = []
            return _fail(TxError("sdk", 11, f"{err}: out of gas"), result)
        except Exception:
            log.exception("sandbox: message handler crashed on %s", tx.msgs[index][0])
            result.gas_used = meter.used
            result.msg_responses = []
            return _fail(TxError("undefined", 111222, "panic message redacted to hide potentially sensitive system info: "
                                                "panic"), result)
        msg_store.write()
        result.gas_used = meter.used
        result.events.extend(msg_events)
        return result

    def _run_msg(self, store, tx: DecodedTx, index: int, type_url: str, msg: Any, height: int, time: datetime,
                 result: TxResult) -> list[Event]:
        cls, handler = self.chain.msg_handlers[type_url]
        ctx = MsgContext(self.chain, store, height, time, index, tx.signer)
        response = handler(ctx, msg)
        emitted_module = any(e.type == "message" and any(k == "module" for k, _ in e.attributes) for e in ctx.events)
        head = [("action", type_url), ("sender", tx.signer)]
        if not emitted_module:
            head.append(("module", self.chain.msg_module[type_url]))
        events = [Event("message", head)] + list(ctx.events)
        for event in events:
            event.attributes = list(event.attributes) + [("msg_index", str(index))]
        resp_url = type_url + "Response"
        result.msg_responses.append(AnyPb(type_url=resp_url, value=bytes(response) if response is not None else b""))
        return events

    # ---- ante handler (SDK 0.50 decorator order)
    def _ante(self, ctx: MsgContext, tx: DecodedTx, mode: str, meter: GasMeter) -> None:
        chain, store, signer = self.chain, ctx.store, tx.signer
        auth, bank = chain.module("auth"), chain.module("bank")
        fee = tx.auth_info.fee
        fee_coins: dict[str, int] = {}
        for c in fee.amount:
            try:
                fee_coins[c.denom] = fee_coins.get(c.denom, 0) + int(c.amount)
            except ValueError:
                raise TxError("sdk", 13, f"invalid fee amount {c.amount}{c.denom}: insufficient fee") from None
        if mode != "simulate" and fee.gas_limit == 0:
            raise TxError("sdk", 41, "must provide positive gas: invalid gas limit")
        if tx.body.timeout_height and ctx.height > tx.body.timeout_height:
            raise TxError("sdk", 30, f"block height: {ctx.height}, timeout height: {tx.body.timeout_height}: "
                                     "tx timeout height")
        meter.consume(gas.HAS_COST * len(tx.msgs), "Has")  # the circuit breaker's disable list, per message
        if len(tx.body.memo) > auth.max_memo_characters:
            raise TxError("sdk", 12, f"maximum number of characters is {auth.max_memo_characters} but received "
                                     f"{len(tx.body.memo)} characters: memo too large")
        meter.consume(gas.read_cost(gas.AUTH_PARAMS_BYTES), "ReadFlat")  # ValidateMemo's params
        meter.consume(gas.read_cost(gas.AUTH_PARAMS_BYTES), "ReadFlat")  # ConsumeGasForTxSize's params
        meter.consume(gas.TX_SIZE_COST_PER_BYTE * len(tx.raw), "txSize")
        if mode == "simulate" and not any(tx.signatures):  # price the signature the tx will carry
            meter.consume(gas.TX_SIZE_COST_PER_BYTE * gas.SIM_SIGNATURE_BYTES, "txSize")
        if mode == "check":
            required = math.ceil(fee.gas_limit * chain.config.min_gas_price)
            if fee_coins.get("uscrt", 0) < required:
                raise TxError("sdk", 13, f"insufficient fees; got: {coins_text(fee_coins)} required: "
                                         f"{required}uscrt: insufficient fee")
        if len(tx.auth_info.signer_infos) != 1 or (mode != "simulate" and len(tx.signatures) != 1):
            raise TxError("sdk", 4, f"wrong number of signers; expected 1, got {len(tx.auth_info.signer_infos)}: "
                                    "unauthorized")
        acc = auth.get_account(store, signer)
        if acc is None:
            raise TxError("sdk", 9, f"account {signer} does not exist: unknown address")
        payer = signer
        if fee.granter and fee.granter != signer:  # x/feegrant: the granter's allowance pays (DeductFeeDecorator)
            try:
                chain.module("feegrant").use_granted_fees(ctx, fee.granter, signer, fee_coins,
                                                          [url for url, _ in tx.msgs])
            except TxError as err:
                raise TxError(err.codespace, err.code,
                              f"{fee.granter} does not allow to pay fees for {signer}: {err.log}") from None
            payer = fee.granter
            if auth.get_account(store, payer) is None:
                raise TxError("sdk", 9, f"fee payer address: {payer} does not exist: unknown address")
        if fee_coins:
            try:
                bank.send(store, payer, FEE_COLLECTOR, fee_coins, ctx)
            except TxError as err:
                raise TxError("sdk", 5, f"{err.log}: insufficient funds") from None
        ctx.emit("tx", ("fee", coins_text(fee_coins)), ("fee_payer", payer))
        info = tx.auth_info.signer_infos[0]
        pub = self._pubkey(info, acc, mode)
        if pub is not None and pubkey_to_address(pub) != signer:
            raise TxError("sdk", 8, f"pubKey does not match signer address {signer} with signer index: 0: "
                                    "invalid pubkey")
        acc = auth.get_account(store, signer)  # the SDK's later decorators read the account again (gas)
        for _ in range(gas.EXTRA_ACCOUNT_READS):  # SetPubKey (twice), SigGasConsume, SigVerification
            meter.consume(gas.read_cost(store_size(auth.account_key(signer), acc)), "ReadFlat")
        for _ in range(gas.AUTH_PARAMS_READS - 2):  # ValidateSigCount's and SigGasConsume's params
            meter.consume(gas.read_cost(gas.AUTH_PARAMS_BYTES), "ReadFlat")
        if acc["pub_key"] is None:  # SetPubKey stores the account (simulate too, with a stand-in key) ...
            keyed = {**acc, "pub_key": base64.b64encode(pub or bytes(33)).decode()}
            meter.consume(gas.write_cost(store_size(auth.account_key(signer), keyed)), "WriteFlat")
            if pub is not None:  # ... before IncrementSequence stores it again below
                acc = keyed
        meter.consume(gas.SIG_VERIFY_COST_SECP256K1, "ante verify: secp256k1")
        if info.sequence != acc["sequence"]:
            raise TxError("sdk", 32, f"account sequence mismatch, expected {acc['sequence']}, got {info.sequence}: "
                                     "incorrect account sequence")
        ctx.emit("tx", ("acc_seq", f"{signer}/{acc['sequence']}"))
        if mode != "simulate":
            self._verify(tx, info, acc, pub)
            ctx.emit("tx", ("signature", base64.b64encode(tx.signatures[0]).decode()))
        auth.set_account(store, {**acc, "sequence": acc["sequence"] + 1})

    @staticmethod
    def _pubkey(info, acc: dict, mode: str) -> bytes | None:
        pk = info.public_key
        if pk is not None and pk.type_url:
            if pk.type_url != SECP256K1_PUBKEY_URL:
                raise TxError("sdk", 8, f"unrecognized public key type: {pk.type_url}: invalid pubkey")
            return Secp256k1PubKey().parse(pk.value).key
        if acc["pub_key"] is not None:
            return base64.b64decode(acc["pub_key"])
        if mode == "simulate":
            return None  # simulate may run before the account has a key
        raise TxError("sdk", 8, "pubkey on account is not set: invalid pubkey")

    def _verify(self, tx: DecodedTx, info, acc: dict, pub: bytes) -> None:
        chain_id, number = self.chain.chain_id, acc["account_number"]
        mode = info.mode_info.single.mode if info.mode_info.single is not None else None
        if mode == SignMode.SIGN_MODE_LEGACY_AMINO_JSON:
            ok = False
            try:
                ok = verify_secp256k1(pub, self.amino_sign_bytes(tx, number, acc["sequence"]), tx.signatures[0])
            except ValueError:
                ok = False
            if not ok:
                raise TxError("sdk", 4, f"signature verification failed; please verify account number ({number}), "
                                        f"sequence ({acc['sequence']}) and chain-id ({chain_id}): (unable to verify "
                                        "single signer signature): unauthorized")
            return
        if mode != SignMode.SIGN_MODE_DIRECT:
            raise TxError("sdk", 4, f"signature verification failed; please verify account number ({number}) and "
                                    f"chain-id ({chain_id}): (unsupported sign mode {mode}): unauthorized")
        tx_raw = TxRaw().parse(tx.raw)
        doc = bytes(SignDoc(body_bytes=tx_raw.body_bytes, auth_info_bytes=tx_raw.auth_info_bytes,
                            chain_id=chain_id, account_number=number))
        if not verify_secp256k1(pub, doc, tx.signatures[0]):
            raise TxError("sdk", 4, f"signature verification failed; please verify account number ({number}) and "
                                    f"chain-id ({chain_id}): (unable to verify single signer signature): unauthorized")

    def amino_sign_bytes(self, tx: DecodedTx, account_number: int, sequence: int) -> bytes:
        chain = self.chain
        msgs = []
        for type_url, msg in tx.msgs:
            name = chain.amino_names.get(type_url)
            if name is None:
                raise ValueError(f"{type_url} has no amino name")
            custom = chain.amino_json.get(type_url)
            value = custom(msg) if custom else amino.amino_value(msg, chain.amino_names.get, chain.resolve)
            msgs.append({"type": name, "value": value})
        fee = tx.auth_info.fee
        return amino.sign_bytes(
            account_number=account_number, chain_id=chain.chain_id, sequence=sequence,
            fee_amount=[{"amount": c.amount, "denom": c.denom} for c in fee.amount], gas=fee.gas_limit,
            memo=tx.body.memo, msgs=msgs, timeout_height=tx.body.timeout_height, payer=fee.payer,
            granter=fee.granter)
