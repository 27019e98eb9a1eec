"""secretjs 1.22.1 (a client nobody here wrote) runs real flows against the sandbox chain.

One node run per module (tests/secretjs/flows.mjs); each check it reports is one test here.
Install once with `npm ci` in tests/secretjs. Without node_modules the module is skipped locally,
but fails under CI (CI=true), where a missing install is a broken build, not a reason to skip.
"""

from __future__ import annotations

import shutil

import httpx

import pytest

from tests.proof._proofkit import SECRETJS_DIR, FlowRun, assert_check, assert_run_consistent, chain_id_of, in_ci, run_flows

# Must list every check flows.mjs reports (with --snip20), in order.
JS_CHECKS = [
    "wallet_derivation",
    "node_info",
    "balances_a",
    "account_a",
    "account_unknown_not_found",
    "latest_block",
    "send_a_to_b",
    "send_tx_in_block",
    "get_tx_unknown_null",
    "simulate_send",
    "send_default_gas",
    "send_gas_20000",
    "amino_send",
    "send_async_mode",
    "forged_signature_refused",
    "pubkey_mismatch_refused",
    "wrong_chain_id_refused",
    "stale_sequence_refused",
    "min_gas_price_config",
    "low_fee_refused",
    "validators",
    "delegate_a",
    "txs_by_sender",
    "gov_vote",
    "gov_proposals",
    "snip20_token_info",
    "snip20_set_viewing_key",
    "snip20_transfer",
]


@pytest.fixture(scope="module")
def js_run(request: pytest.FixtureRequest) -> FlowRun:
    node = shutil.which("node")
    installed = (SECRETJS_DIR / "node_modules" / "secretjs" / "package.json").is_file()
    if node is None or not installed:
        reason = "node is not on PATH" if node is None else "tests/secretjs/node_modules is missing (run `npm ci` in tests/secretjs)"
        if in_ci():
            pytest.fail(f"secretjs proof cannot run under CI: {reason}")
        pytest.skip(f"secretjs proof not run: {reason}")
    sandbox = request.getfixturevalue("sandbox")  # only once the install is known to be there
    # The genesis SNIP-20 token: the first contract of code 1, found the way any client would.
    token = httpx.get(f"{sandbox.url}/compute/v1beta1/contracts/1", timeout=10).json()["contract_infos"][0]
    command = [node, "flows.mjs", sandbox.url, "--chain-id", chain_id_of(sandbox), "--snip20", token["contract_address"]]
    return run_flows(command, cwd=SECRETJS_DIR, timeout=150)


@pytest.mark.parametrize("name", JS_CHECKS)
def test_secretjs_check(js_run: FlowRun, name: str) -> None:
    assert_check(js_run, name)


def test_secretjs_run_is_consistent(js_run: FlowRun) -> None:
    """No stray output, no script-level failure, and the exit code agrees with the checks."""
    assert_run_consistent(js_run, JS_CHECKS)
    assert js_run.order == JS_CHECKS, "flows.mjs and JS_CHECKS disagree on the checks or their order"
