"""Helpers for the fidelity proof: paths, the CI switch, and the runner for the client scripts
(secretjs flows.mjs, secret-sdk sdk_flows.py) that print one JSON line per check."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PROOF_DIR = Path(__file__).resolve().parent
SECRETJS_DIR = REPO_ROOT / "tests" / "secretjs"


LCD_FIXTURES = REPO_ROOT / "tests" / "fixtures" / "lcd"  # reference LCD bodies, kept in the repo


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def chain_id_of(server: Any) -> str:
    chain = server.chain
    return chain if isinstance(chain, str) else getattr(chain, "chain_id")


@dataclass
class FlowRun:
    """The parsed output of one client script run."""

    command: list[str]
    returncode: int
    stderr: str
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    junk: list[str] = field(default_factory=list)  # stdout lines that are not check records

    def explain(self) -> str:
        tail = "\n".join(self.stderr.strip().splitlines()[-15:])
        return f"command {self.command} exited {self.returncode}; checks reported {self.order}; stderr tail:\n{tail}"


def run_flows(command: list[str], cwd: Path, timeout: float) -> FlowRun:
    try:
        proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{command} did not finish within {timeout} s; stdout so far: {exc.stdout!r}")
    run = FlowRun(command=command, returncode=proc.returncode, stderr=proc.stderr)
    for line in proc.stdout.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            run.junk.append(line)
            continue
        if not isinstance(record, dict) or "check" not in record or "ok" not in record:
            run.junk.append(line)
            continue
        name = record["check"]
        if name in run.checks:  # a check reported twice is itself a bug of the script
            run.junk.append(line)
            continue
        run.checks[name] = record
        run.order.append(name)
    return run


def assert_check(run: FlowRun, name: str) -> None:
    record = run.checks.get(name)
    assert record is not None, f"check {name!r} was not reported. {run.explain()}"
    assert record["ok"] is True, f"{name} failed: {record.get('detail')}"


def assert_run_consistent(run: FlowRun, expected: list[str]) -> None:
    assert not run.junk, f"unexpected stdout lines: {run.junk[:5]}"
    unexpected = [n for n in run.order if n not in expected]
    assert not unexpected, f"unexpected check records (script-level failure?): {[run.checks[n] for n in unexpected]}"
    all_ok = all(run.checks[n]["ok"] for n in run.order) and set(expected) <= set(run.order)
    assert run.returncode == (0 if all_ok else 1), f"exit code {run.returncode} disagrees with the reported checks. {run.explain()}"
