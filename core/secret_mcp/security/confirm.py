"""Confirmation codes for clients that cannot ask the person (no elicitation support).

A code is single-use, expires (5 minutes by default) and is bound to a SHA-256 digest of
(tool name, canonical JSON arguments, chain id). The server keeps the pending call: redeeming a code runs
exactly that call once. Replays, other arguments, another network and late codes are refused. This state is
server-side on purpose: MRTR request state can be replayed by a client, a one-time redemption cannot.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable

import attrs

from ..errors import SecretMCPError


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def call_digest(tool: str, args: dict[str, Any], chain_id: str) -> str:
    return hashlib.sha256(canonical([tool, args, chain_id]).encode()).hexdigest()


@attrs.frozen
class Pending:
    code: str
    tool: str
    args: dict[str, Any]
    chain_id: str
    digest: str
    preview: str
    expires_at: float

    @property
    def expires_iso(self) -> str:
        return datetime.fromtimestamp(self.expires_at, timezone.utc).isoformat(timespec="seconds")


def _new_code() -> str:
    text = base64.b32encode(secrets.token_bytes(10)).decode()  # 80 bits, no ambiguous padding
    return "-".join(text[i:i + 4] for i in range(0, 16, 4))


def _refuse(code: str, message: str) -> SecretMCPError:
    return SecretMCPError(code, message + " Nothing was done.", ["Call the original tool again to get a new code."])


class ConfirmationCodes:
    def __init__(self, ttl_seconds: float = 300, clock: Callable[[], float] = time.time) -> None:
        self.ttl = ttl_seconds
        self.clock = clock
        self._pending: dict[str, Pending] = {}
        self._spent: set[str] = set()  # codes already redeemed, so a replay gets a precise error
        self._lock = threading.Lock()  # redeem is check-and-remove: two racing redemptions must not both win

    def issue(self, tool: str, args: dict[str, Any], chain_id: str, preview: str) -> Pending:
        pending = Pending(
            _new_code(), tool, dict(args), chain_id, call_digest(tool, args, chain_id), preview, self.clock() + self.ttl
        )
        self.purge()
        with self._lock:
            self._pending[pending.code] = pending
        return pending

    def redeem(self, code: str, *, chain_id: str, tool: str | None = None, args: dict[str, Any] | None = None) -> Pending:
        """Take the pending call for `code` (it can never be taken again) after every check passed."""
        key = (code or "").strip().upper()
        with self._lock:
            if key in self._spent:
                raise _refuse("CONFIRMATION_USED", "This confirmation code was already used.")
            pending = self._pending.pop(key, None)
            if pending is None:
                raise _refuse("CONFIRMATION_UNKNOWN", "There is no pending action with this confirmation code.")
            self._spent.add(key)  # from here on the code is burnt, whatever the outcome
        if self.clock() >= pending.expires_at:
            raise _refuse("CONFIRMATION_EXPIRED", "This confirmation code has expired.")
        if call_digest(pending.tool, pending.args, chain_id) != pending.digest:
            raise _refuse("CONFIRMATION_MISMATCH", "The network changed since the code was issued.")
        if (tool is not None or args is not None) and call_digest(
            tool if tool is not None else pending.tool, args if args is not None else pending.args, chain_id
        ) != pending.digest:
            raise _refuse("CONFIRMATION_MISMATCH", "The tool or arguments differ from what the code confirms.")
        return pending

    def purge(self) -> None:
        """Forget codes expired for longer than a TTL (kept that long so a late redemption says "expired")."""
        now = self.clock() - self.ttl
        with self._lock:
            for code in [c for c, p in self._pending.items() if p.expires_at <= now]:
                del self._pending[code]
