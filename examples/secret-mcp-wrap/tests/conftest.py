"""The pack-testing fixtures of secret-mcp: `sandbox` (one chain per module), `mode` (both MCP protocol eras),
`home` (a fresh SECRET_MCP_HOME per test)."""

import pytest

pytest_plugins = ["secret_mcp.testing"]


@pytest.fixture
def anyio_backend():
    return "asyncio"
