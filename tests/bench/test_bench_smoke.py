"""The benchmarks still run (tiny sizes); their figures are read from `nox -s bench`, never asserted here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_sandbox.py"


def test_sandbox_benchmark_runs():
    spec = importlib.util.spec_from_file_location("bench_sandbox", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.run(20)
    assert figures["queries"] == 20
    assert figures["own_work_us_p50"] > 0 and figures["http_queries_per_s"] > 0
