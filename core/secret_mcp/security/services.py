"""`Security`: keystore, spending limits, confirmation codes and the audit log of one App.

A service built from config and what the App hands in (the session's wallet table, how to tell a network's
kind, how to revive and record pending calls): it imports nothing above the services layer, and the App binds
the core's security plugin (security/plugin.py) to it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable

from ..paths import tighten
from .audit import AuditLog
from .confirm import ConfirmationCodes, shared_codes
from .keystore import Keystore
from .limits import SpendingLimits
from .redact import install_log_filter
from .settings import LOCAL_KINDS, SecuritySettings

if TYPE_CHECKING:
    from ..config import Config
    from ..networks import Network


class Security:
    def __init__(self, config: "Config", *, wallets: dict[str, Any], kind_of: Callable[[str], str | None],
                 clock: Callable[[], float] = time.time, codes: dict[str, Any] | None = None) -> None:
        """`codes`: keywords for the ConfirmationCodes (the Redis store of `cache_url`, revive, sender, record)."""
        self.settings = SecuritySettings.from_config(config)
        self.keystore = Keystore(wallets)
        self.limits = SpendingLimits(self.settings, kind_of, clock, self.settings.spending_path)
        self.codes = ConfirmationCodes(self.settings.confirm_ttl_seconds, clock, **(codes or {}))
        self.audit = AuditLog(
            self.settings.audit_path, max_bytes=self.settings.audit_max_bytes, backups=self.settings.audit_backups
        )

    def confirm_mode(self, network: "Network | None") -> str:
        """The mode in force: "never" is honoured on real networks only with an explicit opt-in."""
        mode = self.settings.confirm
        if mode == "never" and (network is None or network.kind not in LOCAL_KINDS):
            return mode if self.settings.never_confirm_on_real_networks else "always"
        return mode

    def needs_confirmation(self, network: "Network | None", amounts: tuple[tuple[str, int], ...]) -> bool:
        """For a tool's `confirm` function: should this transaction be shown to the person?"""
        mode = self.confirm_mode(network)
        if mode == "never":
            return False
        if mode == "above_limit":
            return any(amount > self.settings.confirm_above.get(denom, 0) for denom, amount in amounts)
        return True


def build_security(config: "Config", *, wallets: dict[str, Any], kind_of: Callable[[str], str | None],
                   revive: Callable[[str, dict[str, Any]], dict[str, Any]], sender: Callable[[], str | None],
                   record: Callable[[Any], dict[str, Any]], clock: Callable[[], float] = time.time) -> Security:
    """A loaded Security for an App: private file modes fixed, the log redaction filter installed, kept wallets read."""
    tighten()  # 0700 directories, 0600 files: what an older version (or a loose umask) left is fixed at start
    codes = {"record": record, **shared_codes(config, clock, revive=revive, sender=sender)}
    security = Security(config, wallets=wallets, kind_of=kind_of, clock=clock, codes=codes)
    install_log_filter()
    security.keystore.load_persisted()
    return security


def chain_id_of(session: Any) -> str:
    """The chain id confirmation codes are bound to ("" before any network is configured)."""
    network = session.network
    return network.chain_id if network is not None else ""
