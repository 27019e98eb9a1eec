"""The staking pack through a real MCP client against the sandbox chain, in both protocol eras."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from tests.helpers import call_err, call_ok, connect
from tests.redis_server import redis_client, redis_server, redis_url  # noqa: F401 (fixtures)
from tests.tx.fixtures import accept, balance, decline, funded_wallet, home, recording, sandbox, server_on  # noqa: F401

pytestmark = pytest.mark.anyio


async def validators(client) -> dict[str, dict]:
    """Genesis validators by the first word after 'Sandbox' in their moniker (Alpha … Zeta)."""
    out = await call_ok(client, "secret_get_validators", {"limit": 200})
    return {v["moniker"].split()[1]: v for v in out["validators"]}


def sequence(sandbox, address: str) -> int:
    from secret_sandbox_chain.testing import account

    return int(account(sandbox.url, address)["sequence"])


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.rstrip("Z").split(".")[0]).replace(tzinfo=timezone.utc)


async def test_validators_are_listed_sorted_filtered_and_paginated(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        every = await call_ok(client, "secret_get_validators", {})
        cheap = await call_ok(client, "secret_get_validators", {"status": "bonded", "sort_by": "commission"})
        jailed = await call_ok(client, "secret_get_validators", {"jailed": True})
        page = await call_ok(client, "secret_get_validators", {"limit": 2, "offset": 2})
    assert every["total"] == 6 and every["bonded_validators"] == 5 and not every["has_more"]
    bonded = Decimal(every["total_bonded"]["amount"])
    for v in every["validators"]:  # the share is exact: tokens / all bonded tokens, to 4 decimals
        share = Decimal(v["tokens"]["amount"]) * 100 / bonded if v["status"] == "bonded" else Decimal(0)
        assert Decimal(v["voting_power_percent"]) == share.quantize(Decimal("0.0001"), ROUND_HALF_EVEN)
    powers = [Decimal(v["tokens"]["amount"]) for v in every["validators"] if v["status"] == "bonded"]
    assert powers == sorted(powers, reverse=True) and every["validators"][-1]["status"] == "unbonded"
    assert [Decimal(v["commission_percent"]) for v in cheap["validators"]] == [2, 5, 10, 20, 100]
    assert "100%" in cheap["validators"][-1]["warnings"][0]
    (zeta,) = jailed["validators"]
    assert zeta["jailed"] and zeta["status"] == "unbonded" and zeta["voting_power_percent"] == "0"
    assert "JAILED" in zeta["warnings"][0]
    assert [v["operator_address"] for v in page["validators"]] == [v["operator_address"] for v in every["validators"][2:4]]
    assert page["has_more"] and page["total"] == 6


async def test_one_validator_and_unknown_ones(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        alpha = (await validators(client))["Alpha"]
        one = await call_ok(client, "secret_get_validator", {"validator": alpha["operator_address"]})
        # A well-formed valoper address that no validator has: the checksum is right, the chain has never seen it.
        from secret_sandbox_chain.crypto import to_valoper

        nobody = to_valoper("secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03")
        unknown = await call_err(client, "secret_get_validator", {"validator": nobody})
        wrong_kind = await call_err(client, "secret_get_validator", {"validator": "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"})
    assert one["moniker"] == "Sandbox Alpha" and one["commission_percent"] == "5" and one["max_commission_percent"] == "20"
    assert one["delegators"] >= 2 and one["your_delegation"] is None  # self-bond plus account c's genesis delegation
    assert unknown["code"] == "UNKNOWN_VALIDATOR" and "secret_get_validators" in unknown["suggestions"][0]
    assert wrong_kind["code"] == "INVALID_ADDRESS"


async def test_delegate_then_undelegate_until_completion(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        gamma = (await validators(client))["Gamma"]["operator_address"]
        me = await funded_wallet(client, sandbox)
        start = balance(sandbox, me)
        put = await call_ok(client, "secret_delegate", {"validator": gamma, "amount": "10 SCRT"})
        assert put["messages"] == ["/cosmos.staking.v1beta1.MsgDelegate"] and put["validator"] == gamma
        assert balance(sandbox, me) == start - 10_000_000 - int(put["fee"]["amount"])
        held = await call_ok(client, "secret_get_delegations", {})
        assert [(d["moniker"], d["amount"]["amount"]) for d in held["delegations"]] == [("Sandbox Gamma", "10000000")]
        sandbox.chain.advance(blocks=2)
        before = balance(sandbox, me)
        out = await call_ok(client, "secret_undelegate", {"validator": gamma, "amount": "4", "denom": "SCRT"})
        # The chain pays pending rewards out when a delegation changes; the result says how much.
        paid = int(out["rewards_paid"]["amount"]) if out["rewards_paid"] else 0
        assert paid > 0 and balance(sandbox, me) == before + paid - int(out["fee"]["amount"])
        done_at = when(out["completion_time"])
        assert timedelta(seconds=119) < done_at - when(out["timestamp"]) <= timedelta(seconds=121)  # sandbox: 120 s
        pending = await call_ok(client, "secret_get_unbonding", {})
        assert [(e["amount"]["amount"], e["completion_time"]) for e in pending["entries"]] == [("4000000", out["completion_time"])]
        left = await call_ok(client, "secret_get_delegations", {"address": me})
        assert left["total"]["amount"] == "6000000"
        waiting = balance(sandbox, me)
        sandbox.chain.advance(blocks=1, seconds=121)
        after = await call_ok(client, "secret_get_unbonding", {})
    assert after["entries"] == [] and balance(sandbox, me) == waiting + 4_000_000  # back, to the uscrt


async def test_undelegate_all(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        beta = (await validators(client))["Beta"]["operator_address"]
        await funded_wallet(client, sandbox)
        await call_ok(client, "secret_delegate", {"validator": beta, "amount": "3000001uscrt"})
        out = await call_ok(client, "secret_undelegate", {"validator": beta, "amount": "all"})
        held = await call_ok(client, "secret_get_delegations", {})
    assert out["amount"]["amount"] == "3000001" and held["delegations"] == []


async def test_redelegate_and_no_hopping_while_in_flight(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        vals = await validators(client)
        alpha, beta, gamma = (vals[n]["operator_address"] for n in ("Alpha", "Beta", "Gamma"))
        me = await funded_wallet(client, sandbox)
        await call_ok(client, "secret_delegate", {"validator": alpha, "amount": "5 SCRT"})
        moved = await call_ok(client, "secret_redelegate", {"source_validator": alpha, "destination_validator": beta,
                                                             "amount": "3 SCRT"})
        held = await call_ok(client, "secret_get_delegations", {})
        flying = await call_ok(client, "secret_get_redelegations", {})
        seq = sequence(sandbox, me)
        hop = await call_err(client, "secret_redelegate", {"source_validator": beta, "destination_validator": gamma,
                                                           "amount": "1 SCRT"})
        assert sequence(sandbox, me) == seq  # refused before signing
        sandbox.chain.advance(blocks=1, seconds=121)
        later = await call_ok(client, "secret_redelegate", {"source_validator": beta, "destination_validator": gamma,
                                                            "amount": "1 SCRT"})
    assert moved["messages"] == ["/cosmos.staking.v1beta1.MsgBeginRedelegate"] and moved["validator"] == beta
    assert moved["completion_time"] and moved["amount"]["amount"] == "3000000"
    assert {d["moniker"]: d["amount"]["amount"] for d in held["delegations"]} == {"Sandbox Alpha": "2000000",
                                                                                  "Sandbox Beta": "3000000"}
    (entry,) = flying["entries"]
    assert (entry["source_validator"], entry["destination_validator"], entry["amount"]["amount"]) == (alpha, beta, "3000000")
    assert entry["completion_time"] == moved["completion_time"]
    assert hop["code"] == "REDELEGATION_IN_PROGRESS" and hop["details"]["until"] == moved["completion_time"]
    assert later["status"] == "success"


async def test_jailed_validator_is_refused_unless_overridden(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        zeta = (await validators(client))["Zeta"]["operator_address"]
        me = await funded_wallet(client, sandbox)
        before = balance(sandbox, me)
        err = await call_err(client, "secret_delegate", {"validator": zeta, "amount": "1 SCRT"})
        assert balance(sandbox, me) == before and sequence(sandbox, me) == 0
        ok = await call_ok(client, "secret_delegate", {"validator": zeta, "amount": "1 SCRT", "allow_jailed": True})
        held = await call_ok(client, "secret_get_delegations", {})
    assert err["code"] == "VALIDATOR_JAILED" and "jailed" in err["message"] and "no rewards" in err["message"]
    assert any("allow_jailed" in s for s in err["suggestions"])
    assert ok["status"] == "success" and [d["validator_jailed"] for d in held["delegations"]] == [True]


async def test_bad_staking_requests_send_nothing(mode, sandbox, home):
    from secret_sandbox_chain.crypto import to_valoper

    nobody = to_valoper("secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03")
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        vals = await validators(client)
        alpha, beta = vals["Alpha"]["operator_address"], vals["Beta"]["operator_address"]
        me = await funded_wallet(client, sandbox, uscrt=5_000_000)
        cases = [
            ("secret_delegate", {"validator": nobody, "amount": "1 SCRT"}, "UNKNOWN_VALIDATOR"),
            ("secret_delegate", {"validator": me, "amount": "1 SCRT"}, "INVALID_ADDRESS"),
            ("secret_delegate", {"validator": alpha, "amount": "-1 SCRT"}, "INVALID_AMOUNT"),
            ("secret_delegate", {"validator": alpha, "amount": "0.0000001 SCRT"}, "AMOUNT_TOO_PRECISE"),
            ("secret_delegate", {"validator": alpha, "amount": "5 uatom"}, "INVALID_DENOM"),
            ("secret_delegate", {"validator": alpha, "amount": "50 SCRT"}, "INSUFFICIENT_FUNDS"),
            ("secret_undelegate", {"validator": alpha, "amount": "1 SCRT"}, "NO_DELEGATION"),
            ("secret_undelegate", {"validator": nobody, "amount": "1 SCRT"}, "UNKNOWN_VALIDATOR"),
            ("secret_redelegate", {"source_validator": alpha, "destination_validator": alpha, "amount": "1 SCRT"},
             "INVALID_INPUT"),
            ("secret_redelegate", {"source_validator": alpha, "destination_validator": nobody, "amount": "1 SCRT"},
             "UNKNOWN_VALIDATOR"),
            ("secret_redelegate", {"source_validator": alpha, "destination_validator": beta, "amount": "1 SCRT"},
             "NO_DELEGATION"),
        ]
        codes = [(await call_err(client, tool, args))["code"] for tool, args, _ in cases]
        assert codes == [code for _, _, code in cases]
        assert sequence(sandbox, me) == 0 and balance(sandbox, me) == 5_000_000
        await call_ok(client, "secret_delegate", {"validator": alpha, "amount": "2 SCRT"})
        spent = balance(sandbox, me)
        too_much = await call_err(client, "secret_undelegate", {"validator": alpha, "amount": "2.000001 SCRT"})
        too_much_moved = await call_err(client, "secret_redelegate", {"source_validator": alpha,
                                                                      "destination_validator": beta, "amount": "3 SCRT"})
    assert too_much["code"] == too_much_moved["code"] == "INSUFFICIENT_DELEGATION"
    assert too_much["details"]["staked"] == "2000000" and sequence(sandbox, me) == 1 and balance(sandbox, me) == spent


async def test_preview_names_validator_and_unbonding_period(mode, sandbox, home):
    look, seen = recording(decline)

    async with connect(server_on(sandbox), mode, elicitation_callback=look) as client:
        delta = (await validators(client))["Delta"]["operator_address"]
        me = await funded_wallet(client, sandbox)
        err = await call_err(client, "secret_delegate", {"validator": delta, "amount": "1.5 SCRT"})
    (text,) = seen
    assert err["code"] == "CONFIRMATION_DECLINED" and sequence(sandbox, me) == 0
    assert "Delegate 1.5 SCRT (1500000uscrt)" in text and "Sandbox Delta" in text and "commission 20%" in text
    assert "High commission" in text and "Estimated fee:" in text and "SIMULATED" in text
    assert f"To: {delta}" in text and "Sign doc: " in text  # the validator receives the stake
    assert '"Sandbox Delta"' in text  # the moniker is chain text: quoted on its line


async def test_allow_list_applies_to_the_validator_that_receives_the_stake(mode, sandbox, home):
    # Delegating or redelegating hands the stake to a validator: an allow-list must name it. Undelegating
    # returns the stake to the wallet itself, so it names nobody.
    async with connect(server_on(sandbox), mode) as client:
        vals = await validators(client)
    alpha, beta = vals["Alpha"]["operator_address"], vals["Beta"]["operator_address"]
    look, seen = recording(accept)
    async with connect(server_on(sandbox, allowed_recipients=(beta,)), mode, elicitation_callback=look) as client:
        me = await funded_wallet(client, sandbox)
        refused = await call_err(client, "secret_delegate", {"validator": alpha, "amount": "1 SCRT"})
        assert sequence(sandbox, me) == 0 and not seen  # refused before the person was asked
        ok = await call_ok(client, "secret_delegate", {"validator": beta, "amount": "2 SCRT"})
        moved = await call_err(client, "secret_redelegate", {"source_validator": beta, "destination_validator": alpha,
                                                             "amount": "1 SCRT"})
        back = await call_ok(client, "secret_undelegate", {"validator": beta, "amount": "1 SCRT"})
    assert refused["code"] == moved["code"] == "POLICY_REFUSED"
    assert f"recipient {alpha} is not on the allow-list" in refused["message"] and alpha in moved["message"]
    assert ok["validator"] == back["validator"] == beta and sequence(sandbox, me) == 2
    assert len(seen) == 2 and f"To: {beta} (on the allow-list)" in seen[0] and "To: " not in seen[1]


async def test_undelegate_preview_states_the_wait(mode, sandbox, home):
    look, seen = recording(accept)

    async with connect(server_on(sandbox), mode, elicitation_callback=look) as client:
        alpha = (await validators(client))["Alpha"]["operator_address"]
        await funded_wallet(client, sandbox)
        await call_ok(client, "secret_delegate", {"validator": alpha, "amount": "1 SCRT"})
        await call_ok(client, "secret_undelegate", {"validator": alpha, "amount": "1 SCRT"})
    assert "Unbonding takes 120 seconds" in seen[1] and "of 1 SCRT (1000000uscrt) staked" in seen[1]


async def test_top_validators_resource_and_prompt(mode, sandbox, home):
    import json

    async with connect(server_on(sandbox), mode) as client:
        listed = {r.uri for r in (await client.list_resources()).resources}
        top = json.loads((await client.read_resource("secret://validators/top")).contents[0].text)
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        text = (await client.get_prompt("choose_validators", {"amount": "25 SCRT"})).messages[0].content.text
    assert "secret://validators/top" in {str(u) for u in listed} and "choose_validators" in prompts
    rows = top["validators"]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5] and all("Zeta" not in r["moniker"] for r in rows)
    shares = [Decimal(r["voting_power_percent"]) for r in rows]
    assert shares == sorted(shares, reverse=True)
    assert Decimal(rows[-1]["cumulative_percent"]) == pytest.approx(Decimal(100), abs=Decimal("0.001"))
    assert "25 SCRT" in text and "jailed" in text and "commission" in text.lower() and "33.4%" in text


async def test_read_only_mode_keeps_only_the_reads(mode, home):
    from tests.helpers import make_server

    async with connect(make_server(read_only=True), mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    reads = {"secret_get_validators", "secret_get_validator", "secret_get_delegations", "secret_get_unbonding",
             "secret_get_redelegations"}
    assert reads <= set(tools) and all(tools[n].annotations.read_only_hint for n in reads)
    assert not {"secret_delegate", "secret_undelegate", "secret_redelegate"} & set(tools)


async def test_a_code_through_the_shared_store_signs_the_approved_delegation(mode, sandbox, home, redis_url,
                                                                           redis_client):
    # With cache_url the code's prepared sign doc lives in Redis: redeeming it re-plans the delegation (for the
    # result), which must come out byte for byte as approved; the staking result is the tool's own.
    from tests.helpers import make_server

    server = make_server(network="sandbox", lcd_urls=(sandbox.url,), chain_id=sandbox.chain.chain_id,
                         cache_url=redis_url, state_key="k" * 32)
    async with connect(server, mode) as client:  # no elicitation: a code is the only way
        gamma = (await validators(client))["Gamma"]["operator_address"]
        me = await funded_wallet(client, sandbox)
        pending = await client.call_tool("secret_undelegate", {"validator": gamma, "amount": "all"})
        refused = pending.structured_content["error"]["code"]
        asked = await client.call_tool("secret_delegate", {"validator": gamma, "amount": "2 SCRT"})
        body = asked.structured_content
        assert asked.is_error and body["error"]["code"] == "CONFIRMATION_REQUIRED" and sequence(sandbox, me) == 0
        assert f"Delegate 2 SCRT (2000000uscrt) to {gamma}" in body["preview"] and "Sign doc: " in body["preview"]
        assert any(redis_client.scan_iter(match="*confirm:" + body["confirmation_code"]))  # only Redis holds it
        done = await call_ok(client, "secret_confirm_transaction", {"code": body["confirmation_code"]})
    assert refused == "NO_DELEGATION"  # planning fails before any code is issued
    result = done["result"]
    assert done["tool"] == "secret_delegate" and result["status"] == "success" and sequence(sandbox, me) == 1
    assert result["validator"] == gamma and result["amount"]["amount"] == "2000000"
    assert result["messages"] == ["/cosmos.staking.v1beta1.MsgDelegate"]
