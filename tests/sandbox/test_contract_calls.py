"""Contract -> contract calls on the sandbox: SNIP-20 send -> receive, sub-messages all-or-nothing, x/compute
events (message / execute / instantiate / wasm with encrypted attributes), and the genesis SCRT/SUSD AMM pair."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
from secret_sdk.protobuf.secret.compute import v1beta1 as pb

from secret_sandbox_chain import testing
from secret_sandbox_chain.chain import GENESIS_ADDRESSES as ADDR
from secret_sandbox_chain.contracts import BUILTIN_BLOBS
from secret_sandbox_chain.crypto import address_bytes

from .test_compute import WALLET, by_label, code_hash, decrypt_error, execute, expected_address, query, response_data

FEE = 10_000
NATIVE = {"native_token": {"denom": "uscrt"}}


@pytest.fixture(scope="module")
def sandbox():
    """One chain for the module (launching costs seconds): every test measures before and after itself."""
    from secret_sandbox_chain import launch

    with launch() as server:
        server.keys = set()
        yield server


def pool(sandbox) -> tuple[int, int, int]:
    """(uscrt reserve, SUSD reserve, total share) from the pair's `pool` query."""
    body = json.loads(query(sandbox, by_label(sandbox, "sandbox-scrt-susd"), {"pool": {}})[1])
    assets = body["assets"]
    assert assets[0]["info"] == NATIVE and assets[1]["info"]["token"]["contract_addr"] == by_label(sandbox, "sandbox-susd")
    return int(assets[0]["amount"]), int(assets[1]["amount"]), int(body["total_share"])


