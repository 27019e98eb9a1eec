"""Fixtures for the fidelity proof: one fresh in-process sandbox chain per test module."""

from __future__ import annotations

from typing import Any, Iterator

import pytest


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    """A fresh sandbox chain on a free loopback port, for one test module."""
    from secret_sandbox_chain import launch

    with launch(port=0) as server:
        yield server
