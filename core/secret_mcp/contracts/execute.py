"""Sending contract messages through the core pipeline and reading the outcome with this session's key."""

from __future__ import annotations

from typing import Any

import bech32
from pydantic import Field

from ..addresses import validate_address
from ..amounts import Amount
from ..context import ToolContext
from ..errors import SecretMCPError
from ..tx import TxResult, send_messages
from . import decrypt
from .crypto import Cipher
from .state import cipher


class ContractTx(TxResult):
    """A transaction with contract messages, decrypted with this session's key."""

    responses: list[dict[str, Any]] = Field([], description="Per message: decrypted `data`, new contract address, code id")
    wasm_events: list[dict[str, Any]] = Field([], description="Decrypted `wasm` event attributes per contract call")


def raw_address(address: str, field: str = "contract") -> bytes:
    """Store/instantiate/execute carry raw 20-byte addresses, not bech32 text (docs/protocol-notes.md#compute-routes)."""
    text = validate_address(address, field=field)
    _hrp, data = bech32.bech32_decode(text)
    return bytes(bech32.convertbits(data, 5, 8, False))


def readable(c: Cipher, wires: list[bytes], exc: SecretMCPError) -> SecretMCPError:
    """The same failure with the contract's own error text in place of `encrypted: <b64>`."""
    details = dict(exc.details)
    parsed = None
    for key in ("raw_log", "chain_message"):
        if isinstance(details.get(key), str):
            details[key], found = decrypt.error_text(c, wires, details[key])
            parsed = parsed if found is None else found
    message, found = decrypt.error_text(c, wires, exc.message)
    parsed = parsed if found is None else found
    if parsed is None:
        return exc
    details["contract_error"] = parsed
    details["original_code"] = exc.code
    return SecretMCPError("CONTRACT_ERROR", f"The contract refused: {message}",
                          ["Read the contract's error above; fix the message (or the sender/funds) and retry."], details)


async def run(ctx: ToolContext, msgs: list[Any], wires: list[bytes | None], *, summary: str, tool: str,
              amounts: list[Amount] = (), memo: str = "", gas: int | None = None) -> ContractTx:
    """Send through the core pipeline; decrypt the outcome either way."""
    c = await cipher(ctx)
    try:
        res = await send_messages(ctx, msgs, summary=summary, amounts=amounts, memo=memo, gas=gas, tool=tool)
    except SecretMCPError as exc:
        raise readable(c, [w or b"" for w in wires], exc) from None
    response = res.response
    out = ContractTx(**res.model_dump(),
                     responses=decrypt.msg_datas(c, wires, str(response.get("data") or "")),
                     wasm_events=decrypt.wasm_attributes(c, wires, response.get("events") or []))
    out._response = response
    return out


async def confirm_text(ctx: ToolContext, action: str, msgs: list[Any], wires: list[bytes | None], *,
                       amounts: list[Amount] = (), recipients: list[str] = (), lines: list[str] = (),
                       memo: str = "", gas: int | None = None) -> str | None:
    """The confirmation preview for contract messages, free of ciphertext.

    Every build encrypts with a fresh nonce and the core checks that the confirmed text stays the same, so a
    simulation failure is shown decrypted (and the fee as "estimated at signing") instead of as raw ciphertext."""
    from ..tx import estimate, preview

    shown: list[Any] | None = msgs
    try:
        await estimate(ctx, msgs, memo=memo, gas=gas)
    except SecretMCPError as exc:
        why = readable(await cipher(ctx), [w or b"" for w in wires], exc).message
        lines, shown = [*lines, f"Warning: the chain would reject this: {why}"], None
    return await preview(ctx, action, amounts=amounts, recipients=recipients, messages=shown, lines=lines,
                         memo=memo, gas=gas)
