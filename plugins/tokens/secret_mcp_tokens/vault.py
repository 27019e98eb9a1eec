"""Viewing keys and permits of this session: AES-GCM encrypted under a random in-memory key, never returned by tools."""

from __future__ import annotations

import json
import os
import weakref
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from secret_mcp.context import ToolContext


class Vault:
    def __init__(self) -> None:
        self._aead = AESGCM(AESGCM.generate_key(bit_length=256))  # dies with the process: nothing on disk
        self._items: dict[tuple[str, ...], bytes] = {}

    def put(self, key: tuple[str, ...], value: Any) -> None:
        nonce = os.urandom(12)
        self._items[key] = nonce + self._aead.encrypt(nonce, json.dumps(value).encode(), "/".join(key).encode())

    def get(self, key: tuple[str, ...]) -> Any | None:
        blob = self._items.get(key)
        if blob is None:
            return None
        return json.loads(self._aead.decrypt(blob[:12], blob[12:], "/".join(key).encode()))


_VAULTS: "weakref.WeakKeyDictionary[Any, Vault]" = weakref.WeakKeyDictionary()


def vault(ctx: ToolContext) -> Vault:
    return _VAULTS.setdefault(ctx.app, Vault())


def vk_slot(ctx: ToolContext, token: str, address: str) -> tuple[str, ...]:
    return ("vk", ctx.network.chain_id, token, address)


def permit_slot(ctx: ToolContext, address: str, name: str) -> tuple[str, ...]:
    return ("permit", ctx.network.chain_id, address, name)
