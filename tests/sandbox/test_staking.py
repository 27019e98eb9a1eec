"""Staking on the sandbox chain, through its LCD and real signed transactions (docs/protocol-notes.md#staking)."""

from __future__ import annotations

from datetime import datetime, timedelta
import json

import httpx
import pytest
from secret_sdk.key.raw import RawKey
from secret_sdk.protobuf.cosmos.base.abci.v1beta1 import TxMsgData
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
from secret_sdk.protobuf.cosmos.staking import v1beta1 as st

from secret_sandbox_chain import testing
from secret_sandbox_chain.chain import GENESIS_ADDRESSES
from secret_sandbox_chain.modules.staking import operator_private_key

pytestmark = pytest.mark.anyio

V = "/cosmos/staking/v1beta1"


from tests.helpers import fixture_json  # noqa: E402
from tests.sandbox.lcdkit import ACCOUNTS, _signer, events, fee_paid, get, tx  # noqa: E402,F401


async def balance(sandbox, addr: str) -> int:
    return testing.balance(sandbox.url, addr)


def _keys(obj):
    """The key tree of a JSON object (dicts recursively; lists by their first element)."""
    if isinstance(obj, dict):
        return {k: _keys(v) for k, v in obj.items()}
    if isinstance(obj, list) and obj:
        return [_keys(obj[0])]
    return None


async def _validators(sandbox) -> dict[str, dict]:
    body = await get(sandbox, f"{V}/validators")
    return {v["description"]["moniker"].split()[1]: v for v in body["validators"]}


def _parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_validators_have_the_fixture_shape_and_genesis_variety(sandbox):
    fixture = fixture_json("lcd", "staking_validators_SYNTHETIC.json")["response"]
    body = await get(sandbox, f"{V}/validators")
    assert _keys(body["validators"][0]) == _keys(fixture["validators"][0])
    assert set(body["pagination"]) == {"next_key", "total"}
    vals = body["validators"]
    assert len(vals) >= 6 and body["pagination"]["total"] == str(len(vals))
    rates = sorted(v["commission"]["commission_rates"]["rate"] for v in vals)
    assert {"0.020000000000000000", "0.050000000000000000", "0.100000000000000000",
            "0.200000000000000000", "1.000000000000000000"} <= set(rates)
    jailed = [v for v in vals if v["jailed"]]
    assert len(jailed) == 1 and jailed[0]["status"] == "BOND_STATUS_UNBONDED"
    assert all(v["operator_address"].startswith("secretvaloper1") for v in vals)
    assert len({v["tokens"] for v in vals}) == len(vals)  # different voting powers

    bonded = (await get(sandbox, f"{V}/validators", status="BOND_STATUS_BONDED"))["validators"]
    assert [v["operator_address"] for v in bonded] == [v["operator_address"] for v in vals if not v["jailed"]]
    page = await get(sandbox, f"{V}/validators", **{"pagination.limit": "2"})
    assert len(page["validators"]) == 2 and page["pagination"]["next_key"]

    pool = (await get(sandbox, f"{V}/pool"))["pool"]
    # tokens of delegations plus unbonding entries sit in the two pool module accounts
    assert int(pool["bonded_tokens"]) == sum(int(v["tokens"]) for v in bonded)
    assert int(pool["not_bonded_tokens"]) >= int(jailed[0]["tokens"])
    params = (await get(sandbox, f"{V}/params"))["params"]
    assert params["bond_denom"] == "uscrt" and params["unbonding_time"] == "120s" and params["max_entries"] == 7

    one = await get(sandbox, f"{V}/validators/{vals[0]['operator_address']}")
    assert one["validator"] == vals[0]
    missing = "secretvaloper1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqp6thg"
    err = await get(sandbox, f"{V}/validators/{missing}", expect=404)
    assert err == {"code": 5, "message": f"rpc error: code = NotFound desc = validator {missing} not found: "
                                         "key not found", "details": []}


