"""`serve --http` as an OAuth 2.1 resource server (`oauth_issuer` set), through the SDK's auth support.

- `GET /.well-known/oauth-protected-resource/mcp` (RFC 9728) names the authorization server and the scopes.
- A request to /mcp without a valid token gets 401 with `WWW-Authenticate: Bearer ... resource_metadata=...`
  (the SDK's RequireAuthMiddleware); a token without `secret:read` gets 403 `insufficient_scope`.
- Tokens are JWTs checked against the issuer's JWKS (tokens.py), bound to `oauth_audience`, which is this
  server's own public URL of /mcp (the RFC 8707 resource a client asks a token for).
- Each token subject is a principal with its own state (principals.py), limited per principal (limits.py).
- With `cache_url`, the 2026-era request state (an elicitation's round trip) is sealed under a key derived
  from `state_key`, so the retry may reach another worker.
- `/metrics` stays behind the static bearer token (`http_token`), served only when one is configured.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..errors import SecretMCPError
from . import READ_SCOPE, SCOPES


def check_settings(config: Any) -> None:
    """Refuse a half-configured OAuth setup before binding, naming the setting."""
    issuer, audience = config.oauth_issuer, config.oauth_audience
    if not audience:
        raise SecretMCPError("OAUTH_CONFIG", "oauth_issuer is set but oauth_audience is not.",
                             ["Set oauth_audience (SECRET_MCP_OAUTH_AUDIENCE) to this server's public URL of /mcp, "
                              "e.g. https://mcp.example.com/mcp: tokens must be issued for it."])
    for name, url in (("oauth_issuer", issuer), ("oauth_audience", audience)):
        parts = urlsplit(url)
        local = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if parts.scheme != "https" and not (parts.scheme == "http" and local):
            raise SecretMCPError("OAUTH_CONFIG", f"{name} must be an https:// URL (http:// only on loopback).", [])
    if config.cache_url and len(config.state_key or "") < 32:
        raise SecretMCPError("OAUTH_CONFIG", "With cache_url, state_key must be a shared secret of at least 32 "
                             "characters: principals' state in Redis is sealed under it.", [])


def principal_of(token: Any) -> str:
    from .principals import principal_id

    return principal_id((token.claims or {}).get("iss"), token.subject or token.client_id)


class _CurrentSecurity:
    """What the core's security plugin is bound to under OAuth: the running principal's Security."""

    def __init__(self, app: Any) -> None:
        self._app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app.security, name)


def shared_request_state(server: Any, config: Any) -> None:
    """Seal 2026-era request state under a key every worker derives from `state_key` (with `cache_url`, in
    either HTTP mode): a question asked by one worker may be answered on another."""
    from mcp.server.request_state import RequestStateBoundary, RequestStateSecurity

    from .principals import derive_key

    policy = RequestStateSecurity(keys=[derive_key(config.state_key, b"request state")])
    for i, middleware in enumerate(server.middleware):
        if isinstance(middleware, RequestStateBoundary):
            server.middleware[i] = RequestStateBoundary(policy, default_audience=server.name)


class _MetricsBehindToken:
    """`/metrics` with the static bearer token; without one configured, /metrics is not served. `metrics` is
    that route, built by http.py (which imports this module, so not the other way round)."""

    def __init__(self, app: Any, metrics: Any) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") != "/metrics":
            await self.app(scope, receive, send)
            return
        if self.metrics is None:
            from starlette.responses import PlainTextResponse

            await PlainTextResponse("Not Found\n", status_code=404)(scope, receive, send)
            return
        await self.metrics(scope, receive, send)


def build_oauth_app(server: Any, config: Any, *, transport_security: Any, host: str, path: str = "/mcp",
                    metrics: Any = None) -> Any:
    from mcp.server.auth.routes import create_protected_resource_routes
    from mcp.server.auth.settings import AuthSettings
    from starlette.middleware import Middleware

    from ..principal import own
    from ..security import PLUGIN_NAME
    from .gate import PrincipalGate
    from .limits import Buckets, PrincipalLimits, Sessions
    from .principals import Principals
    from .tokens import JWTVerifier

    check_settings(config)
    app = server.secret_app
    auth = AuthSettings(issuer_url=config.oauth_issuer, resource_server_url=config.oauth_audience,
                        required_scopes=[READ_SCOPE], validate_token_resource=True)
    verifier = JWTVerifier(config.oauth_issuer, config.oauth_audience, config.oauth_jwks_url)

    principals = Principals(app)
    server.middleware.append(PrincipalGate(app, principals))
    plugin = app.host.pm.get_plugin(PLUGIN_NAME)
    if plugin is not None:
        plugin.bind(_CurrentSecurity(app))
    if config.cache_url:
        shared_request_state(server, config)

    starlette = server._lowlevel_server.streamable_http_app(  # MCPServer's own method, with our verifier
        streamable_http_path=path, transport_security=transport_security, host=host,
        auth=auth, token_verifier=verifier, custom_starlette_routes=list(server._custom_starlette_routes),
    )
    # The metadata lists both scopes (the SDK's lists only those every request needs).
    routes = starlette.router.routes
    for route in list(routes):
        if getattr(route, "path", "").startswith("/.well-known/oauth-protected-resource"):
            routes.remove(route)
    routes.extend(create_protected_resource_routes(
        resource_url=auth.resource_server_url, authorization_servers=[auth.issuer_url], scopes_supported=list(SCOPES),
        resource_name="secret-mcp"))

    shared = getattr(own(app, "security").codes, "_shared", None)
    client = shared._client if shared is not None else None
    # Signing requests of this many-person server: per principal, in Redis, the page served by every worker.
    from .signreqs import install

    starlette.router.routes.extend(install(app, config, client))
    starlette.state.remote_signing = app.remote_signing
    buckets = Buckets(config.rate_limit_per_minute, config.rate_limit_burst, client, config.cache_url or "")
    sessions = Sessions(config.max_sessions_per_principal, client)
    starlette.user_middleware.append(Middleware(PrincipalLimits, buckets=buckets, sessions=sessions,
                                                principal_of=principal_of))
    return _MetricsBehindToken(starlette, metrics)
