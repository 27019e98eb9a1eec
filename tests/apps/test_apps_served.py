"""What the apps pack adds to the protocol, without a browser: `_meta.ui.resourceUri` on the tools that carry a
page, the `ui://` pages themselves (self-contained HTML), and the extension in the server's capabilities."""

from __future__ import annotations

import re

import pytest

from tests.helpers import connect, make_server

pytestmark = pytest.mark.anyio

PAGES = {"ui://secret/review", "ui://secret/portfolio", "ui://secret/validators", "ui://secret/proposal"}


async def test_tools_name_their_pages_and_the_pages_are_self_contained(mode):
    from secret_mcp.app import App

    server = make_server()
    app: App = server.secret_app
    writes = {name for name, reg in app.registry.tools.items()
              if reg.spec.writes_chain and name != "secret_confirm_transaction"}
    async with connect(server, mode) as client:
        tools = (await client.list_tools()).tools
        listed = {str(r.uri): r for r in (await client.list_resources()).resources}
        pages = {uri: (await client.read_resource(uri)).contents[0] for uri in PAGES}
        if mode == "auto":  # 2026-07-28 capabilities carry extensions (the SDK sends none in the handshake era)
            assert "io.modelcontextprotocol/ui" in (client.server_capabilities.extensions or {})
    meta = {t.name: t.meta["ui"]["resourceUri"] for t in tools if t.meta}
    assert {n for n, uri in meta.items() if uri == "ui://secret/review"} == writes and len(writes) >= 20
    assert {n: uri for n, uri in meta.items() if uri != "ui://secret/review"} == {
        "secret_get_balance": "ui://secret/portfolio", "secret_get_validators": "ui://secret/validators",
        "secret_get_proposal": "ui://secret/proposal"}
    assert "secret_confirm_transaction" not in meta and "secret_get_delegations" not in meta
    for uri, content in pages.items():
        assert listed[uri].mime_type == content.mime_type == "text/html;profile=mcp-app"
        html = content.text
        assert html.startswith("<!DOCTYPE html>") and "<!-- inline:" not in html
        # Nothing to fetch: no external script, style, image or frame, no URL to load anything from.
        assert not re.search(r"<(script|img|iframe|link)[^>]*\s(src|href)=", html, re.IGNORECASE), uri
        assert not re.search(r"\b(fetch|XMLHttpRequest|WebSocket|importScripts)\s*\(", html.replace(
            _chart_js(), "")), uri
        assert "innerHTML" not in html.replace(_chart_js(), "")  # chain text is set as text only
    assert "Chart.js v4.6.1" in pages["ui://secret/portfolio"].text and "Chart.js v4" not in pages["ui://secret/review"].text


def _chart_js() -> str:
    from importlib.resources import files

    return files("secret_mcp_apps").joinpath("web", "vendor", "chart.umd.min.js").read_text()


async def test_without_the_pack_nothing_changes(mode):
    async with connect(make_server(exclude=("apps",)), mode) as client:
        tools = (await client.list_tools()).tools
        resources = (await client.list_resources()).resources
    assert not any(t.meta for t in tools)
    assert not any(str(r.uri).startswith("ui://") for r in resources)
