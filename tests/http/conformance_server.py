"""CI fixture for @modelcontextprotocol/conformance: the real server's streamable HTTP app on loopback.

The conformance harness cannot send an Authorization header, so this serves the app without the bearer layer
(tests/http/test_http.py covers that layer). Loopback only, with the same Host/Origin protection as `serve --http`.
Usage: python tests/http/conformance_server.py PORT
"""

from __future__ import annotations

import sys

import uvicorn

from secret_mcp.config import Config
from secret_mcp.http import transport_security
from secret_mcp.server import build_server

if __name__ == "__main__":
    server = build_server(Config())
    app = server.streamable_http_app(transport_security=transport_security("127.0.0.1"))
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
