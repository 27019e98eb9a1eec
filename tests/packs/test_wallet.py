"""The wallet pack through a real MCP client in both protocol eras, its terminal commands, and a leak test."""

from __future__ import annotations

import json
import logging

import pytest
import secret_mcp_wallet
from click.testing import CliRunner

from secret_mcp.testing import accept, call_err, call_ok, connect
from tests.security.packs import PayPack, security_server
from tests.security.test_keys import ADDRESS, MNEMONIC, PRIVKEY

WATCH = "secret1me70k2r7x9r9tp2d8qnj0m5t5vmk5q0elr9dd6"


@pytest.fixture
def home(home, monkeypatch):
    # secret_mcp.testing's fresh home per test, plus a passphrase for the file store.
    monkeypatch.setenv("SECRET_MCP_KEYSTORE_PASSPHRASE", "test passphrase")
    return home


def wallet_server(**config):
    return security_server(("wallet", secret_mcp_wallet), **config)


@pytest.mark.anyio
async def test_create_never_returns_the_phrase(mode, home):
    server, plugin = wallet_server()
    async with connect(server, mode) as client:
        out = await call_ok(client, "secret_create_wallet", {"name": "main"})
        listed = await call_ok(client, "secret_list_wallets")
    wallet = out["wallet"]
    assert wallet["name"] == "main" and wallet["address"].startswith("secret1") and len(wallet["address"]) == 45
    assert wallet["storage"] == "memory" and wallet["active"] is True
    assert wallet["derivation_path"] == "m/44'/529'/0'/0/0"
    assert "memory" in out["recovery_phrase_kept"] and "persist=true" in out["how_to_view_phrase"]
    phrase = plugin.security.keystore.export_mnemonic("main")
    assert len(phrase.split()) == 24 and phrase.split()[0] not in json.dumps(out).split('"')
    assert listed == {"wallets": [wallet], "active": "main"}


@pytest.mark.anyio
async def test_import_persisted_and_reloaded(mode, home):
    server, _ = wallet_server()
    async with connect(server, mode) as client:
        out = await call_ok(client, "secret_import_wallet",
                            {"name": "saved", "mnemonic": MNEMONIC, "persist": True, "backend": "file"})
    assert out["wallet"]["address"] == ADDRESS and out["wallet"]["storage"] == "file"
    assert "passed through the conversation" in out["warnings"][0]
    assert (home / "data" / "keystore" / "saved.json").exists()
    # A new server process finds it, and can sign with it (key loaded from the file on first use).
    again, plugin = wallet_server()
    async with connect(again, mode) as client:
        listed = await call_ok(client, "secret_list_wallets")
        await call_ok(client, "secret_set_active_wallet", {"name": "saved"})
        active = await call_ok(client, "secret_get_active_wallet")
    assert [w["name"] for w in listed["wallets"]] == ["saved"] and listed["active"] is None
    assert active["active"]["address"] == ADDRESS
    assert len(plugin.security.keystore.sign("saved", b"doc")) == 64


@pytest.mark.anyio
async def test_watch_only_import(mode, home):
    server, _ = wallet_server()
    async with connect(server, mode) as client:
        out = await call_ok(client, "secret_import_wallet", {"name": "cold", "address": WATCH})
        both = await call_err(client, "secret_import_wallet", {"name": "x", "address": WATCH, "mnemonic": MNEMONIC})
        active = await call_ok(client, "secret_get_active_wallet")
    assert out["wallet"] == {"name": "cold", "address": WATCH, "watch_only": True, "storage": "memory",
                             "derivation_path": None, "active": False}
    assert out["warnings"] == [] and both["code"] == "INVALID_INPUT"
    assert active == {"active": None, "hint": active["hint"]} and "secret_set_active_wallet" in active["hint"]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("args", "code"),
    [
        ({"name": "w", "mnemonic": " ".join(MNEMONIC.split()[:13])}, "INVALID_MNEMONIC"),
        ({"name": "w", "mnemonic": MNEMONIC.replace("walnut", "zoo")}, "INVALID_MNEMONIC"),
        ({"name": "w", "mnemonic": MNEMONIC.replace("relax", "relaks")}, "INVALID_MNEMONIC"),
        ({"name": "main", "mnemonic": MNEMONIC}, "WALLET_EXISTS"),
        ({"name": "bad name", "mnemonic": MNEMONIC}, "INVALID_WALLET_NAME"),
        ({"name": "w", "address": "secret1notanaddress"}, "INVALID_ADDRESS"),
    ],
    ids=["length", "checksum", "word", "duplicate", "name", "address"],
)
async def test_bad_imports_change_nothing(mode, home, args, code):
    server, _ = wallet_server()
    async with connect(server, mode) as client:
        await call_ok(client, "secret_create_wallet", {"name": "main"})
        err = await call_err(client, "secret_import_wallet", args)
        listed = await call_ok(client, "secret_list_wallets")
    assert err["code"] == code
    assert [w["name"] for w in listed["wallets"]] == ["main"] and not (home / "data").exists()


