"""`secret_submit_signed_transaction`: a signing request's transaction, signed anywhere (secretcli, a Ledger flow,
another wallet), checked against the request exactly and broadcast once (tx/signing.py does the checks)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from .context import ToolContext
from .errors import SecretMCPError
from .tools import tool
from .tx import signing


async def submit(app: Any, request_id: str, tx_bytes: str) -> dict[str, Any]:
    """secret_submit_signed_transaction: check a TxRaw signed anywhere against the request, broadcast once."""
    req = signing.find(app, request_id)
    if req is None:
        raise signing.unknown_request(request_id)
    if req.mode != "wallet":
        raise SecretMCPError("INVALID_INPUT", "This request is approved on its page, not signed.", [])
    signing.usable(req)
    raw = signing.check_tx_raw(req, tx_bytes)
    answer = await signing.complete(req, raw)
    if "error" in answer:
        error = answer["error"]
        raise SecretMCPError(str(error.get("code") or "INTERNAL_ERROR"), str(error.get("message") or ""),
                             list(error.get("suggestions") or []), dict(error.get("details") or {}))
    return answer


class SubmittedResult(BaseModel):
    status: str = Field(description="included or failed")
    txhash: str | None = None
    height: int | None = None
    result: dict[str, Any] = Field(default_factory=dict, description="The signed tool's own result")


@tool(effect="moves_funds", title="Submit a signed transaction")
async def secret_submit_signed_transaction(
    ctx: ToolContext,
    request_id: str,
    tx_bytes: Annotated[str, Field(description="base64 TxRaw")],
) -> SubmittedResult:
    """Send a tx signed elsewhere (secretcli, Ledger) for an awaiting_signature request; checked exactly."""
    answer = await submit(ctx.app, request_id, tx_bytes)
    return SubmittedResult(status=answer["status"], txhash=answer.get("txhash"), height=answer.get("height"),
                           result=answer.get("result") or {})
