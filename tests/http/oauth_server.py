"""A real OAuth 2.1 authorization server for the tests, built on authlib.

Client credentials grant (RFC 6749 §4.4) issuing RFC 9068 JWT access tokens (authlib's JWTBearerTokenGenerator,
RS256 under a key made per run), its public keys at /jwks.json and RFC 8414 metadata at
/.well-known/oauth-authorization-server. Served by the standard library's threading HTTP server on a free
loopback port. Each registered client may carry claim overrides, to mint the bad tokens a resource server
must refuse (another audience, another issuer, already expired) the way a misconfigured or hostile issuer
would.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import httpx
from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from joserfc.jwk import KeySet, RSAKey

SCOPES = ["secret:read", "secret:write"]


class Client(ClientMixin):
    def __init__(self, client_id: str, secret: str, scope: str, claims: dict[str, Any], expires_in: int) -> None:
        self.client_id, self.secret, self.scope, self.claims, self.expires_in = client_id, secret, scope, claims, expires_in

    def get_client_id(self) -> str:
        return self.client_id

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == self.secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "client_credentials"

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = scope_to_list(self.scope) or []
        if not scope:
            return " ".join(allowed)
        return " ".join(s for s in scope_to_list(scope) if s in allowed)


class _Tokens(JWTBearerTokenGenerator):
    def __init__(self, server: "AuthServer") -> None:
        super().__init__(issuer=server.issuer, expires_generator=lambda client, grant: client.expires_in)
        self.server = server

    def get_jwks(self) -> Any:
        return self.server.private_keys

    def get_audiences(self, client: Client, user: Any, scope: str) -> str:
        return self.server.audience

    def get_extra_claims(self, client: Client, grant_type: str, user: Any, scope: str) -> dict[str, Any]:
        return dict(client.claims)  # applied last: overrides iss or aud for the refusal tests


class _Authlib(AuthorizationServer):
    def __init__(self, server: "AuthServer") -> None:
        super().__init__(scopes_supported=SCOPES)
        self.server = server

    def query_client(self, client_id: str) -> Client | None:
        return self.server.clients.get(client_id)

    def save_token(self, token: dict, request: Any) -> None:
        self.server.issued += 1

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        method, uri, form, headers = request
        oauth_request = OAuth2Request(method, uri, headers=headers)
        oauth_request.payload = BasicOAuth2Payload(form)
        return oauth_request

    def handle_response(self, status: int, body: Any, headers: Any) -> tuple[int, Any, Any]:
        return status, body, headers


class AuthServer:
    """`start()` to serve; `token(client_id)` for an access token; `register(...)` for another client."""

    def __init__(self, audience: str) -> None:
        self.audience = audience
        key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig", "alg": "RS256"})
        self.private_keys = KeySet([key])
        self.clients: dict[str, Client] = {}
        self.issued = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._as = _Authlib(self)
        self._as.register_grant(ClientCredentialsGrant)
        self._as.register_token_generator("default", _Tokens(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def register(self, client_id: str, scope: str = "secret:read secret:write", *, expires_in: int = 600,
                 **claims: Any) -> str:
        self.clients[client_id] = Client(client_id, f"secret-of-{client_id}", scope, claims, expires_in)
        return client_id

    def token(self, client_id: str, scope: str | None = None) -> str:
        """An access token through the real token endpoint (HTTP basic client authentication)."""
        data = {"grant_type": "client_credentials"} | ({"scope": scope} if scope else {})
        answer = httpx.post(f"{self.issuer}/token", data=data, auth=(client_id, self.clients[client_id].secret))
        answer.raise_for_status()
        return answer.json()["access_token"]

    def metadata(self) -> dict[str, Any]:
        # authorization_endpoint: the SDK's metadata model requires one; it answers unsupported_response_type
        # (only client credentials here).
        return {"issuer": self.issuer, "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks.json",
                "authorization_endpoint": f"{self.issuer}/authorize", "response_types_supported": [],
                "grant_types_supported": ["client_credentials"], "scopes_supported": SCOPES,
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]}

    def start(self) -> "AuthServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, headers: Any = ()) -> None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                sent = {k.lower() for k, _v in headers}
                for k, v in headers:
                    self.send_header(k, v)
                if "content-type" not in sent:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/.well-known/oauth-authorization-server":
                    self._send(200, server.metadata())
                elif self.path == "/jwks.json":
                    self._send(200, server.private_keys.as_dict(private=False))
                elif self.path.startswith("/authorize"):
                    self._send(400, {"error": "unsupported_response_type"})
                else:
                    self._send(404, {"error": "not_found"})

            def do_POST(self) -> None:  # noqa: N802
                if self.path != "/token":
                    self._send(404, {"error": "not_found"})
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                form = dict(parse_qsl(body, keep_blank_values=True))
                request = ("POST", server.issuer + self.path, form, dict(self.headers))
                status, payload, headers = server._as.create_token_response(request)
                self._send(status, payload, headers)

        return Handler
