"""Sessions: `nox -s tests` (the whole suite), `nox -s demo` (the main job on the sandbox), `nox -s bench`."""

from __future__ import annotations

from pathlib import Path

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True
ROOT = Path(__file__).parent
# Every pack, and the sandbox chain (plugins/sandbox-chain: not a pack, the sandbox pack depends on it).
PLUGIN_DISTS = sorted(str(p) for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").exists())


def install_project(session: nox.Session) -> None:
    editable = ["-e", str(ROOT / "core")]
    for folder in PLUGIN_DISTS:
        editable += ["-e", folder]
    session.install(*editable, "-e", str(ROOT))


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Install the core and every pack, then run the whole test suite."""
    install_project(session)
    session.install("-r", str(ROOT / "tests" / "requirements.txt"))
    # tests/secretjs: the fidelity proof runs a client nobody here wrote.
    # tests/conformance: Node 22, the MCP conformance suite and the inspector CLI.
    for js in (ROOT / "tests" / "secretjs", ROOT / "tests" / "conformance"):
        if (js / "package-lock.json").exists():
            with session.chdir(js):
                session.run_install("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", external=True)
    session.run("pytest", *session.posargs)


@nox.session(python="3.11")
def demo(session: nox.Session) -> None:
    """Start the embedded sandbox and run a scripted MCP session against it."""
    install_project(session)
    session.run("secret-mcp", "demo", *session.posargs)


@nox.session(python="3.11")
def serve(session: nox.Session) -> None:
    """Run the stdio server on the sandbox (for an MCP client or the inspector)."""
    install_project(session)
    session.run("secret-mcp", "serve", *session.posargs)


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Benchmarks of issue 9; every figure, its target and PASS/MISS go to bench-results/report.{json,md}.

    `nox -s bench -- --smoke` runs tiny sizes (what tests/bench does in CI): a check that they run, not figures.
    """
    install_project(session)
    out = ROOT / "bench-results"
    for stale in out.glob("part-*.json"):  # the report is rebuilt from this run's parts only
        stale.unlink()
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        session.run("python", str(script), "--out", str(out), *session.posargs)
    session.log(f"report: {out / 'report.md'}")
