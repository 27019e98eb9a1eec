"""Block headers, ids and commit JSON (CometBFT 0.38 shapes, Secret's encrypted_random), hashed deterministically."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from .crypto import valcons_from_ed25519
from .base import ChainRef

_FALLBACK_VAL_PUB = hashlib.sha256(b"sandbox validator").digest()  # used only when no staking module is loaded


def _sha(*parts: bytes) -> bytes:
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def validator_set(chain: ChainRef, store) -> list[dict]:
    """[{pub (32-byte ed25519), power}] of the bonded set, by power then key, like CometBFT orders it."""
    try:
        staking = chain.module("staking")
    except KeyError:
        staking = None
    vals = []
    if staking is not None:
        for v in staking.bonded_validators(store):
            vals.append({"pub": base64.b64decode(v["consensus_pubkey"]), "power": staking.consensus_power(v)})
    if not vals:
        vals = [{"pub": _FALLBACK_VAL_PUB, "power": 1}]
    vals.sort(key=lambda v: (-v["power"], v["pub"]))
    return vals


def make_block(*, chain_id: str, height: int, time_text: str, last_hash: bytes, raw_txs: list[bytes],
               app_hash: bytes, validators: list[dict], last_results: bytes) -> dict:
    """The stored form of a block: everything the JSON views need, bytes as hex."""
    vals_hash = _sha(json.dumps([[_b64(v["pub"]), v["power"]] for v in validators]).encode())
    proposer_pub = validators[(height - 1) % len(validators)]["pub"]  # round-robin is close enough
    data_hash = _sha(*[_sha(t) for t in raw_txs])
    header_digest = _sha(chain_id.encode(), str(height).encode(), time_text.encode(), last_hash, data_hash,
                         app_hash, vals_hash, last_results)
    return {
        "height": height,
        "time": time_text,
        "hash": header_digest.hex(),
        "last_hash": last_hash.hex(),
        "data_hash": data_hash.hex(),
        "app_hash": app_hash.hex(),
        "validators_hash": vals_hash.hex(),
        "last_results_hash": last_results.hex(),
        "proposer": hashlib.sha256(proposer_pub).digest()[:20].hex(),
        "signers": [hashlib.sha256(v["pub"]).digest()[:20].hex() for v in validators],
        "txs": [_b64(t) for t in raw_txs],
    }


def _block_id(hash_hex: str) -> dict:
    if not hash_hex:
        return {"hash": "", "part_set_header": {"total": 0, "hash": ""}}
    h = bytes.fromhex(hash_hex)
    return {"hash": _b64(h), "part_set_header": {"total": 1, "hash": _b64(_sha(b"parts", h))}}


def block_id_json(block: dict) -> dict:
    return _block_id(block["hash"])


def _header(chain_id: str, block: dict, proposer: str) -> dict:
    h = bytes.fromhex(block["hash"])
    return {
        "version": {"block": "11", "app": "0"},
        "chain_id": chain_id,
        "height": str(block["height"]),
        "time": block["time"],
        "last_block_id": _block_id(block["last_hash"]),
        "last_commit_hash": _b64(_sha(b"commit", bytes.fromhex(block["last_hash"]))),
        "data_hash": _b64(bytes.fromhex(block["data_hash"])),
        "validators_hash": _b64(bytes.fromhex(block["validators_hash"])),
        "next_validators_hash": _b64(bytes.fromhex(block["validators_hash"])),
        "consensus_hash": _b64(_sha(b"consensus params")),
        "app_hash": _b64(bytes.fromhex(block["app_hash"])),
        "last_results_hash": _b64(bytes.fromhex(block["last_results_hash"])),
        "evidence_hash": _b64(_sha()),
        "proposer_address": proposer,
        "encrypted_random": {"random": _b64(hashlib.sha384(b"random" + h).digest()), "proof": _b64(_sha(b"proof", h))},
    }


def _last_commit(block: dict, prev: dict | None) -> dict:
    if prev is None:
        return {"height": "0", "round": 0, "block_id": _block_id(""), "signatures": []}
    sigs = []
    for signer in prev["signers"]:
        sig = hashlib.sha512(bytes.fromhex(prev["hash"]) + bytes.fromhex(signer)).digest()
        sigs.append({"block_id_flag": "BLOCK_ID_FLAG_COMMIT", "validator_address": _b64(bytes.fromhex(signer)),
                     "timestamp": block["time"], "signature": _b64(sig)})
    return {"height": str(prev["height"]), "round": 0, "block_id": _block_id(prev["hash"]), "signatures": sigs}


def block_json(chain_id: str, block: dict, prev: dict | None, sdk: bool) -> dict:
    """`block` (proposer as base64) or `sdk_block` (proposer as secretvalcons bech32)."""
    proposer_bytes = bytes.fromhex(block["proposer"])
    proposer = _bech32_valcons(proposer_bytes) if sdk else _b64(proposer_bytes)
    return {
        "header": _header(chain_id, block, proposer),
        "data": {"txs": list(block["txs"])},
        "evidence": {"evidence": []},
        "last_commit": _last_commit(block, prev),
    }


def _bech32_valcons(addr20: bytes) -> str:
    from .crypto import bech32_encode

    return bech32_encode("secretvalcons", addr20)


def validators_json(validators: list[dict]) -> list[dict[str, Any]]:
    return [{
        "address": valcons_from_ed25519(v["pub"]),
        "pub_key": {"@type": "/cosmos.crypto.ed25519.PubKey", "key": _b64(v["pub"])},
        "voting_power": str(v["power"]),
        "proposer_priority": "0",
    } for v in validators]
