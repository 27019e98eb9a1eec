"""Every chain-writing tool, parametrized: the confirmation, the limits (the fee counted) and the allow-list apply.

Nothing here depends on a pack remembering a guard: each tool only returns a plan, and the core applies the same
rules to all. A write tool that is loaded but missing from CALLS fails `test_every_write_tool_is_covered`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Callable

import bech32
import pytest

from tests.contracts.sandbox_addresses import COUNTER, TOKEN
from tests.helpers import call_err, call_ok, connect, make_server
from tests.tx.fixtures import B, C, MNEMONIC_A, accept, decline, recording, sandbox  # noqa: F401

pytestmark = pytest.mark.anyio

COSMOS = bech32.bech32_encode("cosmos", bech32.convertbits(bytes([7] * 20), 8, 5))
WASM = b"\0asm\x01\0\0\0" + b"secret-mcp every-write-tool module"
STRANGER = "secret1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a"  # on no allow-list of these tests
GRANTEE = bech32.bech32_encode("secret", bech32.convertbits(bytes([9] * 20), 8, 5))  # holds a grant from A


def calls(w: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Valid arguments for each write tool, from the world the fixture set up."""
    return {
        "secret_send_tokens": {"recipient": B, "amount": "1uscrt"},
        "secret_multi_send": {"recipients": [{"address": B, "amount": "1uscrt"}]},
        "secret_delegate": {"validator": w["v1"], "amount": "1uscrt"},
        "secret_undelegate": {"validator": w["v1"], "amount": "1uscrt"},
        "secret_redelegate": {"source_validator": w["v1"], "destination_validator": w["v2"], "amount": "1uscrt"},
        "secret_withdraw_rewards": {},
        "secret_set_withdraw_address": {"address": B},
        "secret_vote_proposal": {"proposal_id": w["voting"], "option": "yes"},
        "secret_deposit_proposal": {"proposal_id": w["deposit"], "amount": "0.1 SCRT"},
        "secret_submit_proposal": {"title": "Every write tool", "summary": "Checked by the core.",
                                   "initial_deposit": "1 SCRT"},
        "secret_ibc_transfer": {"channel": "channel-0", "receiver": COSMOS, "amount": "1uscrt"},
        "secret_execute_contract": {"contract": COUNTER, "msg": {"increment": {}}},
        "secret_batch_execute": {"messages": [{"contract": COUNTER, "msg": {"increment": {}}}]},
        "secret_upload_contract": {"path": w["wasm"]},
        "secret_instantiate_contract": {"code_id": 2, "init_msg": {"count": 1}, "label": "every-write-tool"},
        "secret_migrate_contract": {"contract": w["mine"], "code_id": 2, "msg": {}},
        "secret_token_transfer": {"token": TOKEN, "recipient": B, "amount": "0.000001"},
        "secret_token_send": {"token": TOKEN, "recipient": C, "amount": "0.000001"},
        "secret_token_create_viewing_key": {"token": TOKEN},
        "secret_token_set_viewing_key": {"token": TOKEN, "key": "every write tool key"},
        "secret_batch": {"calls": [{"tool": "secret_send_tokens", "arguments": {"recipient": B, "amount": "1uscrt"}}]},
        "secret_grant_agent": {"send_limit": "1uscrt"},
        "secret_revoke_grant": {"grantee": GRANTEE},
    }


def write_tools() -> set[str]:
    from secret_mcp.app import collect_registry
    from secret_mcp.plugins import PluginHost

    registry = collect_registry(PluginHost())
    # These two carry out a plan another write tool prepared (a code; a signing request, tests/signing).
    carriers = ("secret_confirm_transaction", "secret_submit_signed_transaction")
    return {n for n, r in registry.tools.items() if r.spec.writes_chain and n not in carriers}


@pytest.fixture(scope="module")
def world(sandbox, tmp_path_factory) -> dict[str, Any]:
    """Genesis account A with a delegation, a token balance, its own contract, and a proposal to deposit on."""
    import anyio

    home = tmp_path_factory.mktemp("every-write-home")
    wasm = home / "tiny.wasm"
    wasm.write_bytes(WASM)

    _grant_from_a(sandbox)

    async def build() -> dict[str, Any]:
        async with connect(_server(sandbox, home), "auto", elicitation_callback=accept) as client:
            await _wallet(client)
            vals = (await call_ok(client, "secret_get_validators", {"status": "bonded", "jailed": False}))["validators"]
            v1, v2 = vals[0]["operator_address"], vals[1]["operator_address"]
            await call_ok(client, "secret_delegate", {"validator": v1, "amount": "5 SCRT"})
            await call_ok(client, "secret_execute_contract", {"contract": TOKEN, "msg": {"deposit": {}},
                                                              "funds": "1000000uscrt"})
            made = await call_ok(client, "secret_instantiate_contract", {
                "code_id": 2, "init_msg": {"count": 5}, "label": "every-write-tool-mine", "admin": _a()})
            sub = await call_ok(client, "secret_submit_proposal", {"title": "Deposit here", "summary": "For the test.",
                                                                   "initial_deposit": "1 SCRT"})
            voting = (await call_ok(client, "secret_get_proposals", {"status": "voting_period"}))["proposals"][0]["id"]
        return {"v1": v1, "v2": v2, "mine": made["responses"][0]["address"], "deposit": sub["proposal_id"],
                "voting": voting, "wasm": str(wasm), "home": home}

    return anyio.run(build)


