"""The server names its version (secret_mcp.__version__) in both eras: initialize's serverInfo, and the 2026 era's
server/discover; and it starts without secret-sdk's pkg_resources warning on stderr."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

import secret_mcp
from secret_mcp.testing import call_ok, connect, make_server

BIN = Path(sys.executable).parent / "secret-mcp"


def test_version_is_the_distributions():
    assert secret_mcp.__version__ == version("secret-mcp-core") == "0.1.0"


def _assert_era(client, mode: str) -> None:
    if mode == "legacy":
        assert client.protocol_version != "2026-07-28" and client.session.discover_result is None
    else:  # the identity came from the server/discover answer's serverInfo stamp
        assert client.protocol_version == "2026-07-28" and client.session.discover_result is not None


@pytest.mark.anyio
async def test_server_info_names_the_version(mode):
    async with connect(make_server(plugins=("network",)), mode=mode) as client:
        _assert_era(client, mode)
        assert client.server_info is not None
        assert (client.server_info.name, client.server_info.version) == ("secret-mcp", secret_mcp.__version__)


@pytest.mark.anyio
async def test_over_stdio_the_version_and_a_quiet_stderr(mode, tmp_path):
    # The installed command, as a client launches it. A sandbox read imports secret_sdk (betterproto, which
    # imports pkg_resources): its deprecation warning must not reach the log.
    from mcp import Client, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(command=str(BIN), args=["serve", "--plugins", "network,blockchain,sandbox"],
                                   env=dict(os.environ))
    errlog_path = tmp_path / "stderr.txt"
    with open(errlog_path, "w", encoding="utf-8") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode=mode) as client:
            _assert_era(client, mode)
            assert (client.server_info.name, client.server_info.version) == ("secret-mcp", secret_mcp.__version__)
            block = await call_ok(client, "secret_get_latest_block")
            assert block["height"] >= 1
    stderr = errlog_path.read_text(encoding="utf-8")
    assert "secret_get_latest_block ok" in stderr  # the log is there: it is the warning that is not
    assert "pkg_resources" not in stderr and "py.warnings" not in stderr, stderr


def test_tools_json_prints_no_pkg_resources_warning():
    proc = subprocess.run([str(BIN), "tools", "--json"], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ))
    assert proc.returncode == 0 and json.loads(proc.stdout), proc.stderr
    assert "pkg_resources" not in proc.stderr and "py.warnings" not in proc.stderr, proc.stderr


PRECISE = """
import warnings
import secret_mcp  # installs the filter
code = "import warnings\\nwarnings.warn('pkg_resources is deprecated as an API. See ...', UserWarning)\\n"
with warnings.catch_warnings(record=True) as seen:
    warnings.simplefilter("always", append=True)  # after ours: everything else shows, every time
    for name in ("betterproto._version", "secret_sdk.client", "betterproto_other", "somebody_else"):
        exec(compile(code, name, "exec"), {"__name__": name})
print(sorted(w.filename for w in seen))
"""


def test_the_filter_is_precise():
    # In a fresh interpreter (pytest restores the warning filters after collecting, dropping the one secret_mcp
    # installed on import): that message from secret-sdk's modules is silenced, from anywhere else it shows.
    proc = subprocess.run([sys.executable, "-c", PRECISE], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['betterproto_other', 'somebody_else']"
