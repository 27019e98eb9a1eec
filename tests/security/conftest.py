"""Each security test gets its own SECRET_MCP_HOME: audit logs, spending windows and wallets stay per test."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def own_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_MCP_HOME", str(tmp_path / "home"))
    return tmp_path / "home"
