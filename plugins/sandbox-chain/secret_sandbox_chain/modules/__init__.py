"""The chain's modules: one file each in this package, listed once in `MODULES`.

Each file defines exactly one `Module` subclass (see base.py). The chain registers them in this order, which is
also the order of their genesis and begin/end-block hooks.
"""

from __future__ import annotations

import importlib
from typing import Iterable

from ..base import Module

MODULES = ("auth", "bank", "staking", "distribution", "gov", "compute", "ibc", "authz", "feegrant", "tendermint",
           "txservice")


class ModuleLoadError(RuntimeError):
    """A listed module is missing or broken: the chain does not start without it (a half chain misleads tests)."""


def load(names: Iterable[str] | None = None) -> list[Module]:
    """One instance of each named module's (default: MODULES) `Module` subclass, in order; ModuleLoadError names the
    first that fails."""
    loaded = []
    for name in MODULES if names is None else names:
        try:
            source = importlib.import_module(f"{__name__}.{name}")
        except Exception as exc:  # ImportError, or any error while the file runs: each stops the chain
            raise ModuleLoadError(f"sandbox chain module {name!r} failed to import: {exc!r}") from exc
        classes = [v for v in vars(source).values()
                   if isinstance(v, type) and issubclass(v, Module) and v.__module__ == source.__name__]
        if len(classes) != 1:
            raise ModuleLoadError(f"sandbox chain module {name!r} defines {len(classes)} Module subclasses, not one")
        loaded.append(classes[0]())
    return loaded
