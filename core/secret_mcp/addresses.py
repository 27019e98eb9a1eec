"""Bech32 address checks with errors a person can act on."""

from __future__ import annotations

from functools import lru_cache

import bech32

from .errors import SecretMCPError


def given(value: object) -> str:
    """What an error may say about a rejected value: its length, never the value (a person may paste a recovery
    phrase or a key into any field, and errors reach the model, the logs and the audit log)."""
    return f"{len(str(value))} characters given"


@lru_cache(maxsize=4096)  # every read tool checks its address; the bech32 checksum is pure-Python work
def validate_address(address: str, prefix: str = "secret", *, field: str = "address") -> str:
    """Return the address (lower case) if it is valid bech32 with `prefix` and a 20- or 32-byte payload."""
    text = (address or "").strip()
    hrp, data = bech32.bech32_decode(text)
    if hrp is None or data is None:
        raise SecretMCPError(
            "INVALID_ADDRESS",
            f"{field}: not a valid bech32 address (bad characters, mixed case or checksum; {given(text)}).",
            [f"Check for typos; a Secret address looks like {prefix}1… (39 or 59 characters)."],
            {"field": field},
        )
    if hrp != prefix:
        # A checksummed bech32 string: its human-readable prefix is public (cosmos, osmo, secretvaloper).
        raise SecretMCPError(
            "INVALID_ADDRESS",
            f"{field}: the address has prefix {hrp!r}; a {prefix!r} address is needed here.",
            [f"Use the {prefix}1… form of the address."],
            {"field": field, "prefix": hrp},
        )
    payload = bech32.convertbits(data, 5, 8, False)
    if payload is None or len(payload) not in (20, 32):
        raise SecretMCPError(
            "INVALID_ADDRESS", f"{field}: the address does not encode a 20- or 32-byte account.", [], {"field": field}
        )
    return text.lower()
