"""Finding transactions: by hash, by CometBFT query, and "what became of it" status."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field
from secret_mcp.api import (
    MISSING_DESCRIPTION, PENDING_SECONDS, SecretMCPError, ToolContext, TransferStatus, TxInfo, broadcast_age,
    check_tx_hash, extra, get_tx, ibc_outcomes, search_txs, signing_request_status, tool, tx_info,
)

HashArg = str  # 64 hex characters
StatusArg = str  # a tx hash (64 hex), or the request_id of an awaiting_signature result


class TxPage(BaseModel):
    query: str
    txs: list[TxInfo]
    page: int
    limit: int
    total: int | None = Field(description="Matches in all pages (None when the page is past the end)")
    has_more: bool


class TxStatus(BaseModel):
    txhash: str  # "" while a signing request is not signed
    status: Literal["pending", "success", "failed", "unknown", "awaiting_signature", "signed", "declined", "expired"]
    request_id: str | None = None
    height: int | None = None
    code: int | None = None
    raw_log: str = ""
    explanation: str
    ibc: list[TransferStatus] | None = Field(
        None, description="IBC packets this tx sent and what became of each: pending, acknowledged, "
                          "refunded_error or refunded_timeout")
    missing: list[str] = Field([], description=MISSING_DESCRIPTION)


@tool(effect="reads", title="Get transaction")
async def secret_get_transaction(ctx: ToolContext, hash: HashArg) -> TxInfo:
    """A committed transaction with its messages and events."""
    response = await get_tx(ctx, hash)
    if response is None:
        raise SecretMCPError("TX_NOT_FOUND", f"No transaction {check_tx_hash(hash)} on {ctx.network.name}.",
                             ["Check the hash and the network; a transaction sent seconds ago may still be pending "
                              "(secret_get_transaction_status)."], {"txhash": check_tx_hash(hash)})
    return tx_info(ctx, response)


@tool(effect="reads", title="Search transactions")
async def secret_search_transactions(
    ctx: ToolContext,
    query: Annotated[str, Field(description="e.g. message.sender='secret1…' AND tx.height>=100")],
    page: Annotated[int, Field(ge=1)] = 1,
    limit: Annotated[int, Field(ge=1, le=100)] = 20,
    order: Literal["asc", "desc"] = "desc",  # by height
) -> TxPage:
    """Search transactions by CometBFT event query."""
    responses, total = await search_txs(ctx, query, page=page, limit=limit, order=order)
    txs = [tx_info(ctx, r, with_events=False) for r in responses]
    more = total is not None and page * limit < total
    return TxPage(query=query, txs=txs, page=page, limit=limit, total=total, has_more=more)


@tool(effect="reads", title="Transaction status")
async def secret_get_transaction_status(ctx: ToolContext, hash: StatusArg) -> TxStatus:
    """Pending, succeeded, failed or unknown? Check after TX_OUTCOME_UNKNOWN before resending."""
    request = signing_request_status(ctx, hash)
    if request is not None and not request["txhash"]:
        return TxStatus(txhash="", status=request["status"], request_id=request["request_id"],
                        explanation=_REQUEST_STATES[request["status"]].format(until=request["expires_at"]))
    if request is not None:
        found = await secret_get_transaction_status(ctx, request["txhash"])
        return found.model_copy(update={"request_id": request["request_id"]})
    txhash = check_tx_hash(hash)
    response = await get_tx(ctx, txhash)
    if response is not None:
        code = int(response.get("code", 0))
        ok = code == 0
        missing: list[str] = []
        packets = await extra(ibc_outcomes(ctx, response), "ibc", missing)
        return TxStatus(txhash=txhash, status="success" if ok else "failed", height=int(response.get("height", 0)),
                        code=code, raw_log=str(response.get("raw_log", "")), ibc=packets or None, missing=missing,
                        explanation="Included in a block and succeeded." if ok else
                        "Included in a block but failed: its messages had no effect; the fee was paid.")
    age = broadcast_age(ctx, txhash)
    if age is not None and age < PENDING_SECONDS:
        return TxStatus(txhash=txhash, status="pending",
                        explanation=f"This server broadcast it {age:.0f} s ago; it is not in a block yet. Check again shortly.")
    return TxStatus(txhash=txhash, status="unknown",
                    explanation="The chain does not know this hash: never sent, dropped from the mempool, or on "
                                "another network. It is safe to send again only if it never appears.")


_REQUEST_STATES = {
    "awaiting_signature": "Not signed yet: the person signs it on the signing page (or offline) until {until}.",
    "signed": "Signed; it is being broadcast. Check again shortly.",
    "failed": "Signed, but the broadcast was refused before reaching a block; nothing was sent.",
    "declined": "The person declined it; nothing was signed or sent.",
    "expired": "The request expired unsigned at {until}; nothing was sent. Call the tool again for a new one.",
}
