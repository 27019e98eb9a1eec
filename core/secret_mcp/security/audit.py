"""The audit log: one JSON line per write attempt and per update of its outcome, secrets redacted.

Fields: time, id, event ("attempt" | "update"), tool, network, from, summary, decision, txhash, outcome;
and "signer" when a key other than the wallet's own signed for it (its agent key: `signed_by`).
An attempt is written before anything is signed; the transaction pipeline adds the txhash and the final
outcome with `update(id, ...)` (a new line with the same id: the file stays append-only). Size-based rotation
(5 MB x 3 by default) keeps it bounded.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import secrets
from contextvars import ContextVar
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from ..paths import open_private
from .redact import redact

FIELDS = ("tool", "network", "from", "summary", "decision", "txhash", "outcome")
# The audit entry of the tool call running in this task: the core sets it around every write tool's body, so
# policy and outcome hooks can add to the right entry without the pipeline passing ids around.
CURRENT_ENTRY: ContextVar[str | None] = ContextVar("secret_mcp_audit_entry", default=None)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def signed_by(signer: Any) -> dict[str, str]:
    """Audit fields naming who acts for a plan's signer (tx.pipeline.Signer): "from" is always the wallet whose
    funds move (the owner), and "signer" the agent key's address when the agent signs for it under its grants."""
    fields = {"from": signer.owner}
    if signer.address != signer.owner:
        fields["signer"] = signer.address
    return fields


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """Opens (and, after each rotation, re-creates) the log with mode 0600 in a 0700 directory: the audit log
    names wallets, recipients and amounts, which are nobody else's business."""

    def _open(self):  # type: ignore[override]
        fd = open_private(Path(self.baseFilename))
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


class AuditLog:
    def __init__(self, path: Path, *, max_bytes: int = 5_000_000, backups: int = 3, clock: Callable[[], str] = _now):
        self.path = path
        self._clock = clock
        self._max_bytes, self._backups = max_bytes, backups
        self._handler: logging.handlers.RotatingFileHandler | None = None

    def _write(self, entry: dict[str, Any]) -> None:
        if self._handler is None:  # opened on the first write: servers that never write create no file
            self._handler = _PrivateRotatingHandler(
                self.path, maxBytes=self._max_bytes, backupCount=self._backups, encoding="utf-8"
            )
            self._handler.setFormatter(logging.Formatter("%(message)s"))
        line = json.dumps(redact(entry), ensure_ascii=False, sort_keys=True)
        # The handler does size checks and rotation; records are built directly so no logger config affects it.
        self._handler.emit(logging.makeLogRecord({"msg": line, "levelno": logging.INFO, "levelname": "INFO"}))

    def record(self, *, tool: str, network: str | None, sender: str | None, summary: str, decision: str,
               txhash: str | None = None, outcome: str | None = None, **extra: Any) -> str:
        """Write an attempt; returns its id for later `update` calls."""
        entry_id = secrets.token_hex(8)
        self._write({"time": self._clock(), "id": entry_id, "event": "attempt", "tool": tool, "network": network,
                     "from": sender, "summary": summary, "decision": decision, "txhash": txhash,
                     "outcome": outcome, **extra})
        return entry_id

    def update(self, entry_id: str, **fields: Any) -> None:
        """Record what became of an attempt (decision, txhash, outcome, height, code, ...)."""
        self._write({"time": self._clock(), "id": entry_id, "event": "update", **fields})

    def close(self) -> None:
        if self._handler is not None:
            self._handler.close()
            self._handler = None

    def read(self) -> list[dict[str, Any]]:
        """Every entry of the current file (tests and `secret-mcp` diagnostics)."""
        if self._handler is not None:
            self._handler.flush()
        try:
            return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line]
        except FileNotFoundError:
            return []