def _grant_from_a(sandbox: Any) -> None:
    """A's GenericAuthorization to GRANTEE, made outside the server: what secret_revoke_grant has to revoke."""
    from betterproto.lib.google.protobuf import Any as AnyPb
    from secret_sdk.protobuf.cosmos.authz.v1beta1 import GenericAuthorization, Grant, MsgGrant

    from secret_sandbox_chain import testing

    auth = AnyPb(type_url="/cosmos.authz.v1beta1.GenericAuthorization",
                 value=bytes(GenericAuthorization(msg="/cosmos.gov.v1.MsgVote")))
    testing.send_tx(sandbox, "a", [MsgGrant(granter=_a(), grantee=GRANTEE, grant=Grant(authorization=auth))])


def _a() -> str:
    from tests.tx.fixtures import A

    return A


def _server(sandbox: Any, home: Path, **config: Any) -> Any:
    import os

    os.environ["SECRET_MCP_HOME"] = str(home)
    config.setdefault("network", "sandbox")
    return make_server(lcd_urls=(sandbox.url,), chain_id=sandbox.chain.chain_id, **config)


async def _wallet(client: Any) -> None:
    await call_ok(client, "secret_import_wallet", {"name": "a", "mnemonic": MNEMONIC_A})
    await call_ok(client, "secret_set_active_wallet", {"name": "a"})


def sequence(sandbox: Any) -> int:
    from secret_sandbox_chain.testing import account

    return int(account(sandbox.url, _a())["sequence"])


def test_every_write_tool_is_covered():
    assert write_tools() == set(calls({"v1": "", "v2": "", "voting": 1, "deposit": 1, "mine": "", "wasm": ""}))


TOOLS = sorted(calls({"v1": "", "v2": "", "voting": 1, "deposit": 1, "mine": "", "wasm": ""}))


async def _run(sandbox: Any, world: dict, mode: str, tool: str, answer: Callable, **config: Any) -> tuple[Any, list]:
    look, asked = recording(answer)
    async with connect(_server(sandbox, world["home"], **config), mode, elicitation_callback=look) as client:
        await _wallet(client)
        result = await client.call_tool(tool, calls(world)[tool])
    return result, asked


@pytest.mark.parametrize("tool", TOOLS)
async def test_the_person_is_asked_and_a_no_signs_nothing(tool, mode, sandbox, world):
    start = sequence(sandbox)
    result, asked = await _run(sandbox, world, mode, tool, decline)
    assert result.is_error, result.structured_content
    assert result.structured_content["error"]["code"] == "CONFIRMATION_DECLINED", result.structured_content
    assert len(asked) == 1 and "Sign doc: " in asked[0] and "Estimated fee: " in asked[0]
    assert sequence(sandbox) == start


@pytest.mark.parametrize("tool", TOOLS)
async def test_the_fee_alone_counts_against_the_limit(tool, sandbox, world):
    # The same chain as a "custom" network is real money: 1uscrt per transaction is less than any fee.
    start = sequence(sandbox)
    result, asked = await _run(sandbox, world, "auto", tool, accept, network="custom", spend_limit_per_tx="uscrt=1",
                               allowed_recipients=())
    err = result.structured_content["error"]
    assert err["code"] == "POLICY_REFUSED" and "per-transaction limit" in err["message"], err
    assert asked == [] and sequence(sandbox) == start


@pytest.mark.parametrize("tool", TOOLS)
async def test_every_receiver_is_checked_against_the_allow_list(tool, sandbox, world):
    start = sequence(sandbox)
    result, asked = await _run(sandbox, world, "auto", tool, decline, allowed_recipients=(STRANGER,))
    err = result.structured_content["error"]
    if err["code"] == "POLICY_REFUSED":
        assert "allow-list" in err["message"] and asked == []
    else:  # nothing receives value or rights from it: the person is asked, and the preview names no receiver
        assert err["code"] == "CONFIRMATION_DECLINED" and not [line for line in asked[0].splitlines()
                                                                if line.startswith("To: ")], asked
    assert sequence(sandbox) == start


async def test_token_amounts_count_against_a_token_limit(sandbox, world):
    for tool in ("secret_token_transfer", "secret_token_send"):
        result, asked = await _run(sandbox, world, "auto", tool, accept, network="custom",
                                   spend_limit_per_tx=f"uscrt=100000000,{TOKEN}=0")
        err = result.structured_content["error"]
        assert err["code"] == "POLICY_REFUSED" and TOKEN in err["message"] and asked == [], err
    assert hashlib.sha256(WASM).hexdigest()  # the module is the one uploaded by the upload case
