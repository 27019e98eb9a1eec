"""Protobuf transaction bytes: messages as Any, TxBody/AuthInfo, SIGN_MODE_DIRECT sign doc, TxRaw and its hash.

docs/protocol-notes.md#tx-encoding and #tx-signing. secret-sdk's betterproto classes do the encoding; the HTTP and the key stay ours.
They are imported on first use: loading them costs ~0.3 s, which start-up (tools/list) does not need.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any, Iterable

import attrs

if TYPE_CHECKING:
    import betterproto
    from betterproto.lib.google.protobuf import Any as AnyProto

PUBKEY_TYPE = "/cosmos.crypto.secp256k1.PubKey"
PROTO_PREFIX = "secret_sdk.protobuf."


@attrs.frozen
class Msg:
    """One message of a transaction: its type URL and the betterproto message."""

    type_url: str
    message: betterproto.Message

    def to_any(self) -> AnyProto:
        from betterproto.lib.google.protobuf import Any as AnyProto

        return AnyProto(type_url=self.type_url, value=bytes(self.message))

    def to_json(self) -> dict[str, Any]:
        """Proto-JSON with "@type" first (what policy plugins and the audit see)."""
        import betterproto

        body = self.message.to_dict(casing=betterproto.Casing.SNAKE, include_default_values=True)
        return {"@type": self.type_url, **body}


def type_url_of(message: betterproto.Message) -> str:
    """/package.Name from the betterproto module path (secret_sdk.protobuf.cosmos.bank.v1beta1 -> cosmos.bank.v1beta1)."""
    module = type(message).__module__
    if not module.startswith(PROTO_PREFIX):
        raise TypeError(f"{type(message).__name__}: not a secret_sdk.protobuf message; wrap it in Msg(type_url, message)")
    return "/" + module.removeprefix(PROTO_PREFIX) + "." + type(message).__name__


def as_msg(item: Any) -> Msg:
    """Accept a Msg, a (type_url, message) pair, a bare secret_sdk.protobuf message, or a secret_sdk.core Msg."""
    import betterproto

    if isinstance(item, Msg):
        return item
    if isinstance(item, tuple) and len(item) == 2:
        return Msg(str(item[0]), item[1])
    if isinstance(item, betterproto.Message):
        return Msg(type_url_of(item), item)
    if hasattr(item, "type_url") and hasattr(item, "to_proto"):  # secret_sdk.core.* messages
        return Msg(item.type_url, item.to_proto())
    raise TypeError(f"cannot send {type(item).__name__} as a transaction message")


def body_bytes(msgs: Iterable[Msg], memo: str) -> bytes:
    from secret_sdk.protobuf.cosmos.tx.v1beta1 import TxBody

    return bytes(TxBody(messages=[m.to_any() for m in msgs], memo=memo))


def auth_info_bytes(public_key: bytes, sequence: int, fee_amount: int, fee_denom: str, gas_limit: int,
                    granter: str = "", *, amino: bool = False) -> bytes:
    """AuthInfo of one signer; `granter`: a fee grant pays the fee; `amino`: SIGN_MODE_LEGACY_AMINO_JSON. An empty
    `public_key` leaves it out (only for simulating a wallet the chain has no key of yet: the node then stands in
    its own placeholder key)."""
    from betterproto.lib.google.protobuf import Any as AnyProto
    from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
    from secret_sdk.protobuf.cosmos.crypto.secp256k1 import PubKey
    from secret_sdk.protobuf.cosmos.tx.signing.v1beta1 import SignMode
    from secret_sdk.protobuf.cosmos.tx.v1beta1 import AuthInfo, Fee, ModeInfo, ModeInfoSingle, SignerInfo

    mode = SignMode.SIGN_MODE_LEGACY_AMINO_JSON if amino else SignMode.SIGN_MODE_DIRECT
    signer = SignerInfo(
        public_key=AnyProto(type_url=PUBKEY_TYPE, value=bytes(PubKey(key=public_key))) if public_key else None,
        mode_info=ModeInfo(single=ModeInfoSingle(mode=mode)),
        sequence=sequence,
    )
    coins = [Coin(denom=fee_denom, amount=str(fee_amount))] if fee_amount else []
    return bytes(AuthInfo(signer_infos=[signer], fee=Fee(amount=coins, gas_limit=gas_limit, granter=granter)))


def sign_doc(body: bytes, auth_info: bytes, chain_id: str, account_number: int) -> bytes:
    from secret_sdk.protobuf.cosmos.tx.v1beta1 import SignDoc

    return bytes(SignDoc(body_bytes=body, auth_info_bytes=auth_info, chain_id=chain_id, account_number=account_number))


def tx_raw(body: bytes, auth_info: bytes, signature: bytes) -> bytes:
    from secret_sdk.protobuf.cosmos.tx.v1beta1 import TxRaw

    return bytes(TxRaw(body_bytes=body, auth_info_bytes=auth_info, signatures=[signature]))


def tx_hash(raw: bytes) -> str:
    """The chain's txhash: upper-case hex SHA-256 of the TxRaw bytes (known before broadcasting)."""
    return hashlib.sha256(raw).hexdigest().upper()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
