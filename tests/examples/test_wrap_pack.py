"""examples/secret-mcp-wrap (the tutorial's pack) as its author runs it: installed from a copy, found through its
entry point alone, and its own tests (which use only `secret_mcp.testing`) run by pytest in a fresh process."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

PACK = Path(__file__).resolve().parents[2] / "examples" / "secret-mcp-wrap"


def test_the_tutorial_pack_passes_its_own_tests(tmp_path: Path) -> None:
    source = shutil.copytree(PACK, tmp_path / "src", ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__", ".pytest_cache"))
    site = tmp_path / "site"
    # --no-deps: the core and the packs its tests name are installed already (the pack needs nothing else).
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site)]
    if subprocess.run([*command, "--no-build-isolation", str(source)], capture_output=True).returncode != 0:
        subprocess.run([*command, str(source)], check=True)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=source,
                         env={**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "PYTHONPATH": str(site)}, capture_output=True, text=True, timeout=300)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-4000:]
    passed = re.search(r"(\d+) passed", out)
    # 4 tests, each in both protocol eras; none skipped, none failed.
    assert passed and int(passed.group(1)) == 8 and "skipped" not in out and "failed" not in out, out[-2000:]
