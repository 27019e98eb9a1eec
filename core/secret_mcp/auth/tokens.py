"""Access tokens: JWTs signed by the configured issuer, checked against its JWKS with PyJWT.

A token is accepted only when its signature verifies under a key the issuer publishes (asymmetric algorithms
only: an HS256 token would let anyone holding a shared secret mint tokens), `iss` is exactly the issuer,
`aud` names this server (a token meant for another service is never accepted: no token passthrough), it has
not expired, and it names a subject. The JWKS address comes from the issuer's RFC 8414 metadata (OpenID
discovery as a fallback) unless `oauth_jwks_url` names it; PyJWKClient caches the keys and refetches when a
token names a key id it has not seen (key rotation).
"""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

import anyio

log = logging.getLogger("secret_mcp.auth")

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
LEEWAY_SECONDS = 10  # clock skew between the issuer and this server
FETCH_TIMEOUT = 5


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as response:  # noqa: S310 - https/http issuer URL
        return json.loads(response.read().decode("utf-8"))


def discover_jwks_url(issuer: str) -> str:
    """The issuer's `jwks_uri`, from its authorization server metadata (RFC 8414) or OpenID discovery."""
    base = issuer.rstrip("/")
    problems = []
    for well_known in ("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"):
        try:
            metadata = _get_json(base + well_known)
        except (OSError, ValueError) as exc:
            problems.append(f"{well_known}: {exc}")
            continue
        if metadata.get("issuer") not in (issuer, base) or not metadata.get("jwks_uri"):
            problems.append(f"{well_known}: names another issuer or no jwks_uri")
            continue
        return str(metadata["jwks_uri"])
    raise LookupError("; ".join(problems))


def scopes_of(claims: dict[str, Any]) -> list[str]:
    """`scope` (RFC 9068: space-separated) or `scp` (a list, as some issuers write it)."""
    scope = claims.get("scope")
    if isinstance(scope, str):
        return scope.split()
    scp = claims.get("scp")
    if isinstance(scp, list):
        return [str(s) for s in scp]
    return []


class JWTVerifier:
    """The SDK's TokenVerifier protocol: `verify_token(token) -> AccessToken | None`."""

    def __init__(self, issuer: str, audience: str, jwks_url: str | None = None) -> None:
        self.issuer, self.audience, self._jwks_url = issuer, audience, jwks_url
        self._client: Any = None
        self._lock = anyio.Lock()

    async def _jwks(self) -> Any:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    import jwt

                    url = self._jwks_url or await anyio.to_thread.run_sync(discover_jwks_url, self.issuer)
                    self._client = jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=FETCH_TIMEOUT)
        return self._client

    def _decode(self, client: Any, token: str) -> dict[str, Any]:
        import jwt

        key = client.get_signing_key_from_jwt(token)
        return jwt.decode(
            token, key.key, algorithms=ALGORITHMS, audience=self.audience, issuer=self.issuer, leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )

    async def verify_token(self, token: str) -> Any:
        import jwt
        from mcp.server.auth.provider import AccessToken

        try:
            client = await self._jwks()
            claims = await anyio.to_thread.run_sync(self._decode, client, token)
        except jwt.PyJWTError as exc:  # bad signature, expired, other audience or issuer, unknown key...
            log.info("bearer token refused: %s", type(exc).__name__)  # never the token itself
            return None
        except (OSError, LookupError, ValueError) as exc:  # the issuer's keys cannot be fetched: fail closed
            log.warning("cannot fetch the issuer's keys: %s", exc)
            return None
        subject = str(claims["sub"])
        if not subject:
            return None
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims.get("azp") or subject),
            scopes=scopes_of(claims),
            expires_at=int(claims["exp"]),
            resource=self.audience,  # PyJWT checked that `aud` names this server
            subject=subject,
            claims={"iss": claims["iss"]},
        )
