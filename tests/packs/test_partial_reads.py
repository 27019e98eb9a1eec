"""A read that got its main answer returns it when an extra lookup fails, naming what is missing.

The sandbox's `failing_paths` fault makes one LCD route answer 500 (a gRPC status body, as a node whose lookup
broke) while every other route works; only a failure of the main query may fail the read.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import pytest

from tests.contracts.sandbox_addresses import COUNTER
from secret_mcp.testing import accept, call_err, call_ok, connect, funded_wallet, server_on
from tests.helpers import B

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
    async with connect(server_on(sandbox), mode) as client:
        unknown = await call_err(client, "secret_get_contract_info", {"address": B})  # an account
        with failing(sandbox, f"{C}/info/"):
            broken = await call_err(client, "secret_get_contract_info", {"address": COUNTER})
    assert unknown["code"] == "CONTRACT_NOT_FOUND"
    # The node failed (not "no such contract"): say so, not CONTRACT_NOT_FOUND.
    assert broken["code"] == "CHAIN_ERROR" and "fault injection" in broken["message"]


def without(answer: dict, *keys: str) -> dict:
    return {k: v for k, v in answer.items() if k not in (*keys, "missing")}


async def test_rewards_without_the_withdraw_address(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        with failing(sandbox, f"/cosmos/distribution/v1beta1/delegators/{B}/withdraw_address"):
            partial = await call_ok(client, "secret_get_rewards", {"address": B})
        whole = await call_ok(client, "secret_get_rewards", {"address": B})
    assert partial["withdraw_address"] is None and partial["missing"] == ["withdraw_address"]
    assert whole["withdraw_address"] == B and whole["missing"] == []
    # Genesis account b delegates to a validator: its rewards (which grow only with blocks) came back in full.
    assert partial["validators"] and [v["validator_address"] for v in partial["validators"]] == \
           [v["validator_address"] for v in whole["validators"]]


async def test_proposal_without_its_tally_or_deposit_rule(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        with failing(sandbox, "/cosmos/gov/v1/params/tallying"):  # first: once read, the params are cached
            waiting = await call_ok(client, "secret_get_proposal", {"proposal_id": 4})
        with failing(sandbox, "/cosmos/gov/v1/proposals/3/tally"):
            voting = await call_ok(client, "secret_get_proposal", {"proposal_id": 3})
        whole_voting = await call_ok(client, "secret_get_proposal", {"proposal_id": 3})
        whole_waiting = await call_ok(client, "secret_get_proposal", {"proposal_id": 4})
        with failing(sandbox, "/cosmos/gov/v1/proposals/"):  # the proposal itself: no answer to give
            gone = await call_err(client, "secret_get_proposal", {"proposal_id": 3})
    assert voting["tally"] is None and voting["missing"] == ["tally"]
    assert voting["status"] == "voting_period" and voting["min_deposit"] == whole_voting["min_deposit"] != []
    assert without(voting, "tally", "voting_ends_in_seconds") == without(whole_voting, "tally", "voting_ends_in_seconds")
    assert whole_voting["tally"] is not None and whole_voting["missing"] == []
    assert waiting["status"] == "deposit_period"
    assert waiting["missing"] == ["min_deposit", "deposit_missing", "tally"]
    assert waiting["min_deposit"] == [] and waiting["tally"] is None and waiting["title"] == whole_waiting["title"]
    assert whole_waiting["deposit_missing"] and whole_waiting["missing"] == []
    assert gone["code"] == "CHAIN_ERROR"


async def test_syncing_status_without_the_latest_block(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        with failing(sandbox, "/cosmos/base/tendermint/v1beta1/blocks/latest"):
            partial = await call_ok(client, "secret_get_syncing_status")
        whole = await call_ok(client, "secret_get_syncing_status")
    assert partial["syncing"] is False and partial["missing"] == ["latest_block"]
    assert partial["latest_height"] is None and partial["block_age_seconds"] is None
    assert "could not be read" in partial["note"]
    assert whole["latest_height"] >= 1 and whole["missing"] == [] and whole["note"] == "The node is in sync."


async def test_network_info_without_the_node_config(mode, sandbox, home):
    # No cache: the three reads go out together, so a cached answer from one call would hide the next failure.
    async with connect(server_on(sandbox, cache=False), mode) as client:
        with failing(sandbox, "/cosmos/base/tendermint/v1beta1/node_info"):
            down = await call_err(client, "secret_get_network_info")
        with failing(sandbox, "/cosmos/base/node/v1beta1/config"):
            partial = await call_ok(client, "secret_get_network_info")
        whole = await call_ok(client, "secret_get_network_info")
    assert partial["missing"] == ["minimum_gas_price"] and partial["minimum_gas_price"] == ""
    assert whole["minimum_gas_price"] == "0.0125uscrt" and whole["missing"] == []
    assert partial["node_chain_id"] == whole["node_chain_id"] == sandbox.chain.chain_id
    assert partial["latest_height"] >= 1
    assert down["code"] == "CHAIN_ERROR"


async def test_staking_reads_without_their_extras(mode, sandbox, home):
    s = "/cosmos/staking/v1beta1"
    async with connect(server_on(sandbox), mode) as client:
        # First (once read, the list is cached): the list that names the validators, not the delegations.
        with failing(sandbox, f"{s}/validators"):
            delegations = await call_ok(client, "secret_get_delegations", {"address": B})
            unbonding = await call_ok(client, "secret_get_unbonding", {"address": B})
        listed = await call_ok(client, "secret_get_validators", {"status": "bonded", "sort_by": "moniker"})
        valoper = listed["validators"][0]["operator_address"]
        with failing(sandbox, f"{s}/pool", f"{s}/validators/{valoper}/delegations"):
            validator = await call_ok(client, "secret_get_validator", {"validator": valoper})
        whole_validator = await call_ok(client, "secret_get_validator", {"validator": valoper})
        whole_delegations = await call_ok(client, "secret_get_delegations", {"address": B})
    assert validator["missing"] == ["voting_power_percent", "delegators"]
    assert validator["voting_power_percent"] is None and validator["delegators"] is None
    assert whole_validator["missing"] == [] and float(whole_validator["voting_power_percent"]) > 0
    assert whole_validator["delegators"] >= 1
    assert without(validator, "voting_power_percent", "delegators") == \
           without(whole_validator, "voting_power_percent", "delegators")
    assert delegations["missing"] == ["moniker", "validator_status", "validator_jailed"]
    assert delegations["total"] == whole_delegations["total"] and delegations["total"]["amount"] != "0"
    assert [d["validator_jailed"] for d in delegations["delegations"]] == [None] * len(delegations["delegations"])
    assert all(d["moniker"] for d in whole_delegations["delegations"]) and whole_delegations["missing"] == []
    assert unbonding["missing"] == ["moniker"]


async def test_transaction_status_without_its_ibc_outcome(mode, sandbox, home):
    cosmos = "cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du"  # bech32 of 20 bytes of 0x01
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        await funded_wallet(client, sandbox)
        sent = await call_ok(client, "secret_ibc_transfer", {"channel": "channel-0", "receiver": cosmos,
                                                             "amount": "1 SCRT"})
        with failing(sandbox, "/cosmos/tx/v1beta1/txs"):  # the event search that finds the packet's fate
            partial = await call_ok(client, "secret_get_transaction_status", {"hash": sent["txhash"]})
        whole = await call_ok(client, "secret_get_transaction_status", {"hash": sent["txhash"]})
    assert partial["status"] == "success" and partial["height"] == whole["height"] > 0
    assert partial["ibc"] is None and partial["missing"] == ["ibc"]
    assert whole["missing"] == [] and [p["sequence"] for p in whole["ibc"]] == [sent["packet"]["sequence"]]