@pytest.mark.anyio
async def test_remove_rules(mode, home):
    server, _ = wallet_server()
    async with connect(server, mode, elicitation_callback=accept) as client:
        await call_ok(client, "secret_create_wallet", {"name": "a"})
        await call_ok(client, "secret_create_wallet", {"name": "b"})
        active = await call_err(client, "secret_remove_wallet", {"name": "a"})
        unknown = await call_err(client, "secret_remove_wallet", {"name": "zz"})
        bad_next = await call_err(client, "secret_remove_wallet", {"name": "a", "new_active": "zz"})
        done = await call_ok(client, "secret_remove_wallet", {"name": "a", "new_active": "b"})
        listed = await call_ok(client, "secret_list_wallets")
    assert active["code"] == "WALLET_IS_ACTIVE" and "new_active (one of: b)" in active["suggestions"][0]
    assert unknown["code"] == "UNKNOWN_WALLET" and bad_next["code"] == "UNKNOWN_WALLET"
    assert done["removed"] == "a" and done["active"] == "b"
    assert [w["name"] for w in listed["wallets"]] == ["b"]


@pytest.mark.anyio
async def test_removing_a_key_needs_confirmation(mode, home):
    server, _ = wallet_server()
    async with connect(server, mode) as client:  # cannot elicit: a code comes back, nothing removed yet
        await call_ok(client, "secret_create_wallet", {"name": "a"})
        await call_ok(client, "secret_import_wallet", {"name": "cold", "address": WATCH})
        await call_ok(client, "secret_import_wallet", {"name": "cold2", "address": WATCH})
        gone = await call_ok(client, "secret_remove_wallet", {"name": "cold2"})
        result = (await client.call_tool("secret_remove_wallet", {"name": "a", "new_active": "cold"})).structured_content
        before = await call_ok(client, "secret_list_wallets")
        await call_ok(client, "secret_confirm_transaction", {"code": result["confirmation_code"]})
        after = await call_ok(client, "secret_list_wallets")
    assert gone == {"removed": "cold2", "address": WATCH, "active": "a"}  # watch-only: no key, no prompt
    assert result["status"] == "confirmation_required" and "funds at this address are lost" in result["preview"]
    assert [w["name"] for w in before["wallets"]] == ["a", "cold"] and before["active"] == "a"
    assert [w["name"] for w in after["wallets"]] == ["cold"] and after["active"] == "cold"


@pytest.mark.anyio
async def test_export_is_refused(mode, home):
    server, _ = wallet_server()
    async with connect(server, mode) as client:
        await call_ok(client, "secret_create_wallet", {"name": "main"})
        err = await call_err(client, "secret_export_wallet", {"name": "main"})
    assert err["code"] == "EXPORT_NOT_AVAILABLE" and "secret-mcp wallet export main" in err["suggestions"][0]


@pytest.mark.anyio
async def test_no_keyring_is_a_clear_error(mode, home):
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        server, _ = wallet_server()
        async with connect(server, mode) as client:
            err = await call_err(client, "secret_create_wallet", {"name": "k", "persist": True})
            listed = await call_ok(client, "secret_list_wallets")
    finally:
        keyring.set_keyring(previous)
    assert err["code"] == "KEYRING_UNAVAILABLE"
    text = " ".join(err["suggestions"])
    assert "gnome-keyring" in text and "dbus-run-session" in text and "backend='file'" in text
    assert listed["wallets"] == [] and not (home / "data" / "wallets.json").exists()


def test_cli_import_list_export(home):
    from secret_mcp_wallet.cli import wallet

    runner = CliRunner()
    imported = runner.invoke(wallet, ["import", "cli", "--backend", "file"], input=MNEMONIC + "\n")
    assert imported.exit_code == 0, imported.output
    assert f"Imported cli: {ADDRESS} (file)." in imported.output and "island" not in imported.output
    listed = runner.invoke(wallet, ["list"])
    assert listed.output.split() == ["cli", ADDRESS, "file"]
    refused = runner.invoke(wallet, ["export", "cli"], input="n\n")
    assert refused.exit_code == 1 and "island" not in refused.output
    shown = runner.invoke(wallet, ["export", "cli"], input="y\n")
    assert shown.exit_code == 0 and MNEMONIC in shown.output
    dup = runner.invoke(wallet, ["import", "cli"], input=MNEMONIC + "\n")
    assert dup.exit_code == 1 and "already exists" in dup.output


