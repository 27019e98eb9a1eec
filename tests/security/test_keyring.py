"""The OS keyring backend against a real Secret Service: gnome-keyring under a private D-Bus session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.test_keys import ADDRESS, MNEMONIC

NEEDED = ("dbus-run-session", "gnome-keyring-daemon")
MISSING = [tool for tool in NEEDED if shutil.which(tool) is None]
# The exact wrapper CI can use too: a throw-away bus, a keyring unlocked with a throw-away password.
WRAPPER = 'printf test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"'


def test_keyring_round_trip(tmp_path):
    if MISSING:
        reason = f"needs {', '.join(MISSING)} (Debian: gnome-keyring dbus dbus-x11)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
            pytest.fail(f"CI must install the Secret Service: {reason}")  # .ci/run installs them
        pytest.skip(reason)
    script = Path(__file__).with_name("keyring_script.py")
    env = dict(os.environ, HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "xdg"), SECRET_MCP_HOME=str(tmp_path / "h"))
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    proc = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", WRAPPER, "sh", sys.executable, str(script), MNEMONIC, ADDRESS],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout.strip().endswith("OK"), proc.stderr[-2000:]
    assert MNEMONIC not in proc.stderr
