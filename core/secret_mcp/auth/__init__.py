"""OAuth 2.1 for `serve --http`: this server as a resource server, one principal per token subject.

- `tokens`: JWT access tokens verified against the issuer's JWKS (PyJWT), audience bound to this server.
- `scopes`: `secret:read` lets a token in at all; `secret:write` is needed for every tool that writes
  (hidden from tools/list and refused without it).
- `principals`: each subject's own session (wallets, active wallet, network, pending confirmations,
  spending window, kept viewing keys), kept in Redis (sealed) when `cache_url` is set.
- `limits`: a token bucket and an open-session cap per principal.
- `http`: the ASGI app that puts it together with the SDK's auth middleware and RFC 9728 metadata.
"""

READ_SCOPE = "secret:read"
WRITE_SCOPE = "secret:write"
SCOPES = (READ_SCOPE, WRITE_SCOPE)
