"""The MCP Apps in a real browser: Debian's chromium (driven by playwright, no browser download) renders each
app inside a minimal host page that speaks the Apps bridge (tests/apps/host.html), fed real tool results from the
sandbox chain through the in-process MCP client; the view's own tool calls go back through the same client.

Screenshots go to test-artifacts/apps/; UPDATE_SCREENSHOTS=1 also refreshes the README's in docs/img/.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from secret_mcp.testing import accept, balance, call_ok, connect, funded_wallet, sequence, server_on
from tests.contracts.sandbox_addresses import TOKEN
from tests.helpers import B

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
HOST = (Path(__file__).parent / "host.html").read_text()
ARTIFACTS = ROOT / "test-artifacts" / "apps"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCRT = 1_000_000

if not os.path.exists(CHROMIUM):  # CI installs it (.ci/run); a bare machine skips, CI fails
    pytestmark = [pytestmark, pytest.mark.skipif(not os.environ.get("CI"), reason="chromium is not installed")]


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def browser():
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        yield chromium
        await chromium.close()


class Host:
    """One host page: renders an app for a tool call and forwards the app's tools/call to the MCP client."""

    def __init__(self, page: Any, client: Any) -> None:
        self.page, self.client = page, client
        self.calls: list[tuple[str, dict]] = []  # what the app asked the server for, in order
        self.requests: list[str] = []  # anything the page tried to fetch (nothing, for a self-contained app)

    @classmethod
    async def open(cls, browser: Any, client: Any, width: int = 800) -> "Host":
        page = await browser.new_page(viewport={"width": width, "height": 2400})
        host = cls(page, client)
        page.on("request", lambda request: host.requests.append(request.url))
        await page.expose_function("hostCallTool", host._call)
        await page.set_content(HOST)
        return host

    async def _call(self, name: str, arguments: dict) -> dict:
        self.calls.append((name, arguments))
        result = await self.client.call_tool(name, arguments)
        return result.model_dump(mode="json", by_alias=True, exclude_none=True)

    async def show(self, tool: str, arguments: dict, theme: str = "light", result: Any = None) -> Any:
        """Call `tool` (unless its result is given), read the app its tools/list entry names, render both."""
        listed = {t.name: t for t in (await self.client.list_tools()).tools}
        uri = listed[tool].meta["ui"]["resourceUri"]
        read = await self.client.read_resource(uri)
        (content,) = read.contents
        assert content.mime_type == "text/html;profile=mcp-app" and uri.startswith("ui://")
        if result is None:
            result = await self.client.call_tool(tool, arguments)
        self.calls.clear()
        dumped = result.model_dump(mode="json", by_alias=True, exclude_none=True)
        await self.page.evaluate("([h, a, r, t]) => render(h, a, r, t)", [content.text, arguments, dumped, theme])
        frame = self.page.frame_locator("#view")
        await frame.locator("body").wait_for()
        return frame

    def view(self) -> Any:
        return self.page.frames[1]  # the app's frame, for evaluating inside it

    async def shot(self, name: str, docs: str | None = None) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        await self.page.locator("#view").screenshot(path=str(path))
        if docs and os.environ.get("UPDATE_SCREENSHOTS"):
            shutil.copyfile(path, ROOT / "docs" / "img" / docs)


async def test_proposal_tally_against_quorum_threshold_and_veto(sandbox, home, browser):
    # First in the file: genesis proposal #3's voting period (60 s) started with the chain.
    async with connect(server_on(sandbox)) as client:
        host = await Host.open(browser, client)
        frame = await host.show("secret_get_proposal", {"proposal_id": 3}, theme="dark")
        await frame.locator("body[data-ready=true]").wait_for()
        assert await frame.locator("#title").text_content() == "#3 " + (
            await call_ok(client, "secret_get_proposal", {"proposal_id": 3}))["title"]
        rules = await frame.locator("#rules").inner_text()
        assert "33.4 %" in rules and "50 %" in rules  # quorum and threshold, as the chain has them
        assert "12.5 %" in rules  # turnout: 150 of 1200 bonded SCRT voted, below quorum
        assert await frame.locator("#outlook").text_content() == "fails"
        left = await frame.locator("#left").text_content()
        assert left.endswith(("m left", "s left")) or left == "voting ended"
        chart = await host.view().evaluate(
            "() => Chart.getChart(document.getElementById('tally-chart')).data.datasets.map(d => [d.label, d.data[0]])")
        shares = dict((label.split()[0], value) for label, value in chart)
        # each option's share of all bonded stake: turnout x its share of the votes (both rounded by the tool)
        assert shares["yes"] == pytest.approx(12.5 * 100 / 150, rel=1e-4)
        assert shares["no"] == pytest.approx(12.5 * 50 / 150, rel=1e-4)
        assert host.calls == [] and host.requests == []
        await host.shot("proposal-dark")


