"""The LCD's JSON conventions (gogoproto jsonpb; docs/protocol-notes.md#lcd-json, #pagination) as small helpers."""

from __future__ import annotations

import base64
import dataclasses
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable

import betterproto

from .base import Event, LCDError

if TYPE_CHECKING:
    from .base import Request

_INT64 = {
    betterproto.TYPE_INT64, betterproto.TYPE_UINT64, betterproto.TYPE_SINT64,
    betterproto.TYPE_FIXED64, betterproto.TYPE_SFIXED64,
}
_DEC_SCALE = Decimal(10) ** -18


def dec(value: Any) -> str:
    """LegacyDec text: exactly 18 fractional digits, truncated like the SDK."""
    d = Decimal(str(value)).quantize(_DEC_SCALE, rounding="ROUND_DOWN")
    return f"{d:.18f}"


def ts(dt: datetime) -> str:
    """RFC 3339 in UTC like Go's jsonpb: fractional digits trimmed to 0, 3, 6 or 9, then 'Z'."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc)
    base = dt.strftime("%Y-%m-%dT%H:%M:%S")
    us = dt.microsecond
    if us == 0:
        return base + "Z"
    if us % 1000 == 0:
        return f"{base}.{us // 1000:03d}Z"
    return f"{base}.{us:06d}Z"


def ts_seconds(dt: datetime) -> str:
    """TxResponse.timestamp: seconds precision."""
    return ts(dt.replace(microsecond=0))


def duration(seconds: int) -> str:
    return f"{int(seconds)}s"


def coin(denom: str, amount: int) -> dict:
    return {"denom": denom, "amount": str(int(amount))}


def coins(d: dict[str, int]) -> list[dict]:
    return [coin(k, v) for k, v in sorted(d.items()) if v]


def coins_text(d: dict[str, int]) -> str:
    """The SDK's Coins.String(): "10uscrt,5zzz" sorted by denom ("" when empty)."""
    return ",".join(f"{v}{k}" for k, v in sorted(d.items()) if v)


def events_json(events: list[Event]) -> list[dict]:
    return [{"type": e.type, "attributes": [{"key": k, "value": v, "index": True} for k, v in e.attributes]}
            for e in events]


def b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode()


def _bool_param(req: "Request", name: str) -> bool:
    return (req.param(name) or "").lower() in ("true", "1")


