"""The URIs of the core's resources: values any layer may name (a tool that changes one says so by URI)."""

from __future__ import annotations

SESSION_STATE = "secret://session/state"
NETWORK_CONFIG = "secret://network/config"
WALLETS_LIST = "secret://wallets/list"
SERVER_METRICS = "secret://server/metrics"


def account_uri(address: str) -> str:
    return f"secret://account/{address}"


def tx_uri(txhash: str) -> str:
    return f"secret://tx/{txhash}"
