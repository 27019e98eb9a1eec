"""Helpers for MCP-level tests: build a server, connect a client in a given era, call tools."""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
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


def shared_dir() -> str:
    return os.environ.get("SECRET_MCP_SHARED") or os.path.join(os.path.dirname(__file__), "..", "..", "shared")
