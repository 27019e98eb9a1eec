"""The sandbox answers in the same JSON shapes as the reference fixtures (tests/fixtures/lcd).

For every SYNTHETIC/DERIVED fixture with a sandbox counterpart, fetch the sandbox's answer and
compare recursively: the same keys at every level (the fixtures' `_source/_kind/_note` aside) and
the same JSON kinds (string/number/bool/array/object; `null` stands for an unset field and matches
anything). Error bodies must also match HTTP status, gRPC code and message text.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.proof._proofkit import LCD_FIXTURES, chain_id_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ecdsa.*")  # secret-sdk's signing uses old ecdsa helpers

ADDRESS_A = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"
MNEMONIC_A = (
    "grant rice replace explain federal release fix clever romance raise often wild taxi quarter "
    "soccer fiber love must tape steak together observe swap guitar"
)
FIXTURE_ACCOUNT = "secret190vqdjtlpcq27xslcveglfmr4ynfwg7gz7v7d0"
FIXTURE_TXHASH = "8ACD08F99BB1E78BC43EB8F507393331F9C58B63B9E700A8E7FE7E377AFB401E"
IGNORED_KEYS = {"_source", "_kind", "_note"}

# fixture file -> sandbox path (the fixture's own request, with the account swapped for genesis account a)
SHAPE_CASES = {
    "bank_balances_SYNTHETIC.json": f"/cosmos/bank/v1beta1/balances/{ADDRESS_A}",
    "auth_account_SYNTHETIC.json": f"/cosmos/auth/v1beta1/accounts/{ADDRESS_A}",
    "block_latest_SYNTHETIC.json": "/cosmos/base/tendermint/v1beta1/blocks/latest",
    "tendermint_node_info_SYNTHETIC.json": "/cosmos/base/tendermint/v1beta1/node_info",
    "tendermint_validatorset_SYNTHETIC.json": "/cosmos/base/tendermint/v1beta1/validatorsets/latest",
    "staking_validators_SYNTHETIC.json": "/cosmos/staking/v1beta1/validators?status=BOND_STATUS_BONDED",
}
ERROR_FIXTURE = "lcd_error_bodies_DERIVED.json"
# Fixtures with no sandbox counterpart yet, and why; a new fixture must land in one of the two maps.
# Committed-tx envelope: the sandbox's GET txs/{hash} for a MsgSend against the compute fixture's body
# (the concrete message and the encrypted parts differ by nature; every other key must match).
TX_ENVELOPE_FIXTURE = "tx_get_execute_encrypted_SYNTHETIC.json"
BROADCAST_FIXTURE_REAL = "tx_broadcast_sync_pulsar3_REAL.json"
DEFERRED = {
    "compute_query_success_SYNTHETIC.json": "needs sandbox compute + encryption (later issue)",
    "tx_get_execute_failed_encrypted_SYNTHETIC.json": "needs sandbox compute + encryption (later issue)",
}
DEFERRED_ERRORS = {
    "contract_query_failed": "needs sandbox compute (later issue)",
    "contract_query_failed_if_grpc_concurrency_enabled": "describes a non-default node; the sandbox emits the default shape",
}


def fixtures_dir() -> Path:
    if not LCD_FIXTURES.is_dir():
        pytest.fail(f"reference fixtures not found at {LCD_FIXTURES}")
    return LCD_FIXTURES


def load(name: str) -> dict:
    return json.loads((fixtures_dir() / name).read_text())


def json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def brief(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:80] + "…"


def shape_diff(want: Any, got: Any, path: str = "$") -> list[str]:
    """Differences in keys and JSON kinds between a fixture value and a sandbox value."""
    if want is None or got is None:
        return []
    kw, kg = json_kind(want), json_kind(got)
    if kw != kg:
        return [f"{path}: fixture has {kw} {brief(want)}, sandbox has {kg} {brief(got)}"]
    diffs: list[str] = []
    if kw == "object":
        wk, gk = set(want) - IGNORED_KEYS, set(got)
        diffs += [f"{path}.{k}: missing in the sandbox answer" for k in sorted(wk - gk)]
        diffs += [f"{path}.{k}: extra key in the sandbox answer ({brief(got[k])})" for k in sorted(gk - wk)]
        if "@type" in want and "@type" in got and want["@type"] != got["@type"]:
            return diffs  # a different concrete Any type: its fields are not comparable
        for key in sorted(wk & gk):
            diffs += shape_diff(want[key], got[key], f"{path}.{key}")
    elif kw == "array" and want and got:
        for i, item in enumerate(got):
            diffs += shape_diff(want[0], item, f"{path}[{i}]")
    return diffs


def test_shape_diff_reports_keys_and_kinds() -> None:
    """The comparator itself: it must see missing/extra keys and int-vs-string, and pass equal shapes."""
    want = {"a": {"height": "1", "list": [{"x": 1}]}, "n": None, "_note": "ignored"}
    assert shape_diff(want, {"a": {"height": "7", "list": [{"x": 2}, {"x": 3}]}, "n": {"k": 1}}) == []
    diffs = shape_diff(want, {"a": {"height": 7, "list": [{"y": 1}]}, "m": 1})
    assert "$.a.height: fixture has string \"1\", sandbox has number 7" in diffs
    assert "$.a.list[0].x: missing in the sandbox answer" in diffs
    assert "$.a.list[0].y: extra key in the sandbox answer (1)" in diffs
    assert "$.n: missing in the sandbox answer" in diffs and "$.m: extra key in the sandbox answer (1)" in diffs


def test_every_fixture_is_accounted_for() -> None:
    names = {p.name for p in fixtures_dir().glob("*.json") if "_SYNTHETIC" in p.name or "_DERIVED" in p.name}
    known = set(SHAPE_CASES) | set(DEFERRED) | {ERROR_FIXTURE, TX_ENVELOPE_FIXTURE}
    assert names - known == set(), f"new SYNTHETIC/DERIVED fixtures without a shape test or a reason: {sorted(names - known)}"
    assert known - names == set(), f"fixtures named here but absent from {fixtures_dir()}: {sorted(known - names)}"
    errors = {k for k in load(ERROR_FIXTURE) if not k.startswith("_")}
    assert errors == set(ERROR_CASES) | set(DEFERRED_ERRORS), f"error fixture entries changed: {sorted(errors)}"


@pytest.fixture(scope="module")
def lcd(sandbox) -> Any:
    with httpx.Client(base_url=sandbox.url, timeout=10) as client:
        yield client


@pytest.mark.parametrize("fixture_name", sorted(SHAPE_CASES))
def test_sandbox_answer_has_fixture_shape(lcd: httpx.Client, fixture_name: str) -> None:
    fixture = load(fixture_name)
    path = SHAPE_CASES[fixture_name]
    response = lcd.get(path)
    assert response.status_code == 200, f"GET {path} -> HTTP {response.status_code}: {response.text[:500]}"
    assert response.headers.get("content-type", "").startswith("application/json"), response.headers.get("content-type")
    diffs = shape_diff(fixture["response"], response.json())
    assert not diffs, f"GET {path} differs from {fixture_name} ({len(diffs)}):\n  " + "\n  ".join(diffs[:40])


def fresh_address() -> str:
    from secret_sdk.core.bech32 import get_bech  # plain bech32; does not load the SDK's LCD client

    return get_bech("secret", os.urandom(20).hex())


# entry -> (method, path, json body, {text in the fixture message: text for this request})
def _error_requests() -> dict[str, tuple[str, str, Any, dict[str, str]]]:
    stranger = fresh_address()
    txhash = os.urandom(32).hex().upper()
    return {
        "account_not_found": ("GET", f"/cosmos/auth/v1beta1/accounts/{stranger}", None, {FIXTURE_ACCOUNT: stranger}),
        "tx_not_found": ("GET", f"/cosmos/tx/v1beta1/txs/{txhash}", None, {FIXTURE_TXHASH: txhash}),
        "tx_search_without_query": ("GET", "/cosmos/tx/v1beta1/txs", None, {}),
        # any non-empty tx bytes: the mode is refused before the tx is looked at
        "broadcast_block_mode": ("POST", "/cosmos/tx/v1beta1/txs", {"tx_bytes": "CgA=", "mode": "BROADCAST_MODE_BLOCK"}, {}),
    }


ERROR_CASES = sorted(_error_requests())


@pytest.mark.parametrize("entry", ERROR_CASES)
def test_sandbox_error_body_matches(lcd: httpx.Client, entry: str) -> None:
    expected = load(ERROR_FIXTURE)[entry]
    method, path, body, swaps = _error_requests()[entry]
    response = lcd.request(method, path, json=body)
    what = f"{method} {path}"
    assert response.status_code == expected["_http"], f"{what}: HTTP {response.status_code}, want {expected['_http']}: {response.text[:500]}"
    got = response.json()
    want_body = expected["body"]
    diffs = shape_diff(want_body, got)
    assert not diffs, f"{what} error body differs from {ERROR_FIXTURE}[{entry}]:\n  " + "\n  ".join(diffs)
    assert got["code"] == want_body["code"], f"{what}: grpc code {got['code']}, want {want_body['code']}"
    message = want_body["message"]
    for old, new in swaps.items():
        message = message.replace(old, new)
    assert got["message"] == message, f"{what}: message\n  got  {got['message']!r}\n  want {message!r}"
    assert got["details"] == [], f"{what}: details {got['details']!r}"


def test_sandbox_sends_block_height_header(lcd: httpx.Client) -> None:
    """Query answers carry Grpc-Metadata-X-Cosmos-Block-Height (secret-sdk reads it into last_request_height)."""
    latest = int(lcd.get("/cosmos/base/tendermint/v1beta1/blocks/latest").json()["block"]["header"]["height"])
    response = lcd.get(f"/cosmos/bank/v1beta1/balances/{ADDRESS_A}")
    value = response.headers.get("grpc-metadata-x-cosmos-block-height")
    assert value is not None and value.isdigit(), f"header missing or not a height: {value!r} (headers {dict(response.headers)})"
    assert 0 < int(value) <= latest + 1, f"header height {value} vs latest block {latest}"


def test_broadcast_and_committed_tx_shapes(lcd: httpx.Client, sandbox) -> None:
    """A MsgSend signed in-process (secret-sdk key code only), broadcast with `tx_bytes` in SYNC mode:
    the answer has the REAL pulsar-3 broadcast shape and values, and GET txs/{hash} has the envelope
    of the committed-tx fixture."""
    from secret_sdk.core import Coins
    from secret_sdk.core.bank import MsgSend
    from secret_sdk.core.fee import Fee
    from secret_sdk.core.tx import AuthInfo, Tx, TxBody
    from secret_sdk.key.key import SignOptions
    from secret_sdk.key.mnemonic import MnemonicKey

    key = MnemonicKey(mnemonic=MNEMONIC_A)
    account = lcd.get(f"/cosmos/auth/v1beta1/accounts/{ADDRESS_A}").json()["account"]
    recipient = fresh_address()
    unsigned = Tx(TxBody([MsgSend(ADDRESS_A, recipient, Coins(uscrt=4321))], "shape", 0), AuthInfo([], Fee(100000, Coins(uscrt=2500))), [])
    signed = key.sign_tx(unsigned, SignOptions(account_number=account["account_number"], sequence=account["sequence"], chain_id=chain_id_of(sandbox)))
    tx_bytes = bytes(signed.to_proto())
    txhash = hashlib.sha256(tx_bytes).hexdigest().upper()

    response = lcd.post("/cosmos/tx/v1beta1/txs", json={"tx_bytes": base64.b64encode(tx_bytes).decode(), "mode": "BROADCAST_MODE_SYNC"})
    assert response.status_code == 200, response.text[:500]
    got = response.json()
    real = load(BROADCAST_FIXTURE_REAL)
    diffs = shape_diff({"tx_response": real["tx_response"]}, got)
    assert not diffs, "broadcast answer differs from the REAL pulsar-3 one:\n  " + "\n  ".join(diffs)
    want = dict(real["tx_response"], txhash=txhash)
    assert got["tx_response"] == want, f"broadcast-sync answer\n  got  {got['tx_response']}\n  want {want}"

    committed = lcd.get(f"/cosmos/tx/v1beta1/txs/{txhash}")
    assert committed.status_code == 200, committed.text[:500]
    body = committed.json()
    envelope = load(TX_ENVELOPE_FIXTURE)
    diffs = shape_diff({"tx": envelope["tx"], "tx_response": envelope["tx_response"]}, body)
    diffs = [d for d in diffs if not re.match(r"\$\.(tx|tx_response\.tx)\.body\.messages\[0\]", d)]
    assert not diffs, f"GET txs/{txhash} differs from {TX_ENVELOPE_FIXTURE}:\n  " + "\n  ".join(diffs[:40])
    result = body["tx_response"]
    assert (result["code"], result["raw_log"], result["txhash"]) == (0, "", txhash), result
    message = body["tx"]["body"]["messages"][0]
    assert message == {"@type": "/cosmos.bank.v1beta1.MsgSend", "from_address": ADDRESS_A, "to_address": recipient, "amount": [{"denom": "uscrt", "amount": "4321"}]}, message
    assert body["tx"] == {k: v for k, v in result["tx"].items() if k != "@type"}, "top-level tx and tx_response.tx differ"
    assert result["tx"]["@type"] == "/cosmos.tx.v1beta1.Tx", result["tx"].get("@type")
    signer_info = body["tx"]["auth_info"]["signer_infos"][0]
    assert signer_info["mode_info"] == {"single": {"mode": "SIGN_MODE_DIRECT"}}, f"enums render by name: {signer_info['mode_info']}"
    assert signer_info["sequence"] == account["sequence"], signer_info


def test_pagination_rules(lcd: httpx.Client) -> None:
    """Paging as SDK 0.50 does it (docs/protocol-notes.md#pagination): no limit -> total filled; an explicit limit ->
    total "0" and a base64 next_key until the last page; following next_key walks the whole list."""
    everything = lcd.get("/cosmos/staking/v1beta1/validators").json()
    validators = [v["operator_address"] for v in everything["validators"]]
    assert everything["pagination"] == {"next_key": None, "total": str(len(validators))}, everything["pagination"]
    assert len(validators) >= 3, validators
    walked, key, pages = [], None, 0
    while True:
        params = {"pagination.limit": "2"} | ({"pagination.key": key} if key else {})
        page = lcd.get("/cosmos/staking/v1beta1/validators", params=params).json()
        pages += 1
        assert len(page["validators"]) <= 2, page
        assert page["pagination"]["total"] == "0", f"explicit limit without count_total: total {page['pagination']}"
        walked += [v["operator_address"] for v in page["validators"]]
        key = page["pagination"]["next_key"]
        if key is None:
            break
        assert base64.b64decode(key, validate=True), key
        assert pages < 20, "next_key never ends"
    assert walked == validators, f"walking next_key gave {walked}, the unpaged list is {validators}"
    counted = lcd.get("/cosmos/staking/v1beta1/validators", params={"pagination.limit": "1", "pagination.count_total": "true"}).json()
    assert counted["pagination"]["total"] == str(len(validators)), counted["pagination"]
    empty = lcd.get(f"/cosmos/bank/v1beta1/balances/{fresh_address()}").json()
    assert empty == {"balances": [], "pagination": {"next_key": None, "total": "0"}}, empty
