"""Two processes, one home: creating a persisted wallet never overwrites another's stored phrase.

Each creator takes the index's file lock, re-reads the index and checks the stores before writing, and the
file store's entry is created exclusively; so exactly one of several racing creators wins and the others get
WALLET_EXISTS, in threads (two Keystores) and in separate processes alike.
"""

from __future__ import annotations

import multiprocessing
import os
import threading

import pytest

from secret_mcp.errors import SecretMCPError
from secret_mcp.security import keys
from secret_mcp.security.keystore import Keystore
from secret_mcp.security.storage import FileStore, Index

from tests.security.test_keys import MNEMONIC

PASS = "shared passphrase"


def keystore(home) -> Keystore:
    """A keystore as a server process builds it: its own Index and FileStore objects on the shared home."""
    return Keystore(index=Index(home / "wallets.json"),
                    stores=lambda _b: FileStore(home / "keystore", passphrase=lambda: PASS))


def stored_phrase(home, name: str) -> str:
    return FileStore(home / "keystore", passphrase=lambda: PASS).load(name)


def test_a_second_keystore_cannot_overwrite_a_persisted_wallet(tmp_path):
    first, second = keystore(tmp_path), keystore(tmp_path)
    wallet = first.import_mnemonic("main", MNEMONIC, backend="file")
    for attempt in (lambda: second.create("main", backend="file"),
                    lambda: second.import_mnemonic("main", keys.generate_mnemonic(), backend="file"),
                    lambda: second.add_watch("main", wallet.address, persist=True)):
        with pytest.raises(SecretMCPError) as info:
            attempt()
        assert info.value.code == "WALLET_EXISTS" and "main" not in second.wallets
    assert stored_phrase(tmp_path, "main") == MNEMONIC
    assert Index(tmp_path / "wallets.json").load()["main"]["address"] == wallet.address


def test_a_file_entry_without_an_index_line_is_not_overwritten(tmp_path):
    # A crash between writing the phrase and the index, or an older copy: the stored phrase still wins.
    keystore(tmp_path).import_mnemonic("main", MNEMONIC, backend="file")
    (tmp_path / "wallets.json").unlink()
    with pytest.raises(SecretMCPError) as info:
        keystore(tmp_path).create("main", backend="file")
    assert info.value.code == "WALLET_EXISTS" and stored_phrase(tmp_path, "main") == MNEMONIC


def test_threads_racing_on_one_name_leave_one_winner(tmp_path):
    phrases = [keys.generate_mnemonic() for _ in range(4)]
    stores = [keystore(tmp_path) for _ in phrases]
    start = threading.Barrier(len(phrases))
    outcomes: list[tuple[str, str]] = [("", "")] * len(phrases)

    def run(i: int) -> None:
        start.wait()
        try:
            stores[i].import_mnemonic("race", phrases[i], backend="file")
            outcomes[i] = ("ok", phrases[i])
        except SecretMCPError as exc:
            outcomes[i] = (exc.code, "")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(phrases))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [p for code, p in outcomes if code == "ok"]
    assert len(winners) == 1 and sorted(c for c, _ in outcomes).count("WALLET_EXISTS") == len(phrases) - 1
    assert stored_phrase(tmp_path, "race") == winners[0]
    assert Index(tmp_path / "wallets.json").load()["race"]["address"] == keys.derive(winners[0]).address


def _create_in_child(home: str, phrase: str, start, results) -> None:
    from pathlib import Path

    start.wait()
    try:
        keystore(Path(home)).import_mnemonic("race", phrase, backend="file")
        results.put(("ok", phrase))
    except SecretMCPError as exc:
        results.put((exc.code, ""))


@pytest.mark.skipif(os.name != "posix", reason="fork")
def test_processes_racing_on_one_name_leave_one_winner(tmp_path):
    ctx = multiprocessing.get_context("fork")
    phrases = [keys.generate_mnemonic() for _ in range(3)]
    start, results = ctx.Barrier(len(phrases)), ctx.Queue()
    procs = [ctx.Process(target=_create_in_child, args=(str(tmp_path), p, start, results)) for p in phrases]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    winners = [p for code, p in outcomes if code == "ok"]
    assert len(winners) == 1, outcomes
    assert [c for c, _ in outcomes].count("WALLET_EXISTS") == len(phrases) - 1, outcomes
    assert stored_phrase(tmp_path, "race") == winners[0]
    index = Index(tmp_path / "wallets.json").load()
    assert list(index) == ["race"] and index["race"]["address"] == keys.derive(winners[0]).address


@pytest.mark.anyio
async def test_two_servers_on_one_home_over_mcp(mode, tmp_path, monkeypatch):
    # Two MCP servers (two App instances, as two client processes would start) sharing one home.
    import secret_mcp_wallet

    from secret_mcp.testing import call_err, call_ok, connect
    from tests.security.packs import security_server

    monkeypatch.setenv("SECRET_MCP_HOME", str(tmp_path))
    monkeypatch.setenv("SECRET_MCP_KEYSTORE_PASSPHRASE", PASS)
    first, first_plugin = security_server(("wallet", secret_mcp_wallet))
    second, _ = security_server(("wallet", secret_mcp_wallet))
    args = {"name": "shared", "persist": True, "backend": "file"}
    async with connect(first, mode) as a, connect(second, mode) as b:
        await call_ok(b, "secret_list_wallets")  # the second server is up before the wallet exists
        made = await call_ok(a, "secret_create_wallet", args)
        err = await call_err(b, "secret_create_wallet", args)
        pasted = await call_err(b, "secret_import_wallet", {**args, "mnemonic": MNEMONIC})
        listed = await call_ok(b, "secret_list_wallets")
    assert err["code"] == pasted["code"] == "WALLET_EXISTS" and "shared" in err["message"]
    assert listed["wallets"] == []  # nothing half-added on the losing side
    phrase = first_plugin.security.keystore.export_mnemonic("shared")
    assert stored_phrase(tmp_path / "data", "shared") == phrase
    assert keys.derive(phrase).address == made["wallet"]["address"]
