"""Contract transactions: upload, instantiate, execute, batch execute, migrate. Confirmed, then through the pipeline."""

from __future__ import annotations

import gzip
import hashlib
from typing import Annotated, Any

from pydantic import BaseModel, Field

from secret_mcp.addresses import validate_address
from secret_mcp.amounts import Amount
from secret_mcp.context import ToolContext
from secret_mcp.contracts import cipher, code_hash, normalize_hash, remember
from secret_mcp.errors import ChainError, SecretMCPError
from secret_mcp.tools import tool
from secret_mcp.contracts.execute import confirm_text

from .common import (AddressArg, ContractTx, FundsArg, GasArg, HashArg, JsonArg, MemoArg, funds, parse_msg,
                     raw_address, run, sender)
from .upload import max_size, read_wasm

CodeIdArg = Annotated[int, Field(gt=0)]


class ExecuteItem(BaseModel):
    contract: str
    msg: dict[str, Any] | str
    code_hash: str | None = None
    funds: str | None = None


def _coins(amounts: list[Amount]) -> list[Any]:
    from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin  # protobuf on first use, not at start-up

    return [Coin(denom=a.denom, amount=str(a.amount)) for a in amounts]


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


# --- plans: the confirm function and the body build the same messages (fresh nonces each time) ---

async def _execute_plan(ctx: ToolContext, items: list[Any]) -> tuple[list[Any], list[bytes], list[Amount], list[str]]:
    from secret_sdk.protobuf.secret.compute import v1beta1 as pb

    if not items:
        raise SecretMCPError("INVALID_INPUT", "Give at least one message.", [])
    me, c = raw_address(sender(ctx), "sender"), await cipher(ctx)
    msgs, wires, spent, lines = [], [], [], []
    for i, item in enumerate(items):
        item = item if isinstance(item, ExecuteItem) else ExecuteItem.model_validate(item)
        address = validate_address(item.contract, field=f"messages[{i}].contract")
        body = parse_msg(item.msg, f"messages[{i}].msg")
        wire = c.encrypt(await code_hash(ctx, address, item.code_hash), body)
        sent = funds(item.funds, f"messages[{i}].funds")
        msgs.append(pb.MsgExecuteContract(sender=me, contract=raw_address(address), msg=wire, sent_funds=_coins(sent)))
        wires.append(wire)
        spent += sent
        lines.append(f"Execute on {address}: {body}" + (f" with {sent[0].display}" if sent else ""))
    return msgs, wires, spent, lines


async def _confirm_plan(ctx: ToolContext, action: str, plan: Any, args: dict[str, Any]) -> str | None:
    try:
        msgs, wires, spent, lines = await plan
    except SecretMCPError:
        return None  # the body fails the same check with a clear error, before anything is sent
    return await confirm_text(ctx, action, msgs, wires, amounts=spent, lines=lines, memo=args.get("memo") or "",
                              gas=args.get("gas"))


async def _confirm_execute(ctx: ToolContext, args: dict[str, Any]) -> str | None:
    item = {"contract": args["contract"], "msg": args["msg"], "code_hash": args.get("code_hash"), "funds": args.get("funds")}
    return await _confirm_plan(ctx, "Execute a contract", _execute_plan(ctx, [item]), args)


async def _confirm_batch(ctx: ToolContext, args: dict[str, Any]) -> str | None:
    items = args["messages"]
    return await _confirm_plan(ctx, f"Execute {len(items)} contract messages in ONE transaction",
                               _execute_plan(ctx, items), args)


@tool(effect="moves_funds", title="Execute a contract", needs_wallet=True, confirm=_confirm_execute)
async def secret_execute_contract(ctx: ToolContext, contract: AddressArg, msg: JsonArg, code_hash: HashArg = None,
                                  funds: FundsArg = None, memo: MemoArg = "", gas: GasArg = None) -> ContractTx:
    """Execute a contract message from the active wallet; returns the decrypted answer."""
    item = {"contract": contract, "msg": msg, "code_hash": code_hash, "funds": funds}
    msgs, wires, spent, lines = await _execute_plan(ctx, [item])
    out = await run(ctx, msgs, wires, summary=lines[0], tool="secret_execute_contract", amounts=spent, memo=memo, gas=gas)
    remember(ctx, validate_address(contract, field="contract"), "execute", txhash=out.txhash)
    return out


@tool(effect="moves_funds", title="Batch execute", needs_wallet=True, confirm=_confirm_batch)
async def secret_batch_execute(
    ctx: ToolContext,
    messages: Annotated[list[ExecuteItem], Field(min_length=1, max_length=50)],
    memo: MemoArg = "",
    gas: GasArg = None,
) -> ContractTx:
    """Execute several contract messages in ONE atomic transaction: all or none."""
    msgs, wires, spent, lines = await _execute_plan(ctx, messages)
    out = await run(ctx, msgs, wires, summary="; ".join(lines), tool="secret_batch_execute", amounts=spent,
                    memo=memo, gas=gas)
    for item in messages:
        remember(ctx, validate_address(item.contract if isinstance(item, ExecuteItem) else item["contract"]),
                 "execute", txhash=out.txhash)
    return out


