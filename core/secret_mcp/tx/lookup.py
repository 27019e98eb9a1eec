"""Reading transactions back: one by hash, or by CometBFT query (`GET /cosmos/tx/v1beta1/txs?query=`).

secret-sdk's tx.search sends only the legacy `events=` parameter, which SDK 0.50 nodes ignore
(docs/protocol-notes.md#client-quirks), so the query goes through the pool here, shared by the transactions and accounts packs.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..addresses import given
from ..amounts import CoinView, coin_view
from ..context import ToolContext
from ..errors import ChainError, SecretMCPError
from .chain import TXS, fetch_tx
from .result import SIMULATED_NOTE, TxEvent, events_of

_HASH = re.compile(r"^(0x)?[0-9A-Fa-f]{64}$")
MAX_PAGE = 100  # the node caps `limit` at 100


class TxInfo(BaseModel):
    txhash: str
    status: Literal["success", "failed"]
    height: int
    code: int
    codespace: str = ""
    raw_log: str = ""
    timestamp: str | None = None
    gas_wanted: int
    gas_used: int
    fee: list[CoinView]
    memo: str = ""
    messages: list[dict[str, Any]] = Field(description="Each message as proto-JSON with its '@type'")
    events: list[TxEvent] = []
    explorer_url: str | None = None
    note: str | None = None


def check_hash(txhash: str) -> str:
    text = (txhash or "").strip()
    if not _HASH.match(text):
        raise SecretMCPError("INVALID_TX_HASH",
                             f"hash: not a transaction hash (64 hexadecimal characters; {given(text)}).",
                             ["Copy the full txhash from a transaction result or an explorer."], {"field": "hash"})
    return text.removeprefix("0x").upper()


def tx_info(ctx: ToolContext, response: dict, *, with_events: bool = True) -> TxInfo:
    tx = response.get("tx") or {}
    body, auth = tx.get("body") or {}, tx.get("auth_info") or {}
    fee = (auth.get("fee") or {}).get("amount") or []
    code = int(response.get("code", 0))
    txhash = str(response.get("txhash", "")).upper()
    return TxInfo(
        txhash=txhash, status="success" if code == 0 else "failed", height=int(response.get("height", 0)), code=code,
        codespace=str(response.get("codespace", "")), raw_log=str(response.get("raw_log", "")),
        timestamp=response.get("timestamp") or None, gas_wanted=int(response.get("gas_wanted") or 0),
        gas_used=int(response.get("gas_used") or 0), fee=[coin_view(c["denom"], c["amount"]) for c in fee],
        memo=str(body.get("memo", "")), messages=list(body.get("messages") or []),
        events=events_of(response) if with_events else [], explorer_url=ctx.network.explorer_link(txhash),
        note=SIMULATED_NOTE if ctx.network.simulated else None,
    )


async def get_tx(ctx: ToolContext, txhash: str) -> dict | None:
    """The tx_response (with `tx`) of a committed transaction, or None when the node does not know the hash."""
    body = await fetch_tx(ctx, check_hash(txhash))
    if body is None:
        return None
    response = dict(body.get("tx_response") or {})
    response.setdefault("tx", body.get("tx"))
    if not response.get("tx"):
        response["tx"] = body.get("tx")
    return response


async def search(ctx: ToolContext, query: str, *, page: int = 1, limit: int = 20,
                 order: Literal["asc", "desc"] = "desc") -> tuple[list[dict], int | None]:
    """(tx_responses of one page, total matches or None). A page past the end is empty, not an error."""
    if not query.strip():
        raise SecretMCPError("INVALID_QUERY", "The search query is empty.",
                             ["Use CometBFT syntax, e.g. message.sender='secret1…' AND tx.height>=100."])
    params = {"query": query, "page": page, "limit": min(limit, MAX_PAGE),
              "order_by": "ORDER_BY_DESC" if order == "desc" else "ORDER_BY_ASC"}
    pool = await ctx.pool()
    try:
        body = await pool.get(TXS, params)
    except ChainError as exc:
        message = str(exc.details.get("chain_message") or exc.message)
        if "page should be within" in message:
            return [], None  # past the last page: the node does not say how many there are
        if exc.code in ("CHAIN_BAD_REQUEST", "CHAIN_ERROR"):
            raise SecretMCPError("INVALID_QUERY", f"The node rejected the query {query!r}: {message}",
                                 ["Use CometBFT syntax: key='value' joined by AND, e.g. message.sender='secret1…'."],
                                 {"query": query}) from None
        raise
    responses = []
    txs = body.get("txs") or []
    for i, response in enumerate(body.get("tx_responses") or []):
        response = dict(response)
        if not response.get("tx") and i < len(txs):
            response["tx"] = txs[i]
        responses.append(response)
    return responses, int(body.get("total") or len(responses))

