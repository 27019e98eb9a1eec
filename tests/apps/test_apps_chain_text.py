"""Chain text planted where the apps show it (a memo, a proposal title): rendered as text, never markup, and its
bidi overrides and line breaks made visible as \\u escapes, as the text preview does (tx/quote.py), so it cannot
reorder or add to what the person reads on the review card."""

from __future__ import annotations

import pytest

from tests.apps.test_apps_browser import Host, anyio_backend, browser, pytestmark  # noqa: F401 (fixtures, skip)
from secret_mcp.testing import accept, call_ok, connect, funded_wallet, server_on
from tests.helpers import B

EVIL = '<img src=x onerror="window.pwned=1">pay \u202e0001 SCRT\u2028Amount: 0'
HIDDEN = "\u202e\u2028\u200b"


async def test_planted_memo_and_title_show_as_visible_text(sandbox, home, browser):
    # Before: the memo's RTL override and line separator went raw into the card (the text preview escapes them).
    async with connect(server_on(sandbox), elicitation_callback=accept) as client:
        await funded_wallet(client, sandbox)
        pid = (await call_ok(client, "secret_submit_proposal", {"title": EVIL, "summary": EVIL,
                                                                "initial_deposit": "1 SCRT"}))["proposal_id"]
        host = await Host.open(browser, client)
        frame = await host.show("secret_get_proposal", {"proposal_id": pid})
        await frame.locator("body[data-ready=true]").wait_for()
        title = await frame.locator("#title").text_content()
        assert title == f"#{pid} " + EVIL.replace("\u202e", "\\u202e").replace("\u2028", "\\u2028")
    async with connect(server_on(sandbox)) as client:  # no elicitation: a code and its review card
        await funded_wallet(client, sandbox, name="v")
        pending = await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "1 SCRT", "memo": EVIL})
        assert pending.structured_content["review"]["memo"] == EVIL  # the data stays as the chain has it
        host = await Host.open(browser, client)
        frame = await host.show("secret_send_tokens", {}, result=pending)
        card = await frame.locator("#review").inner_text()
        assert "Memo\n" + EVIL.replace("\u202e", "\\u202e").replace("\u2028", "\\u2028") in card
        text = await host.view().evaluate("() => document.body.textContent")
        assert not any(ch in text for ch in HIDDEN)
        assert await host.view().evaluate("() => [window.pwned, document.querySelectorAll('img').length]") == [None, 0]
