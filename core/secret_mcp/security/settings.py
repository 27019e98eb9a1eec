"""Security settings: limits, confirmation and audit, read from the core Config.

`from_config` accepts any object with Config's field names (tests pass small stand-ins), falling back to
the defaults here for a field the object lacks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from ..paths import state_dir

SCRT = 1_000_000  # uscrt per SCRT
# Kinds whose tokens are worthless: no limits, and confirm="never" is honoured there without extra opt-in.
LOCAL_KINDS = frozenset({"sandbox", "local"})


def _limits(value: Any) -> dict[str, int]:
    # Accepts {"uscrt": 100000000} or "uscrt=100000000,uatom=5" (environment form).
    if isinstance(value, str):
        pairs = (item.split("=", 1) for item in value.split(",") if item.strip())
        return {denom.strip(): int(amount) for denom, amount in pairs}
    return {str(k): int(v) for k, v in dict(value).items()}


@attrs.frozen
class SecuritySettings:
    confirm: str = "always"  # always | above_limit | never
    never_confirm_on_real_networks: bool = False  # "never" on mainnet/testnet/custom needs this explicit opt-in
    confirm_above: dict[str, int] = attrs.field(factory=lambda: {"uscrt": 10 * SCRT}, converter=_limits)
    confirm_ttl_seconds: int = 300
    limit_per_tx: dict[str, int] = attrs.field(factory=lambda: {"uscrt": 100 * SCRT}, converter=_limits)
    limit_daily: dict[str, int] = attrs.field(factory=lambda: {"uscrt": 1_000 * SCRT}, converter=_limits)
    limit_network_kinds: frozenset[str] = attrs.field(
        default=frozenset({"mainnet", "custom"}), converter=frozenset
    )
    # Fee cap on every network: absolute per denom, and relative to the amount moved once above a floor.
    max_fee: dict[str, int] = attrs.field(factory=lambda: {"uscrt": 2 * SCRT}, converter=_limits)
    max_fee_ratio: float = 1.0
    fee_ratio_floor: dict[str, int] = attrs.field(factory=lambda: {"uscrt": SCRT // 10}, converter=_limits)
    allowed_recipients: tuple[str, ...] = attrs.field(default=(), converter=tuple)  # empty: any recipient
    read_only: bool = False
    spending_log: Path | None = None  # the 24-hour window on disk; default state_dir()/spending.json
    audit_log: Path | None = None
    audit_max_bytes: int = 5_000_000
    audit_backups: int = 3

    @property
    def spending_path(self) -> Path:
        return self.spending_log or state_dir() / "spending.json"

    @property
    def audit_path(self) -> Path:
        return self.audit_log or state_dir() / "audit.jsonl"

    @classmethod
    def from_config(cls, config: Any) -> "SecuritySettings":
        values = {}
        for field in attrs.fields(cls):
            name = field.name
            # Config calls the two limit tables by their longer names (see SECURITY.md).
            source = {"limit_per_tx": "spend_limit_per_tx", "limit_daily": "spend_limit_daily"}.get(name, name)
            value = getattr(config, source, None)
            if value is not None:
                values[name] = value
        return cls(**values)
