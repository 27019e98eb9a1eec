"""Funds carried by inner contract calls, with exact balances, over the sandbox's HTTP API with signed txs.

A small forwarding contract (stored and instantiated by transactions like any other) pays native coins from its
own account: to another contract with a message (WasmMsg::Execute with funds) or to an account (BankMsg::Send).
The amounts must leave the sender contract and reach the receiver to the uscrt, and a failing inner call must
undo every coin movement of the transaction (only the fee stays paid).
"""

from __future__ import annotations

import json

import pytest
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
from secret_sdk.protobuf.secret.compute import v1beta1 as pb

from secret_sandbox_chain import contracts, testing
from secret_sandbox_chain.contracts.base import (BankSend, Contract, ContractError, Deps, Env, Info, Response,
                                               WasmExecute, uint, variant)
from secret_sandbox_chain.crypto import address_bytes

from tests.tx.fixtures import home  # noqa: F401

from .conftest import ADDR
from .test_compute import WALLET, by_label, code_hash, decrypt_error, execute, query, response_data

FEE = 10_000
BLOB = b"\x00asm\x01\x00\x00\x00secret-mcp test contract: forwarder v1"


class Forwarder(Contract):
    """`forward {contract, code_hash, msg, amount}` pays `amount` uscrt of its own to a contract call;
    `pay {to, amount}` sends uscrt to an account. Either may use coins that arrived with the same call."""

    name = "forwarder"

    def execute(self, deps: Deps, env: Env, info: Info, msg: dict) -> Response:
        name, body = variant(msg, ["forward", "pay"])
        amount = uint(body, "amount")
        if name == "pay":
            return Response(messages=[BankSend(deps.validate(body.get("to"), "to"), {"uscrt": amount})])
        if not isinstance(body.get("msg"), dict):
            raise ContractError.parse("missing field `msg`", "msg")
        target = deps.validate(body.get("contract"), "contract")
        funds = {"uscrt": amount} if amount else {}
        return Response(messages=[WasmExecute(target, str(body.get("code_hash")), body["msg"], funds)])


@pytest.fixture(scope="module")
def chain():
    """One chain for the module with two forwarders made by account a (each test measures before and after)."""
    from secret_sandbox_chain import launch

    contracts.register_builtin("test_forwarder", BLOB, Forwarder)
    with launch() as server:
        stored = testing.send_tx(server, "a", [pb.MsgStoreCode(sender=address_bytes(ADDR["a"]), wasm_byte_code=BLOB)],
                                 gas=2_000_000)["tx_response"]
        assert stored["code"] == 0, stored["raw_log"]
        code_id = response_data(stored, pb.MsgStoreCodeResponse).code_id
        server.forwarders = []
        for label in ("forwarder-1", "forwarder-2"):
            wire = WALLET.encrypt(contracts.code_hash(BLOB), {})
            m = pb.MsgInstantiateContract(sender=address_bytes(ADDR["a"]), code_id=code_id, label=label, init_msg=wire)
            res = testing.send_tx(server, "a", [m], gas=400_000)["tx_response"]
            assert res["code"] == 0, res["raw_log"]
            server.forwarders.append(response_data(res, pb.MsgInstantiateContractResponse).address)
        yield server


def scrt(sandbox, address: str) -> int:
    return testing.balance(sandbox.url, address)


def uscrt(amount: int) -> list[Coin]:
    return [Coin(denom="uscrt", amount=str(amount))]


def sscrt_supply(sandbox) -> int:
    info = json.loads(query(sandbox, by_label(sandbox, "sandbox-sscrt"), {"token_info": {}})[1])["token_info"]
    return int(info["total_supply"])


def forward(sandbox, to: str, msg: dict, amount: int) -> dict:
    return {"forward": {"contract": to, "code_hash": code_hash(sandbox, to), "msg": msg, "amount": str(amount)}}


def test_a_contract_pays_another_contract_call_from_its_own_balance(chain):
    fwd, token = chain.forwarders[0], by_label(chain, "sandbox-sscrt")
    user, before_user, before_fwd, before_token = ADDR["b"], scrt(chain, ADDR["b"]), scrt(chain, fwd), scrt(chain, token)
    supply = sscrt_supply(chain)
    # 5 SCRT arrive with the call; the forwarder deposits 3 of them into sSCRT and keeps 2.
    res, _ = execute(chain, "b", fwd, forward(chain, token, {"deposit": {}}, 3_000_000), funds=uscrt(5_000_000),
                     fee_uscrt=FEE)
    assert res["code"] == 0, res["raw_log"]
    assert scrt(chain, user) == before_user - 5_000_000 - FEE
    assert scrt(chain, fwd) == before_fwd + 2_000_000
    assert scrt(chain, token) == before_token + 3_000_000  # the wrapped coins back the new tokens 1:1
    assert sscrt_supply(chain) == supply + 3_000_000
    # The token credited the forwarder (the inner call's sender): it can pay those tokens back out as SCRT.
    res, _ = execute(chain, "b", fwd, forward(chain, token, {"redeem": {"amount": "1000000"}}, 0), fee_uscrt=FEE)
    assert res["code"] == 0, res["raw_log"]
    assert scrt(chain, fwd) == before_fwd + 3_000_000 and scrt(chain, token) == before_token + 2_000_000
    transfers = [{a["key"]: a["value"] for a in e["attributes"]} for e in res["events"] if e["type"] == "transfer"]
    assert {"recipient": fwd, "sender": token, "amount": "1000000uscrt"} in [
        {k: v for k, v in t.items() if k != "msg_index"} for t in transfers]


