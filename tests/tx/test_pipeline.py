"""The transaction pipeline through MCP tools on the sandbox: lost broadcasts, sequence races, gas, batches,
watch-only wallets and confirmation codes. Every check reads the chain itself, never the pipeline's word."""

from __future__ import annotations

import pytest
from mnemonic import Mnemonic
from secret_sdk.key.mnemonic import MnemonicKey

from tests.helpers import call_err, call_ok, connect
from tests.tx.fixtures import B, C, accept, balance, funded_wallet, home, sandbox, server_on  # noqa: F401
from tests.tx.packs import BatchPack, Blackout, Racer, server_with

pytestmark = pytest.mark.anyio


def sequence(sandbox, address: str) -> int:
    from secret_sandbox_chain.testing import account

    return int(account(sandbox.url, address)["sequence"])


async def test_lost_broadcast_answer_is_looked_up_not_resent(mode, sandbox, home):
    # The node commits the tx but never answers: the pool times out and the pipeline must find it by hash.
    async with connect(server_on(sandbox, request_timeout=1.0), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        before, before_b = balance(sandbox, me), balance(sandbox, B)
        sandbox.set_faults(drop_next_broadcast=True)
        try:
            out = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "0.5 SCRT"})
        finally:
            sandbox.faults.reset()
        sent = await call_ok(client, "secret_get_account_tx_count", {})
    assert out["status"] == "success" and out["height"] >= 1
    assert sequence(sandbox, me) == 1 and sent["sent"] == 1  # exactly one transaction on chain
    assert balance(sandbox, B) == before_b + 500_000
    assert balance(sandbox, me) == before - 500_000 - int(out["fee"]["amount"])


async def test_unknown_outcome_is_reported_never_resent(mode, sandbox, home):
    server, _ = server_with(sandbox, ("batch", BatchPack()), ("blackout", Blackout(sandbox)), confirm="never",
                            request_timeout=1.0, tx_wait_seconds=2)
    try:
        async with connect(server, mode) as client:
            me = await funded_wallet(client, sandbox)
            err = await call_err(client, "secret_test_batch", {"sends": [{"to": B, "uscrt": 11}]})
    finally:
        sandbox.faults.reset()
    txhash = err["details"]["txhash"]
    assert err["code"] == "TX_OUTCOME_UNKNOWN" and err["details"]["status"] == "unknown" and len(txhash) == 64
    assert "NOT sent again" in err["message"] and "secret_get_transaction_status" in err["suggestions"][0]
    # Once the node is back, the hash tells the truth: it was committed, exactly once.
    async with connect(server_on(sandbox), mode) as client:
        status = await call_ok(client, "secret_get_transaction_status", {"hash": txhash})
    assert status["status"] == "success" and sequence(sandbox, me) == 1


async def _imported(client, sandbox) -> MnemonicKey:
    phrase = Mnemonic("english").generate(256)
    key = MnemonicKey(phrase)
    await call_ok(client, "secret_import_wallet", {"name": "shared", "mnemonic": phrase})
    sandbox.faucet(key.acc_address, 20_000_000)
    return key


async def test_sequence_mismatch_is_retried_once(mode, sandbox, home):
    # No question was needed (confirm = never): the plan is re-prepared once with the next sequence.
    racer = Racer(sandbox, None, times=1)
    server, _ = server_with(sandbox, ("racer", racer), confirm="never")
    async with connect(server, mode) as client:
        racer.key = await _imported(client, sandbox)
        me = racer.key.acc_address
        before = balance(sandbox, me)
        out = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "1 SCRT"})
    assert len(racer.hashes) == 1 and out["txhash"] not in racer.hashes
    assert sequence(sandbox, me) == 2  # the other client's tx, then ours re-signed with the next sequence
    assert balance(sandbox, me) == before - (1 + 1250) - (1_000_000 + int(out["fee"]["amount"]))


async def test_second_sequence_mismatch_gives_up(mode, sandbox, home):
    racer = Racer(sandbox, None, times=2)
    server, _ = server_with(sandbox, ("racer", racer), confirm="never")
    async with connect(server, mode) as client:
        racer.key = await _imported(client, sandbox)
        before_b = balance(sandbox, B)
        err = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "1 SCRT"})
    assert err["code"] == "SEQUENCE_MISMATCH" and "nothing was sent" in err["message"]
    assert balance(sandbox, B) == before_b
    assert sequence(sandbox, racer.key.acc_address) == 2  # only the two racing txs


async def test_confirmed_plan_whose_sequence_was_taken_is_refused_with_a_fresh_preview(mode, sandbox, home):
    # The person approved the doc with sequence N; another client used N meanwhile: nothing is re-signed silently.
    racer = Racer(sandbox, None, times=1)
    server, _ = server_with(sandbox, ("racer", racer))
    async with connect(server, mode, elicitation_callback=accept) as client:
        racer.key = await _imported(client, sandbox)
        before_b = balance(sandbox, B)
        err = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "1 SCRT"})
    assert err["code"] == "CONFIRMATION_STALE" and "Nothing was signed or sent" in err["message"]
    assert "(sequence 1)" in err["details"]["preview"] and balance(sandbox, B) == before_b
    assert sequence(sandbox, racer.key.acc_address) == 1  # only the racing tx


