"""Real-browser tests of the wallet signing page (issue 17): Debian's Chromium driven by playwright.

One browser per module (module-scoped fixtures, so anyio's runner is module-scoped here too); each test opens
its own context with a test-only wallet injected. Playwright never downloads a browser: it launches
/usr/bin/chromium. Without Chromium the module is skipped, except in CI.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--no-first-run", "--disable-dev-shm-usage",
        "--metrics-recording-only", "--disable-domain-reliability", "--disable-client-side-phishing-detection"]


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def browser(anyio_backend: str) -> Any:
    """Chromium and the test wallet's node bridge (secretjs), one each per module."""
    from playwright.async_api import async_playwright

    from tests.browser.kit import SECRETJS, Harness, NodeWallets

    if not shutil.which(CHROMIUM) and not os.environ.get("CI"):  # CI installs it (.ci/run): there it must run
        pytest.skip(f"{CHROMIUM} is not installed (Debian package chromium)")
    if not (SECRETJS / "node_modules" / "secretjs").is_dir() and not os.environ.get("CI"):
        pytest.skip("tests/secretjs/node_modules is missing (nox runs npm ci)")
    wallets = await NodeWallets.start()
    try:
        async with async_playwright() as pw:
            chromium = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            yield Harness(chromium, wallets)
            await chromium.close()
    finally:
        await wallets.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Screenshots are test artifacts: one folder per module under pytest's tmp path."""
    return tmp_path_factory.mktemp("screenshots")
