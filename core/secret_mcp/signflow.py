"""How a write reaches the person when they sign in their own wallet (or approve on the page, approval="browser").

The call opens a signing request (tx/signing.py) and the loopback page serves it (signweb.py). Then:
- a client that takes URL-mode elicitation on a connection where the server can ask mid-call (protocol up to
  2025-11-25) is sent the page's URL with `elicitation/create` mode "url", and the tool call completes with the
  transaction's result once the page is done (or ends when the request expires);
- every other client gets an error-flagged result (nothing has happened yet) with status "awaiting_signature",
  the URL, the sign doc in both modes and the unsigned tx for offline signing; the person signs on the page or
  anywhere (secret_submit_signed_transaction), and secret_get_transaction_status tells when it is in a block.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Awaitable, Callable

import anyio
from mcp.types import CallToolResult

from . import results
from .errors import SecretMCPError
from .tx import signing

if TYPE_CHECKING:
    from .app import App
    from .context import ToolContext
    from .tx.carry import Prepared

log = logging.getLogger("secret_mcp.signflow")

MRTR_ERA = "2026-07-28"  # from this protocol version on, the server cannot send a request mid-call
# The tool's own answer once the person signed (raw TxRaw) or approved (None), as the client would see it.
Run = Callable[["Prepared", "bytes | None"], Awaitable[CallToolResult]]


def can_elicit_url(mcp_ctx: Any) -> bool:
    """The client declared URL-mode elicitation and this connection lets the server ask mid-call."""
    caps = getattr(mcp_ctx, "client_capabilities", None) if mcp_ctx is not None else None
    elicitation = getattr(caps, "elicitation", None) if caps is not None else None
    version = str(getattr(mcp_ctx, "protocol_version", "") or "")
    return elicitation is not None and getattr(elicitation, "url", None) is not None and (not version or version < MRTR_ERA)


def answer_of(result: CallToolResult) -> dict[str, Any]:
    """The page's answer from the tool's result: included with txhash and height, or failed with the error."""
    data = dict(result.structured_content or {})
    if result.is_error:
        error = data.get("error") or {}
        return {"status": "failed", "txhash": (error.get("details") or {}).get("txhash"), "error": error}
    tx = data.get("tx") if isinstance(data.get("tx"), dict) else data
    return {"status": "included", "txhash": tx.get("txhash"), "height": tx.get("height"), "result": data}


async def open_for_call(app: "App", ctx: "ToolContext", prepared: "Prepared", mode: str, run: Run) -> CallToolResult:
    """Open the request for this call and answer it: completed through URL elicitation, or awaiting_signature."""
    from . import signweb

    results_of: dict[str, CallToolResult] = {}

    async def carry(current: "Prepared", raw: bytes | None) -> dict:
        result = await run(current, raw)
        results_of["result"] = result
        return answer_of(result)

    remote = getattr(app, "remote_signing", None)
    if remote is not None:  # a remote server (auth/signreqs.py): any worker serves the page and takes the answer
        if mode != "wallet":
            return results.failure(SecretMCPError(
                "APPROVAL_PAGE_UNAVAILABLE", "A remote server has no approval page: its wallets sign in the "
                "person's own wallet. Nothing was signed or sent.", ["Use a wallet-signer wallet."]))
        req = signing.open_request(app, prepared, mode, carry)
        return awaiting_result(req, remote.publish(req))
    req = signing.open_request(app, prepared, mode, carry)
    base = await signweb.ensure_started()
    url = signweb.signing_url(base, req)
    if mode == "approve":  # the token must not reach the model: the page opens in the person's browser directly
        if not await signweb.open_in_browser(url):
            signing.decline(req)
            return results.failure(SecretMCPError(
                "APPROVAL_PAGE_UNAVAILABLE", "No browser could be opened on this machine for the approval page "
                "(approval = \"browser\"). Nothing was signed or sent.",
                ["Run the server where a desktop browser is available, or use a client that can ask (elicitation), "
                 "or set approval = \"code\"."]))
        return awaiting_result(req, f"{base}/sign/{req.id}")
    mcp_ctx = ctx.mcp
    if can_elicit_url(mcp_ctx):
        what = "Sign it in your wallet" if mode == "wallet" else "Approve or decline it"
        try:
            outcome = await mcp_ctx.elicit_url(f"{prepared.plan.action}. {what} on this local page.", url, req.id)
        except Exception as exc:  # the client failed to take the question: it still gets the URL below
            log.info("URL elicitation failed (%s); answering with awaiting_signature", type(exc).__name__)
            outcome = None
        action = getattr(outcome, "action", None)
        if action in ("decline", "cancel"):
            if not req.used:
                signing.decline(req)
            code = "CONFIRMATION_DECLINED" if action == "decline" else "CONFIRMATION_CANCELLED"
            return results.failure(SecretMCPError(code, "The person did not open the signing page; nothing was "
                                                  "signed or sent.", []))
        if action == "accept":
            with anyio.move_on_after(max(0.0, req.expires - time.time())):
                await req.done.wait()
            if req.done.is_set():
                await _tell_complete(mcp_ctx, req.id)
            if "result" in results_of:
                return results_of["result"]
            if req.status == "declined":
                return results.failure(SecretMCPError("CONFIRMATION_DECLINED", "The person declined on the signing "
                                                      "page; nothing was signed or sent.", []))
            if req.status != "awaiting_signature":  # answered, but the broadcast itself raised
                return results.failure(results.INTERNAL)
    return awaiting_result(req, url)


async def _tell_complete(mcp_ctx: Any, elicitation_id: str) -> None:
    """notifications/elicitation/complete: the client may close what it opened for the URL."""
    try:
        await mcp_ctx.session.send_elicit_complete(elicitation_id)
    except Exception as exc:  # a courtesy: the call's own result follows anyway
        log.debug("elicitation/complete not sent: %s", type(exc).__name__)


def _where(url: str) -> str:
    # A remote server (OAuth, several workers) serves the page at its public URL, not on this machine's loopback.
    return "local to this machine" if "://127.0.0.1" in url or "://localhost" in url else "served by this server"


def awaiting_result(req: signing.SigningRequest, url: str) -> CallToolResult:
    """isError on purpose, like CONFIRMATION_REQUIRED: nothing has happened yet."""
    from .security.redact import redact

    body = redact(signing.awaiting(req, url))
    if req.mode == "wallet":
        ask = f"Ask the person to open {url} and sign it in their own wallet"
    else:
        ask = "An approval page opened in the person's browser: ask them to approve or decline it there"
    exc = SecretMCPError(
        "AWAITING_SIGNATURE",
        f"Nothing was sent yet. {ask}: {body['preview']}",
        [f"The page is {_where(url)} and valid once, until {req.expires_at}.",
         f"Then secret_get_transaction_status with hash {req.id} tells when it is signed and in a block."]
        + (["Or sign offline (body.unsigned_tx, see offline_signing) and pass the base64 TxRaw to "
            f"secret_submit_signed_transaction with request_id {req.id}."] if req.mode == "wallet" else []),
        {"request_id": req.id, "signing_url": url, "expires_at": req.expires_at},
    )
    result = results.failure(exc)
    result.structured_content |= body
    return result
