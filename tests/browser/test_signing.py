"""Issue 17 in a real browser: the MCP client asks for a write from a wallet whose key is in the person's wallet,
the signing page opens in Chromium, the injected test wallet (secretjs' Wallet behind the Keplr API) signs, and
the real loopback server checks, broadcasts and answers. Both eras: the 2025 handshake era gets the URL by URL
elicitation and the call ends with the result; the 2026 era gets an awaiting_signature result with the URL.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from mcp.types import ElicitResult

from tests.browser.kit import Opened, open_page
from tests.contracts.sandbox_addresses import COUNTER
from tests.helpers import call_ok, connect
from tests.tx.fixtures import B, balance, home, sandbox, sequence, server_on  # noqa: F401 (fixtures)

pytestmark = pytest.mark.anyio
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "signing-page.png"  # the README's picture
REQUIRED_CSP = ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                "frame-ancestors 'none'"]


class PageSigner:
    """The person: opens the signing URL in Chromium with the test wallet and presses Sign (or Approve)."""

    def __init__(self, browser: Any, mnemonic: str | None, sign_mode: str = "amino", button: str = "sign",
                 **wallet: Any) -> None:
        self.browser, self.mnemonic, self.sign_mode, self.button, self.wallet = browser, mnemonic, sign_mode, button, wallet
        self.pending: list[asyncio.Task] = []
        self.urls: list[str] = []
        self.pictures: list[Path] = []

    async def elicit(self, _ctx: Any, params: Any) -> ElicitResult:
        """Handshake era: the server asks the client to open the URL; the person acts there meanwhile."""
        assert params.mode == "url" and params.url.startswith("http://127.0.0.1:")
        self.pending.append(asyncio.get_running_loop().create_task(self.act(params.url)))
        return ElicitResult(action="accept")

    async def act(self, url: str) -> tuple[Opened, dict]:
        self.urls.append(url)
        opened = await open_page(self.browser, url, mnemonic=self.mnemonic, **self.wallet)
        button = opened.page.locator(f"#{self.button}:enabled")
        try:
            await button.wait_for(timeout=15_000)
        except Exception as exc:  # say what the page said instead of a bare timeout
            raise AssertionError(f"no {self.button} button: {opened.errors} {await opened.page.inner_text('body')}") from exc
        if self.button == "sign":
            await opened.page.check(f"input[name=sign-mode][value={self.sign_mode}]")
        for path in self.pictures:  # the page as the person sees it before acting
            await opened.page.screenshot(path=str(path), full_page=True)
        await button.click()
        return opened, await opened.outcome(timeout=60_000)

    async def run(self, client: Any, tool: str, args: dict) -> tuple[dict, dict, Opened]:
        """The tool's answer (its result, or the request's status in the 2026 era), the page's word, the page."""
        result = await client.call_tool(tool, args)
        if result.is_error:
            body = result.structured_content
            assert body["status"] == "awaiting_signature", body
            opened, outcome = await self.act(body["signing_url"])
            status = await call_ok(client, "secret_get_transaction_status", {"hash": body["request_id"]})
            return status, outcome, opened
        assert self.pending, result.structured_content
        opened, outcome = await self.pending.pop()
        return result.structured_content, outcome, opened


@pytest.fixture
def person():
    """A fresh key, known only to the test wallet (the server is given the address alone)."""
    from secret_mcp.security import keys

    mnemonic = keys.generate_mnemonic()
    return mnemonic, keys.derive(mnemonic).address


async def wallet_signer(client: Any, sandbox: Any, address: str, uscrt: int = 50_000_000) -> None:
    sandbox.faucet(address, uscrt)
    await call_ok(client, "secret_import_wallet", {"name": "mine", "address": address, "signer": "wallet"})
    await call_ok(client, "secret_set_active_wallet", {"name": "mine"})


async def page_result(opened: Opened) -> dict:
    """The tool result the page shows after signing (folded away under "Full result")."""
    return json.loads(await opened.page.locator("#outcome .tx-result").text_content())


async def test_send_amino_lands_and_the_page_loads_only_loopback(mode, browser, sandbox, home, person, shots):
    mnemonic, address = person
    signer = PageSigner(browser, mnemonic, "amino")
    signer.pictures = [shots / f"send-before-{mode}.png"]
    if mode == "auto" and os.environ.get("UPDATE_DOCS_IMG"):  # `UPDATE_DOCS_IMG=1 pytest tests/browser` redraws it
        signer.pictures.append(DOCS_IMG)
    async with connect(server_on(sandbox), mode, elicitation_callback=signer.elicit) as client:
        await wallet_signer(client, sandbox, address)
        before = balance(sandbox, B)
        out, outcome, opened = await signer.run(client, "secret_send_tokens", {"recipient": B, "amount": "1.5 SCRT"})
    assert outcome["kind"] == "ok" and "Included in a block" in outcome["text"]
    assert out["status"] == "success" and out["txhash"] in outcome["text"]
    assert balance(sandbox, B) == before + 1_500_000
    assert (await page_result(opened))["sender"] == address
    await opened.page.screenshot(path=str(shots / f"send-amino-{mode}.png"), full_page=True)
    # What the page showed is the server's review; what it loaded came from 127.0.0.1 only, under the CSP.
    text = await opened.page.locator("#review").inner_text()
    assert "SIMULATED" in text and "1.5 SCRT (1500000uscrt)" in text and B in text
    assert opened.hosts() == {"127.0.0.1"}, opened.requests
    assert opened.errors == []
    csp = (await opened.responses[0].all_headers())["content-security-policy"]
    assert all(part in csp for part in REQUIRED_CSP), csp
    names = [c[0] for c in await opened.calls()]
    assert names[:2] == ["experimentalSuggestChain", "enable"] and "signAmino" in names
    await opened.close()


