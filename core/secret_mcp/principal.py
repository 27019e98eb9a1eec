"""Whose request this is: the principal (an OAuth token's subject) an HTTP request runs for.

With OAuth, every principal has its own session and security state (auth/principals.py). The App reaches
them through `scoped` attributes: `app.session` and `app.security` are the current principal's while a
request of that principal runs, and the App's own otherwise (stdio, the bearer-token mode, start-up).
Nothing here imports the rest of the core.
"""

from __future__ import annotations

import contextvars
from typing import Any

CURRENT: contextvars.ContextVar[Any] = contextvars.ContextVar("secret_mcp_principal", default=None)


class scoped:  # noqa: N801 - used like a field declaration
    """A data descriptor: the current principal's attribute of this name when it belongs to this object's
    principal set, else the object's own value."""

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


def own(obj: Any, name: str) -> Any:
    """The object's own value of a scoped attribute, whoever's request is running."""
    return obj.__dict__[f"_own_{name}"]