def _int_param(req: "Request", name: str) -> int | None:
    raw = req.param(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise LCDError(3, f"strconv.ParseUint: parsing {raw!r}: invalid syntax") from None
    if value < 0:
        raise LCDError(3, f"strconv.ParseUint: parsing {raw!r}: invalid syntax")
    return value


def paginate(req: "Request", items: list) -> tuple[list, dict]:
    """Apply pagination.* query parameters to an ordered list (SDK query.Paginate semantics, docs/protocol-notes.md#pagination).

    `next_key` is an opaque cursor (base64 of the next position) that only this server understands, which
    is all clients do with it: hand it back.
    """
    key = req.param("pagination.key")
    offset = _int_param(req, "pagination.offset")
    limit = _int_param(req, "pagination.limit")
    count_total = _bool_param(req, "pagination.count_total")
    if key and offset:
        raise LCDError.invalid("either offset or key is expected, got both")
    ordered = list(reversed(items)) if _bool_param(req, "pagination.reverse") else items
    default_limit = not limit
    if default_limit:
        limit, count_total = 100, True  # the SDK counts the total when it picks the limit itself
    if key:
        try:
            start = int(base64.b64decode(key + "=" * (-len(key) % 4)).decode())
        except (ValueError, UnicodeDecodeError):
            raise LCDError.invalid("invalid pagination key") from None
        count_total = False  # the SDK only counts with offset paging
    else:
        start = offset or 0
    page = ordered[start:start + limit]
    end = start + len(page)
    next_key = b64(str(end).encode()) if end < len(ordered) else None
    total = str(len(ordered)) if count_total else "0"
    return page, {"next_key": next_key, "total": total}


# ---- protobuf -> gogoproto JSON

AnyResolver = Callable[[str], "type[betterproto.Message] | None"]


def proto_json(msg: betterproto.Message, resolve: AnyResolver, overrides: dict | None = None) -> dict:
    """Render a betterproto message as the gateway does: proto names, defaults emitted, 64-bit ints as strings,
    bytes base64, enums by name, Any inlined with "@type". `overrides` maps a type URL to a function giving
    that message's JSON (e.g. compute messages whose address bytes render as bech32)."""
    out: dict[str, Any] = {}
    groups: dict[str, str | None] = {}
    for field in dataclasses.fields(msg):
        meta = betterproto.FieldMetadata.get(field)
        if meta.group:
            if meta.group not in groups:
                groups[meta.group] = betterproto.which_one_of(msg, meta.group)[0]
            if groups[meta.group] != field.name:
                continue
        value = getattr(msg, field.name)
        if meta.proto_type == betterproto.TYPE_ENUM:  # parsed enums may be plain ints; name them
            enum_cls = msg._betterproto.cls_by_field[field.name]
            value = [_enum_name(enum_cls, v) for v in value] if isinstance(value, list) else _enum_name(enum_cls, value)
        out[field.name.rstrip("_")] = _value_json(value, meta, field, resolve, overrides)
    return out


def _enum_name(enum_cls: Any, value: Any) -> str:
    try:
        return enum_cls(value).name
    except ValueError:
        return str(int(value))


def _value_json(value: Any, meta: Any, field: Any, resolve: AnyResolver, overrides: dict | None) -> Any:
    t = meta.proto_type
    if t == betterproto.TYPE_MAP:
        return {str(k): v for k, v in (value or {}).items()}
    if isinstance(value, list):
        return [_scalar_json(v, t, field, resolve, overrides) for v in value]
    if isinstance(value, datetime):  # betterproto turns Timestamp/Duration fields into datetime/timedelta
        return ts(value)
    if isinstance(value, timedelta):
        return duration(int(value.total_seconds()))
    if t == betterproto.TYPE_MESSAGE and (value is None or not betterproto.serialized_on_wire(value)):
        if value is None or not _has_content(value):
            return None
    return _scalar_json(value, t, field, resolve, overrides)


def _has_content(value: betterproto.Message) -> bool:
    return bytes(value) != b""


def _scalar_json(value: Any, t: str, field: Any, resolve: AnyResolver, overrides: dict | None) -> Any:
    if t in _INT64:
        return str(value)
    if t == betterproto.TYPE_BYTES:
        return b64(value)
    if t == betterproto.TYPE_ENUM:
        return value if isinstance(value, str) else getattr(value, "name", str(value))
    if t == betterproto.TYPE_MESSAGE:
        return message_json(value, resolve, overrides)
    return value


def message_json(value: betterproto.Message, resolve: AnyResolver, overrides: dict | None = None) -> Any:
    cls_name = type(value).__name__
    if cls_name == "Any" and hasattr(value, "type_url"):
        return any_json(value.type_url, value.value, resolve, overrides)
    if cls_name == "Timestamp" and hasattr(value, "seconds"):
        return ts(datetime.fromtimestamp(value.seconds + value.nanos / 1e9, tz=timezone.utc))
    if cls_name == "Duration" and hasattr(value, "seconds"):
        return duration(value.seconds)
    if isinstance(value, datetime):
        return ts(value)
    return proto_json(value, resolve, overrides)


def any_json(type_url: str, data: bytes, resolve: AnyResolver, overrides: dict | None = None) -> dict:
    cls = resolve(type_url)
    if cls is None:
        return {"@type": type_url, "value": b64(data)}  # jsonpb would fail; keep the bytes visible instead
    inner = cls().parse(data)
    if overrides and type_url in overrides:
        return {"@type": type_url, **overrides[type_url](inner)}
    return {"@type": type_url, **proto_json(inner, resolve, overrides)}
