"""The audit log: one JSON line per write attempt and outcome, redacted, rotated by size."""

from __future__ import annotations

import json

import pytest
from mcp.types import ElicitResult

from secret_mcp.security.audit import AuditLog

from secret_mcp.testing import call_err, call_ok, connect
from tests.security.packs import PayPack, security_server
from tests.security.test_keys import MNEMONIC, PRIVKEY


def test_record_update_and_redaction(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl", clock=lambda: "T")
    entry = log.record(tool="secret_send_tokens", network="mainnet", sender="secret1a",
                       summary=f"oops {MNEMONIC} {PRIVKEY}", decision="confirmed")
    log.update(entry, txhash="AB" * 32, outcome="success", height=7)
    lines = log.read()
    assert lines[0] == {"time": "T", "id": entry, "event": "attempt", "tool": "secret_send_tokens",
                        "network": "mainnet", "from": "secret1a", "summary": "oops [REDACTED] [REDACTED]",
                        "decision": "confirmed", "txhash": None, "outcome": None}
    assert lines[1] == {"time": "T", "id": entry, "event": "update", "txhash": "AB" * 32, "outcome": "success",
                        "height": 7}


def test_signed_by_names_the_wallet_and_its_agent():
    from secret_mcp.security.audit import signed_by
    from secret_mcp.tx.agent import AgentSigner
    from secret_mcp.tx.pipeline import Signer

    assert signed_by(Signer("alice", "secret1alice", b"k")) == {"from": "secret1alice"}
    agent = AgentSigner("alice", "secret1agent", b"k", fee_granter="secret1alice")
    assert signed_by(agent) == {"from": "secret1alice", "signer": "secret1agent"}


def test_rotation_keeps_three_backups(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl", max_bytes=400, backups=3)
    for i in range(40):
        log.record(tool="t", network="n", sender=None, summary=f"entry {i}", decision="confirmed")
    log.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2", "audit.jsonl.3"]
    assert all(p.stat().st_size <= 400 for p in tmp_path.iterdir())
    last = [json.loads(x) for x in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert last[-1]["summary"] == "entry 39"


@pytest.mark.anyio
async def test_server_audits_every_write_attempt(mode, tmp_path):
    path = tmp_path / "audit.jsonl"
    pack = PayPack()
    server, plugin = security_server(("pay", pack), audit_log=path)

    async def decline(_ctx, _params):
        return ElicitResult(action="decline")

    async def accept(_ctx, _params):
        return ElicitResult(action="accept", content={"confirm": True})

    async with connect(server, mode, elicitation_callback=decline) as client:
        await call_err(client, "secret_test_pay", {"amount": 1, "recipient": "secret1a"})
    async with connect(server, mode, elicitation_callback=accept) as client:
        await call_ok(client, "secret_test_pay", {"amount": 2, "recipient": "secret1a"})
    async with connect(server, mode) as client:
        body = (await client.call_tool("secret_test_pay", {"amount": 3, "recipient": "secret1a"})).structured_content
        await call_ok(client, "secret_confirm_transaction", {"code": body["confirmation_code"]})
    rows = [(r["event"], r.get("decision"), r.get("outcome"), r.get("result")) for r in plugin.security.audit.read()]
    ran = [("update", "authorized", None, None), ("update", None, "success", None), ("update", None, None, "ok")]
    assert rows == [
        ("attempt", "declined", "not_run", None),
        ("attempt", "confirmed", None, None), *ran,
        ("attempt", "code_issued", "pending", None),
        ("attempt", "confirmed_by_code", None, None), *ran,
    ]
    entries = plugin.security.audit.read()
    assert entries[0]["tool"] == "secret_test_pay" and entries[0]["network"] == "localsecret"
    assert entries[0]["summary"] == 'secret_test_pay {"amount":1,"recipient":"secret1a"}'
    # The policy and outcome hooks add to the entry of the call they happen in.
    assert {e["id"] for e in entries[1:5]} == {entries[1]["id"]}
    assert entries[2]["from"] == "secret1sender" and entries[3]["txhash"] == "AB" * 32 and entries[3]["height"] == 1


def test_refusal_is_audited(tmp_path):
    import anyio

    async def run():
        server, plugin = security_server(("pay", PayPack()), network="mainnet", audit_log=tmp_path / "a.jsonl")

        async def accept(_ctx, _params):
            return ElicitResult(action="accept", content={"confirm": True})

        async with connect(server, "auto", elicitation_callback=accept) as client:
            await call_err(client, "secret_test_pay", {"amount": 10**12, "recipient": "secret1a"})
        return plugin.security.audit.read()

    entries = anyio.run(run)
    assert entries[1]["decision"].startswith("refused: 1000000000000uscrt is above the per-transaction limit")
    assert entries[2]["result"] == "POLICY_REFUSED" and len(entries) == 3
