"""Contract transactions: upload, instantiate, execute, batch execute, migrate. Each tool returns a Plan; the
core checks it against policy, previews it, asks, signs and sends it, then `then` shapes the result."""

from __future__ import annotations

import gzip
import hashlib
from typing import Annotated, Any

from pydantic import BaseModel, Field

from secret_mcp.api import (
    ChainError, Plan, SecretMCPError, ToolContext, proto_coins, normalize_hash, quote, remember, shown_message,
    tool, validate_address,
)

from .common import (AddressArg, ContractMessages, ContractTx, FundsArg, GasArg, HashArg, JsonArg, MemoArg, parse_msg,
                     raw_address)
from .common import funds as parse_funds  # the tools' own `funds` argument shadows the name
from .upload import max_size, read_wasm

CodeIdArg = Annotated[int, Field(gt=0)]
SHOWN = 1000  # characters of a message shown in a preview line


class ExecuteItem(BaseModel):
    contract: str
    msg: dict[str, Any] | str
    code_hash: str | None = None
    funds: str | None = None


async def _hash_of_code(ctx: ToolContext, code_id: int, given: str | None) -> str:
    try:
        actual = normalize_hash((await ctx.query(f"/compute/v1beta1/code_hash/by_code_id/{code_id}"))["code_hash"])
    except ChainError as exc:
        if exc.code not in ("CHAIN_ERROR", "CHAIN_NOT_FOUND", "CHAIN_BAD_REQUEST"):
            raise
        raise SecretMCPError("CODE_NOT_FOUND", f"No code id {code_id} on this network.",
                             ["List uploaded codes with secret_list_codes."], {"code_id": code_id}) from None
    if given and normalize_hash(given) != actual:
        raise SecretMCPError("CODE_HASH_MISMATCH", f"The code hash given does not match code {code_id}.",
                             ["Leave code_hash out: it is looked up from the chain."], {"given": given, "actual": actual})
    return actual


async def _executions(ctx: ToolContext, items: list[Any]) -> tuple[ContractMessages, list[str], list[str]]:
    """The messages, one preview line each, and the contracts called (in order)."""
    if not items:
        raise SecretMCPError("INVALID_INPUT", "Give at least one message.", [])
    calls = await ContractMessages.start(ctx)
    lines, called = [], []
    for i, item in enumerate(items):
        item = item if isinstance(item, ExecuteItem) else ExecuteItem.model_validate(item)
        address = validate_address(item.contract, field=f"messages[{i}].contract")
        body = parse_msg(item.msg, f"messages[{i}].msg")
        sent = parse_funds(item.funds, f"messages[{i}].funds")
        await calls.execute(ctx, address, body, code_hash=item.code_hash, funds=sent)
        lines.append(f"Execute on {address}: {quote(shown_message(body), limit=SHOWN)}" + (f" with {sent[0].display}" if sent else ""))
        called.append(address)
    return calls, lines, called


def _remembering(called: list[str]) -> Any:
    async def then(ctx: ToolContext, out: ContractTx) -> ContractTx:
        for address in dict.fromkeys(called):
            remember(ctx, address, "execute", txhash=out.txhash)
        return out

    return then


@tool(effect="moves_funds", title="Execute a contract", needs_wallet=True)
async def secret_execute_contract(ctx: ToolContext, contract: AddressArg, msg: JsonArg, code_hash: HashArg = None,
                                  funds: FundsArg = None, memo: MemoArg = "", gas: GasArg = None) -> Plan[ContractTx]:
    """Execute a contract message from the active wallet; returns the decrypted answer."""
    item = {"contract": contract, "msg": msg, "code_hash": code_hash, "funds": funds}
    calls, lines, called = await _executions(ctx, [item])
    return calls.plan(f"Execute a message on contract {called[0]}", lines=lines, memo=memo, gas=gas,
                      then=_remembering(called))


@tool(effect="moves_funds", title="Batch execute", needs_wallet=True)
async def secret_batch_execute(
    ctx: ToolContext,
    messages: Annotated[list[ExecuteItem], Field(min_length=1, max_length=50)],
    memo: MemoArg = "",
    gas: GasArg = None,
) -> Plan[ContractTx]:
    """Execute several contract messages in ONE atomic transaction: all or none."""
    calls, lines, called = await _executions(ctx, messages)
    return calls.plan(f"Execute {len(lines)} contract messages in ONE transaction (all or none)", lines=lines,
                      memo=memo, gas=gas, then=_remembering(called))


