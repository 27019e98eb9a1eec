"""What the browser tests share: the injected test wallet, a page that records every request it makes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
SECRETJS_BUNDLE = HERE.parent / "secretjs" / "node_modules" / "secretjs" / "dist" / "browser.js"
WALLET_JS = HERE / "test_wallet.js"


@dataclass
class Opened:
    """A page, what it asked the network for, and its console errors (CSP violations show up there)."""

    page: Any
    context: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    responses: list[Any] = field(default_factory=list)

    def hosts(self) -> set[str]:
        return {urlsplit(u).hostname or urlsplit(u).scheme for u in self.requests}

    async def calls(self) -> list[Any]:
        return await self.page.evaluate("window.__walletCalls || []")

    async def outcome(self, timeout: float = 20_000) -> dict[str, str]:
        """Waits for the page's final word (result or error) and returns its kind and text."""
        box = self.page.locator("#outcome:not(.hidden):not([data-kind=info])")
        await box.wait_for(timeout=timeout)
        return {"kind": await box.get_attribute("data-kind"), "text": await box.inner_text()}


def _wallet_wasm(text: str) -> bool:
    # secretjs' bundle (the test wallet, not the page) compiles a WebAssembly module at load; the page's strict
    # CSP (no 'wasm-unsafe-eval') refuses it. Its signing does not need it; the refusal shows the CSP holds.
    return "WebAssembly" in text and "Content Security Policy" in text


async def open_page(browser: Any, url: str | None = None, *, mnemonic: str | None = None, name: str = "keplr",
                    tamper: dict | None = None, known: list[str] | None = None, dark: bool = False) -> Opened:
    """A fresh context (own storage) with the test wallet injected when a mnemonic is given, then `url`."""
    context = await browser.new_context(color_scheme="dark" if dark else "light", viewport={"width": 960, "height": 900})
    if mnemonic is not None:
        config = {"mnemonic": mnemonic, "name": name, "tamper": tamper or {}, "known": known or []}
        # TEST ONLY: secretjs' browser bundle and a Keplr-API shim around its Wallet, before any page script.
        await context.add_init_script(script=f"window.__TEST_WALLET__ = {json.dumps(config)};")
        await context.add_init_script(path=str(SECRETJS_BUNDLE))
        await context.add_init_script(path=str(WALLET_JS))
    page = await context.new_page()
    opened = Opened(page, context)
    page.on("request", lambda req: opened.requests.append(req.url))
    page.on("response", lambda resp: opened.responses.append(resp))
    page.on("console", lambda msg: opened.errors.append(msg.text) if msg.type == "error" and not _wallet_wasm(msg.text) else None)
    page.on("pageerror", lambda exc: opened.errors.append(str(exc)) if not _wallet_wasm(str(exc)) else None)
    if url:
        await page.goto(url)
    return opened
