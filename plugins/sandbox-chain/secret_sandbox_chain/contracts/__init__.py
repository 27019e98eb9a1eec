"""Built-in Python contracts the sandbox can run, keyed by the code hash of fixed "wasm" blobs.

The blobs are stored at genesis (stable code ids and hashes); uploading the same bytes again gives another code
id that runs the same contract. Any other uploaded code is stored but cannot be instantiated.
"""

from __future__ import annotations

import hashlib

from .amm_pair import AmmPair
from .base import Contract
from .counter import Counter
from .snip20 import Snip20

# A wasm magic/version header keeps tools that sniff the bytes happy; the rest names the Python contract.
_HEADER = b"\x00asm\x01\x00\x00\x00"
BUILTIN_BLOBS: dict[str, bytes] = {
    "snip20": _HEADER + b"secret-mcp sandbox built-in contract: snip20 (SNIP-20 + SNIP-24) v1",
    "counter": _HEADER + b"secret-mcp sandbox built-in contract: counter v1",
    "amm_pair": _HEADER + b"secret-mcp sandbox built-in contract: amm_pair (constant product, native/SNIP-20) v1",
}
_CLASSES: dict[str, type[Contract]] = {"snip20": Snip20, "counter": Counter, "amm_pair": AmmPair}
_BY_HASH = {hashlib.sha256(blob).hexdigest(): name for name, blob in BUILTIN_BLOBS.items()}


def code_hash(wasm: bytes) -> str:
    return hashlib.sha256(wasm).hexdigest()


def builtin_name(hash_hex: str) -> str | None:
    return _BY_HASH.get(hash_hex.lower())


def contract_for(hash_hex: str) -> Contract | None:
    name = builtin_name(hash_hex)
    return _CLASSES[name]() if name else None


def register_builtin(name: str, blob: bytes, cls: type[Contract]) -> str:
    """Run `cls` for code uploaded as `blob` from now on (in this process); returns its code hash.

    For tests that need a contract of their own (say, one that forwards funds to another): the code still has to
    be stored (MsgStoreCode) and instantiated by transactions like any other."""
    if name in _CLASSES and _CLASSES[name] is not cls:
        raise ValueError(f"a built-in contract named {name!r} already exists")
    BUILTIN_BLOBS[name] = blob
    _CLASSES[name] = cls
    _BY_HASH[code_hash(blob)] = name
    return code_hash(blob)
