"""What the person approved is exactly what is signed: codes and questions bound to the prepared sign doc."""

from __future__ import annotations

import pytest
from mcp.types import ElicitResult

from secret_mcp import tool
from secret_mcp.context import ToolContext
from secret_mcp.tx import TxResult
from secret_mcp.testing import (
    accept, balance, call_err, call_ok, connect, funded_wallet, recording, sequence, server_on
)
from tests.helpers import B, C

pytestmark = pytest.mark.anyio


async def test_code_redeemed_after_a_wallet_switch_moves_nothing(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:  # no elicitation: a code is issued
        a = await funded_wallet(client, sandbox, "a")
        b = await funded_wallet(client, sandbox, "b")  # creating b made it active; go back to a for the preview
        await call_ok(client, "secret_set_active_wallet", {"name": "a"})
        before = {x: balance(sandbox, x) for x in (a, b, B)}
        issued = (await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "1 SCRT"})).structured_content
        assert issued["status"] == "confirmation_required" and f"From: a ({a})" in issued["preview"]
        await call_ok(client, "secret_set_active_wallet", {"name": "b"})
        err = await call_err(client, "secret_confirm_transaction", {"code": issued["confirmation_code"]})
        replay = await call_err(client, "secret_confirm_transaction", {"code": issued["confirmation_code"]})
    assert err["code"] == "CONFIRMATION_STALE" and "active wallet changed" in err["message"]
    assert replay["code"] == "CONFIRMATION_USED"
    assert {x: balance(sandbox, x) for x in (a, b, B)} == before
    assert sequence(sandbox, a) == 0 and sequence(sandbox, b) == 0


async def test_code_signs_the_previewed_plan_not_a_new_one(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        me = await funded_wallet(client, sandbox)
        issued = (await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "2 SCRT"})).structured_content
        digest = issued["preview"].split("Sign doc: ")[1].split(" ")[0]
        before = balance(sandbox, B)
        done = await call_ok(client, "secret_confirm_transaction", {"code": issued["confirmation_code"]})
    assert done["status"] == "done" and done["result"]["status"] == "success"
    assert balance(sandbox, B) == before + 2_000_000 and len(digest) == 16
    assert int(done["result"]["fee"]["amount"]) == int(issued["preview"].split("Estimated fee: ")[1].split(" ")[2]
                                                       .strip("()uscrt"))


async def test_code_after_the_sequence_moved_is_refused_with_a_fresh_preview(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:
        me = await funded_wallet(client, sandbox)
        first = (await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "1 SCRT"})).structured_content
        second = (await client.call_tool("secret_send_tokens", {"recipient": C, "amount": "1 SCRT"})).structured_content
        await call_ok(client, "secret_confirm_transaction", {"code": second["confirmation_code"]})
        before = balance(sandbox, B)
        stale = await call_err(client, "secret_confirm_transaction", {"code": first["confirmation_code"]})
    assert stale["code"] == "CONFIRMATION_STALE" and "sequence" in stale["message"]
    assert "Sign doc: " in stale["details"]["preview"] and "(sequence 1)" in stale["details"]["preview"]
    assert balance(sandbox, B) == before and sequence(sandbox, me) == 1


async def test_wallet_switched_while_the_question_is_open_signs_nothing_unseen(mode, sandbox, home):
    holder: dict = {}
    shown: list[str] = []

    async def switch_then_accept(ctx, params):
        shown.append(params.message)
        # A parallel call (or injected text acting through the model) switches the wallet mid-question.
        holder["app"].session.active_wallet = "b"
        return ElicitResult(action="accept", content={"confirm": True})

    server = server_on(sandbox)
    holder["app"] = server.secret_app
    async with connect(server, mode, elicitation_callback=switch_then_accept) as client:
        a = await funded_wallet(client, sandbox, "a")
        b = await funded_wallet(client, sandbox, "b")
        await call_ok(client, "secret_set_active_wallet", {"name": "a"})
        before = {x: balance(sandbox, x) for x in (a, b, B)}
        result = await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "1 SCRT"})
    assert f"From: a ({a})" in shown[0]
    assert balance(sandbox, a) == before[a]  # the approved plan (from a) was never signed with another key
    if mode == "legacy":  # one round: the approved doc no longer matches the session, so nothing is signed
        assert result.is_error and result.structured_content["error"]["code"] == "CONFIRMATION_STALE"
        assert {x: balance(sandbox, x) for x in (a, b, B)} == before and len(shown) == 1
    else:  # the second round re-plans for b: a new doc, so the person is asked again and sees "From: b"
        assert len(shown) == 2 and f"From: b ({b})" in shown[1]


async def test_non_boolean_answer_is_no(mode, sandbox, home):
    async def yes_text(ctx, params):
        return ElicitResult(action="accept", content={"confirm": "yes"})

    async with connect(server_on(sandbox), mode, elicitation_callback=yes_text) as client:
        me = await funded_wallet(client, sandbox)
        before = balance(sandbox, me)
        err = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "1 SCRT"})
    assert err["code"] == "CONFIRMATION_INVALID" and "Resolver" not in err["message"]
    assert balance(sandbox, me) == before


def test_write_tool_without_plan_or_confirm_is_refused_at_start():
    from secret_mcp.server import wrap_tool
    from secret_mcp.tools import spec_of

    # Fail closed: a pack's fund-moving tool that returns no Plan (and so could skip the question) never loads.
    with pytest.raises(TypeError, match="must return a Plan"):
        wrap_tool(None, spec_of(secret_sneaky))  # type: ignore[arg-type]


@tool(effect="moves_funds")
async def secret_sneaky(ctx: ToolContext, to: str) -> TxResult:
    """Moves funds without a plan."""


async def test_unknown_arguments_are_refused_by_name(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox)
        before = balance(sandbox, me)
        typo = await call_err(client, "secret_get_balance", {"adress": B})
        send = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "1 SCRT", "gass": 5})
    assert typo["code"] == "INVALID_INPUT" and typo["details"]["unknown"] == ["adress"]
    assert send["code"] == "INVALID_INPUT" and "gass" in send["message"] and balance(sandbox, me) == before


async def test_never_mode_skips_the_question_only_on_local_chains(mode, sandbox, home):
    from secret_mcp.testing import make_server

    answer, asked = recording(accept)
    async with connect(server_on(sandbox, confirm="never"), mode, elicitation_callback=answer) as client:
        await funded_wallet(client, sandbox)
        done = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "1uscrt"})
    assert done["status"] == "success" and asked == []
    # The same chain reached as a custom endpoint is real money: "never" is not honoured without the opt-in.
    custom = make_server(network="custom", lcd_urls=(sandbox.url,), chain_id=sandbox.chain.chain_id, confirm="never")
    async with connect(custom, mode) as client:
        await funded_wallet(client, sandbox, "c")
        result = await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "1uscrt"})
    assert result.structured_content["status"] == "confirmation_required"


async def test_code_redeemed_after_a_network_switch_moves_nothing(mode, sandbox, home):
    async with connect(server_on(sandbox), mode) as client:  # no elicitation: a code is issued
        me = await funded_wallet(client, sandbox)
        before = balance(sandbox, me)
        issued = (await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "1 SCRT"})).structured_content
        await call_ok(client, "secret_configure_network", {"network": "testnet"})  # a preset: no question needed
        err = await call_err(client, "secret_confirm_transaction", {"code": issued["confirmation_code"]})
    assert err["code"] in ("CONFIRMATION_MISMATCH", "CONFIRMATION_STALE") and "network" in err["message"]
    assert balance(sandbox, me) == before and sequence(sandbox, me) == 0
