"""ClientPool against a real loopback HTTP server (tests/core/lcd_standin.py)."""

from __future__ import annotations

import logging
import time

import anyio
import pytest

from secret_mcp.errors import ChainError
from secret_mcp.networks import Network
from secret_mcp.pool import Breaker, ClientPool

from .lcd_standin import Answer, LCDStandin, dead_url

pytestmark = pytest.mark.anyio
NET = Network(name="standin", chain_id="standin-1", lcd_urls=("http://unused",))
NOT_FOUND = {"code": 5, "message": "rpc error: code = NotFound desc = account secret1xyz not found: key not found", "details": []}


@pytest.fixture(scope="module")
def server():
    s = LCDStandin().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def server2():
    s = LCDStandin().start()
    yield s
    s.stop()


@pytest.fixture
def lcd(server, server2):
    server.reset()
    server2.reset()
    return server


def make(*urls: str, **kw) -> ClientPool:
    kw.setdefault("backoff", 0.01)
    return ClientPool(NET, urls=urls, **kw)


async def test_get_success_returns_json_and_height(lcd):
    lcd.height = 4242
    async with make(lcd.url) as pool:
        body = await pool.get("/cosmos/bank/v1beta1/balances/secret1abc", {"pagination.limit": "5"})
        assert body == {"ok": True, "path": "/cosmos/bank/v1beta1/balances/secret1abc"}
        assert pool.last_height == 4242
        assert lcd.requests[0]["query"] == {"pagination.limit": "5"}
        assert pool.stats()["requests"] == 1 and pool.stats()["failures"] == 0


async def test_404_is_chain_not_found_with_the_chains_message(lcd):
    lcd.script("/cosmos/auth/v1beta1/accounts/secret1xyz", Answer(404, NOT_FOUND))
    async with make(lcd.url) as pool:
        with pytest.raises(ChainError) as info:
            await pool.get("/cosmos/auth/v1beta1/accounts/secret1xyz")
    err = info.value
    assert err.code == "CHAIN_NOT_FOUND"
    assert "account secret1xyz not found" in err.message
    assert err.details["http_status"] == 404 and err.details["grpc_code"] == 5
    assert err.details["chain_message"] == NOT_FOUND["message"]
    assert err.details["endpoint"] == lcd.url and err.details["path"] == "/cosmos/auth/v1beta1/accounts/secret1xyz"
    assert err.suggestions
    assert lcd.hits() == 1  # a 4xx is an answer, never retried


async def test_400_and_contract_500_are_answers_not_retried(lcd):
    lcd.script("/a", Answer(400, {"code": 3, "message": "rpc error: code = InvalidArgument desc = bad denom: invalid request"}))
    lcd.script("/b", Answer(500, {"code": 2, "message": "encrypted: AAAA: query contract failed: unknown request", "details": []}))
    async with make(lcd.url, retries=3) as pool:
        with pytest.raises(ChainError) as bad:
            await pool.get("/a")
        with pytest.raises(ChainError) as failed:
            await pool.get("/b")
    assert bad.value.code == "CHAIN_BAD_REQUEST" and "bad denom" in bad.value.message
    assert failed.value.code == "CHAIN_ERROR" and failed.value.details["grpc_code"] == 2
    assert "query contract failed" in failed.value.details["chain_message"]
    assert lcd.hits("/a") == 1 and lcd.hits("/b") == 1


async def test_500_once_then_success_is_retried(lcd):
    lcd.script("/flaky", Answer(500, raw=b"<html>Internal Server Error</html>"))
    async with make(lcd.url, retries=2) as pool:
        assert await pool.get("/flaky") == {"ok": True, "path": "/flaky"}
        assert pool.stats()["retries"] == 1 and pool.stats()["failures"] == 1
    assert lcd.hits("/flaky") == 2


async def test_malformed_json_is_retried_then_bad_response(lcd):
    lcd.script("/junk", *[Answer(200, raw=b"{not json") for _ in range(3)])
    async with make(lcd.url, retries=2) as pool:
        with pytest.raises(ChainError) as info:
            await pool.get("/junk")
    assert info.value.code == "CHAIN_BAD_RESPONSE"
    assert lcd.hits("/junk") == 3


async def test_malformed_json_once_then_good(lcd):
    lcd.script("/junk1", Answer(200, raw=b"[1, 2"))
    async with make(lcd.url, retries=1) as pool:
        assert (await pool.get("/junk1"))["ok"] is True


async def test_timeout_ends_within_bounded_time(lcd):
    lcd.script("/slow", Answer(delay=2.0), Answer(delay=2.0))
    async with make(lcd.url, retries=1, timeout=5.0) as pool:
        started = time.monotonic()
        with pytest.raises(ChainError) as info:
            await pool.get("/slow", timeout=0.15)  # the per-request limit beats the pool default
        elapsed = time.monotonic() - started
    assert info.value.code == "CHAIN_TIMEOUT"
    assert elapsed < 1.5  # two attempts of 0.15 s plus backoff; generous, yet below one 2 s answer
    assert lcd.hits("/slow") == 2


