"""Account tools. Transactions are found with CometBFT queries: message.sender (sent) and transfer.recipient
(received); "all" merges both, newest first, without duplicates."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from secret_mcp.api import (
    ChainError, MAX_TX_PAGE, SecretMCPError, ToolContext, TxInfo, gather, search_txs, tool, tx_info,
)

AddressArg = str | None  # secret1…; each tool's description says the default (the active wallet)
Role = Literal["all", "sent", "received"]
QUERIES = {"sent": "message.sender='{a}'", "received": "transfer.recipient='{a}'"}


class PubKey(BaseModel):
    type: str
    key: str = Field(description="base64 public key")


class Account(BaseModel):
    address: str
    type: str = Field(description="e.g. BaseAccount, ModuleAccount, ContinuousVestingAccount")
    account_number: int
    sequence: int = Field(description="Transactions signed so far (the next tx uses this number)")
    pub_key: PubKey | None = Field(description="None until the account signs its first transaction")
    module_name: str | None = None


class AccountTxs(BaseModel):
    address: str
    role: Role
    txs: list[TxInfo]
    page: int
    limit: int
    total: int | None
    has_more: bool


class TxCount(BaseModel):
    address: str
    sent: int = Field(description="Transactions signed by this address (message.sender)")
    received: int = Field(description="Transactions that transferred tokens to it (transfer.recipient)")
    sequence: int | None = Field(description="The account's sequence (None if the account does not exist yet)")



async def _account(ctx: ToolContext, address: str) -> dict | None:
    try:
        body = await ctx.query(f"/cosmos/auth/v1beta1/accounts/{address}", data_class="account", addresses=[address])
    except ChainError as exc:
        if exc.code == "CHAIN_NOT_FOUND":
            return None
        raise
    return body.get("account") or {}


@tool(effect="reads", title="Get account")
async def secret_get_account(ctx: ToolContext, address: AddressArg = None) -> Account:
    """Account number, sequence and pubkey (default: active wallet)."""
    addr = ctx.address_or_active(address)
    acc = await _account(ctx, addr)
    if acc is None:
        raise SecretMCPError("ACCOUNT_NOT_FOUND", f"{addr} has no account on {ctx.network.name}: it never received funds.",
                             ["An address exists on chain only after it first receives tokens."], {"address": addr})
    kind = str(acc.get("@type", "")).rsplit(".", 1)[-1]
    base = acc.get("base_vesting_account", acc)
    base = base.get("base_account", base)
    pk = base.get("pub_key")
    return Account(address=addr, type=kind, account_number=int(base.get("account_number", 0)),
                   sequence=int(base.get("sequence", 0)),
                   pub_key=PubKey(type=str(pk.get("@type", "")), key=str(pk.get("key", ""))) if pk else None,
                   module_name=acc.get("name"))


async def _newest(ctx: ToolContext, query: str, count: int) -> tuple[list[dict], bool]:
    """At least the newest `count` matches of a query (whole node pages), and whether that is all of them."""
    found: list[dict] = []
    page = 1
    while True:
        chunk, _total = await search_txs(ctx, query, page=page, limit=MAX_TX_PAGE, order="desc")
        found += chunk
        if len(chunk) < MAX_TX_PAGE:
            return found, True
        if len(found) >= count:
            return found, False
        page += 1


@tool(effect="reads", title="Account transactions")
async def secret_get_account_transactions(
    ctx: ToolContext,
    address: AddressArg = None,
    role: Role = "all",
    page: Annotated[int, Field(ge=1)] = 1,
    limit: Annotated[int, Field(ge=1, le=100)] = 20,
) -> AccountTxs:
    """Transactions an address (default: active wallet) sent or received, newest first."""
    addr = ctx.address_or_active(address)
    if role != "all":
        responses, total = await search_txs(ctx, QUERIES[role].format(a=addr), page=page, limit=limit, order="desc")
    else:
        # Two queries merged: fetch enough of each for this page, drop a tx found by both (a send to oneself).
        want = page * limit
        sent, all_sent = await _newest(ctx, QUERIES["sent"].format(a=addr), want)
        got, all_got = await _newest(ctx, QUERIES["received"].format(a=addr), want)
        merged = {r["txhash"]: r for r in sent + got}
        ordered = sorted(merged.values(), key=lambda r: int(r.get("height", 0)), reverse=True)
        responses = ordered[(page - 1) * limit: want]
        total = len(ordered) if all_sent and all_got else None  # exact only when both lists were read to the end
        more = len(ordered) > want if total is not None else True
        return AccountTxs(address=addr, role=role, txs=[tx_info(ctx, r, with_events=False) for r in responses],
                          page=page, limit=limit, total=total, has_more=more)
    more = total is not None and page * limit < total
    return AccountTxs(address=addr, role=role, txs=[tx_info(ctx, r, with_events=False) for r in responses],
                      page=page, limit=limit, total=total, has_more=more)


@tool(effect="reads", title="Account transaction count")
async def secret_get_account_tx_count(ctx: ToolContext, address: AddressArg = None) -> TxCount:
    """How many transactions an address (default: active wallet) sent and received."""
    addr = ctx.address_or_active(address)
    (_, sent), (_, received), acc = await gather(  # three independent reads, one round trip
        search_txs(ctx, QUERIES["sent"].format(a=addr), limit=1),
        search_txs(ctx, QUERIES["received"].format(a=addr), limit=1),
        _account(ctx, addr))
    base = (acc or {}).get("base_vesting_account", acc or {})
    base = base.get("base_account", base)
    return TxCount(address=addr, sent=sent or 0, received=received or 0,
                   sequence=int(base.get("sequence", 0)) if acc is not None else None)