async def test_delegate_is_visible_and_balances_are_exact(sandbox):
    a = ACCOUNTS["a"]
    vals = await _validators(sandbox)
    gamma = vals["Gamma"]["operator_address"]
    before_bal = await balance(sandbox, a)
    before_tokens = int(vals["Gamma"]["tokens"])
    before_pool = int((await get(sandbox, f"{V}/pool"))["pool"]["bonded_tokens"])
    prior = await get(sandbox, f"{V}/validators/{gamma}/delegations/{a}", expect=None)
    prior_shares = float(prior["delegation_response"]["delegation"]["shares"]) if "delegation_response" in prior else 0

    res = await tx(sandbox, "a", st.MsgDelegate(delegator_address=a, validator_address=gamma,
                                                 amount=Coin(denom="uscrt", amount="250000000")))
    assert res["code"] == 0, res["raw_log"]
    delegate = events(res, "delegate")[0]
    assert delegate == {"validator": gamma, "delegator": a, "amount": "250000000uscrt",
                        "new_shares": "250000000.000000000000000000", "msg_index": "0"}
    # pending rewards were withdrawn first only if a delegation existed
    withdrawn = sum(int(e["amount"].removesuffix("uscrt")) for e in events(res, "withdraw_rewards"))
    assert await balance(sandbox, a) == before_bal - 250_000_000 - fee_paid(res) + withdrawn

    body = await get(sandbox, f"{V}/validators/{gamma}/delegations/{a}")
    resp = body["delegation_response"]
    assert resp["delegation"]["delegator_address"] == a and resp["delegation"]["validator_address"] == gamma
    assert float(resp["delegation"]["shares"]) == prior_shares + 250_000_000
    assert resp["balance"] == {"denom": "uscrt", "amount": str(int(prior_shares) + 250_000_000)}
    assert (await get(sandbox, f"{V}/validators/{gamma}"))["validator"]["tokens"] == str(before_tokens + 250_000_000)
    assert int((await get(sandbox, f"{V}/pool"))["pool"]["bonded_tokens"]) == before_pool + 250_000_000
    mine = await get(sandbox, f"{V}/delegations/{a}")
    assert resp in mine["delegation_responses"]
    dv = await get(sandbox, f"{V}/delegators/{a}/validators")
    assert gamma in [v["operator_address"] for v in dv["validators"]]
    assert (await get(sandbox, f"{V}/delegators/{a}/validators/{gamma}"))["validator"]["operator_address"] == gamma
    by_val = await get(sandbox, f"{V}/validators/{gamma}/delegations")
    assert resp in by_val["delegation_responses"]


async def test_unknown_validator_and_over_undelegation_fail_like_the_sdk(sandbox):
    a = ACCOUNTS["a"]
    ghost = "secretvaloper1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqp6thg"
    res = await tx(sandbox, "a", st.MsgDelegate(delegator_address=a, validator_address=ghost,
                                                 amount=Coin(denom="uscrt", amount="1000")))
    assert (res["codespace"], res["code"]) == ("staking", 3)
    assert res["raw_log"] == "failed to execute message; message index: 0: validator does not exist"

    vals = await _validators(sandbox)
    delta = vals["Delta"]["operator_address"]
    res = await tx(sandbox, "d", st.MsgDelegate(delegator_address=ACCOUNTS["d"], validator_address=delta,
                                                 amount=Coin(denom="uscrt", amount="5000000")))
    assert res["code"] == 0, res["raw_log"]
    res = await tx(sandbox, "d", st.MsgUndelegate(delegator_address=ACCOUNTS["d"], validator_address=delta,
                                                   amount=Coin(denom="uscrt", amount="5000001")))
    assert (res["codespace"], res["code"]) == ("sdk", 18)
    assert res["raw_log"].endswith("invalid shares amount: invalid request")
    res = await tx(sandbox, "d", st.MsgDelegate(delegator_address=ACCOUNTS["d"], validator_address=delta,
                                                 amount=Coin(denom="uatom", amount="5")))
    assert res["raw_log"].endswith("invalid coin denomination: got uatom, expected uscrt: invalid request")
    # at most max_entries (7) unbonding entries per (delegator, validator)
    for _ in range(7):
        res = await tx(sandbox, "d", st.MsgUndelegate(delegator_address=ACCOUNTS["d"], validator_address=delta,
                                                       amount=Coin(denom="uscrt", amount="1000")))
        assert res["code"] == 0, res["raw_log"]
    res = await tx(sandbox, "d", st.MsgUndelegate(delegator_address=ACCOUNTS["d"], validator_address=delta,
                                                   amount=Coin(denom="uscrt", amount="1000")))
    assert (res["codespace"], res["code"]) == ("staking", 27)
    assert res["raw_log"].endswith("too many unbonding delegation entries for (delegator, validator) tuple")
    entries = (await get(sandbox, f"{V}/validators/{delta}/delegations/{ACCOUNTS['d']}/unbonding_delegation"))
    assert len(entries["unbond"]["entries"]) == 7


