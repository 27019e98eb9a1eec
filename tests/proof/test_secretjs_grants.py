"""secretjs 1.22.1 drives x/authz and x/feegrant on the sandbox chain (tests/secretjs/grants.mjs): grant with a
fee allowance, exec within the spend limit (fee paid by the granter), exec beyond it refused by the chain,
revoke then refused, fee allowance revoked then refused at CheckTx. One node run per module; one test per check."""

from __future__ import annotations

import shutil

import pytest

from tests.proof._proofkit import SECRETJS_DIR, FlowRun, assert_check, assert_run_consistent, chain_id_of, in_ci, run_flows

GRANT_CHECKS = [
    "authz_grant_with_fee_allowance",
    "authz_exec_within_limit_fee_from_granter",
    "authz_exec_beyond_limit_refused_by_chain",
    "authz_revoke_then_exec_refused",
    "feegrant_revoke_then_refused",
]


@pytest.fixture(scope="module")
def grants_run(request: pytest.FixtureRequest) -> FlowRun:
    node = shutil.which("node")
    installed = (SECRETJS_DIR / "node_modules" / "secretjs" / "package.json").is_file()
    if node is None or not installed:
        reason = "node is not on PATH" if node is None else "tests/secretjs/node_modules is missing (run `npm ci` in tests/secretjs)"
        if in_ci():
            pytest.fail(f"secretjs grants proof cannot run under CI: {reason}")
        pytest.skip(f"secretjs grants proof not run: {reason}")
    sandbox = request.getfixturevalue("sandbox")
    return run_flows([node, "grants.mjs", sandbox.url, "--chain-id", chain_id_of(sandbox)], cwd=SECRETJS_DIR, timeout=120)


@pytest.mark.parametrize("name", GRANT_CHECKS)
def test_secretjs_grants_check(grants_run: FlowRun, name: str) -> None:
    assert_check(grants_run, name)


def test_secretjs_grants_run_is_consistent(grants_run: FlowRun) -> None:
    assert_run_consistent(grants_run, GRANT_CHECKS)
    assert grants_run.order == GRANT_CHECKS, "grants.mjs and GRANT_CHECKS disagree on the checks or their order"