@tool(effect="moves_funds", title="Instantiate a contract", needs_wallet=True)
async def secret_instantiate_contract(
    ctx: ToolContext,
    code_id: CodeIdArg,
    init_msg: JsonArg,
    label: Annotated[str, Field(min_length=1, max_length=128, description="Unique on the chain")],
    admin: Annotated[str | None, Field(description="May migrate it; default: nobody")] = None,
    code_hash: HashArg = None,
    funds: FundsArg = None,
    memo: MemoArg = "",
    gas: GasArg = None,
) -> Plan[ContractTx]:
    """Instantiate a contract from a code id."""
    from secret_sdk.protobuf.secret.compute import v1beta1 as pb

    name = label.strip()
    if not name:
        raise SecretMCPError("INVALID_INPUT", "label must not be empty (it must be unique on chain).", [])
    body = parse_msg(init_msg, "init_msg")
    hash_ = await _hash_of_code(ctx, code_id, code_hash)
    boss = validate_address(admin, field="admin") if admin else ""
    sent = parse_funds(funds)
    calls = await ContractMessages.start(ctx)
    wire = calls.cipher.encrypt(hash_, body)
    msg = pb.MsgInstantiateContract(sender=raw_address(calls.sender, "sender"), code_id=code_id, label=name,
                                    init_msg=wire, init_funds=proto_coins(sent), admin=boss)
    # The admin receives a right (to migrate the contract) unless it is the sender itself.
    calls.add(msg, wire, amounts=sent, receivers=[boss] if boss and boss != calls.sender else [])

    async def then(ctx: ToolContext, out: ContractTx) -> ContractTx:
        address = next((r.get("address") for r in out.responses if r.get("address")), None)
        if address:
            remember(ctx, address, "instantiate", code_id=code_id, label=name, txhash=out.txhash)
        return out

    lines = [f"Label: {quote(name, limit=128)}", f"Init message: {quote(body, limit=SHOWN)}",
             f"Admin: {boss or 'none (it can never be migrated)'}"]
    return calls.plan(f"Instantiate code {code_id}", lines=lines, memo=memo, gas=gas, then=then)


@tool(effect="writes", title="Migrate a contract", needs_wallet=True)
async def secret_migrate_contract(ctx: ToolContext, contract: AddressArg, code_id: CodeIdArg, msg: JsonArg,
                                  code_hash: HashArg = None, memo: MemoArg = "", gas: GasArg = None) -> Plan[ContractTx]:
    """Migrate a contract to a new code id (admin only); `code_hash` is the new code's."""
    from secret_sdk.protobuf.secret.compute import v1beta1 as pb

    from secret_mcp.api import code_hash as hash_of_contract

    address = validate_address(contract, field="contract")
    await hash_of_contract(ctx, address)  # unknown contracts fail here, before anything is sent
    body = parse_msg(msg, "msg")
    hash_ = await _hash_of_code(ctx, code_id, code_hash)  # the NEW code reads the message
    calls = await ContractMessages.start(ctx)
    wire = calls.cipher.encrypt(hash_, body)
    # Migrate carries bech32 strings, unlike store/instantiate/execute (docs/protocol-notes.md#compute-routes).
    calls.add(pb.MsgMigrateContract(sender=calls.sender, contract=address, code_id=code_id, msg=wire), wire)

    async def then(ctx: ToolContext, out: ContractTx) -> ContractTx:
        remember(ctx, address, "migrate", code_id=code_id, txhash=out.txhash)
        return out

    return calls.plan(f"Migrate {address} to code {code_id}", lines=[f"Migrate message: {quote(body, limit=SHOWN)}"],
                      memo=memo, gas=gas, then=then)


@tool(effect="writes", title="Upload contract code", needs_wallet=True)
async def secret_upload_contract(
    ctx: ToolContext,
    path: str,
    source: Annotated[str, Field(max_length=512)] = "",  # source code URL
    builder: Annotated[str, Field(max_length=128)] = "",  # builder image
    memo: MemoArg = "",
    gas: GasArg = None,
) -> Plan[ContractTx]:
    """Upload a .wasm or .wasm.gz file as new contract code."""
    from secret_sdk.protobuf.secret.compute import v1beta1 as pb

    zipped, size = read_wasm(str(path), await max_size(ctx))
    digest = hashlib.sha256(gzip.decompress(zipped)).hexdigest()
    calls = await ContractMessages.start(ctx)
    calls.add(pb.MsgStoreCode(sender=raw_address(calls.sender, "sender"), wasm_byte_code=zipped, source=source,
                              builder=builder), None)
    lines = [f"Source: {quote(source, limit=512)}"] if source else []
    lines += [f"Builder: {quote(builder, limit=128)}"] if builder else []
    return calls.plan(f"Upload {quote(path, limit=300)} ({size} bytes, code hash {digest})", lines=lines, memo=memo,
                      gas=gas)
