"""The one error model every tool failure is turned into: a code, a message and what to do next."""

from __future__ import annotations

import contextvars
from typing import Any


class SecretMCPError(Exception):
    """An expected failure with a stable machine-readable code and suggestions for the person or model."""

    def __init__(
        self,
        code: str,
        message: str,
        suggestions: list[str] | tuple[str, ...] = (),
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.suggestions = list(suggestions)
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message, "suggestions": self.suggestions}
        if self.details:
            out["details"] = self.details
        return out


# Codes of a node that could not answer (as opposed to one that answered "no").
UNAVAILABLE_CODES = ("CHAIN_TIMEOUT", "CHAIN_UNREACHABLE", "CHAIN_BAD_RESPONSE")
# While the core runs a tool's confirm function, each such ChainError is noted here (see
# server._make_resolver): a preview that gave up because the node failed must not count as "nothing to ask".
UNAVAILABLE_SEEN: contextvars.ContextVar[list | None] = contextvars.ContextVar("unavailable_seen", default=None)


class ChainError(SecretMCPError):
    """The chain (LCD) answered with an error, or could not be reached."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        seen = UNAVAILABLE_SEEN.get()
        if seen is not None and self.code in UNAVAILABLE_CODES:
            seen.append(self)


class ConfigError(SecretMCPError):
    """A configuration value is invalid; the message names the key."""

    def __init__(self, key: str, message: str, suggestions: list[str] | tuple[str, ...] = ()) -> None:
        super().__init__("INVALID_CONFIG", f"{key}: {message}", suggestions, {"key": key})
