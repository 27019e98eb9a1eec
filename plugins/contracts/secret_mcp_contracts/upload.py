"""Reading a .wasm / .wasm.gz file for upload: checked (magic bytes, size limit) before anything is sent."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

from secret_mcp.api import ChainError, SecretMCPError, ToolContext

WASM_MAGIC = b"\0asm"
DEFAULT_MAX = 2 * 1024 * 1024  # x/compute's default max_contract_size when params are unavailable


async def max_size(ctx: ToolContext) -> int:
    try:
        out = await ctx.query("/compute/v1beta1/params")
        return int((out.get("params") or {}).get("max_contract_size") or DEFAULT_MAX)
    except (ChainError, ValueError):
        return DEFAULT_MAX


def _bad(message: str, path: str) -> SecretMCPError:
    return SecretMCPError("INVALID_WASM", message, ["Give the path of a compiled contract (.wasm or .wasm.gz)."],
                          {"path": path})


def read_wasm(path: str, limit: int) -> tuple[bytes, int]:
    """(gzip bytes to send, uncompressed size); refuses files over `limit` without decompressing past it."""
    try:
        p = Path(path).expanduser()
        found = p.is_file()
    except (OSError, ValueError, RuntimeError) as exc:  # name too long, NUL byte, ~unknown-user
        raise _bad(f"Cannot use {path[:200]!r} as a path: {exc.__class__.__name__}", path[:200]) from None
    if not found:
        raise _bad(f"No such file: {path}", path)
    if p.stat().st_size > limit:
        raise SecretMCPError("CONTRACT_TOO_LARGE", f"{path} is {p.stat().st_size} bytes; the chain accepts at most {limit}.",
                             ["Optimize the build (wasm-opt / cosmwasm optimizer)."], {"size": p.stat().st_size, "limit": limit})
    raw = p.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            # Decompress at most limit+1 bytes: a small gzip bomb cannot blow up memory.
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            wasm = d.decompress(raw, limit + 1)
        except zlib.error as exc:
            raise _bad(f"{path} is not a valid gzip file: {exc}", path) from None
        if len(wasm) > limit:
            raise SecretMCPError("CONTRACT_TOO_LARGE", f"{path} unpacks to more than {limit} bytes, the chain's limit.",
                                 ["Optimize the build."], {"limit": limit})
        zipped = raw
    else:
        wasm, zipped = raw, gzip.compress(raw)
    if wasm[:4] != WASM_MAGIC:
        raise _bad(f"{path} is not WebAssembly (it does not start with \\0asm).", path)
    return zipped, len(wasm)
