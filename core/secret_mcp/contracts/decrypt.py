"""Reading what a contract said: query answers, execute data, wasm attributes and encrypted error text
(docs/protocol-notes.md#contract-outputs)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from .crypto import Cipher, nonce_of

ENCRYPTED = re.compile(r"encrypted: ([A-Za-z0-9+/=]+)")
INDEX = re.compile(r"message index: (\d+)")


def parse_json(raw: bytes) -> Any:
    """Contract JSON (SNIP-20 pads with spaces); text that is not JSON is returned as text."""
    text = raw.decode("utf-8", "replace").strip()
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return text


def answer(c: Cipher, wire: bytes, data_b64: str) -> Any:
    """A query answer or execute data: the enclave encrypted the base64 text of the contract's Binary."""
    inner = c.decrypt(nonce_of(wire), base64.b64decode(data_b64))
    if not inner.strip():
        return {}
    return parse_json(base64.b64decode(inner))


def error_text(c: Cipher, wires: list[bytes], text: str) -> tuple[str, Any | None]:
    """Replace `encrypted: <b64>` by the contract's own error; returns (readable text, parsed error or None)."""
    m = ENCRYPTED.search(text)
    if not m or not wires:
        return text, None
    idx = INDEX.search(text)
    order = [int(idx.group(1))] if idx and int(idx.group(1)) < len(wires) else []
    order += [i for i in range(len(wires)) if i not in order]  # simulation errors may omit the index
    for i in order:
        try:
            plain = c.decrypt(nonce_of(wires[i]), base64.b64decode(m.group(1)))
        except Exception:  # another message's nonce (the tag does not verify) or text that is not base64
            continue
        parsed = parse_json(plain)
        return text.replace(m.group(0), plain.decode("utf-8", "replace")), parsed
    return text, None


def msg_datas(c: Cipher, wires: list[bytes | None], data_hex: str) -> list[dict[str, Any]]:
    """Decrypt each message's response in TxMsgData.msg_responses (secret-sdk reads the deprecated field)."""
    if not data_hex:
        return []
    # Protobuf is imported here, not at start-up (see tx/build.py).
    from secret_sdk.protobuf.cosmos.base.abci.v1beta1 import TxMsgData
    from secret_sdk.protobuf.secret.compute.v1beta1 import (MsgExecuteContractResponse, MsgInstantiateContractResponse,
                                                           MsgStoreCodeResponse)

    out: list[dict[str, Any]] = []
    for i, any_ in enumerate(TxMsgData().parse(bytes.fromhex(data_hex)).msg_responses):
        row: dict[str, Any] = {"msg_index": i, "type": any_.type_url}
        if any_.type_url.endswith("MsgInstantiateContractResponse"):
            resp = MsgInstantiateContractResponse().parse(any_.value)
            row["address"], data = resp.address, resp.data
        elif any_.type_url.endswith("MsgExecuteContractResponse"):
            data = MsgExecuteContractResponse().parse(any_.value).data
        elif any_.type_url.endswith("MsgStoreCodeResponse"):
            row["code_id"] = int(MsgStoreCodeResponse().parse(any_.value).code_id)
            out.append(row)
            continue
        else:
            row["raw"] = any_.value.hex()
            out.append(row)
            continue
        wire = wires[i] if i < len(wires) else None
        if data and wire:
            try:
                row["data"] = answer(c, wire, base64.b64encode(data).decode())
            except Exception:
                row["data_encrypted"] = base64.b64encode(data).decode()
        out.append(row)
    return out


def wasm_attributes(c: Cipher, wires: list[bytes | None], events: list[dict]) -> list[dict[str, Any]]:
    """Decrypted `wasm` events: contract address, msg_index and each plaintext key/value."""
    out = []
    for event in events:
        if event.get("type") != "wasm":
            continue
        pairs = [(str(a.get("key", "")), str(a.get("value", ""))) for a in event.get("attributes") or []]
        idx = next((int(v) for k, v in pairs if k == "msg_index" and v.isdigit()), 0)
        wire = wires[idx] if idx < len(wires) else None
        attrs: dict[str, str] = {}
        contract = ""
        for k, v in pairs:
            if k == "contract_address":
                contract = v
            elif k != "msg_index":
                attrs[_plain(c, wire, k)] = _plain(c, wire, v)
        out.append({"contract_address": contract, "msg_index": idx, "attributes": attrs})
    return out


def _plain(c: Cipher, wire: bytes | None, text: str) -> str:
    if wire is None:
        return text
    try:
        return c.decrypt(nonce_of(wire), base64.b64decode(text, validate=True)).decode().strip()
    except Exception:  # attributes the contract left in plaintext
        return text
