"""The pack boundary: first-party packs import the core only through `secret_mcp.api` and never reach `ctx.app`;
every name the API lists resolves, is documented, and importing the API loads nothing else of the core."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from secret_mcp.api import ToolContext, hookimpl, tool

from secret_mcp.testing import call_err, call_ok, connect, make_server

ROOT = Path(__file__).resolve().parents[2]
# `import secret_mcp` alone is allowed (the sandbox imports it first for its warning filter), and these two names.
TOP_LEVEL_OK = {"hookimpl", "__version__"}
TESTING_SECTION = "## Testing your pack"  # docs/pack-api.md: the API reference above it, secret_mcp.testing below


def pack_modules() -> list[Path]:
    found = [p for pattern in ("plugins/*/secret_mcp_*/**/*.py", "examples/*/secret_mcp_*/**/*.py")
             for p in ROOT.glob(pattern)]
    return sorted(p for p in found if ".egg-info" not in p.as_posix())


def _core_module(name: str) -> bool:
    return name == "secret_mcp" or name.startswith("secret_mcp.")


def _is_ctx(node: ast.expr) -> bool:
    # `ctx.app` and `self.ctx.app` alike
    return (isinstance(node, ast.Name) and node.id == "ctx") or (isinstance(node, ast.Attribute) and node.attr == "ctx")


def offences(source: str) -> list[str]:
    """What in this module crosses the boundary, one line each."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [f"{node.lineno}: import {a.name}" for a in node.names
                    if _core_module(a.name) and a.name not in ("secret_mcp", "secret_mcp.api")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and _core_module(node.module):
            if node.module == "secret_mcp":
                out += [f"{node.lineno}: from secret_mcp import {a.name}" for a in node.names
                        if a.name not in TOP_LEVEL_OK]
            elif node.module != "secret_mcp.api":
                out.append(f"{node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            target = node.args[0].value
            if name in ("import_module", "__import__") and isinstance(target, str) and _core_module(target) \
                    and target not in ("secret_mcp", "secret_mcp.api"):
                out.append(f"{node.lineno}: {name}({target!r})")
        elif isinstance(node, ast.Attribute) and node.attr == "app" and _is_ctx(node.value):
            out.append(f"{node.lineno}: ctx.app")
    return out


def test_there_are_packs_to_check():
    names = {p.relative_to(ROOT).parts[1] for p in pack_modules()}
    assert {"bank", "tokens", "sandbox", "wallet", "secret-mcp-swap"} <= names


@pytest.mark.parametrize("path", pack_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_pack_uses_only_the_pack_api(path: Path):
    assert offences(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("source, expected", [
    ("from secret_mcp.tx import Plan", ["1: from secret_mcp.tx import ..."]),
    ("import secret_mcp.security.keystore", ["1: import secret_mcp.security.keystore"]),
    ("from secret_mcp import ToolContext", ["1: from secret_mcp import ToolContext"]),
    ("def f():\n    from secret_mcp.contracts import query", ["2: from secret_mcp.contracts import ..."]),
    ("importlib.import_module('secret_mcp.security')", ["1: import_module('secret_mcp.security')"]),
    ("def f(ctx):\n    return ctx.app.networks", ["2: ctx.app"]),
    ("def f(self):\n    return self.ctx.app", ["2: ctx.app"]),
    ("import secret_mcp\nfrom secret_mcp import hookimpl, __version__\nfrom secret_mcp.api import tool\n"
     "import secret_mcp_sandbox.chain\nfrom .app import x\napp.run()", []),
])
def test_the_check_catches_each_way_across(source: str, expected: list[str]):
    assert offences(source) == expected


def test_every_api_name_resolves_and_is_documented():
    import secret_mcp.api as api

    assert len(api.__all__) == len(set(api.__all__))
    missing = [name for name in api.__all__ if getattr(api, name, None) is None]
    assert missing == []
    reference, _, _ = (ROOT / "docs" / "pack-api.md").read_text(encoding="utf-8").partition(TESTING_SECTION)
    documented = set(re.findall(r"^- `(\w+)`:", reference, re.MULTILINE))
    assert documented == set(api.__all__)
    with pytest.raises(AttributeError):
        api.for_app  # noqa: B018  (the core's own helpers are not part of the API)


def test_every_testing_name_and_fixture_is_documented():
    import secret_mcp.testing as testing

    _, found, section = (ROOT / "docs" / "pack-api.md").read_text(encoding="utf-8").partition(TESTING_SECTION)
    assert found
    documented = set(re.findall(r"^- `(\w+)", section, re.MULTILINE))
    fixtures = {"sandbox", "mode", "home", "secret_mcp_session_home"}
    assert documented == set(testing.__all__) | fixtures
    assert all(hasattr(testing, name) for name in fixtures)  # the plugin module itself offers them


def test_importing_the_api_loads_nothing_else_of_the_core():
    code = "import sys, secret_mcp.api; print(' '.join(sorted(m for m in sys.modules if m.startswith('secret_mcp'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["secret_mcp", "secret_mcp.api"]


# -- the context methods that replace `ctx.app`, through a real client ---------------------------------------

class Seen(BaseModel):
    calls: int
    wallets: list[str]
    presets: list[str]
    resolved: str


# Written as a third-party pack would be: the pack API only.
@tool()
async def secret_state_probe(ctx: ToolContext, network: str = "localsecret") -> Seen:
    """Count this server's calls in pack state and report what the context reaches."""
    counter = ctx.pack_state("probe", lambda: {"calls": 0})
    counter["calls"] += 1
    return Seen(calls=counter["calls"], wallets=sorted(ctx.keystore.wallets), presets=sorted(ctx.networks),
                resolved=ctx.resolve_network(network).chain_id)


class ProbePack:
    @hookimpl
    def secret_mcp_register(self, registry):
        registry.add_tools(secret_state_probe)


def _probe_server():
    # the installed packs too: their network presets
    return make_server(register={"probe": ProbePack()}, network="localsecret")


@pytest.mark.anyio
async def test_pack_state_is_per_server_and_context_reaches_keystore_and_networks(mode):
    first, second = _probe_server(), _probe_server()
    async with connect(first, mode) as a, connect(second, mode) as b:
        assert (await call_ok(a, "secret_state_probe"))["calls"] == 1
        again = await call_ok(a, "secret_state_probe", {"network": "sandbox"})
        other = await call_ok(b, "secret_state_probe")
        err = await call_err(a, "secret_state_probe", {"network": "no-such-net"})
    assert again["calls"] == 2 and other["calls"] == 1  # kept per server, not shared between them
    assert {"mainnet", "localsecret", "sandbox"} <= set(again["presets"])
    assert again["resolved"] == "secret-sandbox-1" and other["resolved"] == "secretdev-1"
    assert again["wallets"] == []  # the keystore of a fresh home
    assert err["code"] == "UNKNOWN_NETWORK"


def test_web_asset_gives_the_cores_browser_files_and_nothing_else():
    from secret_mcp.api import web_asset
    from secret_mcp_apps.pages import page

    script = web_asset("review.js")
    assert "export function renderReview" in script
    # The apps' review card inlines the very file the wallet signing page loads: one renderer.
    assert script in page("review") and web_asset("review.css") in page("review")
    for bad in ("../api.py", "web/review.js", ".hidden", "", "nothing.js"):
        with pytest.raises(ValueError):
            web_asset(bad)
