"""The IBC pack through a real MCP client against the sandbox chain (channel-0 -> cosmoshub-sandbox), both eras."""

from __future__ import annotations

import hashlib

import bech32
import pytest

from tests.helpers import call_err, call_ok, connect
from tests.redis_server import redis_client, redis_server, redis_url  # noqa: F401 (fixtures)
from tests.tx.fixtures import B, accept, balance, funded_wallet, home, recording, server_on  # noqa: F401

pytestmark = pytest.mark.anyio

ATOM = "ibc/" + hashlib.sha256(b"transfer/channel-0/uatom").hexdigest().upper()  # the genesis voucher (docs/protocol-notes.md#ibc)
# ibc-go escrow address of transfer/channel-0, derived here rather than taken from the module under test
ESCROW = bech32.bech32_encode("secret", bech32.convertbits(
    hashlib.sha256(b"ics20-1\x00transfer/channel-0").digest()[:20], 8, 5))


def addr(prefix: str, seed: int = 1) -> str:
    return bech32.bech32_encode(prefix, bech32.convertbits(bytes([seed] * 20), 8, 5))


COSMOS = addr("cosmos")
STATUS = "secret_get_ibc_transfer_status"


@pytest.fixture(scope="module")
def sandbox():
    from secret_sandbox_chain import launch

    with launch(port=0) as server:
        # No background relay ticks: each test decides when the counterparty answers, so "pending" is not a race.
        server.chain.module("ibc").tick_seconds = None
        yield server


async def status(client, channel: str, sequence: int) -> dict:
    return await call_ok(client, "secret_get_ibc_transfer_status", {"channel": channel, "sequence": sequence})