async def review_of(client: Any, sandbox: Any) -> tuple[str, Any]:
    """A funded wallet and a pending send of 1.5 SCRT to B (no elicitation: a confirmation code)."""
    me = await funded_wallet(client, sandbox)
    pending = await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "1.5 SCRT"})
    assert pending.is_error and pending.structured_content["status"] == "confirmation_required"
    return me, pending


async def test_review_card_shows_the_plan_and_approve_sends_it(mode, sandbox, home, browser):
    async with connect(server_on(sandbox, allowed_recipients=(B,)), mode) as client:
        me, pending = await review_of(client, sandbox)
        body = pending.structured_content
        review = body["review"]
        start, b_start = balance(sandbox, me), balance(sandbox, B)
        host = await Host.open(browser, client)
        frame = await host.show("secret_send_tokens", {"recipient": B, "amount": "1.5 SCRT"}, result=pending)
        card = await frame.locator("#review").inner_text()
        assert review["action"] in card and "1500000" in card and "1.5 SCRT (1500000uscrt)" in card
        assert await frame.locator("[data-role=network-badge]").text_content() == "SIMULATED"
        assert await frame.locator("[data-role=allow-list]").text_content() == "on allow-list"
        digest = await frame.locator("[data-role=digest]").text_content()
        assert len(digest) == 64 and digest.startswith(review["sign_doc"]["short"])  # whole, not redacted
        assert f"Sign doc: {review['sign_doc']['short']}" in body["preview"]  # the digest the text preview names
        assert review["fee"]["display"] in card and "/cosmos.bank.v1beta1.MsgSend" in card
        for coin in review["balance"]["before"] + review["balance"]["after"]:
            assert coin["display"] in card
        assert balance(sandbox, me) == start  # showing it signed nothing
        await host.shot(f"review-{mode}", docs="review-card.png" if mode == "auto" else None)

        await frame.locator("#approve").click()
        await frame.locator("#outcome.ok").wait_for()
        assert host.calls == [("secret_confirm_transaction", {"code": body["confirmation_code"]})]
        fee = int(review["fee"]["amount"])
        assert balance(sandbox, B) == b_start + 1_500_000 and balance(sandbox, me) == start - 1_500_000 - fee
        assert (await frame.locator("#outcome").text_content()).startswith("Done: ")
        assert await frame.locator("#approve").is_disabled() and await frame.locator("#decline").is_disabled()
        assert host.requests == []


async def test_review_card_decline_drops_the_code(mode, sandbox, home, browser):
    async with connect(server_on(sandbox), mode) as client:
        me, pending = await review_of(client, sandbox)
        code = pending.structured_content["confirmation_code"]
        start, seq = balance(sandbox, me), sequence(sandbox, me)
        host = await Host.open(browser, client)
        frame = await host.show("secret_send_tokens", {"recipient": B, "amount": "1.5 SCRT"}, result=pending,
                                theme="dark")
        assert await frame.locator("[data-role=allow-list]").text_content() == "no allow-list"
        bg = await host.view().evaluate("() => getComputedStyle(document.body).backgroundColor")
        assert bg == "rgb(23, 24, 28)"  # the host's dark theme
        await host.shot(f"review-dark-{mode}")
        await frame.locator("#decline").click()
        await frame.locator("#outcome.bad").wait_for()
        assert "nothing was signed" in await frame.locator("#outcome").text_content()
        assert host.calls == [("secret_confirm_transaction", {"code": code, "decline": True})]
        assert balance(sandbox, me) == start and sequence(sandbox, me) == seq
        again = await client.call_tool("secret_confirm_transaction", {"code": code})
        assert again.is_error and again.structured_content["error"]["code"] == "CONFIRMATION_USED"
    audit = [json.loads(line) for line in (home / "state" / "audit.jsonl").read_text().splitlines()]
    assert [(e["tool"], e["outcome"]) for e in audit if e.get("decision") == "declined_by_code"] == [
        ("secret_send_tokens", "not_run")]


