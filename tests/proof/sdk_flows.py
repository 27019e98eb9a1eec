"""Real secret-sdk-python 1.8.3 flows against a Secret Network LCD (the secret-mcp sandbox chain).

    python tests/proof/sdk_flows.py <lcd url> [--chain-id secret-sandbox-1]

Runs in its own process on purpose: the SDK's sync ``LCDClient`` applies ``nest_asyncio`` to the
event loop, which must not leak into the test process. Prints one JSON line per check
``{"check": name, "ok": bool, "detail": ...}`` and exits 1 if any check failed.
Not collected by pytest (no ``test_`` prefix); ``test_secret_sdk.py`` drives it.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import math
import re
import sys
import time
import traceback
from typing import Any, Callable

MNEMONIC_A = (
    "grant rice replace explain federal release fix clever romance raise often wild taxi quarter "
    "soccer fiber love must tape steak together observe swap guitar"
)
MNEMONIC_B = (
    "jelly shadow frog dirt dragon use armed praise universe win jungle close inmate rain oil canvas "
    "beauty pioneer chef soccer icon dizzy thunder meadow"
)
ADDRESS_A = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"
DENOM = "uscrt"
SEND_AMOUNT = 765_432
DELEGATE_AMOUNT = 1_500_000
DELEGATE_GAS = 300_000
COMMIT_TIMEOUT_S = 20.0

results: list[dict[str, Any]] = []


class CheckFailed(Exception):
    pass


def expect(condition: Any, message: str, got: Any = ...) -> None:
    if not condition:
        raise CheckFailed(message if got is ... else f"{message} (got {short(got)})")


def expect_equal(got: Any, want: Any, what: str) -> None:
    if got != want:
        raise CheckFailed(f"{what}: expected {short(want)}, got {short(got)}")


def short(value: Any) -> str:
    try:
        text = json.dumps(value, default=str)
    except Exception:
        text = repr(value)
    return text if len(text) <= 600 else text[:600] + "…"


def emit(name: str, ok: bool, detail: Any) -> None:
    results.append({"check": name, "ok": ok})
    print(json.dumps({"check": name, "ok": ok, "detail": detail}, default=str), flush=True)


def check(name: str, fn: Callable[[], Any], needs: tuple[str, ...] = (), needs_state: tuple[str, Callable[[], Any]] | None = None) -> Any:
    missing = [n for n in needs if not any(r["check"] == n and r["ok"] for r in results)]
    if needs_state is not None and not needs_state[1]():
        missing.append(needs_state[0])
    if missing:
        emit(name, False, f"not run: prerequisite missing: {', '.join(missing)}")
        return None
    try:
        detail = fn()
    except CheckFailed as exc:
        emit(name, False, str(exc))
        return None
    except Exception as exc:  # a client exception is a failed check, with its text
        emit(name, False, f"{type(exc).__name__}: {exc} | {traceback.format_exc(limit=3).splitlines()[-3:]}")
        return None
    emit(name, True, detail)
    return detail


def digits(value: Any) -> bool:
    return isinstance(value, str) and value.isdigit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--chain-id", default="secret-sandbox-1")
    args = parser.parse_args()
    url = args.url.rstrip("/")

    # Imported here so a broken install is reported as a failed check, not a traceback.
    from secret_sdk.client.lcd import LCDClient
    from secret_sdk.client.lcd.api.tx import CreateTxOptions
    from secret_sdk.core import Coin, Coins
    from secret_sdk.core.bank import MsgSend
    from secret_sdk.core.staking import MsgDelegate
    from secret_sdk.exceptions import LCDResponseError
    from secret_sdk.key.mnemonic import MnemonicKey
    from secret_sdk.protobuf.cosmos.tx.v1beta1 import BroadcastMode

    state: dict[str, Any] = {}
    key_a, key_b = MnemonicKey(mnemonic=MNEMONIC_A), MnemonicKey(mnemonic=MNEMONIC_B)

    def derivation() -> Any:
        expect_equal(key_a.acc_address, ADDRESS_A, "address derived by secret-sdk from mnemonic a")
        expect(key_b.acc_address.startswith("secret1") and key_b.acc_address != key_a.acc_address, "wallet b address")
        return {"a": key_a.acc_address, "b": key_b.acc_address}

    check("wallet_derivation", derivation)

    def construct() -> Any:
        # The constructor itself fetches /registration/v1beta1/tx-key (3 times).
        state["lcd"] = LCDClient(url=url, chain_id=args.chain_id)
        key = state["lcd"].encrypt_utils.consensus_io_pubkey
        expect_equal(len(key), 32, "tx-key length (bytes)")
        return {"tx_key": base64.b64encode(bytes(key)).decode()}

    if check("lcd_client_constructor", construct) is None:
        return
    lcd = state["lcd"]
    wallet_a, wallet_b = lcd.wallet(key_a), lcd.wallet(key_b)

    def raw_get(path: str, params: dict | None = None) -> Any:
        return lcd.loop.run_until_complete(lcd._get(path, params or {}))

    def uscrt(address: str) -> int:
        coins, _pagination = lcd.bank.balance(address)
        coin = coins.get(DENOM)
        return int(coin.amount) if coin is not None else 0

    def wait_raw(txhash: str) -> bool:
        """Poll GET txs/{hash} with the raw client until committed (404 meanwhile)."""
        deadline = time.monotonic() + COMMIT_TIMEOUT_S
        while True:
            try:
                raw_get(f"/cosmos/tx/v1beta1/txs/{txhash}")
                return True
            except LCDResponseError as exc:
                if exc.response.status != 404 or time.monotonic() > deadline:
                    raise
            time.sleep(0.1)

    def refused(exc_text: str, want_code: int) -> dict:
        m = re.search(r"failed with code (\d+) \(codespace: \$?([^)]*)\)\.\s*Log: (.*)$", exc_text, re.S)
        expect(m, "the tx was refused, but not by a CheckTx result", exc_text)
        expect_equal(int(m.group(1)), want_code, f"CheckTx code (codespace {m.group(2)}, log {m.group(3)!r})")
        expect_equal(m.group(2), "sdk", "codespace")
        return {"code": int(m.group(1)), "codespace": m.group(2), "raw_log": m.group(3)}

    def node_info() -> Any:
        info = lcd.tendermint.node_info()
        expect_equal(info["default_node_info"]["network"], args.chain_id, "default_node_info.network")
        expect(isinstance(info.get("application_version"), dict), "application_version missing", info)
        return {"network": info["default_node_info"]["network"]}

    check("node_info", node_info)

    def balance_a() -> Any:
        coins, pagination = lcd.bank.balance(key_a.acc_address)
        coin = coins.get(DENOM)
        expect(coin is not None and int(coin.amount) > 0, "a holds no uscrt at genesis", coins.to_data())
        body = raw_get(f"/cosmos/bank/v1beta1/balances/{key_a.acc_address}")
        expect(isinstance(body.get("pagination"), dict), "balances body has no pagination object", body)
        return {"uscrt": str(coin.amount), "pagination": pagination}

    check("balance_a", balance_a)

    def account_a() -> Any:
        info = lcd.auth.account_info(key_a.acc_address)
        expect_equal(type(info).__name__, "BaseAccount", "account type")
        expect_equal(info.address, key_a.acc_address, "account.address")
        expect(int(info.account_number) >= 0 and int(info.sequence) >= 0, "account_number/sequence")
        state["acc0"] = info
        return {"account_number": str(info.account_number), "sequence": str(info.sequence)}

    check("account_a", account_a)

    def not_found_errors() -> Any:
        from secret_sdk.core.bech32 import get_bech

        stranger = get_bech("secret", hashlib.sha256(b"never funded").digest()[:20].hex())
        unknown_hash = hashlib.sha256(b"no such tx").hexdigest().upper()
        seen = {}
        for what, call, needle in (
            ("account", lambda: lcd.auth.account_info(stranger), f"account {stranger} not found"),
            ("tx", lambda: lcd.tx.tx_info(unknown_hash), f"tx not found: {unknown_hash}"),
        ):
            try:
                got = call()
            except LCDResponseError as exc:
                expect_equal(exc.response.status, 404, f"HTTP status for an unknown {what}")
                expect(needle in str(exc.message), f"error message for an unknown {what} lacks {needle!r}", exc.message)
                seen[what] = str(exc.message)
                continue
            raise CheckFailed(f"unknown {what} answered: {got}")
        return seen

    check("not_found_errors", not_found_errors)

    def latest_block() -> Any:
        block = lcd.tendermint.block_info()
        header = block["block"]["header"]
        expect_equal(header["chain_id"], args.chain_id, "block.header.chain_id")
        expect(digits(header["height"]) and int(header["height"]) > 0, "height", header["height"])
        return {"height": header["height"], "hash": block["block_id"]["hash"]}

    check("latest_block", latest_block)

    def send() -> Any:
        a0, b0 = uscrt(key_a.acc_address), uscrt(key_b.acc_address)
        seq0 = int(lcd.auth.account_info(key_a.acc_address).sequence)
        result = wallet_a.send_tokens(
            recipient_addr=key_b.acc_address, memo="secret-mcp proof", transfer_amount=Coins({DENOM: SEND_AMOUNT})
        )
        expect_equal(result.code, 0, f"broadcast_sync code (raw_log {result.raw_log!r})")
        txhash = result.txhash
        expect(re.fullmatch(r"[0-9A-F]{64}", txhash or ""), "txhash is not 64 upper-hex chars", txhash)
        state["send"] = {"hash": txhash}
        wait_raw(txhash)  # broadcast_sync does not wait: poll until committed
        response = raw_get(f"/cosmos/tx/v1beta1/txs/{txhash}")["tx_response"]
        expect_equal(response["code"], 0, f"committed code (raw_log {response['raw_log']!r})")
        state["send"]["height"] = int(response["height"])
        gas = lcd.custom_fees["send"].gas_limit
        fee = math.ceil(gas * float(lcd.gas_prices.get(DENOM).amount))
        state["send"]["fee"] = fee
        a1, b1 = uscrt(key_a.acc_address), uscrt(key_b.acc_address)
        expect_equal(b1 - b0, SEND_AMOUNT, "b's uscrt increase")
        expect_equal(a0 - a1, SEND_AMOUNT + fee, "a's uscrt decrease (amount + fee)")
        expect_equal(int(lcd.auth.account_info(key_a.acc_address).sequence), seq0 + 1, "a's sequence after one tx")
        return {"txhash": txhash, "height": response["height"], "fee": fee}

    check("send_a_to_b", send)

    def send_tx_info() -> Any:
        info = lcd.tx.tx_info(state["send"]["hash"])  # the SDK's own decoding of the committed tx
        expect_equal(info.code, 0, f"committed code (raw_log {info.rawlog!r})")
        expect_equal(info.height, state["send"]["height"], "height")
        expect_equal(info.gas_wanted, lcd.custom_fees["send"].gas_limit, "gas_wanted")
        expect_equal(info.tx.auth_info.fee.amount.to_data(), [{"denom": DENOM, "amount": str(state["send"]["fee"])}], "fee in the committed tx")
        msg = info.tx.body.messages[0]
        expect_equal(type(msg).__name__, "MsgSend", "decoded message type")
        expect_equal((msg.from_address, msg.to_address), (key_a.acc_address, key_b.acc_address), "from/to")
        expect_equal(msg.amount.to_data(), [{"denom": DENOM, "amount": str(SEND_AMOUNT)}], "amount")
        expect_equal(info.tx.body.memo, "secret-mcp proof", "memo")
        return {"height": info.height, "gas_used": info.gas_used}

    check("send_tx_info", send_tx_info, needs_state=("a committed MsgSend from send_a_to_b", lambda: "height" in state.get("send", {})))

    def refusal(name: str, sign: Callable[[], Any], want_code: int) -> None:
        def run() -> Any:
            a0, b0 = uscrt(key_a.acc_address), uscrt(key_b.acc_address)
            seq0 = lcd.auth.account_info(key_a.acc_address).sequence
            try:
                res = lcd.tx.broadcast_adapter(sign(), mode=BroadcastMode.BROADCAST_MODE_SYNC)
            except CheckFailed:
                raise
            except Exception as exc:  # broadcast_adapter raises on code != 0
                detail = refused(str(exc), want_code)
            else:
                raise CheckFailed(f"the chain accepted the tx: {res}")
            expect_equal(uscrt(key_a.acc_address), a0, "a's uscrt after the refused tx")
            expect_equal(uscrt(key_b.acc_address), b0, "b's uscrt after the refused tx")
            expect_equal(lcd.auth.account_info(key_a.acc_address).sequence, seq0, "a's sequence after the refused tx")
            return detail

        check(name, run)

    def send_opts() -> Any:
        msg = MsgSend(key_a.acc_address, key_b.acc_address, Coins({DENOM: 1000}))
        return CreateTxOptions(msgs=[msg], memo="", gas="80000", gas_adjustment=1)

    def forged_signature() -> Any:
        # b's private key behind a's public key/address: the signature cannot verify (code 4).
        impostor = MnemonicKey(mnemonic=MNEMONIC_B)
        impostor.public_key, impostor.raw_address, impostor.raw_pubkey = key_a.public_key, key_a.raw_address, key_a.raw_pubkey
        return lcd.wallet(impostor).create_and_sign_tx(send_opts())

    def signer_mismatch() -> Any:
        # b signs (its own pubkey, account number, sequence) a MsgSend whose signer is a (code 8).
        return wallet_b.create_and_sign_tx(send_opts())

    refusal("forged_signature_refused", forged_signature, 4)
    refusal("signer_mismatch_refused", signer_mismatch, 8)

    def validators() -> Any:
        vals, _pagination = lcd.staking.validators()
        expect(len(vals) >= 2, "expected several validators", len(vals))
        jailed = [v for v in vals if v.jailed]
        expect(jailed, "no jailed validator", [(v.operator_address, v.jailed, v.status) for v in vals])
        bonded, _ = lcd.staking.validators({"status": "BOND_STATUS_BONDED"})
        expect(bonded and all(not v.jailed for v in bonded), "bonded filter", [(v.operator_address, v.jailed) for v in bonded])
        expect(all(v.operator_address.startswith("secretvaloper1") for v in vals), "operator addresses")
        state["bonded"] = bonded
        return {"total": len(vals), "bonded": len(bonded), "jailed": [v.operator_address for v in jailed]}

    check("validators", validators)

    def delegate() -> Any:
        body = raw_get(f"/cosmos/staking/v1beta1/delegations/{key_a.acc_address}")
        already = {d["delegation"]["validator_address"] for d in body.get("delegation_responses", [])}
        target = next((v for v in state["bonded"] if v.operator_address not in already), state["bonded"][0])
        delegation_path = f"/cosmos/staking/v1beta1/validators/{target.operator_address}/delegations/{key_a.acc_address}"
        before = 0
        if target.operator_address in already:
            before = int(raw_get(delegation_path)["delegation_response"]["balance"]["amount"])
        a0 = uscrt(key_a.acc_address)
        msg = MsgDelegate(key_a.acc_address, target.operator_address, Coin(DENOM, DELEGATE_AMOUNT))
        result = wallet_a.create_and_broadcast_tx([msg], memo="", gas=DELEGATE_GAS)
        expect_equal(result.code, 0, f"broadcast_sync code (raw_log {result.raw_log!r})")
        state["delegate"] = {"hash": result.txhash}
        wait_raw(result.txhash)
        response = raw_get(f"/cosmos/tx/v1beta1/txs/{result.txhash}")["tx_response"]
        expect_equal(response["code"], 0, f"committed code (raw_log {response['raw_log']!r})")
        # py 1.8.3 quirk: staking.delegation() returns the raw inner "delegation" dict (no balance).
        delegation = lcd.staking.delegation(key_a.acc_address, target.operator_address)
        expect_equal(delegation.get("delegator_address"), key_a.acc_address, "delegator_address")
        expect_equal(delegation.get("validator_address"), target.operator_address, "validator_address")
        balance = raw_get(delegation_path)["delegation_response"]["balance"]
        expect_equal(balance["denom"], DENOM, "delegation balance denom")
        expect_equal(int(balance["amount"]) - before, DELEGATE_AMOUNT, "delegation balance increase")
        rewards = 0
        for event in response["events"]:
            if event["type"] == "withdraw_rewards":
                for attr in event["attributes"]:
                    if attr["key"] == "amount":
                        rewards += sum(int(c[: -len(DENOM)] or 0) for c in attr["value"].split(",") if c.endswith(DENOM))
        fee = math.ceil(DELEGATE_GAS * float(lcd.gas_prices.get(DENOM).amount))
        expect_equal(a0 - uscrt(key_a.acc_address), DELEGATE_AMOUNT + fee - rewards, "a's uscrt decrease (delegation + fee - rewards)")
        return {"txhash": result.txhash, "validator": target.operator_address, "balance": balance["amount"], "shares": delegation.get("shares")}

    check("delegate_a", delegate, needs=("validators",))

    def delegate_tx_info() -> Any:
        info = lcd.tx.tx_info(state["delegate"]["hash"])
        expect_equal(info.code, 0, f"committed code (raw_log {info.rawlog!r})")
        msg = info.tx.body.messages[0]
        expect_equal(type(msg).__name__, "MsgDelegate", "decoded message type")
        expect_equal(msg.delegator_address, key_a.acc_address, "delegator_address")
        expect_equal(msg.amount.to_data(), {"denom": DENOM, "amount": str(DELEGATE_AMOUNT)}, "amount")
        return {"height": info.height}

    check("delegate_tx_info", delegate_tx_info, needs_state=("a MsgDelegate accepted by delegate_a", lambda: "delegate" in state))

    def tx_search() -> Any:
        body = raw_get("/cosmos/tx/v1beta1/txs", {"query": f"message.sender='{key_a.acc_address}'"})
        responses = body.get("tx_responses") or []
        hashes = [r["txhash"] for r in responses]
        expect(state["send"]["hash"] in hashes, "the MsgSend tx is not found by message.sender", hashes)
        if "delegate" in state:
            expect(state["delegate"]["hash"] in hashes, "the MsgDelegate tx is not found by message.sender", hashes)
        expect_equal(len(body.get("txs") or []), len(responses), "txs vs tx_responses length")
        expect(digits(body.get("total")) and int(body["total"]) == len(responses), "total", body.get("total"))
        by_height = raw_get("/cosmos/tx/v1beta1/txs", {"query": f"tx.height={state['send']['height']}"})
        expect(state["send"]["hash"] in [r["txhash"] for r in by_height.get("tx_responses") or []], "tx.height= query")
        return {"count": len(responses)}

    check("tx_search_query", tx_search, needs_state=("a committed MsgSend from send_a_to_b", lambda: "height" in state.get("send", {})))

    def tx_search_empty_query() -> Any:
        try:
            raw_get("/cosmos/tx/v1beta1/txs", {})
        except LCDResponseError as exc:
            expect_equal(exc.response.status, 500, "HTTP status for an empty tx search")
            expect("query cannot be empty" in str(exc.message), "message", exc.message)
            return {"status": exc.response.status}
        raise CheckFailed("an empty tx search was answered instead of refused")

    check("tx_search_empty_query_refused", tx_search_empty_query)

    def gov() -> Any:
        body = raw_get("/cosmos/gov/v1/proposals")
        proposals = body.get("proposals") or []
        statuses = {p["status"] for p in proposals}
        for want in ("PROPOSAL_STATUS_DEPOSIT_PERIOD", "PROPOSAL_STATUS_VOTING_PERIOD", "PROPOSAL_STATUS_PASSED", "PROPOSAL_STATUS_REJECTED"):
            expect(want in statuses, f"no proposal in {want}", sorted(statuses))
        passed = raw_get("/cosmos/gov/v1/proposals", {"proposal_status": "PROPOSAL_STATUS_PASSED"})["proposals"]
        expect_equal(
            [p["id"] for p in passed],
            [p["id"] for p in proposals if p["status"] == "PROPOSAL_STATUS_PASSED"],
            "proposal_status=PASSED filter",
        )
        one = raw_get(f"/cosmos/gov/v1/proposals/{proposals[0]['id']}")["proposal"]
        expect_equal(one["id"], proposals[0]["id"], "single proposal id")
        tally = raw_get(f"/cosmos/gov/v1/proposals/{proposals[0]['id']}/tally")["tally"]
        expect(all(digits(tally.get(k)) for k in ("yes_count", "abstain_count", "no_count", "no_with_veto_count")), "tally counts", tally)
        return {"count": len(proposals), "statuses": sorted(statuses)}

    check("gov_proposals_v1", gov)


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # anything outside a check is itself a failure line
        emit("flows_script", False, f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    sys.exit(0 if results and all(r["ok"] for r in results) else 1)
