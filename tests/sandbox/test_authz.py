"""x/authz and x/feegrant on the sandbox chain: real signed transactions through the LCD, SDK 0.50 behaviour
and error texts (grant, exec within and beyond a spend limit, allow-lists, expiry, revoke; fee allowances)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from betterproto.lib.google.protobuf import Any as AnyPb
from secret_sdk.key.mnemonic import MnemonicKey
from secret_sdk.protobuf.cosmos.authz import v1beta1 as az
from secret_sdk.protobuf.cosmos.bank.v1beta1 import MsgSend, SendAuthorization
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
from secret_sdk.protobuf.cosmos.feegrant import v1beta1 as fg
from secret_sdk.protobuf.cosmos.gov.v1beta1 import MsgVote, VoteOption
from secret_sdk.protobuf.cosmos.staking import v1beta1 as st

from secret_sandbox_chain import testing
from tests.sandbox.lcdkit import ACCOUNTS, events, get

pytestmark = pytest.mark.anyio

A, B, C = ACCOUNTS["a"], ACCOUNTS["b"], ACCOUNTS["c"]
SEND = "/cosmos.bank.v1beta1.MsgSend"


def _agent() -> MnemonicKey:
    return MnemonicKey()  # a fresh key, no funds, unknown to the chain


def _any(type_url: str, msg) -> AnyPb:
    return AnyPb(type_url=type_url, value=bytes(msg))


def _send_grant(grantee: str, limit: int, allow: list[str] | None = None, expiration: datetime | None = None):
    auth = SendAuthorization(spend_limit=[Coin(denom="uscrt", amount=str(limit))], allow_list=allow or [])
    return az.MsgGrant(granter=A, grantee=grantee, grant=az.Grant(
        authorization=_any("/cosmos.bank.v1beta1.SendAuthorization", auth), expiration=expiration))


def _basic_allowance(grantee: str, limit: int | None, expiration: datetime | None = None):
    basic = fg.BasicAllowance(spend_limit=[Coin(denom="uscrt", amount=str(limit))] if limit else [],
                              expiration=expiration)
    return fg.MsgGrantAllowance(granter=A, grantee=grantee, allowance=_any("/cosmos.feegrant.v1beta1.BasicAllowance", basic))


def _exec(agent: MnemonicKey, *msgs) -> az.MsgExec:
    return az.MsgExec(grantee=agent.acc_address, msgs=[_any(testing.type_url(m), m) for m in msgs])


def _send(amount: int, to: str = B) -> MsgSend:
    return MsgSend(from_address=A, to_address=to, amount=[Coin(denom="uscrt", amount=str(amount))])


def _deliver(sandbox, signer, msgs, **kw) -> dict:
    """Sign and broadcast; the committed tx_response (or the CheckTx answer when the ante refused it)."""
    raw = testing.sign(sandbox.url, sandbox.chain.chain_id, signer, msgs, **kw)
    answer = testing.broadcast(sandbox.url, raw)
    if answer["code"] != 0:
        return answer
    return testing.wait_tx(sandbox.url, answer["txhash"])["tx_response"]


async def test_send_grant_exec_within_beyond_and_after_revoke(sandbox):
    agent = _agent()
    res = _deliver(sandbox, "a", [_send_grant(agent.acc_address, 1000),
                                   _basic_allowance(agent.acc_address, 100_000)])
    assert res["code"] == 0, res["raw_log"]
    assert {"granter": f'"{A}"', "grantee": f'"{agent.acc_address}"', "msg_type_url": f'"{SEND}"',
            "msg_index": "0"} in events(res, "cosmos.authz.v1beta1.EventGrant")
    # the grant created the agent's account: it can sign with no funds, fees paid by the granter's allowance
    assert testing.account(sandbox.url, agent.acc_address) is not None
    assert testing.balance(sandbox.url, agent.acc_address) == 0

    body = await get(sandbox, "/cosmos/authz/v1beta1/grants", granter=A, grantee=agent.acc_address)
    assert body["grants"][0]["authorization"] == {"@type": "/cosmos.bank.v1beta1.SendAuthorization",
                                                  "spend_limit": [{"denom": "uscrt", "amount": "1000"}],
                                                  "allow_list": []}
    assert body["grants"][0]["expiration"] is None

    a0, b0 = testing.balance(sandbox.url, A), testing.balance(sandbox.url, B)
    res = _deliver(sandbox, agent, [_exec(agent, _send(400))], fee_uscrt=2500, fee_granter=A)
    assert res["code"] == 0, res["raw_log"]
    assert testing.balance(sandbox.url, B) == b0 + 400
    assert testing.balance(sandbox.url, A) == a0 - 400 - 2500  # the granter paid the send and the fee
    assert {"fee": "2500uscrt", "fee_payer": A} in events(res, "tx")
    assert [(e["granter"], e["grantee"]) for e in events(res, "use_feegrant")] == [(A, agent.acc_address)]
    assert any(e.get("authz_msg_index") == "0" for e in events(res, "transfer"))
    grants = await get(sandbox, f"/cosmos/authz/v1beta1/grants/grantee/{agent.acc_address}")
    assert grants["grants"][0]["granter"] == A
    assert grants["grants"][0]["authorization"]["spend_limit"] == [{"denom": "uscrt", "amount": "600"}]
    allowance = await get(sandbox, f"/cosmos/feegrant/v1beta1/allowance/{A}/{agent.acc_address}")
    assert allowance["allowance"]["allowance"]["spend_limit"] == [{"denom": "uscrt", "amount": "97500"}]

    # beyond the limit: the chain refuses (deliver), nothing moves but the fee
    b1 = testing.balance(sandbox.url, B)
    res = _deliver(sandbox, agent, [_exec(agent, _send(601))], fee_uscrt=2500, fee_granter=A)
    assert res["code"] == 5 and res["codespace"] == "sdk"
    assert res["raw_log"] == ("failed to execute message; message index: 0: requested amount is more than spend "
                              "limit: insufficient funds")
    assert testing.balance(sandbox.url, B) == b1

    # spend exactly what is left: the exhausted grant is deleted
    res = _deliver(sandbox, agent, [_exec(agent, _send(600))], fee_uscrt=2500, fee_granter=A)
    assert res["code"] == 0, res["raw_log"]
    assert (await get(sandbox, f"/cosmos/authz/v1beta1/grants/granter/{A}"))["grants"] == []
    res = _deliver(sandbox, agent, [_exec(agent, _send(1))], fee_uscrt=2500, fee_granter=A)
    assert res["codespace"] == "authz" and res["code"] == 2
    assert res["raw_log"].startswith("failed to execute message; message index: 0: failed to update grant with key ")
    assert res["raw_log"].endswith(f"{SEND}: authorization not found")

    # revoke the allowance: the agent cannot even pay a fee now (refused by CheckTx)
    assert _deliver(sandbox, "a", [fg.MsgRevokeAllowance(granter=A, grantee=agent.acc_address)])["code"] == 0
    res = _deliver(sandbox, agent, [_exec(agent, _send(1))], fee_uscrt=2500, fee_granter=A)
    assert res["code"] == 38 and res["raw_log"] == (
        f"{A} does not allow to pay fees for {agent.acc_address}: fee-grant not found: not found")
    await get(sandbox, f"/cosmos/feegrant/v1beta1/allowance/{A}/{agent.acc_address}", expect=404)


async def test_revoke_allow_list_and_expiry(sandbox):
    agent = _agent()
    soon = sandbox.chain.time + timedelta(seconds=60)
    res = _deliver(sandbox, "a", [_send_grant(agent.acc_address, 10_000, allow=[C], expiration=soon),
                                   _basic_allowance(agent.acc_address, None)])
    assert res["code"] == 0, res["raw_log"]
    body = await get(sandbox, "/cosmos/authz/v1beta1/grants", granter=A, grantee=agent.acc_address, msg_type_url=SEND)
    assert body["grants"][0]["expiration"] is not None and body["pagination"] is None
    res = _deliver(sandbox, agent, [_exec(agent, _send(5, to=B))], fee_uscrt=2500, fee_granter=A)
    assert res["code"] == 4 and res["raw_log"].endswith(f"cannot send to {B} address: unauthorized")
    assert _deliver(sandbox, agent, [_exec(agent, _send(5, to=C))], fee_uscrt=2500, fee_granter=A)["code"] == 0
    # past the expiry the grant is pruned at the next block
    sandbox.chain.advance(blocks=1, seconds=120)
    res = _deliver(sandbox, agent, [_exec(agent, _send(5, to=C))], fee_uscrt=2500, fee_granter=A)
    assert res["codespace"] == "authz" and res["raw_log"].endswith("authorization not found")
    # revoke of a grant that is gone, and self-grants, fail with the SDK's texts
    res = _deliver(sandbox, "a", [az.MsgRevoke(granter=A, grantee=agent.acc_address, msg_type_url=SEND)])
    assert res["codespace"] == "authz" and res["raw_log"].endswith("authorization not found")
    res = _deliver(sandbox, "a", [_send_grant(A, 5)])
    assert res["raw_log"] == "failed to execute message; message index: 0: grantee and granter should be different"
    past = sandbox.chain.time - timedelta(seconds=5)
    res = _deliver(sandbox, "a", [_send_grant(agent.acc_address, 5, expiration=past)])
    assert res["codespace"] == "authz" and res["code"] == 3
    assert res["raw_log"].endswith("expiration time of authorization should be more than current time")


async def test_generic_and_stake_authorizations(sandbox):
    agent = _agent()
    validators = (await get(sandbox, "/cosmos/staking/v1beta1/validators"))["validators"]
    good = next(v["operator_address"] for v in validators if not v["jailed"] and v["status"] == "BOND_STATUS_BONDED")
    stake = st.StakeAuthorization(max_tokens=Coin(denom="uscrt", amount="1000"),
                                  allow_list=st.StakeAuthorizationValidators(address=[good]),
                                  authorization_type=st.AuthorizationType.AUTHORIZATION_TYPE_DELEGATE)
    generic = az.GenericAuthorization(msg="/cosmos.gov.v1beta1.MsgVote")
    res = _deliver(sandbox, "a", [
        az.MsgGrant(granter=A, grantee=agent.acc_address,
                    grant=az.Grant(authorization=_any("/cosmos.staking.v1beta1.StakeAuthorization", stake))),
        az.MsgGrant(granter=A, grantee=agent.acc_address,
                    grant=az.Grant(authorization=_any("/cosmos.authz.v1beta1.GenericAuthorization", generic))),
        _basic_allowance(agent.acc_address, 1_000_000)])
    assert res["code"] == 0, res["raw_log"]
    listed = (await get(sandbox, f"/cosmos/authz/v1beta1/grants/granter/{A}"))["grants"]
    kinds = {g["authorization"]["@type"]: g["authorization"] for g in listed}
    assert kinds["/cosmos.staking.v1beta1.StakeAuthorization"]["allow_list"] == {"address": [good]}
    assert kinds["/cosmos.authz.v1beta1.GenericAuthorization"] == {"@type": "/cosmos.authz.v1beta1.GenericAuthorization",
                                                                   "msg": "/cosmos.gov.v1beta1.MsgVote"}
    delegate = st.MsgDelegate(delegator_address=A, validator_address=good, amount=Coin(denom="uscrt", amount="700"))
    assert _deliver(sandbox, agent, [_exec(agent, delegate)], gas=400_000, fee_granter=A)["code"] == 0
    too_much = st.MsgDelegate(delegator_address=A, validator_address=good, amount=Coin(denom="uscrt", amount="301"))
    res = _deliver(sandbox, agent, [_exec(agent, too_much)], gas=400_000, fee_granter=A)
    assert res["code"] != 0 and "negative coin amount" in res["raw_log"]
    other = next(v["operator_address"] for v in validators if v["operator_address"] != good)
    res = _deliver(sandbox, agent, [_exec(agent, st.MsgDelegate(delegator_address=A, validator_address=other,
                                                                 amount=Coin(denom="uscrt", amount="1")))],
                   gas=400_000, fee_granter=A)
    assert res["raw_log"].endswith(f"cannot delegate/undelegate to {other} validator: unauthorized")
    # the generic grant lets the agent vote (the vote itself fails on a proposal that does not exist: past authz)
    vote = MsgVote(proposal_id=999, voter=A, option=VoteOption.VOTE_OPTION_YES)
    res = _deliver(sandbox, agent, [_exec(agent, vote)], fee_granter=A)
    assert "authorization" not in res["raw_log"] and "failed to execute message; message proposal_id:999" in res["raw_log"]
    # a message type nobody granted
    res = _deliver(sandbox, agent, [_exec(agent, _send(1))], fee_granter=A)
    assert res["raw_log"].endswith(f"{SEND}: authorization not found")


async def test_fee_allowance_exhaustion_periodic_and_allowed_messages(sandbox):
    agent = _agent()
    assert _deliver(sandbox, "a", [_send_grant(agent.acc_address, 1000),
                                   _basic_allowance(agent.acc_address, 3000)])["code"] == 0
    assert _deliver(sandbox, agent, [_exec(agent, _send(1))], fee_uscrt=2500, fee_granter=A)["code"] == 0
    res = _deliver(sandbox, agent, [_exec(agent, _send(1))], fee_uscrt=2500, fee_granter=A)
    assert res["codespace"] == "feegrant" and res["code"] == 2
    assert res["raw_log"] == f"{A} does not allow to pay fees for {agent.acc_address}: basic allowance: fee limit exceeded"
    res = _deliver(sandbox, "a", [_basic_allowance(agent.acc_address, 5)])
    assert res["raw_log"].endswith("fee allowance already exists: invalid request")
    # spend the allowance to zero: it is removed
    assert _deliver(sandbox, agent, [_exec(agent, _send(1))], fee_uscrt=500, gas=40_000, fee_granter=A)["code"] == 0
    await get(sandbox, f"/cosmos/feegrant/v1beta1/allowance/{A}/{agent.acc_address}", expect=404)

    other = _agent()
    periodic = fg.PeriodicAllowance(basic=fg.BasicAllowance(), period=timedelta(hours=1),
                                    period_spend_limit=[Coin(denom="uscrt", amount="3000")],
                                    period_can_spend=[Coin(denom="uscrt", amount="3000")])
    only_exec = fg.AllowedMsgAllowance(allowance=_any("/cosmos.feegrant.v1beta1.PeriodicAllowance", periodic),
                                       allowed_messages=["/cosmos.authz.v1beta1.MsgExec"])
    grant = fg.MsgGrantAllowance(granter=A, grantee=other.acc_address,
                                 allowance=_any("/cosmos.feegrant.v1beta1.AllowedMsgAllowance", only_exec))
    assert _deliver(sandbox, "a", [_send_grant(other.acc_address, 1000), grant])["code"] == 0
    issued = (await get(sandbox, f"/cosmos/feegrant/v1beta1/issued/{A}"))["allowances"]
    assert [r["grantee"] for r in issued] == [other.acc_address]
    inner = issued[0]["allowance"]["allowance"]
    assert inner["@type"] == "/cosmos.feegrant.v1beta1.PeriodicAllowance" and inner["period"] == "3600s"
    mine = (await get(sandbox, f"/cosmos/feegrant/v1beta1/allowances/{other.acc_address}"))["allowances"]
    assert mine[0]["granter"] == A
    # a plain send (not MsgExec) is outside the allowed messages; a second exec passes the period's limit
    res = _deliver(sandbox, other, [MsgSend(from_address=other.acc_address, to_address=B, amount=[])],
                   fee_uscrt=2500, fee_granter=A)
    assert res["raw_log"].endswith("message does not exist in allowed messages: message not allowed")
    assert _deliver(sandbox, other, [_exec(other, _send(1))], fee_uscrt=2500, fee_granter=A)["code"] == 0
    res = _deliver(sandbox, other, [_exec(other, _send(1))], fee_uscrt=2500, fee_granter=A)
    assert res["raw_log"].endswith("period limit: fee limit exceeded")
    # an hour later the period resets
    sandbox.chain.advance(blocks=1, seconds=3700)
    assert _deliver(sandbox, other, [_exec(other, _send(1))], fee_uscrt=2500, fee_granter=A)["code"] == 0


async def test_unknown_addresses_and_lcd_errors(sandbox):
    body = await get(sandbox, "/cosmos/authz/v1beta1/grants", expect=500, granter=A, grantee=B, msg_type_url=SEND)
    assert body["message"] == f"authorization not found for {SEND} type: authorization not found"
    body = await get(sandbox, f"/cosmos/feegrant/v1beta1/allowance/{A}/{B}", expect=404)
    assert body["message"] == "fee-grant not found: not found"
    await get(sandbox, "/cosmos/feegrant/v1beta1/allowances/notanaddress", expect=400)
    assert (await get(sandbox, f"/cosmos/authz/v1beta1/grants/grantee/{B}"))["grants"] == []


async def test_contract_execution_under_exec_fails_in_the_enclave(sandbox):
    """Secret's enclave verifies a contract message's sender among the tx's signers: under MsgExec (signed by the
    grantee) it cannot, so the chain refuses even with a GenericAuthorization for MsgExecuteContract."""
    from secret_sdk.protobuf.secret.compute.v1beta1 import MsgExecuteContract

    from secret_sandbox_chain.crypto import bech32_decode

    agent = _agent()
    url = "/secret.compute.v1beta1.MsgExecuteContract"
    generic = az.GenericAuthorization(msg=url)
    res = _deliver(sandbox, "a", [az.MsgGrant(granter=A, grantee=agent.acc_address, grant=az.Grant(
        authorization=_any("/cosmos.authz.v1beta1.GenericAuthorization", generic))), _basic_allowance(agent.acc_address, None)])
    assert res["code"] == 0, res["raw_log"]
    token = "secret1mfk7n6mc2cg6lznujmeckdh4x0a5ezf6hx6y8q"
    call = MsgExecuteContract(sender=bytes(bech32_decode(A)[1]), contract=bytes(bech32_decode(token)[1]), msg=b"\x00" * 80)
    res = _deliver(sandbox, agent, [az.MsgExec(grantee=agent.acc_address, msgs=[_any(url, call)])], fee_granter=A)
    assert res["codespace"] == "compute" and res["code"] == 3
    assert res["raw_log"].endswith("Execution error: Enclave: failed to verify transaction signature: execute contract failed")
