"""Governance on the sandbox chain (docs/protocol-notes.md#governance): v1 and v1beta1 routes, a proposal's whole life, errors."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from betterproto.lib.google.protobuf import Any as AnyPb
import httpx
import pytest
from secret_sdk.key.raw import RawKey
from secret_sdk.protobuf.cosmos.bank.v1beta1 import MsgSend
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
from secret_sdk.protobuf.cosmos.gov import v1 as gov
from secret_sdk.protobuf.cosmos.gov import v1beta1 as legacy
from secret_sdk.protobuf.cosmos.staking import v1beta1 as st

from secret_sandbox_chain import testing
from secret_sandbox_chain.chain import GENESIS_ADDRESSES
from secret_sandbox_chain.crypto import module_address
from secret_sandbox_chain.modules.staking import operator_private_key

pytestmark = pytest.mark.anyio

G, G1 = "/cosmos/gov/v1", "/cosmos/gov/v1beta1"
S = "/cosmos/staking/v1beta1"
YES, ABSTAIN, NO = gov.VoteOption.VOTE_OPTION_YES, gov.VoteOption.VOTE_OPTION_ABSTAIN, gov.VoteOption.VOTE_OPTION_NO
CONVERT_ERROR = ("can't convert a gov/v1 Proposal to gov/v1beta1 Proposal when amount of proposal messages not "
                 "exactly one: invalid type: unknown request")


from tests.sandbox.lcdkit import ACCOUNTS, _signer, events, fee_paid, get, tx  # noqa: E402,F401


async def balance(sandbox, addr: str) -> int:
    return testing.balance(sandbox.url, addr)


def _parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def uscrt(n: int) -> list[Coin]:
    return [Coin(denom="uscrt", amount=str(n))]


async def _bonded_power(sandbox, who: str) -> int:
    """What `who` weighs in a tally: tokens of its delegations to bonded validators."""
    vals = {v["operator_address"]: v for v in (await get(sandbox, f"{S}/validators"))["validators"]}
    total = Decimal(0)
    for d in (await get(sandbox, f"{S}/delegations/{who}"))["delegation_responses"]:
        v = vals[d["delegation"]["validator_address"]]
        if v["status"] == "BOND_STATUS_BONDED":
            total += Decimal(d["delegation"]["shares"]) * int(v["tokens"]) / Decimal(v["delegator_shares"])
    return int(total)


async def _submit(sandbox, who: str, deposit: int, title: str = "Sandbox text proposal") -> int:
    res = await tx(sandbox, who, gov.MsgSubmitProposal(messages=[], initial_deposit=uscrt(deposit),
                                                        proposer=ACCOUNTS[who], metadata="ipfs://none",
                                                        title=title, summary="A proposal made by a test."))
    assert res["code"] == 0, res["raw_log"]
    return int(events(res, "submit_proposal")[0]["proposal_id"])


async def test_genesis_has_proposals_in_every_state_and_the_params(sandbox):
    body = await get(sandbox, f"{G}/proposals")
    by_id = {p["id"]: p for p in body["proposals"]}
    assert by_id["1"]["status"] == "PROPOSAL_STATUS_PASSED" and by_id["2"]["status"] == "PROPOSAL_STATUS_REJECTED"
    now = sandbox.chain.time
    # #3 was voting at genesis (b yes, c no: far from quorum); #4 waited for deposits. Other tests move time on.
    third = by_id["3"]
    if _parse_ts(third["voting_end_time"]) > now:
        assert third["status"] == "PROPOSAL_STATUS_VOTING_PERIOD"
        votes = (await get(sandbox, f"{G}/proposals/3/votes"))["votes"]
        assert {v["voter"]: v["options"][0]["option"] for v in votes} == {
            ACCOUNTS["b"]: "VOTE_OPTION_YES", ACCOUNTS["c"]: "VOTE_OPTION_NO"}
    else:
        assert third["status"] == "PROPOSAL_STATUS_REJECTED"
    if "4" in by_id:
        assert by_id["4"]["status"] == "PROPOSAL_STATUS_DEPOSIT_PERIOD" and by_id["4"]["voting_start_time"] is None
        assert _parse_ts(by_id["4"]["deposit_end_time"]) > now
    first = (await get(sandbox, f"{G}/proposals/1"))["proposal"]
    assert list(first) == ["id", "messages", "status", "final_tally_result", "submit_time", "deposit_end_time",
                           "total_deposit", "voting_start_time", "voting_end_time", "metadata", "title", "summary",
                           "proposer", "expedited", "failed_reason"]
    assert first["status"] == "PROPOSAL_STATUS_PASSED" and first["final_tally_result"]["yes_count"] != "0"
    assert first["messages"][0]["content"]["@type"] == "/cosmos.gov.v1beta1.TextProposal"
    old = (await get(sandbox, f"{G1}/proposals/1"))["proposal"]
    assert old["proposal_id"] == "1" and old["content"] == first["messages"][0]["content"]
    assert old["final_tally_result"]["yes"] == first["final_tally_result"]["yes_count"]
    passed = await get(sandbox, f"{G}/proposals", proposal_status="PROPOSAL_STATUS_PASSED")
    assert [p["status"] for p in passed["proposals"]] == ["PROPOSAL_STATUS_PASSED"] * len(passed["proposals"])

    voting = await get(sandbox, f"{G}/params/voting")
    assert voting["voting_params"] == {"voting_period": "60s"} and voting["deposit_params"] is None
    assert voting["params"]["min_deposit"] == [{"denom": "uscrt", "amount": "10000000"}]
    assert (await get(sandbox, f"{G}/params/tallying"))["tally_params"]["quorum"] == "0.334000000000000000"
    old_deposit = await get(sandbox, f"{G1}/params/deposit")
    assert old_deposit["deposit_params"] == {"min_deposit": [{"denom": "uscrt", "amount": "10000000"}],
                                             "max_deposit_period": "120s"}
    assert (await get(sandbox, f"{G}/constitution"))["constitution"]
    err = await get(sandbox, f"{G}/params/everything", expect=400)
    assert err["message"] == ("rpc error: code = InvalidArgument desc = everything is not a valid parameter type: "
                              "invalid request")


async def test_proposal_passes_after_deposits_and_votes(sandbox):
    a, b, c = ACCOUNTS["a"], ACCOUNTS["b"], ACCOUNTS["c"]
    vals = (await get(sandbox, f"{S}/validators", status="BOND_STATUS_BONDED"))["validators"]
    # a stakes enough to carry quorum on its own
    res = await tx(sandbox, "a", st.MsgDelegate(delegator_address=a, validator_address=vals[0]["operator_address"],
                                                 amount=Coin(denom="uscrt", amount="2000000000")))
    assert res["code"] == 0, res["raw_log"]

    sandbox.chain.advance(1, seconds=121)  # end the genesis proposals first: their refunds must not mix in
    a_before = await balance(sandbox, a)
    res = await tx(sandbox, "a", gov.MsgSubmitProposal(messages=[], initial_deposit=uscrt(1_000_000), proposer=a,
                                                        metadata="", title="Adopt a mascot", summary="A cat."))
    assert res["code"] == 0, res["raw_log"]
    a_fees = fee_paid(res)
    pid = int(events(res, "submit_proposal")[0]["proposal_id"])
    p = (await get(sandbox, f"{G}/proposals/{pid}"))["proposal"]
    assert p["status"] == "PROPOSAL_STATUS_DEPOSIT_PERIOD" and p["voting_start_time"] is None
    assert p["messages"] == [] and p["proposer"] == a and p["title"] == "Adopt a mascot"
    assert (await get(sandbox, f"{G}/proposals/{pid}/tally"))["tally"] == {
        "yes_count": "0", "abstain_count": "0", "no_count": "0", "no_with_veto_count": "0"}
    # a text proposal has no messages, so the v1beta1 layer cannot show it
    err = await get(sandbox, f"{G1}/proposals/{pid}", expect=500)
    assert err == {"code": 2, "message": CONVERT_ERROR, "details": []}

    b_before = await balance(sandbox, b)
    res = await tx(sandbox, "b", gov.MsgDeposit(proposal_id=pid, depositor=b, amount=uscrt(9_000_000)))
    assert res["code"] == 0, res["raw_log"]
    b_fees = fee_paid(res)
    assert {"voting_period_start": str(pid), "msg_index": "0"} in events(res, "proposal_deposit")
    p = (await get(sandbox, f"{G}/proposals/{pid}"))["proposal"]
    assert p["status"] == "PROPOSAL_STATUS_VOTING_PERIOD"
    assert p["total_deposit"] == [{"denom": "uscrt", "amount": "10000000"}]
    deposits = (await get(sandbox, f"{G}/proposals/{pid}/deposits"))["deposits"]
    assert {"proposal_id": str(pid), "depositor": b, "amount": [{"denom": "uscrt", "amount": "9000000"}]} in deposits
    assert (await get(sandbox, f"{G}/proposals/{pid}/deposits/{a}"))["deposit"]["amount"][0]["amount"] == "1000000"

    for who, option in (("a", YES), ("b", NO), ("c", ABSTAIN)):
        res = await tx(sandbox, who, gov.MsgVote(proposal_id=pid, voter=ACCOUNTS[who], option=option))
        assert res["code"] == 0, res["raw_log"]
        if who == "a":
            a_fees += fee_paid(res)
        if who == "b":
            b_fees += fee_paid(res)
    vote = (await get(sandbox, f"{G}/proposals/{pid}/votes/{b}"))["vote"]
    assert vote == {"proposal_id": str(pid), "voter": b,
                    "options": [{"option": "VOTE_OPTION_NO", "weight": "1.000000000000000000"}], "metadata": ""}
    assert len((await get(sandbox, f"{G}/proposals/{pid}/votes"))["votes"]) == 3
    assert [p["id"] for p in (await get(sandbox, f"{G}/proposals", voter=c))["proposals"]].count(str(pid)) == 1

    power = {w: await _bonded_power(sandbox, ACCOUNTS[w]) for w in "abc"}
    expected = {"yes_count": str(power["a"]), "abstain_count": str(power["c"]), "no_count": str(power["b"]),
                "no_with_veto_count": "0"}
    assert (await get(sandbox, f"{G}/proposals/{pid}/tally"))["tally"] == expected

    sandbox.chain.advance(1, seconds=61)
    p = (await get(sandbox, f"{G}/proposals/{pid}"))["proposal"]
    assert p["status"] == "PROPOSAL_STATUS_PASSED"
    assert p["final_tally_result"] == expected
    assert (await get(sandbox, f"{G}/proposals/{pid}/tally"))["tally"] == expected
    # deposits are refunded and votes pruned once the proposal ends, as in the SDK
    assert await balance(sandbox, a) == a_before - a_fees
    assert await balance(sandbox, b) == b_before - b_fees
    assert (await get(sandbox, f"{G}/proposals/{pid}/votes"))["votes"] == []
    assert (await get(sandbox, f"{G}/proposals/{pid}/deposits"))["deposits"] == []


async def test_proposal_is_rejected_and_weighted_votes_split_power(sandbox):
    a, b = ACCOUNTS["a"], ACCOUNTS["b"]
    vals = (await get(sandbox, f"{S}/validators", status="BOND_STATUS_BONDED"))["validators"]
    res = await tx(sandbox, "a", st.MsgDelegate(delegator_address=a, validator_address=vals[1]["operator_address"],
                                                 amount=Coin(denom="uscrt", amount="2000000000")))
    assert res["code"] == 0, res["raw_log"]
    pid = await _submit(sandbox, "a", 10_000_000, title="Turn the sandbox off")

    bad = gov.MsgVoteWeighted(proposal_id=pid, voter=b, options=[
        gov.WeightedVoteOption(option=YES, weight="0.5"), gov.WeightedVoteOption(option=NO, weight="0.4")])
    res = await tx(sandbox, "b", bad)
    assert (res["codespace"], res["code"]) == ("gov", 7)
    assert res["raw_log"].endswith("total weight lower than 1.00: invalid vote option")

    res = await tx(sandbox, "b", gov.MsgVoteWeighted(proposal_id=pid, voter=b, options=[
        gov.WeightedVoteOption(option=YES, weight="0.6"), gov.WeightedVoteOption(option=NO, weight="0.4")]))
    assert res["code"] == 0, res["raw_log"]
    res = await tx(sandbox, "a", gov.MsgVote(proposal_id=pid, voter=a, option=NO))
    assert res["code"] == 0, res["raw_log"]

    vote = (await get(sandbox, f"{G}/proposals/{pid}/votes/{b}"))["vote"]
    assert vote["options"] == [{"option": "VOTE_OPTION_YES", "weight": "0.600000000000000000"},
                               {"option": "VOTE_OPTION_NO", "weight": "0.400000000000000000"}]
    pa, pb = await _bonded_power(sandbox, a), await _bonded_power(sandbox, b)
    tally = (await get(sandbox, f"{G}/proposals/{pid}/tally"))["tally"]
    assert tally == {"yes_count": str(int(Decimal(pb) * Decimal("0.6"))), "abstain_count": "0",
                     "no_count": str(pa + int(Decimal(pb) * Decimal("0.4"))), "no_with_veto_count": "0"}

    sandbox.chain.advance(1, seconds=61)
    p = (await get(sandbox, f"{G}/proposals/{pid}"))["proposal"]
    assert p["status"] == "PROPOSAL_STATUS_REJECTED" and p["final_tally_result"] == tally

    # voting after the end, on an unknown proposal, or with an unset option
    res = await tx(sandbox, "b", gov.MsgVote(proposal_id=pid, voter=b, option=YES))
    assert (res["codespace"], res["code"]) == ("gov", 3)
    assert res["raw_log"] == f"failed to execute message; message index: 0: {pid}: inactive proposal"
    res = await tx(sandbox, "b", gov.MsgVote(proposal_id=9999, voter=b, option=YES))
    assert (res["codespace"], res["code"]) == ("gov", 2) and res["raw_log"].endswith(": 9999: unknown proposal")
    res = await tx(sandbox, "b", gov.MsgVote(proposal_id=pid, voter=b, option=gov.VoteOption.VOTE_OPTION_UNSPECIFIED))
    assert res["raw_log"].endswith("VOTE_OPTION_UNSPECIFIED: invalid vote option")
    err = await get(sandbox, f"{G}/proposals/9999", expect=404)
    assert err["message"] == "rpc error: code = NotFound desc = proposal 9999 doesn't exist: key not found"


async def test_deposit_rules_and_expiry(sandbox):
    c = ACCOUNTS["c"]
    sandbox.chain.advance(1, seconds=121)  # settle genesis proposals: c's genesis deposit must not mix in
    res = await tx(sandbox, "c", gov.MsgSubmitProposal(messages=[], initial_deposit=uscrt(500_000), proposer=c,
                                                        metadata="", title="Too cheap", summary="Not enough."))
    assert (res["codespace"], res["code"]) == ("gov", 16)
    assert res["raw_log"].endswith("was (500000uscrt), need (1000000uscrt): minimum deposit is too small")

    before = await balance(sandbox, c)
    pid = await _submit(sandbox, "c", 2_000_000, title="Expires unfunded")
    fees = 0
    res = await tx(sandbox, "c", gov.MsgDeposit(proposal_id=pid, depositor=c, amount=[Coin(denom="uatom", amount="5")]))
    assert res["raw_log"].endswith("deposited 5uatom, but gov accepts only the following denom(s): [uscrt]: "
                                   "invalid deposit denom")
    fees += fee_paid(res)
    assert any(p["id"] == str(pid) for p in (await get(sandbox, f"{G}/proposals", depositor=c))["proposals"])
    sandbox.chain.advance(1, seconds=121)
    await get(sandbox, f"{G}/proposals/{pid}", expect=404)  # dropped proposals are deleted
    submit_fee = before - fees - await balance(sandbox, c)
    assert 0 < submit_fee < 1_000_000  # only the submit tx's fee is gone: the deposit came back


async def test_legacy_v1beta1_submit_vote_and_read(sandbox):
    d = ACCOUNTS["d"]
    content = AnyPb(type_url="/cosmos.gov.v1beta1.TextProposal",
                    value=bytes(legacy.TextProposal(title="Legacy text", description="Through v1beta1")))
    res = await tx(sandbox, "d", legacy.MsgSubmitProposal(content=content, initial_deposit=uscrt(10_000_000),
                                                           proposer=d))
    assert res["code"] == 0, res["raw_log"]
    pid = int(events(res, "submit_proposal")[0]["proposal_id"])
    res = await tx(sandbox, "d", legacy.MsgVote(proposal_id=pid, voter=d, option=legacy.VoteOption.VOTE_OPTION_NO))
    assert res["code"] == 0, res["raw_log"]

    old = (await get(sandbox, f"{G1}/proposals/{pid}"))["proposal"]
    assert old["content"] == {"@type": "/cosmos.gov.v1beta1.TextProposal", "title": "Legacy text",
                              "description": "Through v1beta1"}
    assert old["status"] == "PROPOSAL_STATUS_VOTING_PERIOD"
    assert list(old["final_tally_result"]) == ["yes", "abstain", "no", "no_with_veto"]
    new = (await get(sandbox, f"{G}/proposals/{pid}"))["proposal"]
    assert new["title"] == "Legacy text" and new["summary"] == "Through v1beta1"
    assert new["messages"][0]["@type"] == "/cosmos.gov.v1.MsgExecLegacyContent"
    votes = (await get(sandbox, f"{G1}/proposals/{pid}/votes"))["votes"]
    assert votes == [{"proposal_id": str(pid), "voter": d, "option": "VOTE_OPTION_UNSPECIFIED",
                      "options": [{"option": "VOTE_OPTION_NO", "weight": "1.000000000000000000"}]}]
    tally = (await get(sandbox, f"{G1}/proposals/{pid}/tally"))["tally"]
    assert list(tally) == ["yes", "abstain", "no", "no_with_veto"]


async def test_proposal_messages_run_as_the_gov_account_when_passed(sandbox):
    a, d = ACCOUNTS["a"], ACCOUNTS["d"]
    gov_addr = module_address("gov")
    sandbox.chain.advance(1, seconds=121)  # no other proposal may hold deposits in the gov account meanwhile
    # a proposal may only carry messages signed by the gov account
    wrong = AnyPb(type_url="/cosmos.bank.v1beta1.MsgSend",
                  value=bytes(MsgSend(from_address=a, to_address=d, amount=uscrt(1))))
    res = await tx(sandbox, "a", gov.MsgSubmitProposal(messages=[wrong], initial_deposit=uscrt(10_000_000),
                                                        proposer=a, title="Pay d", summary="From a?"))
    assert (res["codespace"], res["code"]) == ("gov", 13)

    res = await tx(sandbox, "d", MsgSend(from_address=d, to_address=gov_addr, amount=uscrt(5)))
    assert res["code"] == 0, res["raw_log"]
    vals = (await get(sandbox, f"{S}/validators", status="BOND_STATUS_BONDED"))["validators"]
    res = await tx(sandbox, "a", st.MsgDelegate(delegator_address=a, validator_address=vals[2]["operator_address"],
                                                 amount=Coin(denom="uscrt", amount="5000000000")))
    assert res["code"] == 0, res["raw_log"]

    pids = []
    for amount in (3, 50):  # the gov account can pay 3 uscrt but not 50
        pay = AnyPb(type_url="/cosmos.bank.v1beta1.MsgSend",
                    value=bytes(MsgSend(from_address=gov_addr, to_address=d, amount=uscrt(amount))))
        res = await tx(sandbox, "a", gov.MsgSubmitProposal(messages=[pay], initial_deposit=uscrt(10_000_000),
                                                            proposer=a, title=f"Pay d {amount}", summary="Spend."))
        assert res["code"] == 0, res["raw_log"]
        pid = int(events(res, "submit_proposal")[0]["proposal_id"])
        assert events(res, "submit_proposal")[0]["proposal_messages"] == ",/cosmos.bank.v1beta1.MsgSend"
        p = (await get(sandbox, f"{G}/proposals/{pid}"))["proposal"]
        assert p["messages"] == [{"@type": "/cosmos.bank.v1beta1.MsgSend", "from_address": gov_addr,
                                  "to_address": d, "amount": [{"denom": "uscrt", "amount": str(amount)}]}]
        assert (await get(sandbox, f"{G1}/proposals/{pid}"))["proposal"]["content"] == p["messages"][0]
        res = await tx(sandbox, "a", gov.MsgVote(proposal_id=pid, voter=a, option=YES))
        assert res["code"] == 0, res["raw_log"]
        pids.append(pid)

    d_before = await balance(sandbox, d)
    sandbox.chain.advance(1, seconds=61)
    ok, failed = [(await get(sandbox, f"{G}/proposals/{pid}"))["proposal"] for pid in pids]
    assert ok["status"] == "PROPOSAL_STATUS_PASSED" and ok["failed_reason"] == ""
    assert failed["status"] == "PROPOSAL_STATUS_FAILED"
    assert failed["failed_reason"] == "spendable balance 2uscrt is smaller than 50uscrt: insufficient funds"
    assert await balance(sandbox, d) == d_before + 3


async def test_gov_messages_signed_with_legacy_amino_json(sandbox):
    d = ACCOUNTS["d"]
    acc = testing.account(sandbox.url, d)
    content = AnyPb(type_url="/cosmos.gov.v1beta1.TextProposal",
                    value=bytes(legacy.TextProposal(title="Amino", description="Signed like Keplr")))
    msg = legacy.MsgSubmitProposal(content=content, initial_deposit=uscrt(10_000_000), proposer=d)
    # written out by hand (docs/protocol-notes.md#amino-signing): the nested content is an amino {type, value} too
    amino = {"type": "cosmos-sdk/MsgSubmitProposal", "value": {
        "content": {"type": "cosmos-sdk/TextProposal", "value": {"description": "Signed like Keplr", "title": "Amino"}},
        "initial_deposit": [{"amount": "10000000", "denom": "uscrt"}], "proposer": d}}
    doc = {"account_number": acc["account_number"], "chain_id": sandbox.chain.chain_id,
           "fee": {"amount": [{"amount": "5000", "denom": "uscrt"}], "gas": "400000"}, "memo": "",
           "msgs": [amino], "sequence": acc["sequence"]}
    raw = testing.sign(sandbox.url, sandbox.chain.chain_id, "d", [msg], gas=400_000, fee_uscrt=5000,
                       amino_sign_bytes=lambda body, auth_info: json.dumps(doc, sort_keys=True,
                                                                           separators=(",", ":")).encode())
    answer = testing.broadcast(sandbox.url, raw)
    assert answer["code"] == 0, answer["raw_log"]
    res = testing.wait_tx(sandbox.url, answer["txhash"])["tx_response"]
    assert res["code"] == 0, res["raw_log"]
    pid = events(res, "submit_proposal")[0]["proposal_id"]
    assert (await get(sandbox, f"{G1}/proposals/{pid}"))["proposal"]["content"]["title"] == "Amino"