async def _instantiate_plan(ctx: ToolContext, args: dict[str, Any]) -> tuple[list, list[bytes], list[Amount], list[str]]:
    from secret_sdk.protobuf.secret.compute import v1beta1 as pb

    label = str(args["label"]).strip()
    if not label:
        raise SecretMCPError("INVALID_INPUT", "label must not be empty (it must be unique on chain).", [])
    body = parse_msg(args["init_msg"], "init_msg")
    hash_ = await _hash_of_code(ctx, int(args["code_id"]), args.get("code_hash"))
    admin = validate_address(args["admin"], field="admin") if args.get("admin") else ""
    sent = funds(args.get("funds"))
    wire = (await cipher(ctx)).encrypt(hash_, body)
    msg = pb.MsgInstantiateContract(sender=raw_address(sender(ctx), "sender"), code_id=int(args["code_id"]),
                                    label=label, init_msg=wire, init_funds=_coins(sent), admin=admin)
    return [msg], [wire], sent, [f"Instantiate code {args['code_id']} as {label!r}", f"Init message: {body}",
                                 f"Admin: {admin or 'none (cannot be migrated)'}"]


async def _confirm_instantiate(ctx: ToolContext, args: dict[str, Any]) -> str | None:
    return await _confirm_plan(ctx, "Instantiate a contract", _instantiate_plan(ctx, args), args)


@tool(effect="moves_funds", title="Instantiate a contract", needs_wallet=True, confirm=_confirm_instantiate)
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
) -> ContractTx:
    """Instantiate a contract from a code id."""
    args = {"code_id": code_id, "init_msg": init_msg, "label": label, "admin": admin, "code_hash": code_hash, "funds": funds}
    msgs, wires, spent, lines = await _instantiate_plan(ctx, args)
    out = await run(ctx, msgs, wires, summary=lines[0], tool="secret_instantiate_contract", amounts=spent,
                    memo=memo, gas=gas)
    address = next((r.get("address") for r in out.responses if r.get("address")), None)
    if address:
        remember(ctx, address, "instantiate", code_id=code_id, label=label, txhash=out.txhash)
    return out


async def _migrate_plan(ctx: ToolContext, args: dict[str, Any]) -> tuple[list, list[bytes], list[Amount], list[str]]:
    from secret_sdk.protobuf.secret.compute import v1beta1 as pb

    address = validate_address(args["contract"], field="contract")
    await code_hash(ctx, address)  # unknown contracts fail here, before anything is sent
    body = parse_msg(args["msg"], "msg")
    hash_ = await _hash_of_code(ctx, int(args["code_id"]), args.get("code_hash"))  # the NEW code reads the message
    wire = (await cipher(ctx)).encrypt(hash_, body)
    # Migrate carries bech32 strings, unlike store/instantiate/execute (docs/protocol-notes.md#compute-routes).
    msg = pb.MsgMigrateContract(sender=sender(ctx), contract=address, code_id=int(args["code_id"]), msg=wire)
    return [msg], [wire], [], [f"Migrate {address} to code {args['code_id']}", f"Migrate message: {body}"]


async def _confirm_migrate(ctx: ToolContext, args: dict[str, Any]) -> str | None:
    return await _confirm_plan(ctx, "Migrate a contract", _migrate_plan(ctx, args), args)


@tool(effect="writes", title="Migrate a contract", needs_wallet=True, confirm=_confirm_migrate)
async def secret_migrate_contract(ctx: ToolContext, contract: AddressArg, code_id: CodeIdArg, msg: JsonArg,
                                  code_hash: HashArg = None, memo: MemoArg = "", gas: GasArg = None) -> ContractTx:
    """Migrate a contract to a new code id (admin only); `code_hash` is the new code's."""
    msgs, wires, _spent, lines = await _migrate_plan(ctx, {"contract": contract, "code_id": code_id, "msg": msg,
                                                           "code_hash": code_hash})
    out = await run(ctx, msgs, wires, summary=lines[0], tool="secret_migrate_contract", memo=memo, gas=gas)
    remember(ctx, validate_address(contract, field="contract"), "migrate", code_id=code_id, txhash=out.txhash)
    return out


async def _upload_plan(ctx: ToolContext, args: dict[str, Any]) -> tuple[list, list, list, list[str]]:
    from secret_sdk.protobuf.secret.compute import v1beta1 as pb

    zipped, size = read_wasm(str(args["path"]), await max_size(ctx))
    digest = hashlib.sha256(gzip.decompress(zipped)).hexdigest()
    msg = pb.MsgStoreCode(sender=raw_address(sender(ctx), "sender"), wasm_byte_code=zipped,
                          source=args.get("source") or "", builder=args.get("builder") or "")
    return [msg], [None], [], [f"Upload {args['path']} ({size} bytes, code hash {digest})"]


async def _confirm_upload(ctx: ToolContext, args: dict[str, Any]) -> str | None:
    return await _confirm_plan(ctx, "Upload contract code", _upload_plan(ctx, args), args)


@tool(effect="writes", title="Upload contract code", needs_wallet=True, confirm=_confirm_upload)
async def secret_upload_contract(
    ctx: ToolContext,
    path: str,
    source: Annotated[str, Field(max_length=512)] = "",  # source code URL
    builder: Annotated[str, Field(max_length=128)] = "",  # builder image
    memo: MemoArg = "",
    gas: GasArg = None,
) -> ContractTx:
    """Upload a .wasm or .wasm.gz file as new contract code."""
    msgs, wires, _spent, lines = await _upload_plan(ctx, {"path": path, "source": source, "builder": builder})
    return await run(ctx, msgs, wires, summary=lines[0], tool="secret_upload_contract", memo=memo, gas=gas)
