"""Network presets: what a network is called, where its LCD endpoints are, and how it behaves."""

from __future__ import annotations

import re

from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Callable, Iterable, Literal
from urllib.parse import urlsplit

import attrs

NetworkKind = Literal["mainnet", "testnet", "local", "sandbox", "custom"]


@attrs.frozen
class Network:
    """One selectable chain. `launcher`, when set, starts the chain locally and yields its LCD URL."""

    name: str
    chain_id: str
    lcd_urls: tuple[str, ...]
    kind: NetworkKind = "custom"
    gas_price: Decimal = attrs.field(default=Decimal("0.1"), converter=Decimal)
    fee_denom: str = "uscrt"
    explorer_tx_url: str | None = None  # format string with {hash}
    description: str = ""
    launcher: Callable[[], AbstractContextManager[str]] | None = attrs.field(default=None, eq=False)
    # For a local preset whose chains run inside this process (the sandbox): True for the URL of one of them.
    # Only such URLs keep the preset's kind; any other URL under the preset's name is a custom endpoint.
    serves: Callable[[str], bool] | None = attrs.field(default=None, eq=False)

    @property
    def simulated(self) -> bool:
        """True when tokens on this chain are worthless (sandbox)."""
        return self.kind == "sandbox"

    @property
    def real_funds(self) -> bool:
        return self.kind == "mainnet"

    def explorer_link(self, tx_hash: str) -> str | None:
        return self.explorer_tx_url.format(hash=tx_hash) if self.explorer_tx_url else None


MAINNET = Network(
    name="mainnet",
    chain_id="secret-4",
    lcd_urls=(
        "https://lcd.mainnet.secretsaturn.net",
        "https://rest-secret.01node.com",
        "https://secretnetwork-api.lavenderfive.com:443",
        "https://1rpc.io/scrt-lcd",
    ),
    kind="mainnet",
    gas_price="0.1",
    explorer_tx_url="https://www.mintscan.io/secret/tx/{hash}",
    description="Secret Network mainnet (real funds).",
)

TESTNET = Network(
    name="testnet",
    chain_id="pulsar-3",
    lcd_urls=("https://pulsar.lcd.secretnodes.com", "https://lcd.testnet.secretsaturn.net"),
    kind="testnet",
    gas_price="0.1",
    explorer_tx_url="https://testnet.ping.pub/secret/tx/{hash}",
    description="Secret Network public testnet pulsar-3 (test tokens).",
)

LOCALSECRET = Network(
    name="localsecret",
    chain_id="secretdev-1",
    lcd_urls=("http://localhost:1317",),
    kind="local",
    gas_price="0.0125",
    description="LocalSecret development chain in Docker on this machine.",
)

CORE_PRESETS = (MAINNET, TESTNET, LOCALSECRET)
PRESET_KINDS = frozenset({"mainnet", "testnet", "local"})
MAX_URL = 2048
_BAD_CHARS = re.compile(r"[\x00-\x20\x7f\\]")


def lcd_url_problem(url: object) -> str | None:
    """What is wrong with an LCD base URL, in words that never repeat the URL (it may hold a password)."""
    if not isinstance(url, str) or not url:
        return "must be an http(s) URL"
    if len(url) > MAX_URL:
        return f"is longer than {MAX_URL} characters"
    if _BAD_CHARS.search(url):
        return "holds spaces, backslashes or control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number in range)
    except ValueError:
        return "is not a well-formed URL"
    if parts.scheme not in ("http", "https"):
        return "must start with http:// or https://"
    if "@" in parts.netloc:
        return "must not carry credentials (user:password@); give the endpoint's plain address"
    if not parts.hostname:
        return "has no host name"
    if parts.query or parts.fragment or "?" in url or "#" in url:
        return "must not have a query (?...) or fragment (#...): it is a base URL"
    return None


def endpoint_id(network: Network, urls: Iterable[str] = ()) -> str:
    """Who answers for this network: what kept secrets and pinned consensus keys are scoped to.

    A built-in preset is its name (its URL list may change between versions); the chain this process launched
    is "embedded"; anything else is its exact set of URLs."""
    if network.launcher is not None:
        return f"embedded:{network.name}"
    if network.kind in PRESET_KINDS:
        return f"preset:{network.name}"
    return "urls:" + " ".join(sorted({u.rstrip("/") for u in (tuple(urls) or network.lcd_urls)}))