async def test_failover_when_one_endpoint_is_down(lcd):
    down = dead_url()
    async with make(down, lcd.url, retries=0) as pool:
        for _ in range(4):
            assert (await pool.get("/x"))["ok"] is True
        stats = pool.stats()
    assert lcd.hits("/x") == 4
    assert stats["failovers"] >= 1
    assert stats["endpoints"][0]["failures"] >= 1 and stats["endpoints"][1]["failures"] == 0


async def test_all_endpoints_down_is_unreachable_listing_them(lcd):
    a, b = dead_url(), dead_url()
    async with make(a, b, retries=1) as pool:
        with pytest.raises(ChainError) as info:
            await pool.get("/x")
    assert info.value.code == "CHAIN_UNREACHABLE"
    assert a in info.value.message and b in info.value.message
    assert len(info.value.details["attempts"]) == 4  # two rounds over two endpoints


async def test_round_robin_spreads_requests(lcd, server2):
    async with make(lcd.url, server2.url) as pool:
        for _ in range(10):
            await pool.get("/rr")
    assert lcd.hits("/rr") == 5 and server2.hits("/rr") == 5


async def test_breaker_opens_after_threshold_and_recovers(lcd):
    lcd.script("/b", *[Answer(503, raw=b"busy") for _ in range(3)])
    async with make(lcd.url, retries=0, breaker_threshold=3, breaker_cooldown=0.2) as pool:
        for _ in range(3):
            with pytest.raises(ChainError):
                await pool.get("/b")
        assert pool.stats()["endpoints"][0]["breaker"] == "open"
        with pytest.raises(ChainError) as info:
            await pool.get("/b")  # refused without touching the server
        assert info.value.code == "CHAIN_UNREACHABLE" and "paused" in info.value.message
        assert lcd.hits("/b") == 3
        await anyio.sleep(0.25)
        assert pool.stats()["endpoints"][0]["breaker"] == "half_open"
        assert (await pool.get("/b"))["ok"] is True  # the probe succeeds and closes the breaker
        assert pool.stats()["endpoints"][0]["breaker"] == "closed"


async def test_failed_probe_reopens_breaker(lcd):
    lcd.script("/p", *[Answer(503, raw=b"busy") for _ in range(2)])
    async with make(lcd.url, retries=0, breaker_threshold=1, breaker_cooldown=0.1) as pool:
        with pytest.raises(ChainError):
            await pool.get("/p")
        await anyio.sleep(0.12)
        with pytest.raises(ChainError):
            await pool.get("/p")  # half-open probe fails
        assert pool.stats()["endpoints"][0]["breaker"] == "open"


async def test_post_not_retried_on_503_unless_idempotent(lcd):
    lcd.script("/cosmos/tx/v1beta1/txs", Answer(503, raw=b"busy"), Answer(503, raw=b"busy"))
    async with make(lcd.url, retries=3) as pool:
        with pytest.raises(ChainError) as info:
            await pool.post("/cosmos/tx/v1beta1/txs", {"tx_bytes": "AAAA", "mode": "BROADCAST_MODE_SYNC"})
        assert lcd.hits("/cosmos/tx/v1beta1/txs") == 1
        assert info.value.details["http_status"] == 503
        assert pool.stats()["retries"] == 0
        body = await pool.post("/cosmos/tx/v1beta1/simulate", {"tx_bytes": "AAAA"}, idempotent=True)
        assert body["ok"] is True
    lcd.script("/sim", Answer(503, raw=b"busy"))
    async with make(lcd.url, retries=3) as pool:
        assert (await pool.post("/sim", {}, idempotent=True))["ok"] is True
    assert lcd.hits("/sim") == 2


async def test_post_fails_over_when_nothing_was_sent(lcd):
    async with make(dead_url(), lcd.url) as pool:
        assert (await pool.post("/cosmos/tx/v1beta1/txs", {"tx_bytes": "AAAA"}))["ok"] is True
    assert lcd.hits("/cosmos/tx/v1beta1/txs") == 1


async def test_keep_alive_reuses_connections(lcd):
    async with make(lcd.url, max_connections=2) as pool:
        for _ in range(20):
            await pool.get("/ka")
        assert pool.stats()["open_connections"] == 1
    assert lcd.hits("/ka") == 20
    assert len(lcd.client_ports()) == 1  # one TCP connection served all sequential requests


async def test_max_connections_caps_concurrent_connections(lcd):
    for _ in range(12):
        lcd.script("/c", Answer(delay=0.05))
    async with make(lcd.url, max_connections=3) as pool:
        async with anyio.create_task_group() as tg:
            for _ in range(12):
                tg.start_soon(pool.get, "/c")
    assert lcd.hits("/c") == 12
    assert len(lcd.client_ports()) == 3


