"""The loopback signing server: the page where the person's own wallet signs a request (or they approve one).

One per process, on 127.0.0.1 and a random port, started on first need (CONTRACTS.md section 2). Every route
takes the request's token; a wrong or missing token answers 404, the same as an unknown id, so the server never
tells whether an id exists. The page is a static file from secret_mcp/web/ with a strict CSP: nothing is loaded
from the network, and chain text reaches it only as JSON data.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import SecretMCPError
from .tx import signing

log = logging.getLogger("secret_mcp.signweb")

HOST = "127.0.0.1"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "Cache-Control": "no-store", "X-Frame-Options": "DENY"}
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}
MAX_BODY = 256 * 1024  # a signed doc with a large contract message is a few KB


def _not_found() -> Response:
    return Response("Not Found", status_code=404, media_type="text/plain", headers=HEADERS)


def _json(body: dict, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=HEADERS)


def _error(exc: SecretMCPError, status: int = 400) -> JSONResponse:
    from .security.redact import redact

    return _json({"error": {"code": exc.code, "message": redact(exc.message), "suggestions": redact(exc.suggestions),
                            "details": redact(exc.details)}}, status)


def _request_of(request: Request) -> signing.SigningRequest | None:
    return signing.find_with_token(request.path_params["rid"], request.query_params.get("t"))


def _static(name: str) -> bytes | None:
    if "/" in name or "\\" in name or name.startswith(".") or not any(name.endswith(e) for e in TYPES):
        return None
    try:
        return (resources.files("secret_mcp") / "web" / name).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


async def page(request: Request) -> Response:
    if _request_of(request) is None:
        return _not_found()
    html = _static("sign.html")
    if html is None:
        return Response("The signing page is not installed.", status_code=500, headers=HEADERS)
    return Response(html, media_type=TYPES[".html"], headers=HEADERS)


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    body = _static(name)
    if body is None:
        return _not_found()
    return Response(body, media_type=TYPES["." + name.rpartition(".")[2]], headers=HEADERS)


async def request_json(request: Request) -> Response:
    req = _request_of(request)
    if req is None:
        return _not_found()
    return _json(signing.describe(req))


async def _body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise SecretMCPError("INVALID_INPUT", "The request body is too large. Nothing was broadcast.", [])
    import json

    try:
        return json.loads(raw or b"{}")
    except ValueError:
        raise SecretMCPError("INVALID_INPUT", "The request body is not JSON. Nothing was broadcast.", []) from None


def _status_of(exc: SecretMCPError) -> int:
    return {"SIGNING_REQUEST_USED": 409, "SIGNING_REQUEST_EXPIRED": 410}.get(exc.code, 400)


async def signed(request: Request) -> Response:
    req = _request_of(request)
    if req is None:
        return _not_found()
    try:
        if req.mode != "wallet":
            raise SecretMCPError("INVALID_INPUT", "This request is approved with its Approve button.", [])
        signing.usable(req)
        body = await _body(request)
        if not isinstance(body, dict):
            raise SecretMCPError("INVALID_INPUT", "The body must be a JSON object. Nothing was broadcast.", [])
        mode = body.get("mode")
        if mode == "direct":
            raw = signing.check_direct(req, body.get("signed"), body.get("signature"))
        elif mode == "amino":
            raw = signing.check_amino(req, body.get("signed"), body.get("signature"))
        else:
            raise SecretMCPError("INVALID_INPUT", "mode must be 'direct' or 'amino'. Nothing was broadcast.", [])
        answer = await signing.complete(req, raw)
    except SecretMCPError as exc:
        return _error(exc, _status_of(exc))
    return _json(answer, 200 if "error" not in answer else 422)


async def pubkey(request: Request) -> Response:
    """The wallet's public key, for direct mode when the chain holds none for the account yet."""
    req = _request_of(request)
    if req is None:
        return _not_found()
    try:
        signing.usable(req)
        body = await _body(request)
        key = body.get("pub_key") if isinstance(body, dict) else None
        signing.learn_key(req, signing.pub_of_key(key))
    except SecretMCPError as exc:
        return _error(exc, _status_of(exc))
    return _json(signing.describe(req))


