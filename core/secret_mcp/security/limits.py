"""Spending policy: per-transaction and rolling 24-hour limits per denom, a recipient allow-list, read-only.

`check` runs before signing (through the core's `secret_mcp_authorize`); `record` runs only for transactions
that succeeded (through `secret_mcp_tx_completed`), so failed or refused ones never use up the daily budget.
With a `path`, the window is kept on disk (`state_dir()/spending.json`) so restarting the server does not reset it.
"""

from __future__ import annotations

import json
import time
from collections import deque
from pathlib import Path
from typing import Callable

from ..paths import write_private
from ..policy import TxOutcome, TxRequest
from .settings import LOCAL_KINDS, SecuritySettings

DAY = 24 * 3600


class SpendingLimits:
    def __init__(self, settings: SecuritySettings, kind_of: Callable[[str], str | None],
                 clock: Callable[[], float] = time.time, path: Path | None = None):
        self.settings = settings
        self._kind_of = kind_of  # network name -> kind ("mainnet", "sandbox", ...), None when unknown
        self.clock = clock
        self.path = path
        self._spent: dict[tuple[str, str], deque[tuple[float, int]]] = {}  # (chain id, denom) -> (time, amount)
        self._load()

    def _load(self) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8")) if self.path else {}
        except FileNotFoundError:
            data = {}
        for key, rows in data.items():
            chain_id, _, denom = key.partition("|")
            self._spent[(chain_id, denom)] = deque((float(t), int(a)) for t, a in rows)

    def _save(self) -> None:
        if self.path is None:
            return
        cutoff = self.clock() - DAY
        data = {f"{c}|{d}": [[t, a] for t, a in rows if t > cutoff] for (c, d), rows in self._spent.items()}
        write_private(self.path, json.dumps(data))  # atomic, 0600: a crash never leaves a half-written window

    def applies(self, network: str) -> bool:
        kind = self._kind_of(network) or "custom"  # an unknown network is treated as real money
        return kind not in LOCAL_KINDS and kind in self.settings.limit_network_kinds

    def spent_today(self, chain_id: str, denom: str) -> int:
        window = self._spent.get((chain_id, denom))
        if not window:
            return 0
        cutoff = self.clock() - DAY
        while window and window[0][0] <= cutoff:
            window.popleft()
        return sum(amount for _t, amount in window)

    def check(self, request: TxRequest) -> str | None:
        """A reason to refuse, or None."""
        s = self.settings
        if s.read_only:
            return "the server is in read-only mode"
        if s.allowed_recipients:
            outside = [r for r in request.recipients if r not in s.allowed_recipients]
            if outside:
                return f"recipient {outside[0]} is not on the allow-list"
        reason = self._fee_cap(request)
        if reason or not self.applies(request.network):
            return reason
        for denom, amount in sorted(request.spent().items()):
            per_tx = s.limit_per_tx.get(denom)
            if per_tx is not None and amount > per_tx:
                return f"{amount}{denom} is above the per-transaction limit of {per_tx}{denom}"
            daily = s.limit_daily.get(denom)
            if daily is not None:
                used = self.spent_today(request.chain_id, denom)
                if used + amount > daily:
                    return (f"{amount}{denom} would exceed the 24-hour limit of {daily}{denom} "
                            f"({used}{denom} already sent in the last 24 hours)")
        return None

    def _fee_cap(self, request: TxRequest) -> str | None:
        """On every network: a fee above the absolute cap, or (above a floor) larger than the amount it moves."""
        if request.fee is None:
            return None
        denom, fee = request.fee
        cap = self.settings.max_fee.get(denom)
        if cap is not None and fee > cap:
            return f"the fee {fee}{denom} is above the fee cap of {cap}{denom} (lower the gas limit)"
        moved = sum(int(a) for d, a in request.amounts if d == denom)
        ratio = self.settings.max_fee_ratio
        if moved and fee > self.settings.fee_ratio_floor.get(denom, 0) and fee > moved * ratio:
            return f"the fee {fee}{denom} is more than {ratio}x the {moved}{denom} it moves (lower the gas limit)"
        return None

    def record(self, outcome: TxOutcome) -> None:
        if outcome.status != "success" or not self.applies(outcome.request.network):
            return
        now = self.clock()
        for denom, amount in outcome.request.spent().items():
            self._spent.setdefault((outcome.request.chain_id, denom), deque()).append((now, int(amount)))
        self._save()
