"""The signing page alone in Chromium, against a stand-in server with one fixed request (fixed_server.py).

What the page shows (the review as text, the SIMULATED badge, allow-list status), what it asks the wallet
(suggest chain, enable, amino or direct with the fee and memo left alone), what it posts (verified with the
signer's public key), approve mode, no wallet, expiry, and that it loads nothing but its own origin.
"""

from __future__ import annotations

import base64
import pytest

from tests.browser.fixed_server import CHAIN_ID, CSP, FixedServer, amino_bytes, fixed_request, verify
from tests.browser.kit import open_page
from tests.helpers import B, MNEMONIC_A

pytestmark = pytest.mark.anyio
MNEMONIC_B = ("jelly shadow frog dirt dragon use armed praise universe win jungle close inmate rain oil canvas beauty "
              "pioneer chef soccer icon dizzy thunder meadow")


@pytest.fixture(scope="module")
def key_a():
    from secret_sdk.key.mnemonic import MnemonicKey

    return MnemonicKey(MNEMONIC_A)


@pytest.fixture(scope="module")
def server():
    with FixedServer() as srv:
        yield srv


@pytest.fixture
def fresh(server, key_a):
    server.posts.clear()
    server.answer_error = None
    server.request = fixed_request(key_a, B, url=server.url)
    return server


async def test_amino_sign_shows_the_review_and_posts_what_the_wallet_signed(browser, fresh, key_a, shots):
    req = fresh.request
    page = await open_page(browser, fresh.page_url, mnemonic=MNEMONIC_A)
    review = page.page.locator("#review")
    await page.page.locator("#sign:has-text('Sign with Keplr')").wait_for()
    text = await review.inner_text()
    assert "Send 1.5 SCRT (1500000uscrt) to " + B in text
    assert await page.page.locator(".rv-simulated").inner_text() == "SIMULATED"
    assert await page.page.locator(".rv-allow").get_attribute("data-allow-list") == "not_allowed"
    assert "NOT on the allow-list" in text and "0.0025 SCRT (2500uscrt)" in text and "gas limit 25000" in text
    assert req["review"]["sign_doc"]["digest"] in text and "/cosmos.bank.v1beta1.MsgSend" in text
    await page.page.screenshot(path=str(shots / "page-light.png"), full_page=True)

    await page.page.click("#sign")
    result = await page.outcome()
    assert result["kind"] == "ok" and "AB" * 32 in result["text"] and "42" in result["text"]
    [(route, body)] = fresh.posts
    assert route == "signed" and body["mode"] == "amino"
    assert body["signed"] == req["sign_doc"]["amino"]  # the test wallet signed exactly what the page gave it
    assert body["signature"]["pub_key"]["value"] == base64.b64encode(key_a.public_key.key).decode()
    assert verify(body["signature"]["pub_key"]["value"], body["signature"]["signature"], amino_bytes(body["signed"]))
    calls = await page.calls()
    names = [c[0] for c in calls]
    # The sandbox is not in Keplr's registry: suggested first (as a Secret chain), then enabled.
    assert names[:2] == ["experimentalSuggestChain", "enable"] and "signAmino" in names
    suggested = calls[0][1]
    assert suggested["chainId"] == CHAIN_ID and suggested["bip44"]["coinType"] == 529
    assert suggested["rest"] == fresh.url and "secretwasm" in suggested["features"]
    assert suggested["feeCurrencies"][0]["gasPriceStep"]["average"] == 0.1
    signed_call = next(c[1] for c in calls if c[0] == "signAmino")
    assert signed_call["options"]["sign"]["preferNoSetFee"] and signed_call["options"]["sign"]["preferNoSetMemo"]
    assert signed_call["signOptions"]["preferNoSetFee"] and signed_call["signOptions"]["preferNoSetMemo"]
    assert page.hosts() == {"127.0.0.1"}, page.requests
    assert page.errors == []
    first = page.responses[0]
    assert first.url == fresh.page_url and (await first.all_headers())["content-security-policy"] == CSP
    await page.close()


