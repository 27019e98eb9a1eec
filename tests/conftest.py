"""Shared test set-up: an isolated SECRET_MCP_HOME, both MCP protocol eras, and MCP client helpers."""

from __future__ import annotations

import os
from typing import Any

import pytest

_KEEP = {"SECRET_MCP_FULL"}  # a test-suite switch, not a server setting
for _key in [k for k in os.environ if k.startswith("SECRET_MCP_") and k not in _KEEP]:
    del os.environ[_key]  # a developer's own settings must not change what the tests see

MODES = ("auto", "legacy")  # 2026-07-28 (server/discover) and the handshake era (initialize)


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Any:
    home = tmp_path_factory.mktemp("secret-mcp-home")
    os.environ["SECRET_MCP_HOME"] = str(home)
    yield home
    os.environ.pop("SECRET_MCP_HOME", None)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


