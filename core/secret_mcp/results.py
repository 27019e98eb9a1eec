"""Turning tool outcomes into MCP results: structured success, or an isError result with the error model."""

from __future__ import annotations

import json
from typing import Any

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from .errors import SecretMCPError


def success(value: Any, notice: str | None = None) -> CallToolResult:
    data = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    content = [TextContent(type="text", text=json.dumps(data, ensure_ascii=False))]
    if notice:
        content.append(TextContent(type="text", text=notice))
    return CallToolResult(content=content, structured_content=data)


def failure(error: SecretMCPError) -> CallToolResult:
    body = error.to_dict()
    lines = [f"Error {error.code}: {body['message']}"]  # the shortened texts (errors.shorten), as in the body
    lines += [f"- {s}" for s in body["suggestions"]]
    return CallToolResult(
        content=[TextContent(type="text", text="\n".join(lines))],
        structured_content={"error": body},
        is_error=True,
    )


INTERNAL = SecretMCPError(
    "INTERNAL_ERROR",
    "The server hit an unexpected error; nothing was sent to the chain by this call.",
    ["Try again; if it persists, report it with the server log (stderr)."],
)
