"""SIGN_MODE_LEGACY_AMINO_JSON for a prepared transaction: the StdSignDoc a wallet signs, and its sign bytes.

Keplr's amino-only signer (what Secret's docs recommend), Leap and Ledger sign this JSON instead of the protobuf
SignDoc. The chain rebuilds it from the tx body and auth info, so it must match byte for byte: keys sorted, no
whitespace, `<`, `>`, `&` escaped, 64-bit integers as strings, empty values left out. Messages are named as
Secret's amino codec names them; compute addresses and ciphertext are base64 bytes (secretjs since mid-2024).
A message type missing here has no amino form: such a transaction is signed in direct mode only.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Callable, Iterable

from .build import Msg


def _coins(coins: Iterable[Any]) -> list[dict[str, str]]:
    return [{"amount": c.amount, "denom": c.denom} for c in coins]


def _coin(coin: Any) -> dict[str, str] | None:
    return None if coin is None else {"amount": coin.amount, "denom": coin.denom}


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _send(m: Any) -> dict:
    return {"from_address": m.from_address, "to_address": m.to_address, "amount": _coins(m.amount)}


def _delegate(m: Any) -> dict:
    return {"delegator_address": m.delegator_address, "validator_address": m.validator_address,
            "amount": _coin(m.amount)}


def _redelegate(m: Any) -> dict:
    return {"delegator_address": m.delegator_address, "validator_src_address": m.validator_src_address,
            "validator_dst_address": m.validator_dst_address, "amount": _coin(m.amount)}


def _withdraw(m: Any) -> dict:
    return {"delegator_address": m.delegator_address, "validator_address": m.validator_address}


def _vote(m: Any) -> dict:
    return {"proposal_id": str(m.proposal_id), "voter": m.voter, "option": int(m.option),
            "metadata": getattr(m, "metadata", "")}


def _execute(m: Any) -> dict:
    # sent_funds stays even when empty: secretjs always writes it, and the chain's codec renders it so
    return {"sender": _b64(m.sender), "contract": _b64(m.contract), "msg": _b64(m.msg),
            "sent_funds": _coins(m.sent_funds), "_keep": ("sent_funds",)}


def _instantiate(m: Any) -> dict:
    return {"sender": _b64(m.sender), "code_id": str(m.code_id), "label": m.label, "init_msg": _b64(m.init_msg),
            "init_funds": _coins(m.init_funds), "admin": m.admin, "_keep": ("init_funds",)}


# type URL -> (amino name, value)
NAMES: dict[str, tuple[str, Callable[[Any], dict]]] = {
    "/cosmos.bank.v1beta1.MsgSend": ("cosmos-sdk/MsgSend", _send),
    "/cosmos.staking.v1beta1.MsgDelegate": ("cosmos-sdk/MsgDelegate", _delegate),
    "/cosmos.staking.v1beta1.MsgUndelegate": ("cosmos-sdk/MsgUndelegate", _delegate),
    "/cosmos.staking.v1beta1.MsgBeginRedelegate": ("cosmos-sdk/MsgBeginRedelegate", _redelegate),
    "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward": ("cosmos-sdk/MsgWithdrawDelegationReward", _withdraw),
    "/cosmos.gov.v1.MsgVote": ("cosmos-sdk/v1/MsgVote", _vote),
    "/cosmos.gov.v1beta1.MsgVote": ("cosmos-sdk/MsgVote", _vote),
    "/secret.compute.v1beta1.MsgExecuteContract": ("wasm/MsgExecuteContract", _execute),
    "/secret.compute.v1beta1.MsgInstantiateContract": ("wasm/MsgInstantiateContract", _instantiate),
}


def _omit_empty(value: dict) -> dict:
    keep = value.pop("_keep", ())
    return {k: v for k, v in value.items() if k in keep or v not in (None, "", [], {}, 0, "0")}


def amino_msg(msg: Msg) -> dict | None:
    entry = NAMES.get(msg.type_url)
    if entry is None:
        return None
    name, render = entry
    return {"type": name, "value": _omit_empty(render(msg.message))}


def std_sign_doc(msgs: Iterable[Msg], *, memo: str, chain_id: str, account_number: int, sequence: int,
                 fee_amount: int, fee_denom: str, gas_limit: int) -> dict | None:
    """The StdSignDoc of these messages, or None when one of them has no amino form."""
    rendered = [amino_msg(m) for m in msgs]
    if any(r is None for r in rendered):
        return None
    return {
        "chain_id": chain_id, "account_number": str(account_number), "sequence": str(sequence),
        "fee": {"amount": [{"amount": str(fee_amount), "denom": fee_denom}] if fee_amount else [],
                "gas": str(gas_limit)},
        "msgs": rendered, "memo": memo,
    }


def sign_bytes(doc: dict) -> bytes:
    """The bytes an amino signer signs (SHA-256 of them, secp256k1): sorted compact JSON, HTML-safe escapes."""
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e").encode()

