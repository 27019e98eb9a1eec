"""The one error model every tool failure is turned into: a code, a message and what to do next."""

from __future__ import annotations

import contextvars
import re
from typing import Any

# What a client is shown of one error (see `shorten`): a value pasted into a message (a 100 KB "token", a
# pasted file) must not come back whole, in the model's context and in logs.
MAX_TEXT = 1000  # characters of a message, suggestion or details string
MAX_RUN = 256  # a longer stretch without whitespace is an echoed value: elided, its start kept
KEEP = 64
_RUN = re.compile(r"\S{%d,}" % (MAX_RUN + 1))


def shorten(text: str, limit: int = MAX_TEXT) -> str:
    """`text` as shown to a client: each long value cut to its start plus "…(N chars)", then the whole capped.

    Redacts first whenever something is cut, so a cut can never leave part of a secret that the redaction
    filter would no longer recognise (half a hex key, eleven words of a phrase)."""
    if len(text) <= limit and not _RUN.search(text):
        return text
    from .security.redact import redact_text  # only when cutting: keeps this module import-light

    text = _RUN.sub(lambda m: m.group()[:KEEP] + f"…({len(m.group())} chars)", redact_text(text))
    if len(text) > limit:
        text = text[:limit] + f"…(cut, {len(text)} chars in all)"
    return text


def _shorten_all(value: Any) -> Any:
    if isinstance(value, str):
        return shorten(value)
    if isinstance(value, dict):
        return {k: _shorten_all(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_shorten_all(v) for v in value]
    return value


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
        """The error as a client sees it: every text shortened (the exception itself keeps the full text, which
        the core may still need, e.g. to decrypt a contract's error)."""
        out: dict[str, Any] = {"code": self.code, "message": shorten(self.message),
                               "suggestions": [shorten(s) for s in self.suggestions]}
        if self.details:
            out["details"] = _shorten_all(self.details)
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
