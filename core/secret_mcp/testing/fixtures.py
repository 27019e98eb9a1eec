"""pytest fixtures (enabled with `pytest_plugins = ["secret_mcp.testing"]`). A conftest's own fixture of the same
name wins over these, so a suite can narrow one (say, a fresh sandbox per test) where it must."""

from __future__ import annotations

import os
from typing import Any, Iterator

import pytest

from .chain import running_sandbox
from .clients import MODES

HOME = "SECRET_MCP_HOME"


@pytest.fixture(scope="session", autouse=True)
def secret_mcp_session_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Wallets, cache and audit log of the whole run in a temporary directory, never the developer's own."""
    path = tmp_path_factory.mktemp("secret-mcp-home")
    before = os.environ.get(HOME)
    os.environ[HOME] = str(path)
    yield path
    if before is None:
        os.environ.pop(HOME, None)
    else:
        os.environ[HOME] = before


@pytest.fixture
def home(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A fresh SECRET_MCP_HOME for this test: its own wallets, cache, audit log and spending window."""
    monkeypatch.setenv(HOME, str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    """One sandbox chain for the test module (start-up costs ~0.2 s); give each test its own funded wallet."""
    with running_sandbox() as server:
        yield server


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """Each test that takes it runs twice: "auto" (2026 era) and "legacy" (handshake era)."""
    return request.param
