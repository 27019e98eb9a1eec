"""What the browser tests share: the browser with its wallet bridge, the injected test wallet, and a page that
records every request it makes."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
SECRETJS = HERE.parent / "secretjs"
WALLET_JS = HERE / "test_wallet.js"


class NodeWallets:
    """secretjs' Wallet in one node process (tests/secretjs/wallet_bridge.mjs) for every wallet of a module."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lock = asyncio.Lock()

    @classmethod
    async def start(cls) -> "NodeWallets":
        proc = await asyncio.create_subprocess_exec(
            "node", "wallet_bridge.mjs", cwd=SECRETJS, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            limit=4 * 1024 * 1024)
        return cls(proc)

    async def ask(self, mnemonic: str, op: str, doc: Any = None) -> dict:
        assert self.proc.stdin and self.proc.stdout
        async with self.lock:  # one line out, one line back
            self.proc.stdin.write((json.dumps({"mnemonic": mnemonic, "op": op, "doc": doc}) + "\n").encode())
            await self.proc.stdin.drain()
            answer = json.loads(await asyncio.wait_for(self.proc.stdout.readline(), 30))
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer

    async def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        await asyncio.wait_for(self.proc.wait(), 10)


@dataclass
class Harness:
    """One Chromium and one wallet bridge per test module."""

    browser: Any
    wallets: NodeWallets


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

    async def close(self) -> None:
        await self.context.close()


async def open_page(harness: Harness, url: str | None = None, *, mnemonic: str | None = None, name: str | list[str] = "keplr",
                    tamper: dict | None = None, known: list[str] | None = None, dark: bool = False) -> Opened:
    """A fresh context (own storage) with the test wallet injected when a mnemonic is given, then `url`."""
    context = await harness.browser.new_context(color_scheme="dark" if dark else "light",
                                                viewport={"width": 960, "height": 900})
    if mnemonic is not None:
        key = await harness.wallets.ask(mnemonic, "key")
        config = {"address": key["address"], "pub_key": key["pub_key"], "name": name, "tamper": tamper or {},
                  "known": known or []}

        async def bridge(op: str, doc: Any) -> dict:
            return await harness.wallets.ask(mnemonic, op, doc)

        # TEST ONLY: a Keplr-API wallet whose signatures come from secretjs' Wallet through the bridge.
        await context.expose_function("__walletBridge", bridge)
        await context.add_init_script(script=f"window.__TEST_WALLET__ = {json.dumps(config)};")
        await context.add_init_script(path=str(WALLET_JS))
    page = await context.new_page()
    opened = Opened(page, context)
    page.on("request", lambda req: opened.requests.append(req.url))
    page.on("response", lambda resp: opened.responses.append(resp))
    page.on("console", lambda msg: opened.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
    if url:
        await page.goto(url)
    return opened