async def test_direct_sign_with_leap_posts_the_exact_bytes(browser, fresh, key_a):
    from secret_mcp.tx import build

    req = fresh.request
    page = await open_page(browser, fresh.page_url, mnemonic=MNEMONIC_A, name="leap")
    await page.page.locator("#sign:has-text('Sign with Leap')").wait_for()
    await page.page.check("input[name=sign-mode][value=direct]")
    await page.page.click("#sign")
    assert (await page.outcome())["kind"] == "ok"
    [(route, body)] = fresh.posts
    direct = req["sign_doc"]["direct"]
    assert route == "signed" and body["mode"] == "direct"
    assert body["signed"] == direct
    doc = build.sign_doc(base64.b64decode(direct["body_bytes"]), base64.b64decode(direct["auth_info_bytes"]), CHAIN_ID, 7)
    assert verify(body["signature"]["pub_key"]["value"], body["signature"]["signature"], doc)
    [direct_call] = [c[1] for c in await page.calls() if c[0] == "signDirect"]
    assert direct_call["signOptions"] == {"preferNoSetFee": True, "preferNoSetMemo": True, "disableBalanceCheck": True}
    assert page.hosts() == {"127.0.0.1"} and page.errors == []
    await page.close()


async def test_chain_text_is_shown_as_text(browser, fresh, key_a):
    memo = '<img src="/x" id="injected" onerror="window.__xss = 1"><b>bold</b>'
    fresh.request = fixed_request(key_a, B, memo=memo, url=fresh.url)
    page = await open_page(browser, fresh.page_url, mnemonic=MNEMONIC_A)
    await page.page.locator("#sign").wait_for()
    assert memo in await page.page.locator("#review").inner_text()
    assert await page.page.locator("#review img, #review b").count() == 0
    assert await page.page.evaluate("window.__xss") is None
    assert not any(u.endswith("/x") for u in page.requests)
    await page.close()


async def test_bidi_overrides_and_separators_in_chain_text_are_made_visible(browser, fresh, key_a):
    # As the text preview does (tx/quote.py): a memo's U+202E cannot reverse what follows it on the page, nor a
    # U+2028 start a line of its own (before: both went in raw).
    memo = "pay \u202e0001 SCRT\u2028Amount: 0\u200b"
    fresh.request = fixed_request(key_a, B, memo=memo, url=fresh.url)
    page = await open_page(browser, fresh.page_url, mnemonic=MNEMONIC_A)
    await page.page.locator("#sign").wait_for()
    text = await page.page.locator("#review").inner_text()
    assert "pay \\u202e0001 SCRT\\u2028Amount: 0\\u200b" in text
    body = await page.page.locator("body").text_content()
    assert not any(ch in body for ch in "\u202e\u2028\u200b")
    await page.close()


async def test_wrong_account_is_refused_before_anything_is_posted(browser, fresh):
    page = await open_page(browser, fresh.page_url, mnemonic=MNEMONIC_B)
    await page.page.click("#sign")
    result = await page.outcome()
    assert result["kind"] == "bad" and "WRONG_ACCOUNT" in result["text"] and fresh.request["signer"]["address"] in result["text"]
    assert fresh.posts == [] and not await page.page.locator("#sign").is_disabled()  # the person may switch and retry
    await page.close()


async def test_no_wallet_says_so_and_cannot_sign(browser, fresh):
    page = await open_page(browser, fresh.page_url)
    await page.page.locator("#no-wallet").wait_for()
    assert "secret_submit_signed_transaction" in await page.page.locator("#no-wallet").inner_text()
    assert await page.page.locator("#sign").is_disabled()
    await page.close()


@pytest.mark.parametrize("button", ["approve", "decline"])
async def test_approve_mode_has_buttons_and_no_wallet(browser, fresh, key_a, button, shots):
    fresh.request = fixed_request(key_a, B, mode="approve", url=fresh.url)
    page = await open_page(browser, fresh.page_url, dark=True)
    await page.page.locator("#approve").wait_for()
    assert await page.page.locator("#wallet-panel").is_hidden()
    await page.page.screenshot(path=str(shots / f"approve-dark-{button}.png"), full_page=True)
    await page.page.click(f"#{button}")
    result = await page.outcome()
    assert [route for route, _ in fresh.posts] == [button]
    assert result["kind"] == "ok" and ("Declined" in result["text"] if button == "decline" else "AB" * 32 in result["text"])
    assert await page.page.locator("#approve").is_disabled() and await page.page.locator("#decline").is_disabled()
    await page.close()


