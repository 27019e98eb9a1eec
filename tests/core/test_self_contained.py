"""The repository stands alone: no tracked file points at a folder beside the clone or at one machine's paths.

Fixtures live in tests/fixtures; `.ci/run` proves the same thing end to end by testing a fresh clone alone.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A sibling folder, the old switch that pointed at it, and absolute paths of a particular machine. Two homes are
# placeholders, not a machine's: the container image's own user (/home/app) and the README's "/home/you".
FORBIDDEN = re.compile(r"\.\./shared|SECRET_MCP_SHARED|/work/|/root/|/home/(?!app\b|you\b)")
# Deliberately fake private paths that tests feed to the server to check they never leak.
FAKE_LEAKS = {
    ("tests/core/packs.py", "/home/user/.secret"),
    ("tests/core/test_prompt_errors.py", "/home/someone/.config"),
}
THIS = Path(__file__).resolve().relative_to(ROOT).as_posix()


def tracked_files() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [name for name in out.decode().split("\0") if name]


def offences(name: str, text: str) -> list[tuple[int, str, str]]:
    """(line number, what matched, the line) for each reference outside the repository."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        for match in FORBIDDEN.finditer(line):
            if not any(name == fake_file and fake in line for fake_file, fake in FAKE_LEAKS):
                found.append((number, match.group(), line.strip()[:120]))
    return found


def test_the_checker_sees_each_kind_of_reference():
    text = 'p = "../shared/fixtures/x.json"\nos.environ["SECRET_MCP_SHARED"]\nopen("/work/shared/a")\nx = 1\n'
    assert [(n, what) for n, what, _ in offences("tests/x.py", text)] == [(1, "../shared"), (2, "SECRET_MCP_SHARED"), (3, "/work/")]
    assert offences("tests/core/packs.py", 'raise RuntimeError("detail /home/user/.secret")') == []
    assert offences("tests/other.py", 'raise RuntimeError("detail /home/user/.secret")') != []


def test_no_tracked_file_reaches_outside_the_repository():
    found = []
    for name in tracked_files():
        path = ROOT / name
        if name == THIS or not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        found += [f"{name}:{n}: {what} in {line}" for n, what, line in offences(name, data.decode("utf-8", "replace"))]
    assert not found, "references outside the repository:\n  " + "\n  ".join(found)


def test_every_fixture_a_test_names_is_in_the_repository():
    fixtures = ROOT / "tests" / "fixtures"
    names = {p.relative_to(fixtures).as_posix() for p in fixtures.rglob("*.json")}
    assert "encryption_vectors.json" in names and "lcd/tx_broadcast_sync_pulsar3_REAL.json" in names, sorted(names)
    tracked = set(tracked_files())
    untracked = sorted(n for n in names if f"tests/fixtures/{n}" not in tracked)
    assert not untracked, f"fixtures present here but not committed (a clone would lack them): {untracked}"


def test_every_protocol_notes_citation_names_a_section():
    notes = ROOT / "docs" / "protocol-notes.md"
    sections = set(re.findall(r"^## ([a-z0-9-]+)$", notes.read_text(), re.M))
    assert {"tx-signing", "contract-encryption", "lcd-errors"} <= sections, sorted(sections)
    cited: dict[str, list[str]] = {}
    for name in tracked_files():
        path = ROOT / name
        if not name.endswith((".py", ".md")) or not path.is_file() or name == THIS:
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            # `docs/protocol-notes.md#a, #b` and, inside the notes, `(#a)` links
            if "protocol-notes.md#" in line or (path == notes and "](#" in line):
                for anchor in re.findall(r"#([a-z][a-z0-9-]*)", line):
                    cited.setdefault(anchor, []).append(f"{name}:{number}")
    unknown = {a: where for a, where in cited.items() if a not in sections}
    assert cited and not unknown, f"citations of sections docs/protocol-notes.md does not have: {unknown}"