async def test_delegate_direct_first_tx_gives_the_wallet_key(mode, browser, sandbox, home, person):
    mnemonic, address = person
    signer = PageSigner(browser, mnemonic, "direct", name="leap")
    async with connect(server_on(sandbox), mode, elicitation_callback=signer.elicit) as client:
        await wallet_signer(client, sandbox, address)
        val = (await call_ok(client, "secret_get_validators", {}))["validators"][0]["operator_address"]
        out, outcome, opened = await signer.run(client, "secret_delegate", {"validator": val, "amount": "2 SCRT"})
        delegations = await call_ok(client, "secret_get_delegations", {"address": address})
    assert outcome["kind"] == "ok" and out["status"] == "success", outcome
    assert any(d["validator_address"] == val and d["amount"]["amount"] == "2000000" for d in delegations["delegations"])
    calls = [c[0] for c in await opened.calls()]
    assert "signDirect" in calls and "signAmino" not in calls
    # The chain had no key for this account: the page gave the wallet's to the server before signing.
    assert any(u.split("?")[0].endswith("/pubkey") for u in opened.requests)
    # ...and shows the digest of what it then signed (the auth info, so the digest, changed with the key).
    now = await opened.page.evaluate("fetch(location.pathname + '/request' + location.search).then(r => r.json())")
    shown = await opened.page.locator(".rv-signdoc .rv-mono").first.inner_text()
    assert shown == now["review"]["sign_doc"]["digest"] and now["signer"]["pub_key"]
    await opened.close()


async def test_contract_execute_answer_is_decrypted(mode, browser, sandbox, home, person):
    mnemonic, address = person
    signer = PageSigner(browser, mnemonic, "amino")
    async with connect(server_on(sandbox), mode, elicitation_callback=signer.elicit) as client:
        await wallet_signer(client, sandbox, address)
        query = {"address": COUNTER, "query_msg": {"get_count": {}}}
        before = (await call_ok(client, "secret_query_contract", query))["answer"]["count"]
        out, outcome, opened = await signer.run(client, "secret_execute_contract",
                                                {"contract": COUNTER, "msg": {"increment": {}}})
        after = (await call_ok(client, "secret_query_contract", query))["answer"]["count"]
    assert outcome["kind"] == "ok" and out["status"] == "success", outcome
    # The wallet signed the server's own ciphertext, so the server decrypts the contract's answer.
    assert (await page_result(opened))["responses"][0]["data"] == {"increment": {"count": before + 1}}
    if mode == "legacy":
        assert out["responses"][0]["data"] == {"increment": {"count": before + 1}}
    assert after == before + 1
    assert "wasm/MsgExecuteContract" in json.dumps([c for c in await opened.calls() if c[0] == "signAmino"])
    await opened.close()


TAMPERS = [({"to_address": B}, "amino"), ({"amount": "9900000"}, "amino"), ({"fee": "1"}, "amino"),
           ({"memo": "pay secret1attacker"}, "amino"), ({"direct_memo": "pay secret1attacker"}, "direct"),
           ({"forge": True, "memo": "x"}, "amino")]


async def test_a_page_that_changes_the_tx_is_refused_and_nothing_is_broadcast(browser, sandbox, home, person):
    mnemonic, address = person
    from secret_mcp.security import keys

    other = keys.derive(keys.generate_mnemonic()).address
    async with connect(server_on(sandbox), "auto") as client:
        await wallet_signer(client, sandbox, address)
        # A first send puts the account's key on chain, so direct docs carry it from the start.
        first = PageSigner(browser, mnemonic)
        assert (await first.run(client, "secret_send_tokens", {"recipient": other, "amount": "0.1 SCRT"}))[1]["kind"] == "ok"
        body = (await client.call_tool("secret_send_tokens", {"recipient": other, "amount": "1 SCRT"})).structured_content
        seq, held, mine = sequence(sandbox, address), balance(sandbox, other), balance(sandbox, address)
        # One page, its wallet turned malicious in a different way before each press of Sign.
        page = await open_page(browser, body["signing_url"], mnemonic=mnemonic)
        for tamper, sign_mode in TAMPERS:
            await page.page.evaluate("t => { window.__TEST_WALLET__.tamper = t; }", tamper)
            await page.page.check(f"input[name=sign-mode][value={sign_mode}]")
            await page.page.locator("#sign:enabled").click()
            outcome = await page.outcome()
            code = "SIGNATURE_INVALID" if tamper.get("forge") else "SIGNED_TX_MISMATCH"
            assert outcome["kind"] == "bad" and code in outcome["text"] and "Not sent" in outcome["text"], (tamper, outcome)
        signed = [c[1] for c in await page.calls() if c[0] in ("signAmino", "signDirect")]
        assert len(signed) == len(TAMPERS)  # the wallet really signed each changed tx; the server refused each
        await page.close()
        assert (sequence(sandbox, address), balance(sandbox, other), balance(sandbox, address)) == (seq, held, mine)
        status = await call_ok(client, "secret_get_transaction_status", {"hash": body["request_id"]})
        assert status["status"] == "awaiting_signature"
        # The honest wallet still signs the untouched request.
        opened, outcome = await PageSigner(browser, mnemonic).act(body["signing_url"])
        assert outcome["kind"] == "ok", outcome
        await opened.close()
    assert balance(sandbox, other) == held + 1_000_000 and sequence(sandbox, address) == seq + 1


