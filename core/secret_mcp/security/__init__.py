"""The security core: keystore, redaction, spending limits, confirmation codes and the audit log.

One `Security` per App (security/services.py), built by the App from config and handed to tools as
`ctx.security`; the App binds the core's security plugin to it (limits as `secret_mcp_authorize`, the 24-hour
window fed by `secret_mcp_tx_completed`, the `secret_confirm_transaction` tool) and installs the log redaction
filter. This package module imports nothing itself: its submodules sit in different layers (redaction is a
value every layer may use, the plugin is a built-in plugin), see CONTRIBUTING.md. Names resolve on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

PLUGIN_NAME = "security"

_EXPORTS = {
    "Security": "services", "chain_id_of": "services", "SecuritySettings": "settings", "Keystore": "keystore",
    "Wallet": "keystore",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["chain_id_of", "Security", "SecuritySettings", "Keystore", "Wallet", "PLUGIN_NAME"]
