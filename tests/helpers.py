"""Helpers for MCP-level tests: build a server, connect a client in a given era, call tools."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator


def make_server(**config: Any) -> Any:
    from secret_mcp.config import Config
    from secret_mcp.server import build_server

    return build_server(Config(**config))


@asynccontextmanager
async def connect(server: Any, mode: str = "auto", **kwargs: Any) -> AsyncIterator[Any]:
    from mcp import Client

    async with Client(server, mode=mode, **kwargs) as client:
        yield client


async def call_ok(client: Any, name: str, args: dict | None = None, **kwargs: Any) -> dict:
    result = await client.call_tool(name, args or {}, **kwargs)
    assert not result.is_error, result.content[0].text
    assert result.structured_content is not None
    return result.structured_content


async def call_err(client: Any, name: str, args: dict | None = None, **kwargs: Any) -> dict:
    result = await client.call_tool(name, args or {}, **kwargs)
    assert result.is_error, f"expected an error, got {result.structured_content}"
    err = result.structured_content["error"]
    assert err["code"] and err["message"], err
    assert "Traceback" not in result.content[0].text
    return err


FIXTURES = Path(__file__).resolve().parent / "fixtures"  # reference data the tests compare against, kept in the repo


def fixture_json(*parts: str) -> Any:
    """A JSON file under tests/fixtures, e.g. fixture_json("lcd", "bank_balances_SYNTHETIC.json")."""
    return json.loads(FIXTURES.joinpath(*parts).read_text())
