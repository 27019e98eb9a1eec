"""The plugin host and the core's tool wrapping, through a real MCP client in both protocol eras."""

from __future__ import annotations

import pytest

from secret_mcp.config import Config
from secret_mcp.plugins import PluginHost
from secret_mcp.registry import CollisionError
from secret_mcp.server import build_server

from secret_mcp.testing import call_err, call_ok, connect, plugin_host
from tests.core.packs import ClashPack, EchoPack

pytestmark = pytest.mark.anyio


def host_with(*packs: tuple[str, object]) -> PluginHost:
    return plugin_host(entry_points=False, register=packs)


def echo_server(**config):
    config.setdefault("network", "localsecret")  # preset only: these tools never touch the chain
    return build_server(Config(**config), host=host_with(("echo", EchoPack())))


async def test_tool_result_is_structured(mode):
    async with connect(echo_server(), mode) as client:
        out = await call_ok(client, "secret_echo", {"text": "hi"})
    assert out == {"text": "hi", "network": "localsecret"}


async def test_tools_list_has_schemas_and_annotations(mode):
    async with connect(echo_server(full_schemas=True), mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    echo, pay = tools["secret_echo"], tools["secret_fake_pay"]
    assert echo.input_schema["properties"]["text"]["description"] == "What to echo"
    assert "secret_mcp_context" not in echo.input_schema["properties"]
    assert echo.output_schema["properties"]["network"]["type"] == "string"
    assert echo.annotations.read_only_hint is True and echo.annotations.destructive_hint is False
    assert pay.annotations.read_only_hint is False and pay.annotations.destructive_hint is True
    assert pay.annotations.idempotent_hint is False


async def test_expected_error_is_structured(mode):
    async with connect(echo_server(), mode) as client:
        err = await call_err(client, "secret_fail_expected")
    assert err == {"code": "FAKE_FAILURE", "message": "this always fails", "suggestions": ["do something else"]}


async def test_unexpected_error_hides_internals(mode):
    async with connect(echo_server(), mode) as client:
        result = await client.call_tool("secret_fail_unexpected", {})
    assert result.is_error
    assert result.structured_content["error"]["code"] == "INTERNAL_ERROR"
    text = " ".join(c.text for c in result.content)
    assert ".secret" not in text and "RuntimeError" not in text


async def test_read_only_drops_writing_tools(mode):
    async with connect(echo_server(read_only=True), mode) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert "secret_echo" in names and "secret_fake_pay" not in names


def test_collision_names_both_packs():
    host = host_with(("echo", EchoPack()), ("clash", ClashPack()))
    with pytest.raises(CollisionError) as info:
        build_server(Config(network="localsecret"), host=host)
    assert "'echo'" in str(info.value) and "'clash'" in str(info.value)


def test_hook_secret_mcp_register():
    host = host_with(("echo", EchoPack()))
    from secret_mcp.app import App

    app = App(Config(network="localsecret"), host)
    assert app.registry.tools_of("echo") == [
        "secret_echo", "secret_fail_expected", "secret_fail_unexpected", "secret_fake_pay"
    ]


def test_hook_secret_mcp_networks():
    from secret_mcp import hookimpl
    from secret_mcp.app import App
    from secret_mcp.networks import Network

    class Extra:
        @hookimpl
        def secret_mcp_networks(self):
            return [Network(name="devnet", chain_id="dev-7", lcd_urls=("http://127.0.0.1:9",), kind="local")]

    app = App(Config(network="devnet"), host_with(("extra", Extra())))
    assert set(app.networks) >= {"mainnet", "testnet", "localsecret", "devnet"}
    assert app.session.network.chain_id == "dev-7"
    assert app.networks["mainnet"].chain_id == "secret-4" and len(app.networks["mainnet"].lcd_urls) >= 2


async def test_hook_secret_mcp_session_started_and_secret_mcp_session_ended():
    from secret_mcp import hookimpl

    seen: list[str] = []

    class Watcher:
        @hookimpl
        def secret_mcp_session_started(self, session):
            seen.append(f"start:{session.network.name}")

        @hookimpl
        def secret_mcp_session_ended(self, session):
            seen.append("end")

    host = host_with(("echo", EchoPack()), ("watch", Watcher()))
    async with connect(build_server(Config(network="localsecret"), host=host)) as client:
        await call_ok(client, "secret_echo", {"text": "x"})
        assert seen == ["start:localsecret"]
    assert seen == ["start:localsecret", "end"]


async def test_hook_secret_mcp_session_ended_once_after_last_client():
    from secret_mcp import hookimpl

    ended: list[int] = []

    class Watcher:
        @hookimpl
        def secret_mcp_session_ended(self, session):
            ended.append(1)

    server = build_server(Config(network="localsecret"), host=host_with(("w", Watcher())))
    async with connect(server) as first:
        async with connect(server, "legacy") as second:
            await second.list_tools()
        assert ended == []  # another client is still connected
        await first.list_tools()
    assert ended == [1]




def test_hook_secret_mcp_authorize():
    from secret_mcp import hookimpl
    from secret_mcp.app import App
    from secret_mcp.errors import SecretMCPError
    from secret_mcp.policy import TxRequest, authorize

    class NoBigSends:
        @hookimpl
        def secret_mcp_authorize(self, request):
            if any(amount > 1000 for _denom, amount in request.amounts):
                return "amount above 1000"
            return None

    app = App(Config(network="localsecret"), host_with(("limits", NoBigSends())))
    small = TxRequest("t", "localsecret", "secretdev-1", "secret1x", (), amounts=(("uscrt", 10),))
    authorize(app, small)  # allowed: no exception
    with pytest.raises(SecretMCPError) as info:
        authorize(app, TxRequest("t", "localsecret", "secretdev-1", "secret1x", (), amounts=(("uscrt", 5000),)))
    assert info.value.code == "POLICY_REFUSED" and "amount above 1000" in info.value.message
    assert info.value.details == {"plugin": "limits"}


def test_hook_secret_mcp_tx_completed():
    from secret_mcp import hookimpl
    from secret_mcp.app import App
    from secret_mcp.policy import TxOutcome, TxRequest, tx_completed

    got = []

    class Audit:
        @hookimpl
        def secret_mcp_tx_completed(self, result):
            got.append((result.txhash, result.status))

    app = App(Config(network="localsecret"), host_with(("audit", Audit())))
    req = TxRequest("t", "localsecret", "secretdev-1", "secret1x", ())
    tx_completed(app, TxOutcome(req, "ABC", 5, 0, "success"))
    assert got == [("ABC", "success")]


async def test_invalid_arguments_are_structured_and_do_not_echo_values(mode):
    async with connect(echo_server(), mode) as client:
        err = await call_err(client, "secret_fake_pay", {"amount": "twelve words of a secret phrase"})
        missing = await call_err(client, "secret_echo", {})
    assert err["code"] == "INVALID_INPUT" and err["details"]["fields"] == ["amount"]
    assert "secret phrase" not in err["message"]
    assert missing["code"] == "INVALID_INPUT" and missing["details"]["fields"] == ["text"]


async def test_unknown_tool_is_structured(mode):
    async with connect(echo_server(), mode) as client:
        err = await call_err(client, "secret_nope")
    assert err["code"] == "UNKNOWN_TOOL"