async def test_undelegate_creates_an_entry_that_completes_and_returns_funds(sandbox):
    c = ACCOUNTS["c"]
    sandbox.chain.advance(1, seconds=121)  # settle genesis proposals: c's refunded deposit must not mix in
    vals = await _validators(sandbox)
    beta = vals["Beta"]["operator_address"]
    res = await tx(sandbox, "c", st.MsgDelegate(delegator_address=c, validator_address=beta,
                                                 amount=Coin(denom="uscrt", amount="40000000")))
    assert res["code"] == 0, res["raw_log"]
    not_bonded = int((await get(sandbox, f"{V}/pool"))["pool"]["not_bonded_tokens"])

    res = await tx(sandbox, "c", st.MsgUndelegate(delegator_address=c, validator_address=beta,
                                                   amount=Coin(denom="uscrt", amount="15000000")))
    assert res["code"] == 0, res["raw_log"]
    unbond = events(res, "unbond")[0]
    assert unbond["amount"] == "15000000uscrt" and unbond["validator"] == beta and unbond["delegator"] == c
    block = await get(sandbox, f"/cosmos/base/tendermint/v1beta1/blocks/{res['height']}")
    completion = _parse_ts(block["block"]["header"]["time"]) + timedelta(seconds=120)  # unbonding_time after
    assert _parse_ts(unbond["completion_time"]) == completion
    (answer,) = TxMsgData().parse(bytes.fromhex(res["data"])).msg_responses
    assert answer.type_url == "/cosmos.staking.v1beta1.MsgUndelegateResponse"
    reply = st.MsgUndelegateResponse().parse(answer.value)
    assert reply.amount == Coin(denom="uscrt", amount="15000000") and reply.completion_time == completion
    assert int((await get(sandbox, f"{V}/pool"))["pool"]["not_bonded_tokens"]) == not_bonded + 15_000_000

    entry_body = await get(sandbox, f"{V}/validators/{beta}/delegations/{c}/unbonding_delegation")
    entries = entry_body["unbond"]["entries"]
    assert entries[-1]["initial_balance"] == "15000000" and entries[-1]["balance"] == "15000000"
    assert entries[-1]["creation_height"] == res["height"]
    assert set(entries[-1]) == {"creation_height", "completion_time", "initial_balance", "balance",
                                "unbonding_id", "unbonding_on_hold_ref_count"}
    mine = (await get(sandbox, f"{V}/delegators/{c}/unbonding_delegations"))["unbonding_responses"]
    assert entry_body["unbond"] in mine
    theirs = (await get(sandbox, f"{V}/validators/{beta}/unbonding_delegations"))["unbonding_responses"]
    assert entry_body["unbond"] in theirs

    before = await balance(sandbox, c)
    sandbox.chain.advance(1, seconds=60)
    assert await balance(sandbox, c) == before  # not mature yet
    sandbox.chain.advance(1, seconds=61)
    assert await balance(sandbox, c) == before + 15_000_000
    await get(sandbox, f"{V}/validators/{beta}/delegations/{c}/unbonding_delegation", expect=404)
    assert int((await get(sandbox, f"{V}/pool"))["pool"]["not_bonded_tokens"]) == not_bonded


