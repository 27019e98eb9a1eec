"""Test a pack against the sandbox chain, through a real MCP client, without reading the core.

    from secret_mcp.testing import accept, call_ok, connect, funded_wallet, running_sandbox, server_on

Plain functions and context managers (usable from any test runner or script), and the same as pytest fixtures:
put `pytest_plugins = ["secret_mcp.testing"]` in your top-level conftest.py to get `sandbox` (one chain per test
module), `mode` (each test runs in both MCP protocol eras), `home` (a fresh SECRET_MCP_HOME per test) and a
temporary SECRET_MCP_HOME for the whole session. docs/pack-api.md ("Testing your pack") walks through them.

This is the core's top layer: nothing in the core imports it. It reaches the sandbox only through the chain's
public launcher (`secret_sandbox_chain.launch`, the distribution behind the sandbox pack), imported on first use.
"""

from __future__ import annotations

from .answers import Answerer, accept, answerer, decline, recording, refuse
from .chain import account, balance, running_sandbox, sequence
from .clients import MODES, call_err, call_ok, connect, funded_wallet
from .hosts import make_server, plugin_host, server_on

__all__ = ["MODES", "Answerer", "accept", "account", "answerer", "balance", "call_err", "call_ok", "connect",
           "decline", "funded_wallet", "make_server", "plugin_host", "recording", "refuse", "running_sandbox",
           "sequence", "server_on"]

try:  # the fixtures need pytest; the plain helpers above do not
    import pytest as _pytest  # noqa: F401
except ImportError:  # pragma: no cover - pytest is there whenever fixtures are asked for
    pass
else:
    from .fixtures import home, mode, sandbox, secret_mcp_session_home  # noqa: F401  (pytest finds them here)