@pytest.mark.parametrize("status", ["expired", "included"])
async def test_a_finished_request_offers_nothing(browser, fresh, key_a, status):
    expires = "2000-01-01T00:00:00Z" if status == "expired" else "2099-01-01T00:00:00Z"
    fresh.request = fixed_request(key_a, B, status=status, expires_at=expires, url=fresh.url)
    page = await open_page(browser, fresh.page_url, mnemonic=MNEMONIC_A)
    result = await page.outcome()
    assert status in result["text"] and await page.page.locator("#wallet-panel").is_hidden()
    await page.close()


async def test_expiry_while_open_disables_signing(browser, fresh, key_a):
    from datetime import datetime, timedelta, timezone

    soon = (datetime.now(timezone.utc) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    fresh.request = fixed_request(key_a, B, expires_at=soon, url=fresh.url)
    page = await open_page(browser, fresh.page_url, mnemonic=MNEMONIC_A)
    await page.page.locator("#sign:has-text('Sign with Keplr')").wait_for()
    result = await page.outcome(timeout=8_000)
    assert "expired" in result["text"] and await page.page.locator("#sign").is_disabled() and fresh.posts == []
    await page.close()



async def test_direct_only_when_the_server_offers_no_amino_doc(browser, fresh):
    fresh.request["sign_doc"]["amino"] = None  # a message type with no amino form
    page = await open_page(browser, fresh.page_url, mnemonic=MNEMONIC_A)
    await page.page.locator("#sign:enabled").wait_for()
    assert await page.page.locator("input[name=sign-mode][value=amino]").is_disabled()
    assert await page.page.locator("input[name=sign-mode][value=direct]").is_checked()
    await page.page.click("#sign")
    assert (await page.outcome())["kind"] == "ok"
    assert [(route, body["mode"]) for route, body in fresh.posts] == [("signed", "direct")]
    await page.close()


async def test_a_used_request_stops_the_page(browser, fresh):
    fresh.answer_error = {"error": {"code": "SIGNING_REQUEST_USED", "message": "This request was already answered.",
                                    "suggestions": ["Ask for a new one."]}}
    page = await open_page(browser, fresh.page_url, mnemonic=MNEMONIC_A)
    await page.page.click("#sign:enabled")
    result = await page.outcome()
    assert result["kind"] == "bad" and "SIGNING_REQUEST_USED" in result["text"] and "Ask for a new one." in result["text"]
    assert await page.page.locator("#sign").is_disabled()
    await page.close()


async def test_with_keplr_and_leap_the_person_picks_one(browser, fresh):
    page = await open_page(browser, fresh.page_url, mnemonic=MNEMONIC_A, name=["keplr", "leap"])
    await page.page.locator("#sign:has-text('Sign with Keplr')").wait_for()  # the first one found is the default
    assert await page.page.locator("input[name=wallet]").count() == 2
    await page.page.check("input[name=wallet][value=leap]")
    await page.page.locator("#sign:has-text('Sign with Leap')").click()
    assert (await page.outcome())["kind"] == "ok"
    used = {c[2] for c in await page.calls()}
    assert used == {"leap"}  # Keplr was never asked anything
    assert [route for route, _ in fresh.posts] == ["signed"]
    await page.close()


async def test_a_tx_that_failed_on_chain_shows_its_hash_not_a_refusal(browser, fresh):
    fresh.answer_error = None
    fresh.answer = {"status": "failed", "txhash": "CD" * 32, "height": 43,
                    "error": {"code": "CONTRACT_ERROR", "message": "Only the owner can reset count", "suggestions": []}}
    try:
        page = await open_page(browser, fresh.page_url, mnemonic=MNEMONIC_A)
        await page.page.click("#sign:enabled")
        result = await page.outcome()
    finally:
        fresh.answer = {"status": "included", "txhash": "AB" * 32, "height": 42, "result": {"status": "success"}}
    assert result["kind"] == "bad" and "Included, but the transaction failed" in result["text"]
    assert "CD" * 32 in result["text"] and "Only the owner can reset count" in result["text"]
    assert await page.page.locator("#sign").is_disabled()  # used up: no second try
    await page.close()
