"""Every sdist and wheel, built as the release workflow builds them (scripts/build_dists.py), checked, and a subset
installed into a fresh virtual environment where `secret-mcp` must offer exactly those packs' tools.

About a minute on an idle 2-core machine: the builds run without isolation (setuptools>=77 is in the test
environment: the core pins setuptools<81, so it has 80.x), the fresh environment's dependencies come from
pip's cache. Deselect with `-m "not dists"`.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.dists


def _load_script():
    spec = importlib.util.spec_from_file_location("build_dists", ROOT / "scripts" / "build_dists.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_dists = _load_script()
FOLDERS = build_dists.distributions(examples=True)
NAMES = [build_dists.project(folder)["name"] for folder in FOLDERS]
SUBSET = ["secret-mcp-core", "secret-mcp-network", "secret-mcp-bank", "secret-mcp-wallet", "secret-mcp-sandbox",
          "secret-sandbox-chain"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """{distribution name: {"sdist": path, "wheel": path}} for every distribution, examples included."""
    out = tmp_path_factory.mktemp("dists")
    # The release workflow's command (.github/workflows/release.yml), plus the example and no isolation.
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_dists.py"), "--out", str(out), "--check",
                           "--expect-version", "0.1.0", "--examples", "--no-isolation"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-5000:]
    found: dict[str, dict[str, Path]] = {}
    for path in sorted(out.iterdir()):
        found.setdefault(build_dists.inspect(path)["name"], {})["wheel" if path.suffix == ".whl" else "sdist"] = path
    return found


def _all(built) -> list[Path]:
    return [path for kinds in built.values() for path in kinds.values()]


def test_every_distribution_has_an_sdist_and_a_wheel(built):
    # The meta-package, the core, 15 packs, the sandbox chain, the example.
    assert sorted(built) == sorted(NAMES) and len(NAMES) == 19
    assert all(set(kinds) == {"sdist", "wheel"} for kinds in built.values())
    assert all(build_dists.inspect(p)["version"] == "0.1.0" for p in _all(built))


def test_twine_check_strict_passes(built):
    done = build_dists.twine_check(_all(built))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2 * len(NAMES)


def test_contents_license_readme_and_no_stray_files(built):
    assert build_dists.problems(_all(built)) == []
    license_text = (ROOT / "LICENSE").read_bytes()
    for name, kinds in built.items():
        sdist = build_dists.inspect(kinds["sdist"])
        top = sdist["files"][0].split("/", 1)[0]
        assert {f"{top}/LICENSE", f"{top}/README.md", f"{top}/pyproject.toml", f"{top}/PKG-INFO"} <= set(sdist["files"])
        wheel = build_dists.inspect(kinds["wheel"])
        assert list(wheel["licenses"].values()) == [license_text], name
        assert not [f for f in wheel["files"] + sdist["files"] if "/tests/" in f"/{f}" or "__pycache__" in f]


def test_the_core_wheel_carries_the_signing_page(built):
    """The wallet signing page is served from the installed package (secret_mcp/web), never from the network."""
    files = set(build_dists.inspect(built["secret-mcp-core"]["wheel"])["files"])
    assert {f"secret_mcp/web/{n}" for n in ("sign.html", "sign.js", "sign.css", "review.js", "review.css")} <= files


def test_the_release_workflow_publishes_this_build():
    workflow = (ROOT / ".github" / "workflows" / "release.yml").read_text()
    assert "python scripts/build_dists.py --out dist --check" in workflow
    assert "pypa/gh-action-pypi-publish@release/v1" in workflow and "id-token: write" in workflow


def test_the_script_refuses_a_folder_with_old_files(tmp_path):
    (tmp_path / "secret_mcp-0.0.9-py3-none-any.whl").write_bytes(b"old")
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_dists.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "is not empty" in done.stderr


def test_the_checker_finds_what_is_wrong(tmp_path):
    # A wheel without a license, a readme or entry points, with a cached .pyc and a test: each one is reported.
    bad = tmp_path / "bad-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("bad-0.1.0.dist-info/METADATA", "Metadata-Version: 2.4\nName: bad\nVersion: 0.1.0\n\nplain text\n")
        z.writestr("bad/__pycache__/x.cpython-311.pyc", b"")
        z.writestr("tests/test_x.py", "")
    found = "\n".join(build_dists.problems([bad]))
    for expected in ("LICENSE missing", "License-Expression", "not its README", "stray files", "no entry points"):
        assert expected in found


def test_entry_points_and_dependency_ranges(built):
    for folder, name in zip(FOLDERS, NAMES):
        wheel = build_dists.inspect(built[name]["wheel"])
        meta, eps = wheel["metadata"], wheel["entry_points"]
        requires = meta.get_all("Requires-Dist") or []
        urls = {u.split(",")[0] for u in meta.get_all("Project-URL") or []}
        assert urls == {"Homepage", "Source", "Issues", "Documentation"}, name
        assert meta["Author"] == "the secret-mcp authors" and meta["Keywords"], name
        assert not [c for c in meta.get_all("Classifier") if c.startswith("License ::")]  # SPDX expression only
        if name in ("secret-mcp", "secret-mcp-core"):
            assert eps["console_scripts"] == {"secret-mcp": "secret_mcp.cli:main"}
        elif name == "secret-sandbox-chain":  # not a pack: its own command, and nothing of secret-mcp
            assert eps == {"console_scripts": {"secret-sandbox-chain": "secret_sandbox_chain.__main__:main"}}
            assert not [r for r in requires if r.startswith("secret-mcp")], requires
        else:  # a pack: its entry point, and a compatible range of the core
            pack = folder.name.removeprefix("secret-mcp-")
            assert list(eps["secret_mcp"]) == [pack], name
            assert "secret-mcp-core<0.2,>=0.1" in requires, (name, requires)
    meta = build_dists.inspect(built["secret-mcp"]["wheel"])
    packs = sorted(r for r in meta["metadata"].get_all("Requires-Dist"))
    assert len(packs) == 16 and all(r.endswith("~=0.1.0") for r in packs), packs
    # The meta-package is metadata and the command only; the sandbox chain ships its documented testing helpers.
    assert all(".dist-info/" in f for f in meta["files"])
    assert "secret_sandbox_chain/testing.py" in build_dists.inspect(built["secret-sandbox-chain"]["wheel"])["files"]
    pack = build_dists.inspect(built["secret-mcp-sandbox"]["wheel"])["metadata"]
    assert "secret-sandbox-chain<0.2,>=0.1" in pack.get_all("Requires-Dist")
    apps = build_dists.inspect(built["secret-mcp-apps"]["wheel"])["files"]  # the pages and the vendored chart library
    assert {"secret_mcp_apps/web/review.html", "secret_mcp_apps/web/vendor/chart.umd.min.js",
            "secret_mcp_apps/web/vendor/chart.js.LICENSE.md"} <= set(apps), apps


def test_a_subset_installed_from_the_wheels_offers_only_its_tools(built, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # This environment's pip installs into the new one (no pip inside it); the wheels are given as files, so no
    # index can offer another secret-mcp-*; their dependencies come from the index (pip's cache).
    wheels = [str(built[name]["wheel"]) for name in SUBSET]
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-compile", *wheels],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    proc = subprocess.run([str(venv / "bin" / "secret-mcp"), "tools", "--json"], capture_output=True, text=True,
                          timeout=180, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert {r["plugin"] for r in rows} == {"network", "bank", "wallet", "sandbox", "security"}
    here = subprocess.run([str(Path(sys.executable).parent / "secret-mcp"), "tools", "--json"], capture_output=True,
                          text=True, timeout=180, check=True)
    expected = {(r["plugin"], r["name"]) for r in json.loads(here.stdout)
                if r["plugin"] in {"network", "bank", "wallet", "sandbox", "security"}}
    # secret_batch and secret_submit_signed_transaction (issue 17) included
    assert {(r["plugin"], r["name"]) for r in rows} == expected and len(expected) == 20
    assert "pkg_resources" not in proc.stderr and "Traceback" not in proc.stderr
    # The packages came from the wheels, not from this checkout.
    where = subprocess.run([str(python), "-c", "import secret_mcp, secret_sandbox_chain.testing as t; print(secret_mcp.__file__)"],
                           capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert where.returncode == 0 and where.stdout.startswith(str(venv)), where.stdout + where.stderr


def test_the_sandbox_chain_installs_and_runs_without_secret_mcp(built, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-compile",
                           str(built["secret-sandbox-chain"]["wheel"])], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    code = ("import importlib.util, httpx\nfrom secret_sandbox_chain import launch, testing\n"
            "assert importlib.util.find_spec('secret_mcp') is None\n"
            "with launch() as server:\n"
            "    before = testing.balance(server.url, server.chain.faucet_address())\n"
            "    print(httpx.get(server.url + '/cosmos/base/tendermint/v1beta1/node_info').json()['default_node_info']"
            "['network'], before > 0)")
    run = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["secret-sandbox-1", "True"]
    assert "pkg_resources" not in run.stderr and "Warning" not in run.stderr
