"""Every directory secret-mcp creates under its home is 0700 and every file 0600, whatever the umask; a home
left looser by an older version is tightened when the server starts."""

from __future__ import annotations

import os
import stat

import pytest

from secret_mcp.testing import accept, call_ok, connect, server_on
from tests.helpers import B


@pytest.fixture
def loose_umask():
    old = os.umask(0o022)  # the usual default: without explicit modes, files would be 0644 and dirs 0755
    yield
    os.umask(old)


def modes(home) -> dict[str, str]:
    found = {".": oct(stat.S_IMODE(home.stat().st_mode))}
    for path in home.rglob("*"):
        found[str(path.relative_to(home))] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


def loose(home) -> dict[str, str]:
    return {p: m for p, m in modes(home).items()
            if m != (oct(0o700) if (home / p).is_dir() else oct(0o600))}


@pytest.mark.anyio
async def test_a_session_leaves_only_private_files(mode, sandbox, tmp_path, monkeypatch, loose_umask):
    home = tmp_path / "home"
    monkeypatch.setenv("SECRET_MCP_HOME", str(home))
    monkeypatch.setenv("SECRET_MCP_KEYSTORE_PASSPHRASE", "test passphrase")
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        made = await call_ok(client, "secret_create_wallet", {"name": "kept", "persist": True, "backend": "file"})
        sandbox.faucet(made["wallet"]["address"], 5_000_000)
        await call_ok(client, "secret_get_balance", {})  # a chain read: the cache writes too
        sent = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "1 SCRT"})
    assert sent["status"] == "success"
    names = set(modes(home))
    for expected in ("state/audit.jsonl", "data/wallets.json", "data/keystore/kept.json", "cache"):
        assert expected in names, sorted(names)
    assert loose(home) == {}


@pytest.mark.anyio
async def test_a_loose_home_is_tightened_at_start(sandbox, tmp_path, monkeypatch, loose_umask):
    home = tmp_path / "home"
    (home / "state").mkdir(parents=True)
    (home / "data" / "keystore").mkdir(parents=True)
    (home / "state" / "audit.jsonl").write_text("{}\n")
    (home / "data" / "wallets.json").write_text("{}")
    os.chmod(home, 0o755)
    assert loose(home)  # 0755 directories, 0644 files
    monkeypatch.setenv("SECRET_MCP_HOME", str(home))
    async with connect(server_on(sandbox), "auto") as client:
        await call_ok(client, "secret_list_wallets", {})
    assert loose(home) == {}
