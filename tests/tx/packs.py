"""In-process test plugins (never installed): a batch tool on the pipeline API, and a racing second signer."""

from __future__ import annotations

from typing import Any

import anyio
from pydantic import BaseModel
from secret_sdk.protobuf.cosmos.bank.v1beta1 import MsgSend
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin

from secret_mcp import hookimpl
from secret_mcp.config import Config
from secret_mcp.context import ToolContext
from secret_mcp.plugins import PluginHost
from secret_mcp.server import build_server
from secret_mcp.tools import tool
from secret_mcp.amounts import Amount
from secret_mcp.tx import Plan, TxResult
from secret_mcp.tx.chain import TXS


class Send(BaseModel):
    to: str
    uscrt: int
    denom: str = "uscrt"


class BatchPack:
    """secret_test_batch: several MsgSends as ONE transaction, the way the staking/contracts packs will call it."""

    @hookimpl
    def secret_mcp_register(self, registry: Any) -> None:
        @tool(effect="moves_funds", needs_wallet=True)
        async def secret_test_batch(ctx: ToolContext, sends: list[Send], gas: int | None = None,
                                    declare_amounts: bool = True) -> Plan[TxResult]:
            """Send several transfers in one transaction (test only)."""
            me = ctx.session.active_wallet_address()
            msgs = [MsgSend(from_address=me, to_address=s.to, amount=[Coin(denom=s.denom, amount=str(s.uscrt))])
                    for s in sends]
            amounts = [Amount(s.denom, s.uscrt) for s in sends] if declare_amounts else []
            return Plan(f"{len(msgs)} sends", msgs, amounts=amounts, receivers=[s.to for s in sends], gas=gas)

        registry.tool(secret_test_batch)


class Racer:
    """Before each of our first `times` broadcasts, another client signs and commits a tx from the same key,
    so our signed sequence is stale exactly as when two programs share a wallet."""

    def __init__(self, sandbox: Any, key: Any, times: int = 1) -> None:
        self.sandbox, self.key, self.left = sandbox, key, times
        self.hashes: list[str] = []

    def _race(self) -> None:
        from secret_sandbox_chain.testing import send_tx

        to = "secret1ajz54hz8azwuy34qwy9fkjnfcrvf0dzswy0lqq"
        msg = MsgSend(from_address=self.key.acc_address, to_address=to, amount=[Coin(denom="uscrt", amount="1")])
        self.hashes.append(send_tx(self.sandbox, self.key, [msg], gas=100_000, fee_uscrt=1250)["tx_response"]["txhash"])

    @hookimpl
    def secret_mcp_client_pool_created(self, pool: Any, network: Any) -> None:
        original = pool.post

        async def post(path: str, json: Any, **kw: Any) -> dict:
            if path == TXS and self.left > 0:
                self.left -= 1
                await anyio.to_thread.run_sync(self._race)
            return await original(path, json, **kw)

        pool.post = post


class Blackout:
    """The node commits our broadcast, never answers it, then goes down: the outcome cannot be known."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox

    @hookimpl
    def secret_mcp_client_pool_created(self, pool: Any, network: Any) -> None:
        original = pool.post

        async def post(path: str, json: Any, **kw: Any) -> dict:
            if path != TXS:
                return await original(path, json, **kw)
            self.sandbox.set_faults(drop_next_broadcast=True)
            try:
                return await original(path, json, **kw)
            finally:
                self.sandbox.set_faults(down=True)

        pool.post = post


def server_with(sandbox: Any, *plugins: tuple[str, Any], **config: Any) -> tuple[Any, PluginHost]:
    """A full server (every installed pack) on this sandbox, plus in-process test plugins."""
    host = PluginHost()
    for name, plugin in plugins:
        host.register(plugin, name)
    cfg = Config(network="sandbox", lcd_urls=(sandbox.url,), chain_id=sandbox.chain.chain_id, **config)
    return build_server(cfg, host=host), host
