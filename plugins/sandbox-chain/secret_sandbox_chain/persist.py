"""Durable chain state: one SQLite transaction per committed block (WAL), reloaded on restart."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (h INTEGER PRIMARY KEY, j TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS txs (hash TEXT PRIMARY KEY, h INTEGER NOT NULL, i INTEGER NOT NULL, j TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
"""


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class BlockLog:
    def __init__(self, state_dir: str | Path) -> None:
        path = Path(state_dir)
        path.mkdir(parents=True, exist_ok=True)
        self.path = path / "chain.sqlite3"
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a committed block must survive a crash
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def load(self) -> tuple[dict, dict[int, dict], list[dict], dict] | None:
        """(kv, blocks by height, txs in commit order, meta), or None for an empty directory."""
        with self._lock:
            meta = {k: json.loads(v) for k, v in self._db.execute("SELECT k, v FROM meta")}
            if "chain_id" not in meta:
                return None
            kv = {k: json.loads(v) for k, v in self._db.execute("SELECT k, v FROM kv")}
            blocks = {h: json.loads(j) for h, j in self._db.execute("SELECT h, j FROM blocks")}
            txs = [json.loads(j) for (j,) in self._db.execute("SELECT j FROM txs ORDER BY h, i")]
        return kv, blocks, txs, meta

    def commit(self, changes: dict[str, Any], block: dict, txs: list[dict], meta: dict[str, Any]) -> None:
        with self._lock:
            cur = self._db.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                for k, v in changes.items():
                    if v is None:
                        cur.execute("DELETE FROM kv WHERE k = ?", (k,))
                    else:
                        cur.execute("INSERT OR REPLACE INTO kv (k, v) VALUES (?, ?)", (k, _dump(v)))
                cur.execute("INSERT OR REPLACE INTO blocks (h, j) VALUES (?, ?)", (block["height"], _dump(block)))
                for t in txs:
                    cur.execute("INSERT OR REPLACE INTO txs (hash, h, i, j) VALUES (?, ?, ?, ?)",
                                (t["hash"], t["height"], t["index"], _dump(t)))
                for k, v in meta.items():
                    cur.execute("INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)", (k, _dump(v)))
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()
