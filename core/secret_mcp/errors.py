"""The one error model every tool failure is turned into: a code, a message and what to do next."""

from __future__ import annotations

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


class ChainError(SecretMCPError):
    """The chain (LCD) answered with an error, or could not be reached."""


class ConfigError(SecretMCPError):
    """A configuration value is invalid; the message names the key."""

    def __init__(self, key: str, message: str, suggestions: list[str] | tuple[str, ...] = ()) -> None:
        super().__init__("INVALID_CONFIG", f"{key}: {message}", suggestions, {"key": key})
