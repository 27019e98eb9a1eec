"""Per-principal limits across two workers on one Redis: a token bucket (429 + Retry-After) and a cap on
open handshake-era sessions."""

from __future__ import annotations

import httpx
import pytest

from tests.http.test_oauth_shared import workers
from tests.redis_server import redis_server  # noqa: F401 (fixture)
from tests.tx.fixtures import sandbox  # noqa: F401 (fixture)

BURST = 8
ACCEPT = "application/json, text/event-stream"
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "limits-test", "version": "1"}}}


@pytest.fixture(scope="module")
def limited(sandbox, redis_server, tmp_path_factory):
    with workers(2, sandbox, redis_server.url, tmp_path_factory, SECRET_MCP_RATE_LIMIT_PER_MINUTE="6",
                 SECRET_MCP_RATE_LIMIT_BURST=str(BURST), SECRET_MCP_MAX_SESSIONS_PER_PRINCIPAL="2") as running:
        yield running


def post(url: str, token: str, body: dict | None = None, **headers: str) -> httpx.Response:
    return httpx.post(url, json=body or {"jsonrpc": "2.0", "id": 1, "method": "ping"},
                      headers={"Authorization": f"Bearer {token}", "Accept": ACCEPT, **headers})


def test_the_bucket_is_per_principal_and_shared_by_the_workers(limited):
    (url_a, url_b), issuer, _procs = limited
    alice, bob = issuer.token("alice"), issuer.token("bob")
    answers = [post(url_a if i % 2 else url_b, alice).status_code for i in range(BURST)]
    assert 429 not in answers
    refused = post(url_a, alice)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 10  # 6 a minute: one back within 10 seconds
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    assert post(url_b, alice).status_code == 429  # the other worker counts the same bucket
    assert post(url_b, bob).status_code != 429  # bob's bucket is his own


def test_open_sessions_are_capped_per_principal(limited):
    (url_a, url_b), issuer, _procs = limited
    issuer.register("carol")
    issuer.register("dave")
    carol = issuer.token("carol")
    opened = [post(url, carol, INITIALIZE) for url in (url_a, url_b)]
    assert [r.status_code for r in opened] == [200, 200]
    third = post(url_a, carol, INITIALIZE)
    assert third.status_code == 429 and third.json()["error"]["code"] == "RATE_LIMITED"
    assert post(url_a, issuer.token("dave"), INITIALIZE).status_code == 200  # another principal is not capped
    first = opened[0].headers["mcp-session-id"]
    closed = httpx.delete(url_a, headers={"Authorization": f"Bearer {carol}", "mcp-session-id": first,
                                          "mcp-protocol-version": "2025-11-25"})
    assert closed.status_code in (200, 204)
    assert post(url_b, carol, INITIALIZE).status_code == 200  # one closed: room for one more


def test_a_lost_redis_is_a_structured_503_not_a_traceback(sandbox, tmp_path_factory):
    from tests.redis_server import RedisServer, require_redis_server

    own = RedisServer(require_redis_server())  # this test's own Redis, stopped half-way
    try:
        with workers(1, sandbox, own.url, tmp_path_factory) as ((url,), issuer, _procs):
            token = issuer.token("alice")
            assert post(url, token, INITIALIZE).status_code == 200
            own.stop()
            answer = post(url, token)
            assert answer.status_code == 503 and answer.headers["retry-after"]
            error = answer.json()["error"]
            assert error["code"] == "SHARED_STORE_UNAVAILABLE" and "cache_url" in error["message"]
    finally:
        own.stop()
