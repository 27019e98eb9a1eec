"""Shared test set-up: the pack-testing plugin (sandbox, both MCP protocol eras, a temporary SECRET_MCP_HOME)
and a clean environment. The fixtures and helpers are `secret_mcp.testing`'s, the same a third-party pack uses."""

from __future__ import annotations

import os

import pytest

_KEEP = {"SECRET_MCP_FULL"}  # a test-suite switch, not a server setting
for _key in [k for k in os.environ if k.startswith("SECRET_MCP_") and k not in _KEEP]:
    del os.environ[_key]  # a developer's own settings must not change what the tests see

pytest_plugins = ["secret_mcp.testing"]  # sandbox (per module), mode (auto/legacy), home (per test)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
