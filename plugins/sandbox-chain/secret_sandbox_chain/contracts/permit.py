"""SNIP-24 query permits: the amino StdSignDoc the wallet signs, signature check, signer address
(docs/protocol-notes.md#snip-24-permits)."""

from __future__ import annotations

import base64
import json

from ..crypto import pubkey_to_address, verify_secp256k1
from .base import ContractError

PERMISSIONS = ("allowance", "balance", "history", "owner")


def sign_bytes(params: dict) -> bytes:
    """Key-sorted, compact amino JSON with cosmjs' <, >, & escapes; account number/sequence "0", fee 0uscrt/1."""
    doc = {
        "account_number": "0", "chain_id": params.get("chain_id", ""),
        "fee": {"amount": [{"amount": "0", "denom": "uscrt"}], "gas": "1"}, "memo": "",
        "msgs": [{"type": "query_permit", "value": {
            "allowed_tokens": params.get("allowed_tokens", []), "permissions": params.get("permissions", []),
            "permit_name": params.get("permit_name", "")}}],
        "sequence": "0",
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


def verify(permit: dict, contract: str) -> tuple[str, dict]:
    """Check a permit for this contract -> (signer address, params). Revocation is the caller's job."""
    try:
        params = permit["params"]
        sig = permit["signature"]
        pub = base64.b64decode(sig["pub_key"]["value"])
        signature = base64.b64decode(sig["signature"])
        tokens, perms, name = params["allowed_tokens"], params["permissions"], params["permit_name"]
    except (KeyError, TypeError, ValueError):
        raise ContractError.parse("invalid permit: missing params or signature fields", "permit") from None
    if not isinstance(tokens, list) or not isinstance(perms, list) or not isinstance(name, str):
        raise ContractError.parse("invalid permit params", "permit")
    if contract not in tokens:
        raise ContractError.generic(f"Permit doesn't apply to token {contract!r}, allowed tokens: {tokens!r}")
    for p in perms:
        if p not in PERMISSIONS:
            raise ContractError.parse(f"unknown variant `{p}`, expected one of `allowance`, `balance`, `history`, "
                                      "`owner`", "permit")
    if not verify_secp256k1(pub, sign_bytes(params), signature):
        raise ContractError.generic("Failed to verify signatures for the given permit: signature does not match "
                                    "the permit's params and public key")
    return pubkey_to_address(pub), params
