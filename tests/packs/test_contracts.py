"""The contracts pack through a real MCP client against the sandbox chain (real encryption), in both eras."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from secret_mcp.testing import accept, balance, call_err, call_ok, connect, funded_wallet, server_on
from tests.contracts.sandbox_addresses import COUNTER, GENESIS_A
from tests.redis_server import redis_client, redis_server, redis_url  # noqa: F401 (fixtures)
from tests.helpers import B

pytestmark = pytest.mark.anyio
FAKE_WASM = b"\0asm\x01\0\0\0" + b"secret-mcp test module"


async def count(client) -> int:
    out = await call_ok(client, "secret_query_contract", {"address": COUNTER, "query_msg": {"get_count": {}}})
    return out["answer"]["count"]


async def test_execute_increment_decrypts_data_events_and_is_remembered(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        await funded_wallet(client, sandbox)
        before = await count(client)
        out = await call_ok(client, "secret_execute_contract", {"contract": COUNTER, "msg": '{"increment":{}}'})
        after = await count(client)
        recent = await client.read_resource("secret://contracts/recent")
    assert out["status"] == "success" and out["messages"] == ["/secret.compute.v1beta1.MsgExecuteContract"]
    # The data and attributes were encrypted for this session's key: reading them proves the decryption.
    assert out["responses"][0]["data"] == {"increment": {"count": before + 1}}
    assert out["wasm_events"][0]["contract_address"] == COUNTER
    assert out["wasm_events"][0]["attributes"] == {"action": "increment", "count": str(before + 1)}
    assert after == before + 1
    assert COUNTER in recent.contents[0].text and out["txhash"] in recent.contents[0].text


async def test_contract_errors_come_back_decrypted(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        before = await count(client)
        # Simulation fails: nothing is sent; the contract's own words are shown.
        sim = await call_err(client, "secret_execute_contract", {"contract": COUNTER, "msg": {"reset": {"count": 9}}})
        spent = balance(sandbox, me)
        # With a fixed gas the tx is included and fails in DeliverTx: raw_log decrypted too.
        dlv = await call_err(client, "secret_execute_contract",
                             {"contract": COUNTER, "msg": {"reset": {"count": 9}}, "gas": 300_000})
        q = await call_err(client, "secret_query_contract", {"address": COUNTER, "query_msg": {"nope": {}}})
        after = await count(client)
    assert sim["code"] == "CONTRACT_ERROR" and "Only the owner can reset count" in sim["message"]
    assert sim["details"]["contract_error"] == {"generic_err": {"msg": "Only the owner can reset count"}}
    assert "encrypted:" not in sim["message"]
    assert dlv["code"] == "CONTRACT_ERROR" and dlv["details"]["stage"] == "deliver" and dlv["details"]["txhash"]
    assert "Only the owner can reset count" in dlv["details"]["raw_log"]
    assert balance(sandbox, me) < spent  # the failed, included tx paid its fee
    assert q["code"] == "CONTRACT_ERROR" and "unknown variant `nope`" in q["message"]
    assert after == before


async def test_batch_is_atomic(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        await funded_wallet(client, sandbox)
        before = await count(client)
        inc = {"contract": COUNTER, "msg": {"increment": {}}}
        both = await call_ok(client, "secret_batch_execute", {"messages": [inc, inc]})
        mid = await count(client)
        # Fixed gas skips simulation, so the chain really runs message 0 and then rolls it back.
        err = await call_err(client, "secret_batch_execute",
                             {"messages": [inc, {"contract": COUNTER, "msg": {"reset": {}}}], "gas": 500_000})
        after = await count(client)
    assert [r["data"] for r in both["responses"]] == [{"increment": {"count": before + 1}},
                                                       {"increment": {"count": before + 2}}]
    assert mid == before + 2
    assert err["code"] == "CONTRACT_ERROR" and "message index: 1" in err["details"]["raw_log"]
    assert after == mid  # the first increment was rolled back with the failing second message


async def test_bad_input_is_refused_before_sending(mode, sandbox, home, tmp_path):
    big = tmp_path / "big.wasm"
    big.write_bytes(b"\0asm" + bytes(2 * 1024 * 1024))
    bomb = tmp_path / "bomb.wasm.gz"
    bomb.write_bytes(gzip.compress(b"\0asm" + bytes(3 * 1024 * 1024)))  # small file, too big unpacked
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        before = balance(sandbox, me)
        wrong = await call_err(client, "secret_execute_contract",
                               {"contract": COUNTER, "msg": {"increment": {}}, "code_hash": "ab" * 32})
        bad_json = await call_err(client, "secret_execute_contract", {"contract": COUNTER, "msg": "{increment"})
        unknown = await call_err(client, "secret_query_contract", {"address": B, "query_msg": {"get_count": {}}})
        too_big = await call_err(client, "secret_upload_contract", {"path": str(big)})
        bombed = await call_err(client, "secret_upload_contract", {"path": str(bomb)})
        no_code = await call_err(client, "secret_get_code_info", {"code_id": 999})
    assert wrong["code"] == "CODE_HASH_MISMATCH" and bad_json["code"] == "INVALID_JSON"
    assert unknown["code"] == "CONTRACT_NOT_FOUND"
    assert too_big["code"] == "CONTRACT_TOO_LARGE" and bombed["code"] == "CONTRACT_TOO_LARGE"
    assert no_code["code"] == "CODE_NOT_FOUND"
    assert balance(sandbox, me) == before  # nothing was sent


async def test_upload_list_and_instantiate_fake_wasm(mode, sandbox, home, tmp_path):
    path = tmp_path / "fake.wasm"
    path.write_bytes(FAKE_WASM)
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        await funded_wallet(client, sandbox)
        up = await call_ok(client, "secret_upload_contract", {"path": str(path)})
        code_id = up["responses"][0]["code_id"]
        codes = await call_ok(client, "secret_list_codes")
        info = await call_ok(client, "secret_get_code_info", {"code_id": code_id})
        err = await call_err(client, "secret_instantiate_contract",
                             {"code_id": code_id, "init_msg": {}, "label": f"fake-{mode}"})
    digest = hashlib.sha256(FAKE_WASM).hexdigest()  # the hash of the unzipped wasm, as the chain computes it
    assert code_id > 2 and info["code_hash"] == digest
    assert {"code_id": code_id, "code_hash": digest} in [{k: c[k] for k in ("code_id", "code_hash")} for c in codes["codes"]]
    assert err["code"] in ("SIMULATION_FAILED", "TX_FAILED") and "instantiat" in err["message"].lower()


async def test_instantiate_info_history_and_migrate(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        made = await call_ok(client, "secret_instantiate_contract",
                             {"code_id": 2, "init_msg": {"count": 7}, "label": f"mine-{mode}", "admin": me})
        address = made["responses"][0]["address"]
        info = await call_ok(client, "secret_get_contract_info", {"address": address})
        history = await call_ok(client, "secret_get_contract_history", {"address": address})
        answer = await call_ok(client, "secret_query_contract", {"address": address, "query_msg": {"get_count": {}}})
        not_admin = await call_err(client, "secret_migrate_contract", {"contract": COUNTER, "code_id": 2, "msg": {}})
        genesis = await call_ok(client, "secret_get_contract_info", {"address": COUNTER})
        old = await call_ok(client, "secret_get_contract_history", {"address": COUNTER})
    assert info["label"] == f"mine-{mode}" and info["admin"] == me and info["code_id"] == 2 and info["creator"] == me
    assert history["entries"][0]["operation"] == "INIT" and history["entries"][0]["msg"] == {"count": 7}
    assert answer["answer"] == {"count": 7}
    assert genesis["admin"] == GENESIS_A
    # Genesis messages were not encrypted with this session's seed: they are shown, but not as plaintext.
    assert old["entries"][0]["operation"] == "GENESIS" and old["entries"][0]["msg"] is None
    assert "admin" in not_admin["message"] and not_admin["code"] != "CONTRACT_ERROR"


async def test_execute_over_stdio(mode, tmp_path):
    # `secret-mcp serve` as a subprocess (its own embedded sandbox): the execute path end to end over stdio.
    import os
    import sys
    from pathlib import Path

    from mcp import Client, StdioServerParameters

    env = {**os.environ, "SECRET_MCP_HOME": str(tmp_path)}
    params = StdioServerParameters(command=str(Path(sys.executable).parent / "secret-mcp"), args=["serve"], env=env)
    async with Client(params, mode=mode, elicitation_callback=accept) as client:
        me = (await call_ok(client, "secret_create_wallet", {"name": "w"}))["wallet"]["address"]
        await call_ok(client, "secret_sandbox_faucet", {"address": me, "amount_uscrt": 5_000_000})
        before = await count(client)
        out = await call_ok(client, "secret_execute_contract", {"contract": COUNTER, "msg": {"increment": {}}})
        after = await count(client)
    assert out["responses"][0]["data"] == {"increment": {"count": before + 1}} and after == before + 1


async def test_a_code_kept_in_a_shared_redis_executes_the_approved_message(sandbox, home, redis_url):
    async with connect(server_on(sandbox, cache_url=redis_url, state_key="k" * 32), "auto") as client:
        await funded_wallet(client, sandbox)
        before = await count(client)
        asked = (await client.call_tool("secret_execute_contract", {"contract": COUNTER, "msg": {"increment": {}}}))
        done = await client.call_tool("secret_confirm_transaction",
                                      {"code": asked.structured_content["confirmation_code"]})
        after = await count(client)
    assert asked.structured_content["error"]["code"] == "CONFIRMATION_REQUIRED"
    assert not done.is_error, done.structured_content
    assert done.structured_content["result"]["responses"][0]["data"] == {"increment": {"count": before + 1}}
    assert after == before + 1
