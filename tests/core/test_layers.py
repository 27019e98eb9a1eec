"""The core's layers (CONTRIBUTING.md, "Layers"): the import-linter contract in pyproject.toml is kept, every
core module sits in a layer, and the core has no import cycle, counting imports inside functions and under
TYPE_CHECKING (grimp, which import-linter uses, records both)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
# Package modules that sit in no layer because their children sit in different ones: they import nothing.
UNLAYERED = {"secret_mcp", "secret_mcp.security"}


def settings() -> dict:
    return tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]


def layer_modules() -> set[str]:
    (contract,) = [c for c in settings()["contracts"] if c["id"] == "core-layers"]
    return {m.strip() for layer in contract["layers"] for m in layer.replace("|", ":").split(":")}


def graph() -> grimp.ImportGraph:
    return grimp.build_graph("secret_mcp", cache_dir=None)


def cycles(g: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in g.find_modules_directly_imported_by(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(g.modules):
        if module not in index:
            visit(module)
    return found


def lint(config: Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    # In a child process: import-linter's command configures logging with dictConfig, which would switch off
    # every logger this test session already made.
    return subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
         f"sys.exit(lint_imports(config_filename={str(config)!r}, no_cache=True))"],
        cwd=cwd, env=env, capture_output=True, text=True,
    )


def test_layers_contract_is_kept():
    run = lint(PYPROJECT, ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 1 kept, 0 broken." in run.stdout


def test_every_core_module_is_in_a_layer():
    g = graph()
    declared = layer_modules()
    loose = sorted(m for m in g.modules if m not in UNLAYERED
                   and not any(m == d or m.startswith(d + ".") for d in declared))
    assert loose == [], f"add these to a layer in pyproject.toml [tool.importlinter]: {loose}"
    for package in UNLAYERED:  # unconstrained by the contract, so they must import nothing of the core
        assert g.find_modules_directly_imported_by(package) == set(), package


def test_no_import_cycle_in_the_core():
    g = graph()
    # The graph counts what the cycles hid behind: an import inside a function, one under TYPE_CHECKING.
    assert g.direct_import_exists(importer="secret_mcp.session", imported="secret_mcp.pool")  # in connect()
    assert g.direct_import_exists(importer="secret_mcp.context", imported="secret_mcp.security.services")  # typing
    assert cycles(g) == []


def test_the_contract_counts_imports_in_functions_and_under_type_checking(tmp_path):
    # The repo's own import-linter settings, on a two-layer package whose lower layer imports the higher one
    # only inside a function (low_fn) or only under TYPE_CHECKING (low_typing): both must break the contract.
    package = tmp_path / "probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "high.py").write_text("VALUE = 1\n")
    (package / "low_fn.py").write_text("def f():\n    from probe import high\n    return high.VALUE\n")
    (package / "low_typing.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from probe import high\n")
    options = {k: v for k, v in settings().items() if k not in ("root_package", "contracts")}
    for low in ("low_fn", "low_typing"):
        config = tmp_path / f"{low}.toml"
        lines = [f"{k} = {str(v).lower() if isinstance(v, bool) else repr(v)}" for k, v in options.items()]
        config.write_text(textwrap.dedent(f"""\
            [tool.importlinter]
            root_package = "probe"
            {chr(10).join(lines)}

            [[tool.importlinter.contracts]]
            name = "probe layers"
            type = "layers"
            layers = ["probe.high", "probe.{low}"]
            """))
        run = lint(config, tmp_path, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
        assert run.returncode == 1, (low, run.stdout, run.stderr)
        assert f"probe.{low} -> probe.high" in run.stdout, run.stdout