async def test_health_reports_each_endpoint(lcd):
    lcd.height = 77
    down = dead_url()
    async with make(lcd.url, down) as pool:
        rows = await pool.health()
    assert rows[0]["url"] == lcd.url and rows[0]["ok"] is True
    assert rows[0]["latest_height"] == 77 and rows[0]["chain_id"] == "standin-1"
    assert rows[0]["breaker"] == "closed" and rows[0]["latency_ms"] is not None and rows[0]["error"] is None
    assert rows[1]["url"] == down and rows[1]["ok"] is False and "Connect" in rows[1]["error"]


async def test_non_object_json_is_bad_response(lcd):
    # A JSON list is valid JSON but never a valid LCD answer.
    lcd.script("/list", Answer(body=[1, 2, 3]))
    async with make(lcd.url, retries=0) as pool:
        with pytest.raises(ChainError) as info:
            await pool.get("/list")
    assert info.value.code == "CHAIN_BAD_RESPONSE"


def test_pool_needs_an_endpoint():
    with pytest.raises(ValueError):
        ClientPool(Network(name="none", chain_id="x", lcd_urls=()))


async def test_bodies_never_logged(lcd, caplog):
    caplog.set_level(logging.DEBUG, logger="secret_mcp.pool")
    async with make(lcd.url) as pool:
        await pool.post("/cosmos/tx/v1beta1/txs", {"tx_bytes": "SIGNED-TX-BYTES"})
        await pool.get("/q", {"query": "SECRET-QUERY"})
    text = caplog.text
    assert "/cosmos/tx/v1beta1/txs" in text  # the request is logged ...
    assert "SIGNED-TX-BYTES" not in text and "SECRET-QUERY" not in text  # ... its payload is not


def test_breaker_half_open_allows_one_probe_at_a_time(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("secret_mcp.pool.time.monotonic", lambda: now[0])
    b = Breaker(threshold=2, cooldown=10)
    b.failure()
    assert b.state == "closed" and b.allow()
    b.failure()
    assert b.state == "open" and not b.allow()
    now[0] += 10
    assert b.state == "half_open"
    assert b.allow() and not b.allow()  # the second caller waits for the probe's verdict
    b.success()
    assert b.state == "closed" and b.failures == 0 and b.allow()


@pytest.mark.parametrize("path, params", [
    ("/bank/denom\x11bad", None),  # a control character in the path
    ("/q", {"query": "line\nbreak"}),  # ... or in a query value
    ("/q", {"query": "x" * 70_000}),  # longer than any node accepts in a request line
])
async def test_values_no_url_can_carry_are_invalid_input_and_never_sent(lcd, path, params):
    async with make(lcd.url) as pool:
        with pytest.raises(Exception) as info:
            await pool.get(path, params)
        assert getattr(info.value, "code", None) == "INVALID_INPUT"
        assert pool.stats()["failures"] == 0  # the caller's mistake: the endpoint's breaker is not charged
    assert lcd.hits(path) == 0


async def test_query_values_are_encoded_like_the_lcd_expects(lcd):
    async with make(lcd.url) as pool:
        await pool.get("/enc", {"pagination.count_total": True, "events": ["a='1'", "b>=2"], "n": 5, "empty": None})
    query = lcd.last_query("/enc")
    assert query == [("pagination.count_total", "true"), ("events", "a='1'"), ("events", "b>=2"), ("n", "5"),
                     ("empty", "")]


class _Proxy:
    """A one-thread HTTP proxy stand-in: records each request line and answers a small JSON object."""

    def __init__(self) -> None:
        import socket
        import threading

        self.lines: list[str] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    head += chunk
                self.lines.append(head.split(b"\r\n", 1)[0].decode())
                body = b'{"via": "proxy"}'
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                             b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)

    def close(self) -> None:
        self._sock.close()


async def test_http_proxy_from_the_environment_and_no_proxy(monkeypatch):
    proxy = _Proxy()
    try:
        for name in ("http_proxy", "HTTP_PROXY", "no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("http_proxy", proxy.url)
        async with make("http://lcd.example.invalid:1317", retries=0) as pool:
            assert await pool.get("/cosmos/x", {"a": 1}) == {"via": "proxy"}
        assert proxy.lines == ["GET http://lcd.example.invalid:1317/cosmos/x?a=1 HTTP/1.1"]
        monkeypatch.setenv("no_proxy", "127.0.0.1")  # bypassed: straight to a port nobody listens on
        async with make(dead_url(), retries=0) as pool:
            with pytest.raises(ChainError) as info:
                await pool.get("/cosmos/x")
        assert info.value.code == "CHAIN_UNREACHABLE" and len(proxy.lines) == 1
    finally:
        proxy.close()
