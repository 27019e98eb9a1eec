"""Denom grammar (cosmos-sdk's `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`), narrowed: a "/" only in the `ibc/<hash>` and
`factory/<creator>/<subdenom>` forms, so a denom placed in an LCD path stays one route segment (or the two or
three the form defines) and can never step out of it."""

from __future__ import annotations

import re
from urllib.parse import quote

from .errors import SecretMCPError

_PLAIN = re.compile(r"[a-zA-Z][a-zA-Z0-9:._-]{2,127}")
_IBC = re.compile(r"ibc/[0-9A-Fa-f]{64}")
_FACTORY = re.compile(r"factory/[a-z0-9]{1,20}1[02-9ac-hj-np-z]{6,90}/[a-zA-Z0-9:._-]{1,44}")


def validate_denom(denom: str, *, field: str = "denom") -> str:
    """The denom, unchanged, if it fits the grammar; INVALID_DENOM naming the field (never echoing it) if not."""
    text = denom if isinstance(denom, str) else ""
    fits = (len(text) <= 128 and any(p.fullmatch(text) for p in (_PLAIN, _IBC, _FACTORY))
            and not any(seg in (".", "..") for seg in text.split("/")))
    if not fits:
        raise SecretMCPError(
            "INVALID_DENOM", f"{field} is not a denom (a letter, then 2-127 of letters, digits, ':', '.', '_', '-'; "
            "or ibc/<64 hex>; or factory/<address>/<subdenom>).",
            ["Use a denom as balances show it, e.g. uscrt or ibc/27394FB0…"], {"field": field},
        )
    return text


def denom_path(denom: str, *, field: str = "denom") -> str:
    """A checked denom as LCD path segments, each percent-encoded (a no-op for what the grammar lets through)."""
    return "/".join(quote(seg, safe=":") for seg in validate_denom(denom, field=field).split("/"))