def test_funds_hop_through_two_contracts_and_out_to_an_account(chain):
    first, second = chain.forwarders
    before = {a: scrt(chain, a) for a in (ADDR["c"], ADDR["d"], first, second)}
    # c pays 4 SCRT to the first forwarder, which passes 3 to the second, which pays 2.5 to account d.
    inner = {"pay": {"to": ADDR["d"], "amount": "2500000"}}
    res, _ = execute(chain, "c", first, forward(chain, second, inner, 3_000_000), funds=uscrt(4_000_000),
                     fee_uscrt=FEE)
    assert res["code"] == 0, res["raw_log"]
    assert scrt(chain, ADDR["c"]) == before[ADDR["c"]] - 4_000_000 - FEE
    assert scrt(chain, first) == before[first] + 1_000_000
    assert scrt(chain, second) == before[second] + 500_000
    assert scrt(chain, ADDR["d"]) == before[ADDR["d"]] + 2_500_000


def test_a_failing_inner_call_undoes_every_coin_movement(chain):
    fwd, token = chain.forwarders[0], by_label(chain, "sandbox-sscrt")
    watched = (ADDR["b"], fwd, token, ADDR["d"])
    before, supply = {a: scrt(chain, a) for a in watched}, sscrt_supply(chain)
    # The user's 2 SCRT reach the forwarder and 1 SCRT reaches the token, then the token refuses the redeem.
    too_much = forward(chain, token, {"redeem": {"amount": str(10**15)}}, 1_000_000)
    res, wire = execute(chain, "b", fwd, too_much, funds=uscrt(2_000_000), fee_uscrt=FEE)
    assert res["code"] == 3 and "dispatch: submessages:" in res["raw_log"]
    assert decrypt_error(res, wire)["generic_err"]["msg"].startswith("insufficient funds")
    assert scrt(chain, ADDR["b"]) == before[ADDR["b"]] - FEE  # only the fee was paid
    assert {a: scrt(chain, a) for a in watched[1:]} == {a: before[a] for a in watched[1:]}
    assert sscrt_supply(chain) == supply
    # A contract paying more than it holds: the bank refuses the inner send, and the funds sent in go back too.
    res, _ = execute(chain, "b", fwd, {"pay": {"to": ADDR["d"], "amount": str(before[fwd] + 2_000_001)}},
                     funds=uscrt(2_000_000), fee_uscrt=FEE)
    assert res["code"] != 0 and "insufficient funds" in res["raw_log"]
    assert scrt(chain, ADDR["b"]) == before[ADDR["b"]] - 2 * FEE
    assert {a: scrt(chain, a) for a in watched[1:]} == {a: before[a] for a in watched[1:]}


@pytest.mark.anyio
async def test_through_the_execute_tool(chain, home):  # noqa: F811
    from tests.helpers import call_err, call_ok, connect
    from tests.tx.fixtures import accept, funded_wallet, server_on

    fwd, token = chain.forwarders[1], by_label(chain, "sandbox-sscrt")
    async with connect(server_on(chain), "auto", elicitation_callback=accept) as client:
        me = await funded_wallet(client, chain)
        before = {a: scrt(chain, a) for a in (me, fwd, token)}
        done = await call_ok(client, "secret_execute_contract", {
            "contract": fwd, "msg": forward(chain, token, {"deposit": {}}, 1_500_000), "funds": "2 SCRT"})
        paid = {a: scrt(chain, a) for a in (me, fwd, token)}
        refused = await call_err(client, "secret_execute_contract", {
            "contract": fwd, "msg": forward(chain, token, {"deposit": {}}, 9 * 10**12), "funds": "1 SCRT"})
    fee = int(done["fee"]["amount"])
    assert done["status"] == "success" and paid[me] == before[me] - 2_000_000 - fee
    assert paid[fwd] == before[fwd] + 500_000 and paid[token] == before[token] + 1_500_000
    # The forwarder cannot pay 9M SCRT: the simulation already fails, so nothing is signed and nothing moves,
    # and the error names the contract as the account short of funds, not the wallet.
    assert refused["code"] == "INSUFFICIENT_FUNDS", refused
    assert "insufficient funds" in refused["message"] and refused["details"]["stage"] == "simulate"
    assert refused["details"]["payer"] == "contract" and "(not the wallet)" in refused["message"]
    assert {a: scrt(chain, a) for a in (me, fwd, token)} == paid
