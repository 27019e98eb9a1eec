"""Spending limits, allow-list and read-only as the core's own secret_mcp_authorize implementation."""

from __future__ import annotations

import pytest

from secret_mcp.app import App
from secret_mcp.config import Config
from secret_mcp.errors import SecretMCPError
from secret_mcp.plugins import PluginHost
from secret_mcp.policy import TxOutcome, TxRequest, authorize, tx_completed
from secret_mcp.security.plugin import SecurityPlugin

SCRT = 1_000_000
RECIPIENT = "secret1me70k2r7x9r9tp2d8qnj0m5t5vmk5q0elr9dd6"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def make_app(network="mainnet", **config):
    host = PluginHost(load_entrypoints=False)  # the core security plugin comes with every host
    assert isinstance(host.pm.get_plugin("security"), SecurityPlugin)
    app = App(Config(network=network, **config), host)
    clock = Clock()
    app.security.limits.clock = clock
    return app, clock


def send(app, amount, recipient=RECIPIENT, denom="uscrt"):
    net = app.session.network
    return TxRequest("secret_send_tokens", net.name, net.chain_id, "secret1from", (),
                     amounts=((denom, amount),), recipients=(recipient,))


def refused(app, request) -> str:
    with pytest.raises(SecretMCPError) as info:
        authorize(app, request)
    assert info.value.code == "POLICY_REFUSED" and info.value.details == {"plugin": "security"}
    return info.value.message


def test_per_transaction_limit_on_mainnet():
    app, _ = make_app()
    authorize(app, send(app, 100 * SCRT))  # exactly the limit is allowed
    assert "per-transaction limit of 100000000uscrt" in refused(app, send(app, 100 * SCRT + 1))


def test_rolling_day_counts_only_successes():
    app, clock = make_app()
    for status in ("success",) * 9 + ("failed", "unknown"):
        tx_completed(app, TxOutcome(send(app, 100 * SCRT), "H", 1, 0, status))
        clock.now += 60
    authorize(app, send(app, 100 * SCRT))  # 900 spent (failures do not count): 100 more fits the day
    tx_completed(app, TxOutcome(send(app, 100 * SCRT), "H", 1, 0, "success"))
    assert "24-hour limit" in refused(app, send(app, 1))
    clock.now = 1_000_000.0 + 24 * 3600 + 1  # the first success has left the window
    assert app.security.limits.spent_today("secret-4", "uscrt") == 900 * SCRT
    authorize(app, send(app, 100 * SCRT))


def test_no_limits_on_local_networks():
    app, _ = make_app(network="localsecret")
    authorize(app, send(app, 10_000 * SCRT))


def test_other_denoms_are_unlimited_by_default():
    app, _ = make_app()
    authorize(app, send(app, 10**12, denom="ibc/ATOM"))


def test_allow_list_and_read_only_refuse():
    app, _ = make_app(network="localsecret")
    app.security.settings = app.security.limits.settings = type(app.security.settings)(
        allowed_recipients=("secret1friend",)
    )
    assert "not on the allow-list" in refused(app, send(app, 1))
    authorize(app, send(app, 1, recipient="secret1friend"))
    ro, _ = make_app(read_only=True)
    assert "read-only" in refused(ro, send(ro, 1))


def test_unbound_policy_fails_closed():
    plugin = SecurityPlugin()
    assert "not initialised" in plugin.secret_mcp_authorize(request=None)


def test_window_survives_a_restart(tmp_path):
    from secret_mcp.security.limits import SpendingLimits
    from secret_mcp.security.settings import SecuritySettings

    def limits():
        return SpendingLimits(SecuritySettings(), lambda _n: "mainnet", lambda: 5_000.0, tmp_path / "spending.json")

    app, _ = make_app()
    first = limits()
    first.record(TxOutcome(send(app, 400 * SCRT), "H", 1, 0, "success"))
    first.record(TxOutcome(send(app, 300 * SCRT), "H", 1, 0, "failed"))
    assert limits().spent_today("secret-4", "uscrt") == 400 * SCRT
