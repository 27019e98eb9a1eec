"""Free text that comes from the chain is data written by strangers: `lockdown` keeps it out of results.

Token names, proposal titles and descriptions, validator monikers and details, memos, contract labels: anyone
can write them, and a model reading them may take them for instructions. The server's instructions say so
(see server.INSTRUCTIONS); with `lockdown = true` the values of these fields are replaced by a note saying how
long they were, except in the tools the person lists in `lockdown_allow`.
"""

from __future__ import annotations

from typing import Any

# Result fields whose values are free text someone on the chain chose.
FREE_TEXT = frozenset({"memo", "title", "description", "summary", "moniker", "details", "website", "identity",
                       "security_contact", "label", "metadata", "raw_log"})


def withheld(text: str) -> str:
    return f"[chain text withheld by lockdown: {len(text)} characters]"


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: withheld(v) if k in FREE_TEXT and isinstance(v, str) and v else _strip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def guard(config: Any, tool: str, data: Any) -> Any:
    """The result as the model may see it under the configured lockdown."""
    if not getattr(config, "lockdown", False) or tool in (getattr(config, "lockdown_allow", ()) or ()):
        return data
    return _strip(data)