async def approve(request: Request) -> Response:
    req = _request_of(request)
    if req is None:
        return _not_found()
    try:
        if req.mode != "approve":
            raise SecretMCPError("INVALID_INPUT", "This request is signed in the person's wallet.", [])
        answer = await signing.complete(req, None)
    except SecretMCPError as exc:
        return _error(exc, _status_of(exc))
    return _json(answer, 200 if "error" not in answer else 422)


async def decline(request: Request) -> Response:
    req = _request_of(request)
    if req is None:
        return _not_found()
    try:
        signing.decline(req)
    except SecretMCPError as exc:
        return _error(exc, _status_of(exc))
    return _json({"status": "declined"})


def build_app() -> Starlette:
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    # Only this machine's own names: a web page that rebinds its DNS name to 127.0.0.1 is refused.
    hosts = Middleware(TrustedHostMiddleware, allowed_hosts=[HOST, "localhost"])
    return Starlette(middleware=[hosts], routes=[
        Route("/sign/{rid}", page, methods=["GET"]),
        Route("/sign/{rid}/request", request_json, methods=["GET"]),
        Route("/sign/{rid}/signed", signed, methods=["POST"]),
        Route("/sign/{rid}/pubkey", pubkey, methods=["POST"]),
        Route("/sign/{rid}/approve", approve, methods=["POST"]),
        Route("/sign/{rid}/decline", decline, methods=["POST"]),
        Route("/static/{name}", static, methods=["GET"]),
    ])


class _Server:
    """uvicorn without its signal handlers: the MCP server owns SIGINT/SIGTERM."""

    def __init__(self) -> None:
        import uvicorn

        class Quiet(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self):  # type: ignore[override]
                yield

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((HOST, 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(build_app(), log_config=None, access_log=False, lifespan="off", server_header=False)
        self.server = Quiet(config)
        self.loop = asyncio.get_running_loop()
        self.task = self.loop.create_task(self.server.serve(sockets=[self.sock]))

    def alive(self) -> bool:
        try:
            return asyncio.get_running_loop() is self.loop and not self.task.done()
        except RuntimeError:
            return False


_SERVER: _Server | None = None


async def ensure_started() -> str:
    """The signing server's base URL (http://127.0.0.1:PORT), started in this event loop on first need."""
    global _SERVER
    if _SERVER is None or not _SERVER.alive():
        if _SERVER is not None:  # its event loop ended (a test's): free the port
            _SERVER.sock.close()
        _SERVER = _Server()
        for _ in range(200):  # it is listening once uvicorn has started (a few ms)
            if _SERVER.server.started or _SERVER.task.done():
                break
            await asyncio.sleep(0.01)
        if _SERVER.task.done():
            raise SecretMCPError("SIGNING_SERVER_FAILED", "The local signing page could not start.", [])
    return f"http://{HOST}:{_SERVER.port}"


def signing_url(base: str, req: signing.SigningRequest) -> str:
    return f"{base}/sign/{req.id}?t={req.token}"


def _open(url: str) -> bool:
    """Open `url` in the person's graphical browser; False when there is none. Console browsers (lynx, w3m)
    are never started: under stdio they would take over the MCP server's own terminal streams."""
    import os
    import sys
    import webbrowser

    if not (sys.platform in ("darwin", "win32") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    if type(browser) is webbrowser.GenericBrowser:  # a console browser (its GUI kin are subclasses)
        return False
    return bool(browser.open(url, new=1))


OPEN = _open  # tests replace it to play the person's browser


async def open_in_browser(url: str) -> bool:
    """For approval = "browser": the page with its token goes straight to the person's browser, never through
    the model (which could otherwise approve by itself)."""
    import anyio

    try:
        return bool(await anyio.to_thread.run_sync(OPEN, url))
    except Exception as exc:
        log.info("could not open a browser: %s", type(exc).__name__)
        return False
