"""Build every distribution of this repository (sdist and wheel), and check what was built.

Used by the release workflow (.github/workflows/release.yml) and by tests/packaging/test_dists.py, so what CI
checks is what gets published:

    python scripts/build_dists.py --out dist --check                  # the first-party distributions
    python scripts/build_dists.py --out dist --examples --no-isolation   # also examples/; no download

Each distribution is copied to a scratch folder first (without egg-info, caches or build output) and built
there: setuptools reads a stale egg-info's SOURCES.txt into the sdist, and a build writes into its tree.
The wheel is built from the sdist, which proves the sdist complete. Needs `build` (and `twine` for --check).
"""

from __future__ import annotations

import argparse
import email.parser
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns("*.egg-info", "__pycache__", "*.pyc", "build", "dist", ".pytest_cache")


def distributions(examples: bool = False) -> list[Path]:
    """Folders with a pyproject.toml: the meta-package (the root), the core, every pack, the sandbox chain, and
    optionally examples/."""
    found = [ROOT, ROOT / "core", *sorted(p.parent for p in (ROOT / "plugins").glob("*/pyproject.toml"))]
    if examples:
        found += sorted(p.parent for p in (ROOT / "examples").glob("*/pyproject.toml"))
    return found


def project(folder: Path) -> dict:
    with open(folder / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def _copy_source(folder: Path, into: Path) -> Path:
    dest = into / (folder.name if folder != ROOT else "secret-mcp")
    if folder == ROOT:  # the meta-package has no packages: its own files only, never the tree below it
        dest.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            shutil.copy2(folder / name, dest / name)
    else:
        shutil.copytree(folder, dest, ignore=SKIP)
    return dest


def _build_one(folder: Path, scratch: Path, out: Path, isolation: bool) -> None:
    source = _copy_source(folder, scratch)
    cmd = [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(source)]
    if not isolation:
        cmd.insert(3, "--no-isolation")
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        where = folder.relative_to(ROOT).as_posix()
        raise RuntimeError(f"building {where} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def build(out: Path, *, examples: bool = False, isolation: bool = True, jobs: int | None = None) -> list[Path]:
    """Build an sdist and a wheel of every distribution into `out`; returns the files built.

    `jobs` builds run at once (default: one per CPU): each build is a few short-lived interpreters."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="secret-mcp-build-") as scratch:
        with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
            for done in [pool.submit(_build_one, folder, Path(scratch), out, isolation)
                         for folder in distributions(examples)]:
                done.result()  # the first failure, with its build log
    return sorted(p for p in out.iterdir() if p.suffix in (".whl", ".gz"))


def _members(path: Path) -> dict[str, bytes]:
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as z:
            return {name: z.read(name) for name in z.namelist()}
    with tarfile.open(path) as t:
        return {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}


def _entry_points(text: str) -> dict[str, dict[str, str]]:
    groups: dict[str, dict[str, str]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            current = groups.setdefault(line[1:-1], {})
        elif "=" in line and current is not None:
            name, value = (s.strip() for s in line.split("=", 1))
            current[name] = value
    return groups


def inspect(path: Path) -> dict:
    """What a built file holds: its metadata, license text, entry points, and every member's name."""
    files = _members(path)
    if path.suffix == ".whl":
        info = next(n for n in files if n.endswith(".dist-info/METADATA"))
        base = info.rsplit("/", 1)[0]
        licenses = {n: files[n] for n in files if n.startswith(f"{base}/licenses/")}
        entry = files.get(f"{base}/entry_points.txt", b"").decode()
    else:
        top = min(files, key=len).split("/", 1)[0]
        info = f"{top}/PKG-INFO"
        licenses = {n: files[n] for n in files if n == f"{top}/LICENSE"}
        entry = next((files[n] for n in files if n.endswith(".egg-info/entry_points.txt")), b"").decode()
    meta = email.parser.Parser().parsestr(files[info].decode())
    return {"name": meta["Name"], "version": meta["Version"], "metadata": meta, "licenses": licenses,
            "entry_points": _entry_points(entry), "files": sorted(files)}


def problems(paths: list[Path]) -> list[str]:
    """Everything wrong with the built files (empty when all is well): license, readme, stray files, entry points."""
    license_text = (ROOT / "LICENSE").read_bytes()
    found: list[str] = []
    for path in paths:
        got = inspect(path)
        meta = got["metadata"]
        where = path.name
        if [v for v in got["licenses"].values()] != [license_text]:
            found.append(f"{where}: LICENSE missing or not the repository's")
        if meta["License-Expression"] != "MIT" or meta["License-File"] != "LICENSE":
            found.append(f"{where}: License-Expression/License-File not MIT/LICENSE")
        body = meta.get_payload() or ""
        if meta["Description-Content-Type"] != "text/markdown" or not body.startswith(f"# {meta['Name']}"):
            found.append(f"{where}: the long description is not its README")
        if path.suffix == ".gz" and not any(n.endswith("/README.md") and n.count("/") == 1 for n in got["files"]):
            found.append(f"{where}: README.md missing")
        stray = [n for n in got["files"] if "__pycache__" in n or n.endswith(".pyc") or "/tests/" in f"/{n}"]
        if stray:
            found.append(f"{where}: stray files {stray[:5]}")
        if got["entry_points"].get("secret_mcp") is None and got["entry_points"].get("console_scripts") is None:
            found.append(f"{where}: no entry points (neither a pack nor the command)")
    return found


def twine_check(paths: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, paths)],
                          capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the sdists and wheels go")
    parser.add_argument("--examples", action="store_true", help="also build examples/* (not published)")
    parser.add_argument("--no-isolation", action="store_true", help="build in this environment (needs setuptools>=77)")
    parser.add_argument("--check", action="store_true", help="run `twine check --strict` and the content checks")
    parser.add_argument("--expect-version", help="fail unless every distribution has this version (a release tag)")
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty: old files would be checked and published with the new ones")
    try:
        paths = build(args.out, examples=args.examples, isolation=not args.no_isolation)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    failures = []
    if args.expect_version:
        failures += [f"{p.name}: version {inspect(p)['version']}, expected {args.expect_version}"
                     for p in paths if inspect(p)["version"] != args.expect_version]
    if args.check:
        twine = twine_check(paths)
        if twine.returncode != 0:
            failures.append(f"twine check --strict:\n{twine.stdout}{twine.stderr}")
        failures += problems(paths)
    for path in paths:
        print(path)
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
