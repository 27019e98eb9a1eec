"""The sandbox chain stands alone: it imports nothing of secret-mcp, its modules import each other in no cycle
(imports inside functions and under TYPE_CHECKING count), and its module list is the one place modules load from.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import secret_sandbox_chain
from secret_sandbox_chain import modules

ROOT = Path(__file__).resolve().parents[2]
CHAIN = ROOT / "plugins" / "sandbox-chain"
PACKAGE = "secret_sandbox_chain"


def lint_imports() -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "lint-imports"), str(CHAIN / "pyproject.toml"),
                           "--no-cache"], capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_import_linter_contracts_hold():
    done = lint_imports()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout, done.stdout


def cycles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """Each import a -> b of the chain from which a chain of imports leads back to a: (a, b, ..., a)."""
    found = []
    for importer in sorted(graph.find_descendants(PACKAGE) | {PACKAGE}):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if imported.startswith(PACKAGE) and graph.chain_exists(imported=importer, importer=imported):
                found.append((importer, *graph.find_shortest_chain(importer=imported, imported=importer)))
    return found


def chain_graph() -> grimp.ImportGraph:
    graph = grimp.build_graph(PACKAGE, include_external_packages=True, cache_dir=None)
    # modules.load() imports the listed modules by name (importlib): edges the static graph cannot see.
    for name in modules.MODULES:
        graph.add_import(importer=f"{PACKAGE}.modules", imported=f"{PACKAGE}.modules.{name}")
    return graph


def test_no_import_cycle_between_any_two_modules_of_the_chain():
    # Finer than the contract's siblings: every module against every other, packages' children included.
    graph = chain_graph()
    assert graph.find_modules_directly_imported_by(f"{PACKAGE}.chain") >= {f"{PACKAGE}.modules", f"{PACKAGE}.tx"}
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = chain_graph()
    graph.add_import(importer=f"{PACKAGE}.base", imported=f"{PACKAGE}.chain")  # as base.py once did
    found = cycles(graph)
    assert (f"{PACKAGE}.base", f"{PACKAGE}.chain", f"{PACKAGE}.base") in found


def test_the_chain_imports_nothing_of_secret_mcp():
    graph = chain_graph()
    outside = {m for m in graph.modules if not m.startswith(PACKAGE)}
    assert outside and not [m for m in outside if m.split(".")[0] in ("secret_mcp", "secret_mcp_sandbox")]
    # At run time too: a chain started, used and stopped in a fresh interpreter loads no secret-mcp module.
    code = ("import sys, httpx\nfrom secret_sandbox_chain import launch\n"
            "with launch() as server:\n"
            "    assert httpx.get(server.url + '/cosmos/base/tendermint/v1beta1/node_info').status_code == 200\n"
            "print(sorted(m for m in sys.modules if m.startswith('secret_mcp')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_every_module_file_is_listed_once():
    folder = Path(modules.__file__).parent
    files = sorted(p.stem for p in folder.glob("*.py") if p.stem not in ("__init__", "base"))
    assert sorted(modules.MODULES) == files and len(set(modules.MODULES)) == len(modules.MODULES)
    loaded = modules.load()
    assert [m.name for m in loaded][:2] == ["auth", "bank"] and len(loaded) == len(modules.MODULES)


@pytest.fixture
def broken_module(tmp_path, monkeypatch) -> str:
    """A module named in MODULES whose file fails while it is imported (a half-written module)."""
    (tmp_path / "halfdone.py").write_text("raise RuntimeError('half-written')\n")
    monkeypatch.setattr(modules, "__path__", [*modules.__path__, str(tmp_path)])
    monkeypatch.setattr(modules, "MODULES", (*modules.MODULES, "halfdone"))
    yield "halfdone"
    sys.modules.pop(f"{PACKAGE}.modules.halfdone", None)


def test_a_module_that_fails_to_import_stops_the_chain(broken_module):
    with pytest.raises(modules.ModuleLoadError, match="'halfdone' failed to import: RuntimeError"):
        with secret_sandbox_chain.launch():
            pass
    with pytest.raises(modules.ModuleLoadError, match="'no_such_module' failed to import"):
        modules.load(["auth", "no_such_module"])


@pytest.mark.anyio
async def test_through_mcp_a_broken_module_is_a_structured_error_naming_it(broken_module, mode, tmp_path, monkeypatch):
    # The server starts the sandbox chain on first use; a chain that cannot start answers that tool call, and the
    # next one, with NETWORK_START_FAILED naming the module, never a half chain.
    from tests.helpers import call_err, connect, make_server

    monkeypatch.setenv("SECRET_MCP_HOME", str(tmp_path))
    async with connect(make_server(network="sandbox"), mode) as client:
        for _ in range(2):
            err = await call_err(client, "secret_get_latest_block")
            assert err["code"] == "NETWORK_START_FAILED"
            assert "sandbox chain module 'halfdone' failed to import: RuntimeError('half-written')" in err["message"]


@pytest.mark.parametrize("command", [[sys.executable, "-m", "secret_sandbox_chain"],
                                     [str(Path(sys.executable).parent / "secret-sandbox-chain")]],
                         ids=["python -m", "script"])
def test_the_chain_runs_on_its_own(command):
    proc = subprocess.Popen([*command, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("Sandbox chain secret-sandbox-1 (simulated; tokens are worthless) at http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1].strip()
        import httpx

        info = httpx.get(f"{url}/sandbox/admin/info", timeout=10).json()
        assert info["chain_id"] == "secret-sandbox-1" and int(info["height"]) >= 1
    finally:
        proc.terminate()
        proc.wait(timeout=20)