def xyk(offer_pool: int, ask_pool: int, offer: int) -> dict:
    """The constant-product quote, written out independently of the contract."""
    gross = ask_pool * offer // (offer_pool + offer)
    commission = gross * 3 // 1000
    return {"return_amount": str(gross - commission), "spread_amount": str(offer * ask_pool // offer_pool - gross),
            "commission_amount": str(commission)}


def susd_balance(sandbox, who: str) -> int:
    susd = by_label(sandbox, "sandbox-susd")
    key = f"key-{who}"
    if who not in sandbox.keys:  # once per account: a tx (and its fee) of its own
        assert execute(sandbox, who, susd, {"set_viewing_key": {"key": key}})[0]["code"] == 0
        sandbox.keys.add(who)
    _, plain = query(sandbox, susd, {"balance": {"address": ADDR[who], "key": key}})
    return int(json.loads(plain)["balance"]["amount"])


def event_list(res: dict) -> list[tuple[str, dict]]:
    """(type, attributes) of the message's events, ante events left out."""
    return [(e["type"], {a["key"]: a["value"] for a in e["attributes"]}) for e in res["events"]
            if any(a["key"] == "msg_index" for a in e["attributes"])]


def decrypted_wasm(res: dict, wire: bytes) -> list[tuple[str, dict]]:
    s = WALLET.session(wire)
    out = []
    for e in res["events"]:
        if e["type"] != "wasm":
            continue
        attrs = {}
        for a in e["attributes"]:
            if a["key"] in ("contract_address", "msg_index"):
                continue
            attrs[s.decrypt(base64.b64decode(a["key"])).decode()] = s.decrypt(base64.b64decode(a["value"])).decode()
        out.append((e["attributes"][0]["value"], attrs))
    return out


def send_to_pair(sandbox, who: str, amount: int, hook: dict | None, **extra) -> tuple[dict, bytes]:
    body = {"recipient": by_label(sandbox, "sandbox-scrt-susd"), "amount": str(amount), **extra}
    if hook is not None:
        body["msg"] = base64.b64encode(json.dumps(hook).encode()).decode()
    return execute(sandbox, who, by_label(sandbox, "sandbox-susd"), {"send": body}, fee_uscrt=FEE)


def test_genesis_pair_pool_and_simulation_follow_xyk(sandbox):
    pair, susd = by_label(sandbox, "sandbox-scrt-susd"), by_label(sandbox, "sandbox-susd")
    assert pair == expected_address(3, 4, ADDR["a"]) and susd == expected_address(1, 3, ADDR["a"])
    assert code_hash(sandbox, pair) == hashlib.sha256(BUILTIN_BLOBS["amm_pair"]).hexdigest()
    native, tokens, share = pool(sandbox)
    assert (native, tokens, share) == (200_000_000_000, 100_000_000_000, 141_421_356_237)  # isqrt(x*y)
    info = json.loads(query(sandbox, pair, {"pair": {}})[1])
    assert info["asset_infos"][0] == NATIVE and info["contract_addr"] == pair and info["commission_rate"] == "0.003"
    for offer in (1, 1_000_000, 123_456_789, 50_000_000_000):
        sim = json.loads(query(sandbox, pair, {"simulation": {"offer_asset": {"info": NATIVE, "amount": str(offer)}}})[1])
        assert sim == xyk(native, tokens, offer)
    token_info = {"token": {"contract_addr": susd}}
    sim = json.loads(query(sandbox, pair, {"simulation": {"offer_asset": {"info": token_info, "amount": "7777777"}}})[1])
    assert sim == xyk(tokens, native, 7_777_777)
    # the pool's holdings back its reserves exactly
    assert testing.balance(sandbox.url, pair) == native


def test_native_swap_moves_exact_amounts_and_emits_chain_events(sandbox):
    pair, susd = by_label(sandbox, "sandbox-scrt-susd"), by_label(sandbox, "sandbox-susd")
    native, tokens, _ = pool(sandbox)
    before_susd = susd_balance(sandbox, "c")
    before_scrt = testing.balance(sandbox.url, ADDR["c"])
    offer = 2_500_000
    quote = xyk(native, tokens, offer)
    res, wire = execute(sandbox, "c", pair, {"swap": {"offer_asset": {"info": NATIVE, "amount": str(offer)}}},
                        funds=[Coin(denom="uscrt", amount=str(offer))], fee_uscrt=FEE)
    assert res["code"] == 0, res["raw_log"]
    assert testing.balance(sandbox.url, ADDR["c"]) == before_scrt - offer - FEE
    assert susd_balance(sandbox, "c") == before_susd + int(quote["return_amount"])
    assert pool(sandbox)[:2] == (native + offer, tokens - int(quote["return_amount"]))
    data = json.loads(base64.b64decode(WALLET.session(wire).decrypt(response_data(res, pb.MsgExecuteContractResponse).data)))
    assert data == {"swap": quote}
    # the real chain's order: message{module}, funds, execute, wasm, then the sub-message's execute and wasm
    kinds = [t for t, _ in event_list(res)]
    assert kinds == ["message", "message", "coin_spent", "coin_received", "transfer", "message", "execute", "wasm",
                     "execute", "wasm"]
    evs = event_list(res)
    assert evs[1][1] == {"module": "compute", "sender": ADDR["c"], "contract_address": pair, "msg_index": "0"}
    assert evs[6][1]["contract_address"] == pair and evs[8][1]["contract_address"] == susd
    for _, attrs in evs:
        assert "_contract_address" not in attrs  # Secret uses `contract_address` (x/compute types/events.go)
    wasm = decrypted_wasm(res, wire)
    assert [addr for addr, _ in wasm] == [pair, susd]
    assert wasm[0][1] == {"action": "swap", "sender": ADDR["c"], "receiver": ADDR["c"], "offer_asset": "uscrt",
                          "ask_asset": susd, "offer_amount": str(offer), **quote}
    raw = [a for e in res["events"] if e["type"] == "wasm" for a in e["attributes"]]
    assert not any("swap" in a["key"] + a["value"] for a in raw)  # keys and values are ciphertext on the wire


def test_send_calls_receive_and_swaps_token_for_native(sandbox):
    pair, susd = by_label(sandbox, "sandbox-scrt-susd"), by_label(sandbox, "sandbox-susd")
    native, tokens, _ = pool(sandbox)
    before_susd = susd_balance(sandbox, "b")
    before_scrt = testing.balance(sandbox.url, ADDR["b"])
    offer = 40_000_000
    quote = xyk(tokens, native, offer)
    res, wire = send_to_pair(sandbox, "b", offer, {"swap": {}}, memo="to scrt")
    assert res["code"] == 0, res["raw_log"]
    assert testing.balance(sandbox.url, ADDR["b"]) == before_scrt - FEE + int(quote["return_amount"])
    assert susd_balance(sandbox, "b") == before_susd - offer
    assert pool(sandbox)[:2] == (native - int(quote["return_amount"]), tokens + offer)
    wasm = decrypted_wasm(res, wire)
    assert [addr for addr, _ in wasm] == [susd, pair]  # the token first, then its receive callback
    assert wasm[1][1]["action"] == "swap" and wasm[1][1]["return_amount"] == quote["return_amount"]
    assert wasm[1][1]["sender"] == ADDR["b"] and wasm[1][1]["offer_asset"] == susd
    transfers = [a for t, a in event_list(res) if t == "transfer"]
    assert transfers[-1] == {"recipient": ADDR["b"], "sender": pair, "amount": f"{quote['return_amount']}uscrt",
                             "msg_index": "0"}


def test_failing_receiver_rolls_the_whole_send_back(sandbox):
    pair = by_label(sandbox, "sandbox-scrt-susd")
    reserves = pool(sandbox)
    before = susd_balance(sandbox, "d")
    # the receiver refuses (price guard): the token's own state change is undone too
    res, wire = send_to_pair(sandbox, "d", 10_000_000, {"swap": {"belief_price": "0.1", "max_spread": "0.01"}})
    assert res["code"] == 3 and res["codespace"] == "compute"
    assert res["raw_log"].startswith("failed to execute message; message index: 0: dispatch: submessages: encrypted: ")
    assert res["raw_log"].endswith(": execute contract failed")
    err = decrypt_error(res, wire)["generic_err"]["msg"]
    assert err.startswith("Operation exceeds max spread limit") and "belief_price 0.1" in err
    assert [e["type"] for e in res["events"] if any(a["key"] == "msg_index" for a in e["attributes"])] == []
    assert susd_balance(sandbox, "d") == before and pool(sandbox) == reserves
    # a contract without a `receive` handler, reached through recipient_code_hash: parse error, rolled back
    counter = by_label(sandbox, "sandbox-counter")
    res, wire = execute(sandbox, "d", by_label(sandbox, "sandbox-susd"), {"send": {
        "recipient": counter, "amount": "5", "recipient_code_hash": code_hash(sandbox, counter)}}, fee_uscrt=FEE)
    assert res["code"] == 3 and "unknown variant `receive`" in decrypt_error(res, wire)["parse_err"]["msg"]
    # a wrong callback code hash fails the same way, and a plain send to an account calls nothing
    res, _ = send_to_pair(sandbox, "d", 5, {"swap": {}}, recipient_code_hash="ab" * 32)
    assert res["code"] == 3 and "code hash mismatch" in res["raw_log"]
    assert susd_balance(sandbox, "d") == before
    res, _ = execute(sandbox, "d", by_label(sandbox, "sandbox-susd"), {"send": {"recipient": ADDR["a"], "amount": "5",
                                                                                "msg": "eyJ4Ijp7fX0="}}, fee_uscrt=FEE)
    assert res["code"] == 0 and susd_balance(sandbox, "d") == before - 5
    assert pool(sandbox) == reserves and testing.balance(sandbox.url, pair) == reserves[0]


def test_native_slippage_guard_and_fund_checks(sandbox):
    pair = by_label(sandbox, "sandbox-scrt-susd")
    reserves = pool(sandbox)
    before = testing.balance(sandbox.url, ADDR["a"])
    offer = 1_000_000_000
    msg = {"swap": {"offer_asset": {"info": NATIVE, "amount": str(offer)}, "belief_price": "2", "max_spread": "0.001"}}
    res, wire = execute(sandbox, "a", pair, msg, funds=[Coin(denom="uscrt", amount=str(offer))], fee_uscrt=FEE)
    assert res["code"] == 3 and decrypt_error(res, wire)["generic_err"]["msg"].startswith(
        "Operation exceeds max spread limit")
    assert testing.balance(sandbox.url, ADDR["a"]) == before - FEE and pool(sandbox) == reserves  # only the fee
    # funds that do not match the offer are refused
    res, wire = execute(sandbox, "a", pair, {"swap": {"offer_asset": {"info": NATIVE, "amount": "10"}}},
                        funds=[Coin(denom="uscrt", amount="9")], fee_uscrt=FEE)
    assert "balance mismatch" in decrypt_error(res, wire)["generic_err"]["msg"]
    # with a belief price at the spot price and room for the pool's own price impact, it goes through
    quote = xyk(reserves[0], reserves[1], offer)
    gross = int(quote["return_amount"]) + int(quote["commission_amount"])
    ok = {"swap": {"offer_asset": {"info": NATIVE, "amount": str(offer)}, "belief_price": "2", "max_spread": "0.01"}}
    assert gross < offer // 2 and (offer // 2 - gross) / (offer // 2) < 0.01
    res, _ = execute(sandbox, "a", pair, ok, funds=[Coin(denom="uscrt", amount=str(offer))], fee_uscrt=FEE)
    assert res["code"] == 0, res["raw_log"]


def test_provide_and_withdraw_liquidity_through_sub_messages(sandbox):
    pair, susd = by_label(sandbox, "sandbox-scrt-susd"), by_label(sandbox, "sandbox-susd")
    native, tokens, total = pool(sandbox)
    add_native, add_tokens = 4_000_000, 2_000_000
    assets = [{"info": NATIVE, "amount": str(add_native)},
              {"info": {"token": {"contract_addr": susd}}, "amount": str(add_tokens)}]
    funds = [Coin(denom="uscrt", amount=str(add_native))]
    # without an allowance the pair's transfer_from fails and nothing happens
    res, wire = execute(sandbox, "b", pair, {"provide_liquidity": {"assets": assets}}, funds=funds, fee_uscrt=FEE)
    assert res["code"] == 3 and "insufficient allowance" in decrypt_error(res, wire)["generic_err"]["msg"]
    assert pool(sandbox) == (native, tokens, total)
    assert execute(sandbox, "b", susd, {"increase_allowance": {"spender": pair, "amount": str(add_tokens)}})[0]["code"] == 0
    res, wire = execute(sandbox, "b", pair, {"provide_liquidity": {"assets": assets, "slippage_tolerance": "0.01"}},
                        funds=funds, fee_uscrt=FEE)
    assert res["code"] == 0, res["raw_log"]
    share = min(add_native * total // native, add_tokens * total // tokens)
    data = json.loads(base64.b64decode(WALLET.session(wire).decrypt(response_data(res, pb.MsgExecuteContractResponse).data)))
    assert data == {"provide_liquidity": {"share": str(share), "total_share": str(total + share)}}
    assert pool(sandbox) == (native + add_native, tokens + add_tokens, total + share)
    before_susd = susd_balance(sandbox, "b")
    before_scrt = testing.balance(sandbox.url, ADDR["b"])
    res, _ = execute(sandbox, "b", pair, {"withdraw_liquidity": {"share": str(share)}}, fee_uscrt=FEE)
    assert res["code"] == 0, res["raw_log"]
    back_native = (native + add_native) * share // (total + share)
    back_tokens = (tokens + add_tokens) * share // (total + share)
    assert testing.balance(sandbox.url, ADDR["b"]) == before_scrt - FEE + back_native
    assert susd_balance(sandbox, "b") == before_susd + back_tokens
    res, wire = execute(sandbox, "b", pair, {"withdraw_liquidity": {"share": "1"}}, fee_uscrt=FEE)
    assert "insufficient share" in decrypt_error(res, wire)["generic_err"]["msg"]


def test_instantiate_events_and_registration_sub_message(sandbox):
    susd = by_label(sandbox, "sandbox-susd")
    init = {"asset_infos": [NATIVE, {"token": {"contract_addr": susd, "token_code_hash": code_hash(sandbox, susd)}}]}
    wire = WALLET.encrypt(hashlib.sha256(BUILTIN_BLOBS["amm_pair"]).hexdigest(), init)
    m = pb.MsgInstantiateContract(sender=address_bytes(ADDR["d"]), code_id=3, label="second-pair", init_msg=wire)
    res = testing.send_tx(sandbox, "d", [m], gas=600_000)["tx_response"]
    assert res["code"] == 0, res["raw_log"]
    addr = response_data(res, pb.MsgInstantiateContractResponse).address
    evs = event_list(res)
    assert [t for t, _ in evs] == ["message", "instantiate", "wasm", "execute", "wasm", "message"]
    assert evs[1][1] == {"contract_address": addr, "code_id": "3", "msg_index": "0"}
    assert evs[3][1]["contract_address"] == susd
    assert evs[5][1] == {"module": "compute", "sender": ADDR["d"], "contract_address": addr, "msg_index": "0"}
    assert decrypted_wasm(res, wire)[0] == (addr, {"action": "create_pair", "pair": f"uscrt-{susd}"})
    # the registration went through: the token now calls this pair's receive (empty pool: a clear refusal)
    body = {"recipient": addr, "amount": "5", "msg": base64.b64encode(b'{"swap":{}}').decode()}
    res, wire = execute(sandbox, "d", susd, {"send": body}, fee_uscrt=FEE)
    assert res["code"] == 3 and decrypt_error(res, wire) == {"generic_err": {"msg": "The pool has no liquidity yet"}}