async def test_transfer_pending_then_acknowledged(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        before, escrow = balance(sandbox, me), balance(sandbox, ESCROW)
        out = await call_ok(client, "secret_ibc_transfer", {"channel": "channel-0", "receiver": COSMOS,
                                                            "amount": "1.25 SCRT", "memo": "to the hub"})
        seq = out["packet"]["sequence"]
        pending = await status(client, "channel-0", seq)
        sandbox.chain.advance(blocks=4)  # the counterparty answers after 2 blocks, the relayer tx lands next
        done = await status(client, "channel-0", seq)
    fee = int(out["fee"]["amount"])
    assert out["status"] == "success" and out["messages"] == ["/ibc.applications.transfer.v1.MsgTransfer"]
    assert out["packet"]["destination_channel"] == "channel-235" and seq >= 1
    assert out["counterparty_chain"] == {"chain_id": "cosmoshub-sandbox", "prefix": "cosmos", "source": "known_channel"}
    assert pending["status"] == "pending" and pending["send_txhash"] == out["txhash"]
    assert done["status"] == "acknowledged" and done["error"] is None and done["result_txhash"]
    assert done["acknowledgement"] == '{"result":"AQ=="}'
    # A success ack leaves the tokens in escrow on this side.
    assert balance(sandbox, me) == before - 1_250_000 - fee
    assert balance(sandbox, ESCROW) == escrow + 1_250_000


async def test_timeout_is_refunded(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        before, escrow = balance(sandbox, me), balance(sandbox, ESCROW)
        out = await call_ok(client, "secret_ibc_transfer", {"channel": "channel-0", "receiver": COSMOS,
                                                            "amount": "7000", "denom": "uscrt", "timeout_minutes": 1})
        held = balance(sandbox, ESCROW)
        sandbox.chain.advance(blocks=4, seconds=150)  # chain time passes the 1-minute deadline before delivery
        done = await status(client, "channel-0", out["packet"]["sequence"])
    assert held == escrow + 7000
    assert done["status"] == "refunded_timeout" and done["result_txhash"]
    assert balance(sandbox, ESCROW) == escrow
    assert balance(sandbox, me) == before - int(out["fee"]["amount"])  # only the fee is gone


async def test_error_ack_is_reported_as_refunded(mode, sandbox, home):
    # Our tool refuses non-cosmos receivers, so send the doomed packet as genesis account d, straight to the chain.
    from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
    from secret_sdk.protobuf.ibc.applications.transfer.v1 import MsgTransfer
    from secret_sdk.protobuf.ibc.core.client.v1 import Height

    from secret_sandbox_chain import testing
    from secret_sandbox_chain.chain import GENESIS_ADDRESSES

    msg = MsgTransfer(source_port="transfer", source_channel="channel-0", token=Coin(denom=ATOM, amount="5"),
                      sender=GENESIS_ADDRESSES["d"], receiver=B,
                      timeout_height=Height(revision_number=4, revision_height=10**9))
    res = testing.send_tx(sandbox, "d", [msg], gas=300_000, fee_uscrt=4000)["tx_response"]
    seq = next(int(a["value"]) for e in res["events"] if e["type"] == "send_packet" for a in e["attributes"]
               if a["key"] == "packet_sequence")
    sandbox.chain.advance(blocks=4)
    async with connect(server_on(sandbox), mode) as client:
        done = await status(client, "channel-0", seq)
    assert done["status"] == "refunded_error" and "ABCI code: 7" in done["error"]


async def test_channel_and_denom_reads(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        page = await call_ok(client, "secret_get_ibc_channels", {"limit": 1})
        one = await call_ok(client, "secret_get_ibc_channel", {"channel": "channel-0"})
        by_denom = await call_ok(client, "secret_get_ibc_denom_trace", {"denom": ATOM})
        by_hash = await call_ok(client, "secret_get_ibc_denom_trace", {"denom": ATOM[4:].lower()})
    assert [(c["channel_id"], c["state"], c["counterparty_channel_id"]) for c in page["channels"]] == \
        [("channel-0", "STATE_OPEN", "channel-235")]
    assert page["next_key"] is None
    assert one["port_id"] == "transfer" and one["ordering"] == "ORDER_UNORDERED"
    assert one["counterparty_chain"]["prefix"] == "cosmos"
    assert by_denom == by_hash == {"denom": ATOM, "path": "transfer/channel-0", "base_denom": "uatom"}


BAD_TRANSFERS = [
    ({"receiver": addr("osmo")}, "INVALID_ADDRESS"),  # valid bech32, wrong chain
    ({"receiver": B}, "INVALID_ADDRESS"),  # a Secret address cannot receive on the hub
    ({"receiver": "cosmos1notanaddress"}, "INVALID_ADDRESS"),
    ({"timeout_minutes": -5}, "INVALID_INPUT"),
    ({"timeout_minutes": 0}, "INVALID_INPUT"),
    ({"timeout_minutes": 10**6}, "INVALID_INPUT"),
    ({"channel": "channel-9"}, "UNKNOWN_CHANNEL"),
    ({"channel": "chan0"}, "INVALID_CHANNEL"),
    ({"amount": "-1 SCRT"}, "INVALID_AMOUNT"),
    ({"amount": "0uscrt"}, "INVALID_AMOUNT"),
    ({"amount": "1.5uscrt"}, "AMOUNT_TOO_PRECISE"),
    ({"amount": "5 DOGE"}, "UNKNOWN_DENOM"),
    ({"amount": "5 ibc/XYZ"}, "UNKNOWN_DENOM"),
    ({"amount": f"5 {ATOM}"}, "INSUFFICIENT_FUNDS"),  # a voucher this wallet does not hold
    ({"amount": "100 SCRT"}, "INSUFFICIENT_FUNDS"),
]


async def test_bad_transfers_send_nothing(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox, uscrt=10_000_000)
        before, escrow = balance(sandbox, me), balance(sandbox, ESCROW)
        good = {"channel": "channel-0", "receiver": COSMOS, "amount": "1 SCRT"}
        codes = [(await call_err(client, "secret_ibc_transfer", {**good, **bad}))["code"] for bad, _ in BAD_TRANSFERS]
        account = await call_ok(client, "secret_get_account", {})
    assert codes == [code for _, code in BAD_TRANSFERS]
    assert balance(sandbox, me) == before and balance(sandbox, ESCROW) == escrow and account["sequence"] == 0


async def test_bad_reads(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        codes = [
            (await call_err(client, "secret_get_ibc_channel", {"channel": "channel-9"}))["code"],
            (await call_err(client, "secret_get_ibc_channel", {"channel": "x"}))["code"],
            (await call_err(client, "secret_get_ibc_denom_trace", {"denom": "ibc/XYZ"}))["code"],
            (await call_err(client, "secret_get_ibc_denom_trace", {"denom": "0" * 64}))["code"],
            (await call_err(client, STATUS, {"channel": "channel-0", "sequence": 999}))["code"],
            (await call_err(client, STATUS, {"channel": "channel-0", "sequence": 0}))["code"],
        ]
    assert codes == ["UNKNOWN_CHANNEL", "INVALID_CHANNEL", "INVALID_DENOM", "UNKNOWN_DENOM", "PACKET_NOT_FOUND",
                     "INVALID_INPUT"]


async def test_preview_names_far_chain_and_timeout(mode, sandbox, home):
    from tests.tx.fixtures import decline

    look, seen = recording(decline)

    async with connect(server_on(sandbox), mode, elicitation_callback=look) as client:
        me = await funded_wallet(client, sandbox)
        before = balance(sandbox, me)
        err = await call_err(client, "secret_ibc_transfer", {"channel": "channel-0", "receiver": COSMOS,
                                                             "amount": "2 SCRT", "timeout_minutes": 30})
    (text,) = seen
    assert err["code"] == "CONFIRMATION_DECLINED" and balance(sandbox, me) == before
    assert "2 SCRT (2000000uscrt)" in text and COSMOS in text and "channel-0" in text
    # The far chain's id and channel are chain text: quoted on their lines.
    assert 'Destination chain: "cosmoshub-sandbox" (prefix cosmos; from known channel)' in text
    assert f"Receiver on the other chain: {COSMOS}" in text and f"To: {COSMOS}" in text
    assert 'Channel: transfer/channel-0 on this chain -> "channel-235" on the other chain' in text
    assert "within 30 minutes" in text and "Estimated fee:" in text and "SIMULATED" in text and "Sign doc: " in text


async def test_a_code_through_the_shared_store_sends_the_approved_transfer(mode, sandbox, home, redis_url, redis_client):
    from tests.helpers import make_server

    server = make_server(network="sandbox", lcd_urls=(sandbox.url,), chain_id=sandbox.chain.chain_id,
                         cache_url=redis_url, state_key="k" * 32)
    async with connect(server, mode) as client:  # no elicitation: a code is the only way
        me = await funded_wallet(client, sandbox)
        before = balance(sandbox, me)
        asked = await client.call_tool("secret_ibc_transfer", {"channel": "channel-0", "receiver": COSMOS,
                                                               "amount": "1 SCRT"})
        body = asked.structured_content
        assert asked.is_error and body["error"]["code"] == "CONFIRMATION_REQUIRED"
        assert any(redis_client.scan_iter(match="*confirm:" + body["confirmation_code"]))  # only Redis holds it
        done = await client.call_tool("secret_confirm_transaction", {"code": body["confirmation_code"]})
    assert not done.is_error, done.structured_content  # today: CONFIRMATION_STALE
    result = done.structured_content["result"]
    assert result["status"] == "success" and result["packet"]["destination_channel"] == "channel-235"
    assert balance(sandbox, me) == before - 1_000_000 - int(result["fee"]["amount"])
