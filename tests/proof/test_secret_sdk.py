"""secret-sdk-python 1.8.3 runs the same real flows against the sandbox chain.

The SDK's sync LCDClient patches the event loop with nest_asyncio and does network I/O in its
constructor, so the flows run in a child process (sdk_flows.py) started after the sandbox is up;
each check it reports is one test here.
"""

from __future__ import annotations

import sys

import pytest

from tests.proof._proofkit import PROOF_DIR, FlowRun, assert_check, assert_run_consistent, chain_id_of, run_flows

# Must list every check sdk_flows.py reports, in order.
PY_CHECKS = [
    "wallet_derivation",
    "lcd_client_constructor",
    "node_info",
    "balance_a",
    "account_a",
    "not_found_errors",
    "latest_block",
    "send_a_to_b",
    "send_tx_info",
    "forged_signature_refused",
    "signer_mismatch_refused",
    "validators",
    "delegate_a",
    "delegate_tx_info",
    "tx_search_query",
    "tx_search_empty_query_refused",
    "gov_proposals_v1",
]


@pytest.fixture(scope="module")
def py_run(sandbox) -> FlowRun:
    command = [sys.executable, str(PROOF_DIR / "sdk_flows.py"), sandbox.url, "--chain-id", chain_id_of(sandbox)]
    return run_flows(command, cwd=PROOF_DIR, timeout=120)


@pytest.mark.parametrize("name", PY_CHECKS)
def test_secret_sdk_check(py_run: FlowRun, name: str) -> None:
    assert_check(py_run, name)


def test_secret_sdk_run_is_consistent(py_run: FlowRun) -> None:
    assert_run_consistent(py_run, PY_CHECKS)
    assert py_run.order == PY_CHECKS, "sdk_flows.py and PY_CHECKS disagree on the checks or their order"
