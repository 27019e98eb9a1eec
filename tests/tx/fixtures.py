"""Shared by the tx-pipeline and pack tests: one sandbox chain per module, funded fresh wallets, confirmations.

Each test gets its own wallet funded by the sandbox faucet, so balance arithmetic is exact whatever ran before.
"""

from __future__ import annotations

from typing import Any

import pytest
from mcp.types import ElicitResult

from tests.helpers import call_ok, make_server

A = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"
B = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne"
C = "secret1ajz54hz8azwuy34qwy9fkjnfcrvf0dzswy0lqq"
MNEMONIC_A = ("grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer "
              "fiber love must tape steak together observe swap guitar")


@pytest.fixture(scope="module")
def sandbox():
    from secret_sandbox_chain import launch

    with launch(port=0) as server:
        yield server


@pytest.fixture
def home(tmp_path, monkeypatch):
    # A fresh audit log and spending window per test.
    monkeypatch.setenv("SECRET_MCP_HOME", str(tmp_path))
    return tmp_path


def server_on(sandbox: Any, **config: Any) -> Any:
    """A secret-mcp server whose sandbox network is this already running chain."""
    config.setdefault("network", "sandbox")
    config.setdefault("lcd_urls", (sandbox.url,))
    # The cache stays on (in the per-test home): reads after a send must see it, so invalidation is tested too.
    return make_server(chain_id=sandbox.chain.chain_id, **config)


async def accept(_ctx: Any, _params: Any) -> ElicitResult:
    return ElicitResult(action="accept", content={"confirm": True})


async def decline(_ctx: Any, _params: Any) -> ElicitResult:
    return ElicitResult(action="decline")


def recording(answer: Any) -> tuple[Any, list[str]]:
    """An elicitation callback that keeps each preview the person is shown, then answers with `answer`."""
    shown: list[str] = []

    async def callback(ctx: Any, params: Any) -> ElicitResult:
        shown.append(params.message)
        return await answer(ctx, params)

    return callback, shown


async def funded_wallet(client: Any, sandbox: Any, name: str = "w", uscrt: int = 50_000_000) -> str:
    """Create a wallet through the MCP client (it becomes active) and fund it from the faucet."""
    out = await call_ok(client, "secret_create_wallet", {"name": name})
    address = out["wallet"]["address"]
    sandbox.faucet(address, uscrt)
    return address


def balance(sandbox: Any, address: str, denom: str = "uscrt") -> int:
    from secret_sandbox_chain.testing import balance as lcd_balance

    return lcd_balance(sandbox.url, address, denom)


def sequence(sandbox: Any, address: str) -> int:
    """The account's sequence as the chain has it: how many transactions it signed."""
    from secret_sandbox_chain.testing import account

    return int(account(sandbox.url, address)["sequence"])
