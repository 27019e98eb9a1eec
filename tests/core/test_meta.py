"""Every hook is documented (with its exact signature) and has a test named after it."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from secret_mcp import hookspecs

ROOT = Path(__file__).resolve().parents[2]
HOOKS = sorted(
    name for name, fn in vars(hookspecs).items() if name.startswith("secret_mcp_") and inspect.isfunction(fn)
)


def test_there_are_hooks():
    assert "secret_mcp_register" in HOOKS and len(HOOKS) >= 9


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented(hook: str):
    params = ", ".join(inspect.signature(getattr(hookspecs, hook)).parameters)
    assert f"## {hook}({params})" in (ROOT / "docs" / "plugin-hooks.md").read_text()
    assert (getattr(hookspecs, hook).__doc__ or "").strip().count("\n") == 0, "one-line docstring"


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_has_a_test(hook: str):
    names = {name for path in (ROOT / "tests").rglob("test_*.py")
             for name in re.findall(r"^(?:async )?def (test_hook_\w+)", path.read_text(), re.M)}
    assert any(name.startswith(f"test_hook_{hook}") for name in names)
