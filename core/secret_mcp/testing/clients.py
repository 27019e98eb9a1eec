"""An in-process MCP client on a server, in either protocol era, and the calls a test makes with it."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

# "auto": the 2026-07-28 era (server/discover, no handshake); "legacy": the handshake era (initialize).
# Anything interactive (elicitation, progress) must work in both: test with each.
MODES = ("auto", "legacy")


@asynccontextmanager
async def connect(server: Any, mode: str = "auto", **kwargs: Any) -> AsyncIterator[Any]:
    """An `mcp.Client` connected in memory (no subprocess, no port). kwargs go to the client, e.g.
    `elicitation_callback=accept`."""
    from mcp import Client

    async with Client(server, mode=mode, **kwargs) as client:
        yield client


async def call_ok(client: Any, name: str, args: dict | None = None, **kwargs: Any) -> dict:
    """Call a tool that must succeed; returns its structured result."""
    result = await client.call_tool(name, args or {}, **kwargs)
    assert not result.is_error, result.content[0].text
    assert result.structured_content is not None
    return result.structured_content


async def call_err(client: Any, name: str, args: dict | None = None, **kwargs: Any) -> dict:
    """Call a tool that must fail with a structured error; returns {"code", "message", "suggestions", ...}."""
    result = await client.call_tool(name, args or {}, **kwargs)
    assert result.is_error, f"expected an error, got {result.structured_content}"
    err = result.structured_content["error"]
    assert err["code"] and err["message"], err
    assert "Traceback" not in result.content[0].text
    return err


async def funded_wallet(client: Any, sandbox: Any, name: str = "w", uscrt: int = 50_000_000) -> str:
    """Create a wallet through the client (the wallet pack's tool; it becomes the active one), fund it from the
    sandbox faucet, and return its address. A fresh wallet per test keeps balance arithmetic exact."""
    out = await call_ok(client, "secret_create_wallet", {"name": name})
    address = out["wallet"]["address"]
    sandbox.faucet(address, uscrt)
    return address
