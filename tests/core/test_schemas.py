"""What tools/list advertises: compact schemas by default, pydantic's full ones with `full_schemas = true`."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
import pytest
from pydantic import BaseModel, Field, create_model

from secret_mcp import schemas
from secret_mcp.config import Config
from secret_mcp.plugins import PluginHost
from secret_mcp.server import build_server

from tests.core.packs import EchoPack
from tests.helpers import call_err, call_ok, connect, make_server


class Item(BaseModel):
    title: str = Field(description="A property that happens to be called title")
    weight: Annotated[str, Field(max_length=8)]


class Shared(BaseModel):
    code: int


def pydantic_schema() -> dict:
    model = create_model(
        "toolArguments",
        items=(Annotated[list[Item], Field(min_length=1, max_length=4, description="Items")], ...),
        left=(Shared | None, None),
        right=(Shared | None, None),
        gas=(Annotated[int | None, Field(gt=0, le=100, description="Gas")], None),
        memo=(Annotated[str, Field(max_length=256)], ""),
        port=(str, "transfer"),
        msg=(dict, ...),
        query=(dict[str, Any] | str, ...),
        maybe=(dict[str, Any] | str | None, None),
        either=(Shared | str, "x"),
    )
    return model.model_json_schema()


def test_compact_input_schema():
    out = schemas.input_schema(pydantic_schema(), full=False)
    props = out["properties"]
    assert "title" not in out and all("title" not in p for p in props.values())
    item = props["items"]["items"]  # Item was used once: inlined, with its property named "title" kept
    assert item["properties"]["title"] == {"description": "A property that happens to be called title", "type": "string"}
    assert item["properties"]["weight"] == {"type": "string"}  # bounds are enforced, not advertised
    assert props["items"] == {"description": "Items", "items": item, "type": "array"}
    assert props["gas"] == {"type": "integer", "description": "Gas"}  # optional: leave it out rather than null
    assert props["left"] == {"$ref": "#/$defs/Shared"} and set(out["$defs"]) == {"Shared"}  # used twice: kept
    assert props["memo"] == {"type": "string"} and props["port"] == {"default": "transfer", "type": "string"}
    assert props["msg"] == {"type": "object"}
    # Other unions stay anyOf branches of one type each, never a list of types (less portable: Gemini's dialect).
    assert props["query"] == {"anyOf": [{"type": "object"}, {"type": "string"}]}
    assert props["maybe"] == {"anyOf": [{"type": "object"}, {"type": "string"}]}
    assert props["either"] == {"anyOf": [{"$ref": "#/$defs/Shared"}, {"type": "string"}], "default": "x"}
    assert out["required"] == ["items", "msg", "query"] and out["type"] == "object"


def test_full_input_schema_only_loses_titles():
    original = pydantic_schema()
    out = schemas.input_schema(original, full=True)
    assert "title" not in out and "title" not in out["properties"]["gas"]
    assert out["properties"]["gas"]["anyOf"][0] == {"exclusiveMinimum": 0, "maximum": 100, "type": "integer"}
    assert out["$defs"]["Item"]["properties"]["title"]["description"].startswith("A property")
    assert "Item" in out["$defs"] and "title" in original  # the input is not modified


def echo_server(**config):
    host = PluginHost(load_entrypoints=False)
    host.register(EchoPack(), "echo")
    return build_server(Config(network="localsecret", **config), host=host)


@pytest.mark.anyio
async def test_default_listing_is_compact_and_results_stay_structured(mode):
    async with connect(echo_server(), mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        out = await call_ok(client, "secret_echo", {"text": "hi"})
    echo, pay = tools["secret_echo"], tools["secret_fake_pay"]
    assert echo.output_schema is None and pay.output_schema is None
    assert echo.input_schema == {
        "properties": {"text": {"description": "What to echo", "type": "string"}}, "required": ["text"], "type": "object",
    }
    assert echo.annotations.read_only_hint is True and echo.annotations.title is None
    assert echo.annotations.destructive_hint is None  # meaningless for a read (spec), so not sent
    assert pay.annotations is None  # a chain write: readOnly=false, destructive=true... are the spec's defaults
    assert echo.title is None and pay.title is None  # display only; clients show the name
    assert out == {"text": "hi", "network": "localsecret"}


@pytest.mark.anyio
async def test_full_schemas_advertise_output_without_titles(mode):
    async with connect(echo_server(full_schemas=True), mode) as client:
        echo = {t.name: t for t in (await client.list_tools()).tools}["secret_echo"]
        out = await call_ok(client, "secret_echo", {"text": "hi"})
    assert echo.output_schema["properties"] == {"text": {"type": "string"}, "network": {"type": "string"}}
    assert echo.annotations.idempotent_hint is True and echo.annotations.open_world_hint is True
    assert echo.title == "Echo" and echo.annotations.title == "Echo"
    assert out == {"text": "hi", "network": "localsecret"}


@pytest.mark.anyio
async def test_unadvertised_bounds_are_still_enforced(mode):
    server = make_server(network="localsecret")
    async with connect(server, mode) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}["secret_get_account_transactions"]
        err = await call_err(client, "secret_get_account_transactions", {"limit": 500})
    assert "maximum" not in listed.input_schema["properties"]["limit"]
    assert err["code"] == "INVALID_INPUT" and "limit" in err["message"] and "100" in err["message"]


# Figure 3's target (benchmarks/bench_startup.py measures the same bytes); the model reads all of it every time.
# MCP Apps add `_meta.ui.resourceUri` to the 24 tools that carry a page (plugins/apps): 1,257 bytes; the grants
# pack's three tools (issue 18), with the review card's _meta on its two write tools: 989 bytes.
# +345: wallet signing (issue 17): secret_submit_signed_transaction (with its apps meta) and import's signer.
# +85 measured once all three were merged (the signer argument's text and the review _meta together).
TOOLS_LIST_BUDGET = 25 * 1024 + 1260 + 989 + 345 + 85


@pytest.mark.anyio
async def test_every_pack_lists_within_budget_and_the_cli_shows_the_same(mode):
    from mcp.types import ListToolsResult

    from secret_mcp.cli import describe_tools

    async with connect(make_server(), mode) as client:
        listed = (await client.list_tools()).tools
    size = len(ListToolsResult(tools=listed).model_dump_json(by_alias=True, exclude_none=True).encode())
    assert len(listed) > 60 and size <= TOOLS_LIST_BUDGET, f"tools/list is {size} bytes with {len(listed)} tools"
    # `secret-mcp tools --json` shows each tool as sent, plus where it comes from.
    extra = {"plugin", "effect", "needs_wallet", "networks"}
    described = await anyio.to_thread.run_sync(describe_tools, PluginHost(), Config())  # the CLI runs its own loop
    rows = {row["name"]: {k: v for k, v in row.items() if k not in extra} for row in described}
    assert rows == {t.name: t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in listed}
    for tool in listed:  # truthful: every advertised argument still exists, with a type, an enum or a $ref
        for name, prop in tool.input_schema.get("properties", {}).items():
            assert {"type", "enum", "$ref", "anyOf"} & set(prop), (tool.name, name)


def test_full_schemas_from_the_environment_and_file(tmp_path):
    from secret_mcp.config import load_config

    toml = tmp_path / "config.toml"
    toml.write_text("full_schemas = true\n")
    assert load_config({}, env={}, path=toml).full_schemas is True
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert load_config({}, env={"SECRET_MCP_FULL_SCHEMAS": "true"}, path=empty).full_schemas is True
    assert Config().full_schemas is False
