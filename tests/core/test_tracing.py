"""The SDK's OpenTelemetry middleware stays only when something could record its spans (server.drop_idle_tracing)."""

from __future__ import annotations

import pytest
from mcp.server._otel import OpenTelemetryMiddleware
from opentelemetry import trace

from secret_mcp.testing import call_ok, connect, make_server

pytestmark = pytest.mark.anyio


def traced(server) -> bool:
    return any(isinstance(m, OpenTelemetryMiddleware) for m in server.middleware)


@pytest.fixture
def no_otel_env(monkeypatch):
    import os

    for name in [n for n in os.environ if n.startswith("OTEL_")]:
        monkeypatch.delenv(name)


async def test_dropped_when_nothing_records_and_calls_still_work(mode, home, no_otel_env):
    server = make_server()
    assert not traced(server)
    async with connect(server, mode) as client:
        assert (await call_ok(client, "secret_get_active_wallet"))["active"] is None


async def test_kept_with_otel_settings_in_the_environment(mode, home, no_otel_env, monkeypatch):
    monkeypatch.setenv("OTEL_SERVICE_NAME", "secret-mcp")
    server = make_server()
    assert traced(server)
    async with connect(server, mode) as client:
        assert (await call_ok(client, "secret_get_active_wallet"))["active"] is None


def test_kept_when_a_tracer_provider_is_set(home, no_otel_env, monkeypatch):
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: trace.NoOpTracerProvider())  # any real provider
    assert traced(make_server())
