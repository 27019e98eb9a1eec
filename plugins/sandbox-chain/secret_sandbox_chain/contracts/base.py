"""What a built-in Python contract sees: prefixed storage, env, info, and the Response it returns.

Mirrors CosmWasm's `instantiate/execute/query(deps, env, info, msg)`; errors are serde-shaped JSON objects
(`{"generic_err":{"msg":...}}`) because that is what the enclave encrypts and clients decrypt.
"""

from __future__ import annotations

import json
from typing import Any

import attrs

from ..crypto import bech32_decode


class ContractError(Exception):
    """A contract failure; `value` is the StdError JSON object."""

    def __init__(self, value: dict) -> None:
        super().__init__(json.dumps(value))
        self.value = value

    @classmethod
    def generic(cls, msg: str) -> "ContractError":
        return cls({"generic_err": {"msg": msg}})

    @classmethod
    def parse(cls, msg: str, target: str) -> "ContractError":
        return cls({"parse_err": {"target": target, "msg": msg}})

    def json_bytes(self) -> bytes:
        return json.dumps(self.value, separators=(",", ":")).encode()


class Storage:
    """The contract's own key space inside the chain store (values are JSON-able)."""

    def __init__(self, store: Any, prefix: str) -> None:
        self._store, self._prefix = store, prefix

    def get(self, key: str, default: Any = None) -> Any:
        return self._store.get(self._prefix + key, default)

    def set(self, key: str, value: Any) -> None:
        self._store.set(self._prefix + key, value)

    def delete(self, key: str) -> None:
        self._store.delete(self._prefix + key)


@attrs.define
class Env:
    height: int
    time_seconds: int
    chain_id: str
    contract: str
    code_hash: str


@attrs.define
class Info:
    sender: str
    funds: dict[str, int]


@attrs.define
class Deps:
    storage: Storage

    @staticmethod
    def validate(addr: Any, field: str = "address") -> str:
        """Address validation as cosmwasm's addr_validate (bech32 with the secret prefix)."""
        try:
            hrp, data = bech32_decode(addr)
        except (ValueError, TypeError):
            raise ContractError.generic(f"Invalid input: {field} {addr!r} is not a valid bech32 address") from None
        if hrp != "secret" or len(data) not in (20, 32):
            raise ContractError.generic(f"Invalid input: {field} {addr!r} is not a secret address")
        return addr


@attrs.define
class WasmExecute:
    """A message to another contract (CosmWasm `WasmMsg::Execute`), run after the emitting contract, same tx."""

    contract: str
    code_hash: str  # must match the target's code hash, as the enclave checks for callbacks
    msg: dict
    funds: dict[str, int] = attrs.Factory(dict)  # native coins paid from the emitting contract's account


@attrs.define
class BankSend:
    """Native coins from the emitting contract's account (CosmWasm `BankMsg::Send`)."""

    to: str
    amount: dict[str, int]


@attrs.define
class Response:
    """What an entry point returns. `messages` run in order after the contract, in the same tx: if one fails,
    the whole tx fails and every state change of it (this contract's included) is rolled back."""

    data: bytes | None = None
    attributes: list[tuple[str, str]] = attrs.Factory(list)
    messages: list["WasmExecute | BankSend"] = attrs.Factory(list)


class Contract:
    """Override what the contract supports; unknown messages are parse errors like serde's."""

    name = ""

    def instantiate(self, deps: Deps, env: Env, info: Info, msg: dict) -> Response:
        return Response()

    def execute(self, deps: Deps, env: Env, info: Info, msg: dict) -> Response:
        raise unknown_variant(msg, [])

    def query(self, deps: Deps, env: Env, msg: dict) -> bytes:
        raise unknown_variant(msg, [])


def unknown_variant(msg: Any, expected: list[str]) -> ContractError:
    name = next(iter(msg), "") if isinstance(msg, dict) and msg else str(msg)
    listed = ", ".join(f"`{e}`" for e in expected)
    return ContractError.parse(f"unknown variant `{name}`, expected one of {listed}", "msg")


def variant(msg: Any, expected: list[str]) -> tuple[str, dict]:
    """The single enum variant of a message object -> (name, body)."""
    if not isinstance(msg, dict) or len(msg) != 1:
        raise ContractError.parse("expected an object with exactly one key", "msg")
    name, body = next(iter(msg.items()))
    if name not in expected:
        raise unknown_variant(msg, expected)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ContractError.parse(f"invalid type for `{name}`: expected an object", "msg")
    return name, body


def to_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def padded(value: Any, block: int = 256) -> bytes:
    """SNIP-20 style: space-pad the JSON to a multiple of `block` bytes (hides answer lengths)."""
    raw = to_json(value)
    return raw + b" " * (-len(raw) % block)


def uint(body: dict, field: str) -> int:
    """A Uint128 field (decimal string)."""
    raw = body.get(field)
    if not isinstance(raw, str) or not raw.isdigit() or int(raw) >= 2**128:
        raise ContractError.parse(f"invalid Uint128 {raw!r} for `{field}`", "msg")
    return int(raw)
