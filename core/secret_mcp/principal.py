"""Whose request this is: the principal (an OAuth token's subject) an HTTP request runs for.

With OAuth, every principal has its own session and security state (auth/principals.py). `scope_app` turns
an App's `session` and `security` into `scoped` attributes: the current principal's while a request of that
principal runs, the App's own otherwise (start-up, hooks outside a request). Only an OAuth server's App is
scoped, so stdio and the bearer-token mode keep plain attributes (no cost on every access).
Nothing here imports the rest of the core.
"""

from __future__ import annotations

import contextvars
from typing import Any

CURRENT: contextvars.ContextVar[Any] = contextvars.ContextVar("secret_mcp_principal", default=None)
SCOPED = ("session", "security")


class scoped:  # noqa: N801 - used like a field declaration
    """A data descriptor: the current principal's attribute of this name when the principal belongs to this
    object, else the object's own value."""

    def __init__(self, name: str) -> None:
        self.name, self.slot = name, f"_own_{name}"

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        principal = CURRENT.get()
        if principal is not None and principal.app is obj:
            return getattr(principal, self.name)
        try:
            return obj.__dict__[self.slot]
        except KeyError:
            raise AttributeError(self.name) from None

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.slot] = value


class _Scoped:
    """Marks an App whose class was swapped by `scope_app`."""


def scope_app(app: Any, **methods: Any) -> None:
    """From now on, `app.session` / `app.security` are the running principal's (idempotent); `methods`
    replace the App's own for a server of many principals."""
    if isinstance(app, _Scoped):
        return
    cls = type(app)
    fields: dict[str, Any] = {name: scoped(name) for name in SCOPED} | methods
    for name in SCOPED:  # the App's own values move to the slots the descriptors fall back to
        app.__dict__[f"_own_{name}"] = app.__dict__.pop(name)
    app.__class__ = type(f"Scoped{cls.__name__}", (cls, _Scoped), fields | {"__module__": cls.__module__})


def own(obj: Any, name: str) -> Any:
    """The object's own value of a scoped attribute, whoever's request is running."""
    return obj.__dict__[f"_own_{name}"]
