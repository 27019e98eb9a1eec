"""The security core: keystore, redaction, spending limits, confirmation codes and the audit log.

One `Security` per App, reached with `for_app(app)`: it is created on first use, binds the core's
security plugin (limits as `secret_mcp_authorize`, the 24-hour window fed by `secret_mcp_tx_completed`,
the `secret_confirm_transaction` tool) and installs the log redaction filter.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable

from ..paths import tighten
from .audit import AuditLog
from .confirm import ConfirmationCodes, shared_codes
from .keystore import Keystore, Wallet
from .limits import SpendingLimits
from .redact import install_log_filter, redact
from .settings import LOCAL_KINDS, SecuritySettings

if TYPE_CHECKING:
    from ..app import App
    from ..networks import Network

PLUGIN_NAME = "security"


class Security:
    def __init__(self, app: "App", clock: Callable[[], float] = time.time) -> None:
        self.app = app
        self.settings = SecuritySettings.from_config(app.config)
        self.keystore = Keystore(app.session.wallets)
        self.limits = SpendingLimits(self.settings, self._kind_of, clock, self.settings.spending_path)
        self.codes = ConfirmationCodes(self.settings.confirm_ttl_seconds, clock, **shared_codes(app, clock))
        self.audit = AuditLog(
            self.settings.audit_path, max_bytes=self.settings.audit_max_bytes, backups=self.settings.audit_backups
        )

    def _kind_of(self, network_name: str) -> str | None:
        current = self.app.session.network
        if current is not None and current.name == network_name:
            return current.kind
        preset = self.app.networks.get(network_name)
        return preset.kind if preset else None

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


def chain_id_of(app: "App") -> str:
    """The chain id confirmation codes are bound to ("" before any network is configured)."""
    network = app.session.network
    return network.chain_id if network is not None else ""


def for_app(app: "App") -> Security:
    """The App's Security, created (and the core security plugin bound to it) on first use."""
    security = getattr(app, "security", None)
    if isinstance(security, Security):
        return security
    tighten()  # 0700 directories, 0600 files: what an older version (or a loose umask) left is fixed at start
    security = Security(app)
    app.security = security  # type: ignore[attr-defined]
    install_log_filter()
    from .plugin import SecurityPlugin

    plugin = app.host.pm.get_plugin(PLUGIN_NAME)  # every PluginHost registers it
    if isinstance(plugin, SecurityPlugin):
        plugin.bind(security)
    security.keystore.load_persisted()
    return security


__all__ = ["chain_id_of", "Security", "SecuritySettings", "Keystore", "Wallet", "for_app", "redact", "PLUGIN_NAME"]
