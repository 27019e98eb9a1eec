"""Build and sign transactions (SIGN_MODE_DIRECT or LEGACY_AMINO_JSON) from betterproto messages.

Used by the faucet and by tests; a client would normally use secret-sdk's wallet instead.
"""

from __future__ import annotations

from typing import Any, Callable

from betterproto.lib.google.protobuf import Any as AnyPb
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
from secret_sdk.protobuf.cosmos.crypto.secp256k1 import PubKey as Secp256k1PubKey
from secret_sdk.protobuf.cosmos.tx.signing.v1beta1 import SignMode
from secret_sdk.protobuf.cosmos.tx.v1beta1 import (
    AuthInfo, Fee, ModeInfo, ModeInfoSingle, SignDoc, SignerInfo, TxBody, TxRaw,
)


def build_tx(key: Any, msgs: list[tuple[str, Any]], *, chain_id: str, account_number: int, sequence: int,
             gas: int = 200_000, fee_uscrt: int | None = None, memo: str = "", timeout_height: int = 0,
             amino_sign_bytes: Callable[[TxBody, AuthInfo], bytes] | None = None,
             public_key: bytes | None = None, signature: bytes | None = None, fee_granter: str = "") -> bytes:
    """TxRaw bytes signed by `key` (a secret_sdk RawKey/MnemonicKey). The fee defaults to gas x 0.0125 rounded up.

    With `amino_sign_bytes`, the signer info says LEGACY_AMINO_JSON and the key signs what that function returns.
    `public_key`/`signature` override what goes into the tx (for negative tests)."""
    body = TxBody(messages=[AnyPb(type_url=url, value=bytes(m)) for url, m in msgs], memo=memo,
                  timeout_height=timeout_height)
    if fee_uscrt is None:
        fee_uscrt = -(-gas * 125 // 10_000)
    mode = SignMode.SIGN_MODE_LEGACY_AMINO_JSON if amino_sign_bytes else SignMode.SIGN_MODE_DIRECT
    pub = public_key if public_key is not None else key.public_key.key
    auth_info = AuthInfo(
        signer_infos=[SignerInfo(
            public_key=AnyPb(type_url="/cosmos.crypto.secp256k1.PubKey", value=bytes(Secp256k1PubKey(key=pub))),
            mode_info=ModeInfo(single=ModeInfoSingle(mode=mode)), sequence=sequence)],
        fee=Fee(amount=[Coin(denom="uscrt", amount=str(fee_uscrt))] if fee_uscrt else [], gas_limit=gas,
                granter=fee_granter),
    )
    body_bytes, auth_bytes = bytes(body), bytes(auth_info)
    if signature is None:
        if amino_sign_bytes:
            payload = amino_sign_bytes(body, auth_info)
        else:
            payload = bytes(SignDoc(body_bytes=body_bytes, auth_info_bytes=auth_bytes, chain_id=chain_id,
                                    account_number=account_number))
        signature = key.sign(payload)
    return bytes(TxRaw(body_bytes=body_bytes, auth_info_bytes=auth_bytes, signatures=[signature]))
