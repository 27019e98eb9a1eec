"""Read-only contract tools: code and contract info, history (decrypted when ours), encrypted smart queries."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from pydantic import BaseModel, Field

from secret_mcp.api import (
    ChainError, MISSING_DESCRIPTION, SecretMCPError, ToolContext, cipher, extra, parse_contract_json, query, tool,
    validate_address,
)

from .common import AddressArg, HashArg, JsonArg, parse_msg

C = "/compute/v1beta1"
CodeIdArg = Annotated[int, Field(gt=0)]


class CodeInfo(BaseModel):
    code_id: int
    code_hash: str
    creator: str
    source: str = ""
    builder: str = ""


class CodeList(BaseModel):
    codes: list[CodeInfo]


class ContractInfo(BaseModel):
    address: str
    code_id: int
    code_hash: str | None = Field(description="null when the node failed that lookup (see missing)")
    creator: str
    label: str
    admin: str = Field("", description="Who may migrate it ('' = nobody)")
    created_height: int | None = None
    missing: list[str] = Field([], description=MISSING_DESCRIPTION)


class HistoryEntry(BaseModel):
    operation: str
    code_id: int
    block_height: int | None = None
    msg: Any = Field(None, description="The message, when this session sent it (else left encrypted)")
    msg_encrypted: str | None = None


class ContractHistory(BaseModel):
    address: str
    entries: list[HistoryEntry]


class QueryAnswer(BaseModel):
    address: str
    answer: Any = Field(description="The contract's decrypted JSON answer")


def _code(row: dict) -> CodeInfo:
    return CodeInfo(code_id=int(row["code_id"]), code_hash=str(row.get("code_hash", "")).lower(),
                    creator=str(row.get("creator", "")), source=str(row.get("source", "")),
                    builder=str(row.get("builder", "")))


def _not_found(kind: str, what: Any, exc: ChainError) -> SecretMCPError:
    # x/compute answers an unknown code or contract with a 500 "...: not found: unknown request" (its error is
    # not a gRPC status), so that counts as not found too; any other failure is the node's, and stays so.
    said_not_found = exc.code == "CHAIN_NOT_FOUND" or "not found" in str(exc.details.get("chain_message", "")).lower()
    if exc.code not in ("CHAIN_ERROR", "CHAIN_NOT_FOUND", "CHAIN_BAD_REQUEST") or not said_not_found:
        return exc
    return SecretMCPError(f"{kind.upper()}_NOT_FOUND", f"No {kind} {what} on this network.",
                          ["Check the id/address and the active network (secret_list_codes)."],
                          {"chain_message": exc.message})


@tool(title="Get code info")
async def secret_get_code_info(ctx: ToolContext, code_id: CodeIdArg) -> CodeInfo:
    """Creator, hash, source and builder of a code id."""
    try:
        out = await ctx.query(f"{C}/code/{code_id}")
    except ChainError as exc:
        raise _not_found("code", code_id, exc) from None
    return _code(out.get("code_info") or {})


@tool(title="List codes")
async def secret_list_codes(ctx: ToolContext) -> CodeList:
    """Every uploaded code id, with its hash and creator."""
    out = await ctx.query(f"{C}/codes", cached=False)
    return CodeList(codes=[_code(r) for r in out.get("code_infos") or []])


@tool(title="Get contract info")
async def secret_get_contract_info(ctx: ToolContext, address: AddressArg) -> ContractInfo:
    """Code id, code hash, creator, label and admin of a contract."""
    address = validate_address(address, field="address")
    try:
        info = (await ctx.query(f"{C}/info/{address}", cached=False)).get("contract_info") or {}
    except ChainError as exc:
        raise _not_found("contract", address, exc) from None
    missing: list[str] = []
    hash_ = await extra(_code_hash(ctx, address), "code_hash", missing)
    if hash_ is None and not missing:  # answered, but without a hash
        missing.append("code_hash")
    created = info.get("created") or {}
    return ContractInfo(address=address, code_id=int(info.get("code_id", 0)), code_hash=hash_,
                        creator=str(info.get("creator", "")), label=str(info.get("label", "")),
                        admin=str(info.get("admin", "")),
                        created_height=int(created["block_height"]) if created.get("block_height") else None,
                        missing=missing)


async def _code_hash(ctx: ToolContext, address: str) -> str | None:
    body = await ctx.query(f"{C}/code_hash/by_contract_address/{address}")
    return str(body.get("code_hash") or "").lower() or None


@tool(title="Get contract history")
async def secret_get_contract_history(ctx: ToolContext, address: AddressArg) -> ContractHistory:
    """A contract's instantiate/migrate history."""
    address = validate_address(address, field="address")
    try:
        out = await ctx.query(f"{C}/contract_history/{address}", cached=False)
    except ChainError as exc:
        raise _not_found("contract", address, exc) from None
    c = await cipher(ctx)
    entries = []
    for e in out.get("entries") or []:
        wire = base64.b64decode(e.get("msg") or "")
        entry = HistoryEntry(operation=str(e.get("operation", "")).rsplit("_", 1)[-1], code_id=int(e.get("code_id", 0)),
                             block_height=int((e.get("updated") or {}).get("block_height") or 0) or None)
        if len(wire) > 64 and wire[32:64] == c.public:  # encrypted with this session's key: readable
            entry.msg = parse_contract_json(c.decrypt(wire[:32], wire[64:])[64:])
        elif wire:
            entry.msg_encrypted = base64.b64encode(wire).decode()
        entries.append(entry)
    return ContractHistory(address=address, entries=entries)


@tool(title="Query a contract")
async def secret_query_contract(ctx: ToolContext, address: AddressArg, query_msg: JsonArg, code_hash: HashArg = None) -> QueryAnswer:
    """Query a Secret contract; returns its decrypted JSON answer."""
    address = validate_address(address, field="address")
    msg = parse_msg(query_msg, "query_msg")
    return QueryAnswer(address=address, answer=await query(ctx, address, msg, given_hash=code_hash))