async def test_redelegation_and_the_transitive_error(sandbox):
    b = ACCOUNTS["b"]
    vals = await _validators(sandbox)
    alpha, beta, gamma = (vals[n]["operator_address"] for n in ("Alpha", "Beta", "Gamma"))
    res = await tx(sandbox, "b", st.MsgDelegate(delegator_address=b, validator_address=alpha,
                                                 amount=Coin(denom="uscrt", amount="30000000")))
    assert res["code"] == 0, res["raw_log"]
    alpha_tokens = int((await get(sandbox, f"{V}/validators/{alpha}"))["validator"]["tokens"])
    beta_tokens = int((await get(sandbox, f"{V}/validators/{beta}"))["validator"]["tokens"])

    res = await tx(sandbox, "b", st.MsgBeginRedelegate(delegator_address=b, validator_src_address=alpha,
                                                        validator_dst_address=beta,
                                                        amount=Coin(denom="uscrt", amount="10000000")))
    assert res["code"] == 0, res["raw_log"]
    red = events(res, "redelegate")[0]
    assert (red["source_validator"], red["destination_validator"], red["amount"]) == (alpha, beta, "10000000uscrt")
    assert int((await get(sandbox, f"{V}/validators/{alpha}"))["validator"]["tokens"]) == alpha_tokens - 10_000_000
    assert int((await get(sandbox, f"{V}/validators/{beta}"))["validator"]["tokens"]) == beta_tokens + 10_000_000

    body = await get(sandbox, f"{V}/delegators/{b}/redelegations", src_validator_addr=alpha, dst_validator_addr=beta)
    (resp,) = body["redelegation_responses"]
    assert resp["redelegation"]["validator_src_address"] == alpha
    assert resp["redelegation"]["validator_dst_address"] == beta
    assert resp["entries"][-1]["balance"] == "10000000"
    assert resp["entries"][-1]["redelegation_entry"]["shares_dst"] == "10000000.000000000000000000"
    assert resp["entries"][-1]["redelegation_entry"] == resp["redelegation"]["entries"][-1]

    # beta now receives a redelegation: moving on from beta must wait until it completes
    res = await tx(sandbox, "b", st.MsgBeginRedelegate(delegator_address=b, validator_src_address=beta,
                                                        validator_dst_address=gamma,
                                                        amount=Coin(denom="uscrt", amount="1000000")))
    assert (res["codespace"], res["code"]) == ("staking", 32)
    assert res["raw_log"] == ("failed to execute message; message index: 0: redelegation to this validator already "
                              "in progress; first redelegation to this validator must complete before next "
                              "redelegation")
    res = await tx(sandbox, "b", st.MsgBeginRedelegate(delegator_address=b, validator_src_address=alpha,
                                                        validator_dst_address=alpha,
                                                        amount=Coin(denom="uscrt", amount="1000000")))
    assert res["raw_log"].endswith("cannot redelegate to the same validator")

    sandbox.chain.advance(1, seconds=121)
    body = await get(sandbox, f"{V}/delegators/{b}/redelegations")
    assert body["redelegation_responses"] == []
    res = await tx(sandbox, "b", st.MsgBeginRedelegate(delegator_address=b, validator_src_address=beta,
                                                        validator_dst_address=gamma,
                                                        amount=Coin(denom="uscrt", amount="1000000")))
    assert res["code"] == 0, res["raw_log"]


def _amino_sign_doc(sandbox, who: str, msgs: list[dict], gas: int, fee: int) -> bytes:
    """StdSignDoc bytes written out by hand (docs/protocol-notes.md#amino-signing), the way cosmjs/Keplr would sign them."""
    acc = testing.account(sandbox.url, ACCOUNTS[who])
    doc = {"account_number": acc["account_number"], "chain_id": sandbox.chain.chain_id,
           "fee": {"amount": [{"amount": str(fee), "denom": "uscrt"}], "gas": str(gas)}, "memo": "",
           "msgs": msgs, "sequence": acc["sequence"]}
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


async def test_staking_messages_signed_with_legacy_amino_json(sandbox):
    a = ACCOUNTS["a"]
    vals = await _validators(sandbox)
    alpha, beta = vals["Alpha"]["operator_address"], vals["Beta"]["operator_address"]
    amount = {"denom": "uscrt", "amount": "7000000"}
    msgs = [st.MsgDelegate(delegator_address=a, validator_address=alpha, amount=Coin(**amount)),
            st.MsgBeginRedelegate(delegator_address=a, validator_src_address=alpha, validator_dst_address=beta,
                                  amount=Coin(denom="uscrt", amount="2000000")),
            st.MsgUndelegate(delegator_address=a, validator_address=beta, amount=Coin(denom="uscrt", amount="1000000"))]
    amino_msgs = [
        {"type": "cosmos-sdk/MsgDelegate", "value": {"amount": amount, "delegator_address": a,
                                                     "validator_address": alpha}},
        {"type": "cosmos-sdk/MsgBeginRedelegate", "value": {
            "amount": {"denom": "uscrt", "amount": "2000000"}, "delegator_address": a,
            "validator_dst_address": beta, "validator_src_address": alpha}},
        {"type": "cosmos-sdk/MsgUndelegate", "value": {"amount": {"denom": "uscrt", "amount": "1000000"},
                                                       "delegator_address": a, "validator_address": beta}},
    ]
    doc = _amino_sign_doc(sandbox, "a", amino_msgs, 500_000, 6250)
    raw = testing.sign(sandbox.url, sandbox.chain.chain_id, "a", msgs, gas=500_000, fee_uscrt=6250,
                       amino_sign_bytes=lambda body, auth_info: doc)
    answer = testing.broadcast(sandbox.url, raw)
    assert answer["code"] == 0, answer["raw_log"]
    res = testing.wait_tx(sandbox.url, answer["txhash"])["tx_response"]
    assert res["code"] == 0, res["raw_log"]
    assert [e["type"] for e in res["events"] if e["type"] in ("delegate", "redelegate", "unbond")] == [
        "delegate", "redelegate", "unbond"]
    body = await get(sandbox, f"{V}/validators/{beta}/delegations/{a}")
    assert body["delegation_response"]["balance"]["amount"] == "1000000"