async def test_out_of_gas_suggests_more_gas(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        before, before_b = balance(sandbox, me), balance(sandbox, B)
        # A send from a new wallet uses ~13 000 gas; 12 000 covers the ante handler (~11 000), not the transfer.
        err = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "1 SCRT", "gas": 12_000})
    assert err["code"] == "OUT_OF_GAS" and "gas" in err["suggestions"][0]
    details = err["details"]
    assert details["gas_wanted"] == 12_000 and details["code"] == 11
    assert balance(sandbox, B) == before_b  # the transfer did not happen
    # Enough gas for the ante handler, not for the transfer: included and failed, so fee paid, sequence used.
    assert details["stage"] == "deliver" and len(details["txhash"]) == 64
    assert balance(sandbox, me) == before - int(details["fee"]["amount"]) and sequence(sandbox, me) == 1


async def test_batch_is_one_atomic_transaction(mode, sandbox, home):
    server, host = server_with(sandbox, ("batch", BatchPack()), confirm="never")
    async with connect(server, mode) as client:
        me = await funded_wallet(client, sandbox)
        b0, c0, m0 = balance(sandbox, B), balance(sandbox, C), balance(sandbox, me)
        ok = await call_ok(client, "secret_test_batch", {"sends": [{"to": B, "uscrt": 7}, {"to": C, "uscrt": 9}]})
        # Second message fails at delivery (a denom we do not hold; gas given so no simulation stops it first):
        # the first transfer must be rolled back with it.
        bad = await call_err(client, "secret_test_batch", {"sends": [{"to": B, "uscrt": 5}, {"to": C, "uscrt": 1, "denom": "uatom"}],
                                                           "gas": 200_000, "declare_amounts": False})
    assert ok["messages"] == ["/cosmos.bank.v1beta1.MsgSend"] * 2
    assert bad["code"] == "INSUFFICIENT_FUNDS" and bad["details"]["stage"] == "deliver"
    assert "message index: 1" in bad["details"]["raw_log"]
    assert balance(sandbox, B) == b0 + 7 and balance(sandbox, C) == c0 + 9  # nothing from the failed batch
    assert balance(sandbox, me) == m0 - 16 - int(ok["fee"]["amount"]) - int(bad["details"]["fee"]["amount"])
    assert sequence(sandbox, me) == 2
    # The audit log got the policy decision and the outcome of both, by txhash (filled through the core hooks).
    audit = host.pm.get_plugin("security").security.audit.read()
    outcomes = {e["txhash"]: e["outcome"] for e in audit if e.get("txhash")}
    assert outcomes == {ok["txhash"]: "success", bad["details"]["txhash"]: "failed"}
    assert sum(e.get("decision") == "authorized" for e in audit) == 2


async def test_watch_only_wallet_cannot_send(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        await call_ok(client, "secret_import_wallet", {"name": "cold", "address": B})
        await call_ok(client, "secret_set_active_wallet", {"name": "cold"})
        before = balance(sandbox, B)
        err = await call_err(client, "secret_send_tokens", {"recipient": C, "amount": "1 SCRT"})
    assert err["code"] == "WATCH_ONLY_WALLET" and balance(sandbox, B) == before


async def test_confirmation_code_sends_exactly_once(mode, sandbox, home):
    # A client without elicitation gets a code; redeeming it sends once, a replay sends nothing.
    async with connect(server_on(sandbox), mode) as client:
        me = await funded_wallet(client, sandbox)
        before = balance(sandbox, B)
        pending = await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "3 SCRT"})
        body = pending.structured_content
        assert pending.is_error and body["status"] == "confirmation_required" and "Estimated fee" in body["preview"]
        assert balance(sandbox, B) == before
        done = await call_ok(client, "secret_confirm_transaction", {"code": body["confirmation_code"]})
        again = await call_err(client, "secret_confirm_transaction", {"code": body["confirmation_code"]})
    assert done["result"]["status"] == "success" and again["code"] == "CONFIRMATION_USED"
    assert balance(sandbox, B) == before + 3_000_000 and sequence(sandbox, me) == 1


async def test_waiting_reports_progress_and_pending(mode, home):
    # With real block times the tx sits in the mempool: progress is reported, and its status reads "pending".
    import anyio
    from secret_sandbox_chain import launch

    with launch(port=0, block_time_ms=1500) as slow:
        progress, statuses, done = [], [], {}

        async def on_progress(value, total, message):
            progress.append(message or "")

        async with connect(server_on(slow, confirm="never"), mode) as client:
            await funded_wallet(client, slow)

            async def send():
                done["out"] = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "1uscrt"},
                                            progress_callback=on_progress)

            async with anyio.create_task_group() as tg:
                tg.start_soon(send)
                while not progress:  # the broadcast happened once the first progress message arrives
                    await anyio.sleep(0.02)
                txhash = progress[0].split()[1].rstrip(";")
                statuses.append((await call_ok(client, "secret_get_transaction_status", {"hash": txhash}))["status"])
            statuses.append((await call_ok(client, "secret_get_transaction_status", {"hash": txhash}))["status"])
    assert done["out"]["txhash"] == txhash and statuses == ["pending", "success"]
    assert any(m.startswith("Waiting for") for m in progress) and progress[-1].startswith("Included at height")
