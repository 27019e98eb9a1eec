"""SIGN_MODE_LEGACY_AMINO_JSON sign bytes (docs/protocol-notes.md#amino-signing): sorted, compact JSON of the StdSignDoc."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import datetime
from typing import Any, Callable

import betterproto

from .encoding import ts

_INT64 = {
    betterproto.TYPE_INT64, betterproto.TYPE_UINT64, betterproto.TYPE_SINT64,
    betterproto.TYPE_FIXED64, betterproto.TYPE_SFIXED64,
}


def amino_value(msg: betterproto.Message, amino_name_of: Callable[[str], str | None],
                resolve: Callable[[str], Any]) -> dict:
    """Amino JSON of a message's fields: empty values omitted (omitempty), 64-bit ints as strings,
    enums as numbers, bytes base64, nested Any as {"type": amino name, "value": ...}."""
    out: dict[str, Any] = {}
    for field in dataclasses.fields(msg):
        meta = betterproto.FieldMetadata.get(field)
        value = getattr(msg, field.name)
        if meta.group and betterproto.which_one_of(msg, meta.group)[0] != field.name:
            continue
        rendered = _render(value, meta.proto_type, amino_name_of, resolve)
        if rendered in (None, "", [], {}, 0, "0", False):
            continue
        out[field.name.rstrip("_")] = rendered
    return out


def _render(value: Any, t: str, amino_name_of, resolve) -> Any:
    if isinstance(value, list):
        return [_render(v, t, amino_name_of, resolve) for v in value]
    if value is None:
        return None
    if isinstance(value, datetime):
        return ts(value)
    if t in _INT64:
        return str(value) if value else None
    if t == betterproto.TYPE_BYTES:
        return base64.b64encode(value).decode() if value else None
    if t == betterproto.TYPE_ENUM:
        return int(value)
    if t == betterproto.TYPE_MESSAGE:
        if type(value).__name__ == "Any" and hasattr(value, "type_url"):
            cls = resolve(value.type_url)
            name = amino_name_of(value.type_url)
            if cls is None or name is None:
                raise ValueError(f"no amino name for {value.type_url}")
            return {"type": name, "value": amino_value(cls().parse(value.value), amino_name_of, resolve)}
        if not bytes(value):
            return None
        return amino_value(value, amino_name_of, resolve)
    return value


def sign_bytes(*, account_number: int, chain_id: str, sequence: int, fee_amount: list[dict], gas: int,
               memo: str, msgs: list[dict], timeout_height: int = 0, payer: str = "", granter: str = "") -> bytes:
    fee: dict[str, Any] = {"amount": fee_amount, "gas": str(gas)}
    if payer:
        fee["payer"] = payer
    if granter:
        fee["granter"] = granter
    doc: dict[str, Any] = {
        "account_number": str(account_number), "chain_id": chain_id, "fee": fee, "memo": memo,
        "msgs": msgs, "sequence": str(sequence),
    }
    if timeout_height:
        doc["timeout_height"] = str(timeout_height)
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # cosmjs escapes these three so the JSON is safe to embed in HTML; the chain signs the same bytes
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return text.encode()