@pytest.mark.anyio
async def test_no_secret_leaks_anywhere(mode, home, caplog):
    """A scripted session, then every result, log line, audit record and file is searched for the secrets."""
    caplog.set_level(logging.DEBUG)
    server, plugin = security_server(("wallet", secret_mcp_wallet), ("pay", PayPack()),
                                     network="mainnet", audit_log=home / "state" / "audit.jsonl")
    seen: list[str] = []

    async def call(client, name, args):
        result = await client.call_tool(name, args)
        seen.append(json.dumps(result.structured_content) + " ".join(c.text for c in result.content))
        return result.structured_content

    async with connect(server, mode, elicitation_callback=accept) as client:
        await call(client, "secret_create_wallet", {"name": "fresh", "persist": True, "backend": "file"})
        await call(client, "secret_import_wallet", {"name": "known", "mnemonic": MNEMONIC})
        await call(client, "secret_import_wallet", {"name": "known", "mnemonic": MNEMONIC})  # duplicate
        await call(client, "secret_import_wallet", {"name": "bad", "mnemonic": MNEMONIC + " extra"})
        await call(client, "secret_import_wallet", {"name": "x", "mnemonic": MNEMONIC, "account": MNEMONIC})
        await call(client, "secret_set_active_wallet", {"name": PRIVKEY})
        await call(client, "secret_set_active_wallet", {"name": MNEMONIC})
        await call(client, "secret_list_wallets", {})
        await call(client, "secret_export_wallet", {"name": "known"})
        await call(client, "secret_test_pay", {"amount": 10**12, "recipient": MNEMONIC})
        await call(client, "secret_test_pay", {"amount": 1, "recipient": PRIVKEY})
    fresh = plugin.security.keystore.export_mnemonic("fresh")
    fresh_key = plugin.security.keystore._open("fresh")["k"]
    plugin.security.audit.close()
    files = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.name == "audit.jsonl" for p in files) and any(p.name == "fresh.json" for p in files)
    haystacks = {
        "results": "\n".join(seen),
        "logs": caplog.text + "\n".join(r.getMessage() for r in caplog.records),
        **{str(p.relative_to(home)): p.read_text(errors="replace") for p in files},
    }
    for where, text in haystacks.items():
        for secret in (MNEMONIC, " ".join(MNEMONIC.split()[:12]), PRIVKEY, fresh, fresh_key):
            assert secret not in text, f"secret found in {where}"
    assert "known" in haystacks["results"] and "EXPORT_NOT_AVAILABLE" in haystacks["results"]


@pytest.mark.anyio
async def test_read_only_mode_has_no_codes(mode, home):
    # secret_confirm_transaction is a writing tool, absent in read-only mode: a code would be useless there.
    server, _ = wallet_server(read_only=True)
    async with connect(server, mode) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        await call_ok(client, "secret_create_wallet", {"name": "a"})
        await call_ok(client, "secret_create_wallet", {"name": "b"})
        err = await call_err(client, "secret_remove_wallet", {"name": "b"})
    assert "secret_confirm_transaction" not in names and "secret_remove_wallet" in names
    assert err["code"] == "CONFIRMATION_UNAVAILABLE" and "funds at this address are lost" in err["message"]


def test_cli_remove_asks_first(home):
    from secret_mcp_wallet.cli import wallet

    runner = CliRunner()
    assert runner.invoke(wallet, ["import", "gone", "--backend", "file"], input=MNEMONIC + "\n").exit_code == 0
    kept = runner.invoke(wallet, ["remove", "gone"], input="n\n")
    assert kept.exit_code == 1 and runner.invoke(wallet, ["list"]).output.split()[0] == "gone"
    removed = runner.invoke(wallet, ["remove", "gone"], input="y\n")
    assert removed.exit_code == 0 and "Removed gone." in removed.output
    assert runner.invoke(wallet, ["list"]).output == "" and not (home / "data" / "keystore" / "gone.json").exists()
    unknown = runner.invoke(wallet, ["export", "nope"])
    assert unknown.exit_code == 1 and "no wallet named 'nope'" in unknown.output
