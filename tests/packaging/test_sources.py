"""What each distribution folder must carry before it is built: the license, a readme listing its tools, metadata."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = [ROOT / "core", *sorted(p.parent for p in (ROOT / "plugins").glob("*/pyproject.toml")),
           ROOT / "examples" / "secret-mcp-swap"]
IDS = [f.name for f in FOLDERS]
CHAIN = ROOT / "plugins" / "sandbox-chain"  # not a pack: the sandbox pack's chain, which needs nothing of secret-mcp


def _pyproject(folder: Path) -> dict[str, Any]:
    with open(folder / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def tools_by_pack() -> dict[str, set[str]]:
    from secret_mcp.cli import describe_tools
    from secret_mcp.config import load_config
    from secret_mcp.plugins import PluginHost

    config = load_config({})
    by_pack: dict[str, set[str]] = {}
    for row in describe_tools(PluginHost(include=config.plugins, exclude=config.exclude), config, full=True):
        by_pack.setdefault(row["plugin"], set()).add(row["name"])
    return by_pack


def test_root_license_is_mit_2026():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n\nCopyright (c) 2026 the secret-mcp authors\n")


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_folder_carries_the_license_and_a_readme(folder: Path):
    assert (folder / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes(), "copy the root LICENSE"
    project = _pyproject(folder)["project"]
    readme = (folder / "README.md").read_text()
    assert readme.startswith(f"# {project['name']}")
    assert "https://github.com/secret-mcp/secret-mcp" in readme  # a link that works on an index page too
    assert (project["readme"], project["license"], project["license-files"]) == ("README.md", "MIT", ["LICENSE"])


@pytest.mark.parametrize("folder", [ROOT, *FOLDERS], ids=["root", *IDS])
def test_metadata(folder: Path):
    data = _pyproject(folder)
    project = data["project"]
    assert data["build-system"]["requires"] == ["setuptools>=77"]  # SPDX `license = "MIT"` needs 77
    assert project["authors"] == [{"name": "the secret-mcp authors"}] and project["keywords"]
    assert set(project["urls"]) == {"Homepage", "Source", "Issues", "Documentation"}
    assert "Programming Language :: Python :: 3.11" in project["classifiers"]
    assert project["version"] == "0.1.0"
    core = [d for d in project["dependencies"] if d.startswith("secret-mcp-core")]
    if folder == ROOT:
        assert all(d.endswith("~=0.1.0") for d in project["dependencies"]) and len(project["dependencies"]) == 16
        assert project["scripts"] == {"secret-mcp": "secret_mcp.cli:main"}
    elif folder == CHAIN:
        assert not [d for d in project["dependencies"] if d.startswith("secret-mcp")]
        assert "entry-points" not in project and project["scripts"] == {
            "secret-sandbox-chain": "secret_sandbox_chain.__main__:main"}
    elif folder.name != "core":
        assert core == ["secret-mcp-core>=0.1,<0.2"]


PACKS = [f for f in FOLDERS if f.parent.name == "plugins" and f != CHAIN or f.name == "core"]


@pytest.mark.parametrize("folder", PACKS, ids=[f.name for f in PACKS])
def test_readme_lists_exactly_the_packs_tools(folder: Path, tools_by_pack):
    pack = "security" if folder.name == "core" else folder.name  # the core's one tool is in the security row
    readme = (folder / "README.md").read_text()
    packages = {"secret_mcp", "secret_mcp_sandbox", "secret_sandbox_chain"}
    listed = set(re.findall(r"`(secret_[a-z_]+)`", readme)) - packages
    assert listed == tools_by_pack.get(pack, set())  # the apps pack adds pages to other packs' tools, no tools


def test_sandbox_testing_helpers_are_documented_public_api():
    from secret_sandbox_chain import testing

    readme = (CHAIN / "README.md").read_text()
    section = readme[readme.index("## Testing helpers"):readme.index("Genesis: LocalSecret")]
    assert sorted(re.findall(r"^\| `(\w+)\(", section, re.M)) == sorted(testing.__all__)
    assert all(getattr(testing, name).__doc__ for name in testing.__all__)


def test_sandbox_testing_example_runs():
    # The README's example, as a pack author would paste it.
    readme = (CHAIN / "README.md").read_text()
    section = readme[readme.index("## Testing helpers"):]
    code = section[section.index("```python\n") + 10:section.index("```\n", section.index("```python\n") + 10)]
    exec(compile(code, "sandbox README", "exec"), {"__name__": "readme_example"})