async def test_replayed_and_expired_requests_are_refused(browser, sandbox, home, person):
    from secret_mcp.tx import signing

    mnemonic, address = person
    async with connect(server_on(sandbox), "auto") as client:
        await wallet_signer(client, sandbox, address)
        done = (await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "0.2 SCRT"})).structured_content
        opened, outcome = await PageSigner(browser, mnemonic).act(done["signing_url"])
        assert outcome["kind"] == "ok"
        # Replay: the page's own signed body posted a second time from the page's origin.
        posted = [r for r in opened.responses if r.url.split("?")[0].endswith("/signed")]
        body = posted[0].request.post_data
        seq, held = sequence(sandbox, address), balance(sandbox, B)
        replay = await opened.page.evaluate(
            """async ([url, body]) => { const r = await fetch(url, {method: "POST", body,
                 headers: {"Content-Type": "application/json"}}); return [r.status, await r.json()]; }""",
            [posted[0].url, body])
        assert replay[0] == 409 and replay[1]["error"]["code"] == "SIGNING_REQUEST_USED"
        await opened.close()
        # Reopened after the end: the page shows the outcome and offers nothing to sign.
        again = await open_page(browser, done["signing_url"], mnemonic=mnemonic)
        shown = await again.outcome()
        assert shown["kind"] == "ok" and "Included" in shown["text"] and await again.page.locator("#wallet-panel").is_hidden()
        await again.close()

        late = (await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "0.3 SCRT"})).structured_content
        page = await open_page(browser, late["signing_url"], mnemonic=mnemonic)
        await page.page.locator("#sign:enabled").wait_for()
        signing._REQUESTS[late["request_id"]].expires = time.time() - 1  # ten minutes pass with the page open
        await page.page.click("#sign")
        outcome = await page.outcome()
        assert outcome["kind"] == "bad" and "SIGNING_REQUEST_EXPIRED" in outcome["text"], outcome
        assert await page.page.locator("#sign").is_disabled()  # over: nothing to retry
        await page.close()
        reopened = await open_page(browser, late["signing_url"], mnemonic=mnemonic)
        assert "expired" in (await reopened.outcome())["text"] and await reopened.page.locator("#wallet-panel").is_hidden()
        await reopened.close()
        status = await call_ok(client, "secret_get_transaction_status", {"hash": late["request_id"]})
    assert status["status"] == "expired"
    assert (sequence(sandbox, address), balance(sandbox, B)) == (seq, held)


@pytest.mark.parametrize("button", ["approve", "decline"])
async def test_browser_approval_buttons(mode, button, browser, sandbox, home, shots, monkeypatch):
    """approval="browser" (clients without a form): the server opens the page itself, in the person's browser
    (here: Chromium); the model gets the request id and a link without its token, nothing to approve with."""
    from secret_mcp import signweb

    opened_urls: list[str] = []
    monkeypatch.setattr(signweb, "OPEN", lambda url: opened_urls.append(url) or True)
    async with connect(server_on(sandbox, approval="browser"), mode) as client:
        made = await call_ok(client, "secret_create_wallet", {"name": "server_key"})
        sandbox.faucet(made["wallet"]["address"], 20_000_000)
        before = balance(sandbox, B)
        result = await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "1 SCRT"})
        body = result.structured_content
        assert result.is_error and body["status"] == "awaiting_signature", body
        [url] = opened_urls
        assert url.partition("?t=")[2] and url.partition("?t=")[2] not in json.dumps(body)
        opened, outcome = await PageSigner(browser, None, button=button).act(url)
        status = await call_ok(client, "secret_get_transaction_status", {"hash": body["request_id"]})
        assert await opened.page.locator("#wallet-panel").is_hidden()
        await opened.page.screenshot(path=str(shots / f"approve-{button}-{mode}.png"), full_page=True)
        await opened.close()
    if button == "approve":
        assert status["status"] == "success" and outcome["kind"] == "ok" and status["txhash"] in outcome["text"]
    else:
        assert status["status"] == "declined" and outcome["kind"] == "ok" and "Declined" in outcome["text"]
    assert balance(sandbox, B) == before + (1_000_000 if button == "approve" else 0)