async def test_portfolio_and_validators(sandbox, home, browser):
    async with connect(server_on(sandbox), elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox, uscrt=100 * SCRT)
        monikers = {v["moniker"].split()[1]: v["operator_address"]
                    for v in (await call_ok(client, "secret_get_validators", {}))["validators"]}
        await call_ok(client, "secret_delegate", {"validator": monikers["Gamma"], "amount": "10 SCRT"})
        await call_ok(client, "secret_delegate", {"validator": monikers["Alpha"], "amount": "5 SCRT"})
        await call_ok(client, "secret_undelegate", {"validator": monikers["Gamma"], "amount": "2 SCRT"})
        await call_ok(client, "secret_execute_contract", {"contract": TOKEN, "msg": {"deposit": {}}, "funds": "3000000uscrt"})
        await call_ok(client, "secret_token_create_viewing_key", {"token": "SSCRT"})
        held = await call_ok(client, "secret_get_balance", {})

        host = await Host.open(browser, client, width=900)
        frame = await host.show("secret_get_balance", {}, theme="light")
        await frame.locator("body[data-ready=true]").wait_for()
        assert await frame.locator("#address").text_content() == me
        assert held["balances"][0]["display"] in await frame.locator("#balances").inner_text()
        assert "3 SSCRT" in await frame.locator("#tokens").inner_text()
        staked = await frame.locator("#delegations").inner_text()
        assert "Sandbox Gamma" in staked and "8 SCRT (8000000uscrt)" in staked and "13 SCRT" in staked
        assert "2 SCRT (2000000uscrt)" in await frame.locator("#unbonding").inner_text()
        assert await frame.locator("#txs tr").count() == 6  # a header and the five newest
        bars = await host.view().evaluate(
            "() => Chart.getChart(document.getElementById('delegations-chart')).data.datasets[0].data")
        assert sorted(bars) == [5, 8]
        points = await host.view().evaluate(
            "() => Chart.getChart(document.getElementById('unbonding-chart')).data.datasets[0].data.map(p => p.y)")
        assert points == [2]
        asked = {name for name, _ in host.calls}
        assert {"secret_get_delegations", "secret_get_rewards", "secret_get_unbonding",
                "secret_get_account_transactions", "secret_token_list", "secret_token_balance"} <= asked
        assert all(args.get("address", me) == me for _, args in host.calls)
        await host.shot("portfolio", docs="portfolio.png")

        # Only a permit kept (no viewing key): the token list names it, and the portfolio reads the balance with it.
        await call_ok(client, "secret_token_forget_key", {"token": "SSCRT"})
        await call_ok(client, "secret_token_create_permit", {"permit_name": "folio", "tokens": ["SSCRT"]})
        assert (await call_ok(client, "secret_token_list", {}))["permits"] == {TOKEN: ["folio"]}
        frame = await host.show("secret_get_balance", {}, theme="light")
        await frame.locator("body[data-ready=true]").wait_for()
        assert "3 SSCRT" in await frame.locator("#tokens").inner_text()
        assert ("secret_token_balance", {"token": TOKEN, "address": me, "permit_name": "folio"}) in host.calls

        frame = await host.show("secret_get_validators", {}, theme="dark")
        await frame.locator("body[data-ready=true]").wait_for()
        rows = frame.locator("#list tr")
        assert await rows.count() == 7  # a header and the six genesis validators
        gamma = await frame.locator(f"tr[data-validator='{monikers['Gamma']}']").inner_text()
        assert "8 SCRT (8000000uscrt)" in gamma and "%" in gamma
        zeta = await frame.locator(f"tr[data-validator='{monikers['Zeta']}']").inner_text()
        assert "JAILED" in zeta
        assert host.calls == [("secret_get_delegations", {})]
        assert host.requests == []
        await host.shot("validators-dark")
