"""Network presets: what a network is called, where its LCD endpoints are, and how it behaves."""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Callable, Literal

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
