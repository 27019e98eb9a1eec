"""A read that got its main answer returns it when an extra lookup fails, naming what is missing.

The sandbox's `failing_paths` fault makes one LCD route answer 500 (a gRPC status body, as a node whose lookup
broke) while every other route works; only a failure of the main query may fail the read.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import pytest

from tests.contracts.sandbox_addresses import COUNTER
from tests.helpers import call_err, call_ok, connect
from tests.tx.fixtures import accept, home, sandbox, server_on  # noqa: F401

pytestmark = pytest.mark.anyio
C = "/compute/v1beta1"


@contextmanager
def failing(sandbox: Any, *paths: str) -> Iterator[None]:
    sandbox.set_faults(failing_paths=list(paths))
    try:
        yield
    finally:
        sandbox.set_faults(failing_paths=[])


async def test_contract_info_without_its_code_hash(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        with failing(sandbox, f"{C}/code_hash/"):
            partial = await call_ok(client, "secret_get_contract_info", {"address": COUNTER})
        whole = await call_ok(client, "secret_get_contract_info", {"address": COUNTER})
    assert partial["code_hash"] is None and partial["missing"] == ["code_hash"]
    assert whole["missing"] == [] and len(whole["code_hash"]) == 64
    # Everything the main lookup gave is there, the same as in a whole answer.
    assert {k: v for k, v in partial.items() if k not in ("code_hash", "missing")} == \
           {k: v for k, v in whole.items() if k not in ("code_hash", "missing")}
    assert whole["code_id"] > 0 and whole["label"]


async def test_contract_info_fails_only_when_the_contract_lookup_does(mode, sandbox, home):
    stranger = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne"  # an account, not a contract
    async with connect(server_on(sandbox), mode) as client:
        unknown = await call_err(client, "secret_get_contract_info", {"address": stranger})
        with failing(sandbox, f"{C}/info/"):
            broken = await call_err(client, "secret_get_contract_info", {"address": COUNTER})
    assert unknown["code"] == "CONTRACT_NOT_FOUND"
    # The node failed (not "no such contract"): say so, not CONTRACT_NOT_FOUND.
    assert broken["code"] == "CHAIN_ERROR" and "fault injection" in broken["message"]
