"""`secret-mcp serve --http`: the MCP server over streamable HTTP, behind a bearer token.

Every HTTP request must carry `Authorization: Bearer <token>`. The token comes from the `http_token`
setting (`SECRET_MCP_HTTP_TOKEN`) or a token file; without one, a fresh token is generated at start and
printed to stderr only (stdout and the logs never see it). A loopback-only server may generate its own
token; a server reachable from other machines must be given one explicitly. DNS-rebinding protection
(the SDK's Host/Origin check) stays on for every bind address.

`GET /metrics` serves the server's metrics in the Prometheus text format, behind the same token (a
Prometheus scrape job sends it with `authorization: {credentials_file: ...}`).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Sequence

import attrs

from .errors import SecretMCPError
from .logs import console

log = logging.getLogger("secret_mcp.http")

TOKEN_ENV = "SECRET_MCP_HTTP_TOKEN"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def is_loopback(host: str) -> bool:
    if host.strip("[]") in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


@attrs.frozen
class Token:
    value: str = attrs.field(repr=False)  # never in a repr, so never in a traceback or log by accident
    generated: bool


def resolve_token(config: Any, host: str, token_file: str | None = None) -> Token:
    """The token to require: configured (setting, env, file) or generated; refuses a public bind without one."""
    configured = getattr(config, "http_token", None) or os.environ.get(TOKEN_ENV, "").strip() or None
    if token_file:
        try:
            configured = Path(token_file).expanduser().read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise SecretMCPError("HTTP_TOKEN_FILE", f"Cannot read the token file {token_file}: {exc.strerror}", []) from None
        if configured is None:
            raise SecretMCPError("HTTP_TOKEN_FILE", f"The token file {token_file} is empty.", [])
    if configured is not None:
        if len(configured) < 16:
            raise SecretMCPError(
                "HTTP_TOKEN_WEAK", "The HTTP token must be at least 16 characters.",
                ["Generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"],
            )
        return Token(configured, generated=False)
    if not is_loopback(host):
        raise SecretMCPError(
            "HTTP_TOKEN_REQUIRED",
            f"Refusing to listen on {host}: other machines could reach it, and no token was configured.",
            [f"Set {TOKEN_ENV} (or http_token in the config file, or --token-file) to a long random secret,",
             "or listen on 127.0.0.1."],
        )
    return Token(secrets.token_urlsafe(32), generated=True)


class BearerAuth:
    """ASGI middleware: every HTTP request needs the bearer token; anything else gets a JSON 401."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self._token = token.encode()

    def _authorized(self, scope: dict) -> bool:
        header = b""
        for key, value in scope.get("headers", ()):
            if key == b"authorization":
                header = value
                break
        scheme, _, credential = header.partition(b" ")
        # compare_digest: the time taken must not tell an attacker how much of a guess was right.
        return scheme.lower() == b"bearer" and hmac.compare_digest(credential.strip(), self._token)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self._authorized(scope):
            await self.app(scope, receive, send)  # lifespan events carry no headers and must pass
            return
        from starlette.responses import JSONResponse

        body = {"error": {"code": "UNAUTHORIZED", "message": "A valid bearer token is required."}}
        response = JSONResponse(body, status_code=401, headers={"WWW-Authenticate": 'Bearer realm="secret-mcp"'})
        await response(scope, receive, send)


def transport_security(host: str, extra_hosts: Sequence[str] = ()) -> Any:
    """Host/Origin allow-list: loopback names always, the bind host and any extra names when given."""
    from mcp.server.transport_security import TransportSecuritySettings

    names = ["127.0.0.1", "localhost", "[::1]"]
    bound = f"[{host}]" if ":" in host and not host.startswith("[") else host
    if not is_loopback(host) and host not in ("0.0.0.0", "::"):
        names.append(bound)
    names += [h for h in extra_hosts if h]
    hosts = [h for name in names for h in (name, f"{name}:*")]
    origins = [o for name in names for o in (f"http://{name}", f"http://{name}:*", f"https://{name}", f"https://{name}:*")]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


class MetricsRoute:
    """ASGI middleware: `GET /metrics` answers with the Prometheus text; every other request goes on to MCP."""

    def __init__(self, app: Any, server: Any, path: str = "/metrics") -> None:
        self.app, self.server, self.path = app, server, path

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        from starlette.responses import PlainTextResponse

        from . import metrics

        app = getattr(self.server, "secret_app", None)  # set by build_server
        if scope.get("method") not in ("GET", "HEAD"):
            response = PlainTextResponse("Method Not Allowed\n", status_code=405, headers={"Allow": "GET, HEAD"})
        elif app is None:
            response = PlainTextResponse("No metrics for this server\n", status_code=404)
        else:
            text = metrics.render_prometheus(app.metrics.snapshot())
            response = PlainTextResponse(text, headers={"Content-Type": metrics.CONTENT_TYPE})
        await response(scope, receive, send)


def build_app(server: Any, *, token: str | None, host: str, extra_hosts: Sequence[str] = (), path: str = "/mcp",
              config: Any = None) -> Any:
    """The ASGI app: MCPServer's streamable HTTP app plus /metrics, both behind the bearer check; with
    `oauth_issuer`, an OAuth resource server instead (auth/http.py; /metrics keeps the bearer token)."""
    if config is not None and getattr(config, "oauth_issuer", None):
        from .auth.http import build_oauth_app

        return build_oauth_app(server, config, transport_security=transport_security(host, extra_hosts), host=host,
                               path=path, metrics=BearerAuth(MetricsRoute(None, server), token) if token else None)
    assert token is not None
    if config is not None and config.cache_url and config.state_key:
        from .auth.http import shared_request_state

        shared_request_state(server, config)
    inner = server.streamable_http_app(
        streamable_http_path=path, transport_security=transport_security(host, extra_hosts), host=host
    )
    return BearerAuth(MetricsRoute(inner, server), token)


def serve_http(
    server: Any, config: Any, *, host: str, port: int, token_file: str | None = None, extra_hosts: Sequence[str] = ()
) -> None:
    """Run until interrupted. Raises SecretMCPError before binding when the token rules are not met."""
    import uvicorn

    oauth = bool(getattr(config, "oauth_issuer", None))
    token = resolve_token(config, host, token_file) if not oauth or config.http_token or token_file else None
    app = build_app(server, token=token.value if token else None, host=host, extra_hosts=extra_hosts, config=config)
    shown = f"[{host}]" if ":" in host else host
    # stderr only: stdout may be captured by whatever launched us, and the log may be shipped elsewhere.
    fmt = config.log_format
    console(fmt, "streamable HTTP on", logger=log.name, url=f"http://{shown}:{port}/mcp")
    if token is not None:
        console(fmt, "Prometheus metrics on", logger=log.name, url=f"http://{shown}:{port}/metrics")
    if oauth:
        console(fmt, "OAuth: tokens from", logger=log.name, issuer=config.oauth_issuer, audience=config.oauth_audience)
    elif token is not None and token.generated:
        console(fmt, "bearer token (generated for this run):", logger=log.name, token=token.value)
    else:
        console(fmt, "bearer token: the configured one", logger=log.name)
    uv = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, lifespan="on",
                        log_level=config.log_level.lower())
    uvicorn.Server(uv).run()
