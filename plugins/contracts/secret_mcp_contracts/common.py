"""Shared by the contract tools: argument parsing and the contract-message plan builder."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import Field

from secret_mcp.api import Amount, ContractMessages, ContractTx, SecretMCPError, parse_amount, raw_address

# Descriptions only where name and type do not say it all: every byte of tools/list is read by the model.
JsonArg = dict[str, Any] | str  # a JSON object, or the same as JSON text
AddressArg = str  # the contract's secret1… address
HashArg = str | None  # the code hash (hex); looked up when left out
FundsArg = Annotated[str | None, Field(description="e.g. '1 SCRT'")]  # sent along with the message
GasArg = Annotated[int | None, Field(gt=0, le=100_000_000)]  # gas limit; default: simulated + margin
MemoArg = Annotated[str, Field(max_length=256, description="Public")]  # visible on chain


def parse_msg(value: dict[str, Any] | str, field: str = "msg") -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        out = json.loads(value)
    except ValueError as exc:
        raise SecretMCPError("INVALID_JSON", f"{field} is not valid JSON: {exc}", ["Pass a JSON object."],
                             {"field": field}) from None
    if not isinstance(out, dict):
        raise SecretMCPError("INVALID_JSON", f"{field} must be a JSON object, e.g. {{\"increment\":{{}}}}.", [],
                             {"field": field})
    return out


def funds(value: str | None, field: str = "funds") -> list[Amount]:
    return [parse_amount(value, None, field=field)] if value else []
