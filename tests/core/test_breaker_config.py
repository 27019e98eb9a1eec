"""The LCD pool's circuit breaker is configurable: `breaker_threshold` and `breaker_cooldown` (TOML, environment,
Config), validated with a keyed error, and they change how the server behaves against a failing sandbox endpoint.
"""

from __future__ import annotations

import json

import anyio
import pytest

from secret_mcp.config import Config, load_config
from secret_mcp.errors import ConfigError
from secret_mcp.testing import call_ok, connect, make_server


def test_defaults_file_and_environment(tmp_path):
    assert (Config().breaker_threshold, Config().breaker_cooldown) == (5, 30.0)
    path = tmp_path / "config.toml"
    path.write_text("breaker_threshold = 2\nbreaker_cooldown = 0.5\n", encoding="utf-8")
    cfg = load_config(env={}, path=path)
    assert (cfg.breaker_threshold, cfg.breaker_cooldown) == (2, 0.5)
    cfg = load_config(env={"SECRET_MCP_BREAKER_THRESHOLD": "7", "SECRET_MCP_BREAKER_COOLDOWN": "12"}, path=path)
    assert (cfg.breaker_threshold, cfg.breaker_cooldown) == (7, 12.0)  # environment beats the file
    assert load_config(cli={"breaker_cooldown": 3}, env={}, path=path).breaker_cooldown == 3


@pytest.mark.parametrize(("key", "value", "expect"), [
    ("breaker_threshold", "0", "must be a positive integer, got '0'"),
    ("breaker_threshold", "-3", "must be a positive integer, got '-3'"),
    ("breaker_threshold", "2.5", "must be a positive integer, got '2.5'"),
    ("breaker_cooldown", "0", "must be a positive number of seconds (at most 86400), got '0"),
    ("breaker_cooldown", "-1", "must be a positive number of seconds (at most 86400), got '-1"),
    ("breaker_cooldown", "soon", "must be a positive number of seconds (at most 86400), got 'soon'"),
    ("breaker_cooldown", "1e9", "must be a positive number of seconds (at most 86400), got '1"),
])
def test_bad_values_are_keyed_config_errors(key, value, expect):
    with pytest.raises(ConfigError) as info:
        load_config(env={f"SECRET_MCP_{key.upper()}": value}, path="/dev/null")
    assert info.value.code == "INVALID_CONFIG" and info.value.details == {"key": key}
    assert info.value.message.startswith(f"{key}: {expect}"), info.value.message


def test_bad_toml_value_is_keyed(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('breaker_threshold = "many"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^breaker_threshold: must be a positive integer, got 'many'"):
        load_config(env={}, path=path)


async def pool_row(client) -> dict:
    """This endpoint's row in the server's own metrics resource: requests, failures, breaker state and opens."""
    result = await client.read_resource("secret://server/metrics")
    return json.loads(result.contents[0].text)["pool"]["endpoints"][0]


async def unreachable(client) -> dict:
    result = await client.call_tool("secret_get_latest_block", {})
    assert result.is_error and "Traceback" not in result.content[0].text
    error = result.structured_content["error"]
    assert error["code"] == "CHAIN_UNREACHABLE", error
    return error


@pytest.mark.anyio
async def test_configured_breaker_opens_early_and_recovers_fast(sandbox, home, mode):
    endpoint = sandbox.replica()  # its own faults, so the module's sandbox stays healthy
    try:
        server = make_server(network="sandbox", lcd_urls=(endpoint.url,), chain_id=sandbox.chain.chain_id, cache=False,
                             retries=0, breaker_threshold=2, breaker_cooldown=0.4)
        async with connect(server, mode) as client:
            await call_ok(client, "secret_get_latest_block")
            endpoint.set_faults(error_rate=1.0)  # every request: HTTP 503
            await unreachable(client)
            assert (await pool_row(client))["breaker"] == "closed"  # one failure: below the threshold of 2
            await unreachable(client)
            row = await pool_row(client)
            assert row["breaker"] == "open" and row["breaker_opens"] == 1
            paused = await unreachable(client)  # refused at once: the endpoint is not asked
            assert "paused after repeated failures" in paused["message"]
            assert 0 < paused["details"]["retry_after_seconds"] <= 0.4
            assert any("Try again in about 0." in s for s in paused["suggestions"])
            assert (await pool_row(client))["requests"] == row["requests"]

            endpoint.set_faults(error_rate=0.0)
            await anyio.sleep(0.5)  # past the configured cool-down: the next call is the half-open probe
            await call_ok(client, "secret_get_latest_block")
            assert (await pool_row(client))["breaker"] == "closed"
    finally:
        endpoint.stop()


@pytest.mark.anyio
async def test_default_breaker_tolerates_more_and_pauses_longer(sandbox, home):
    endpoint = sandbox.replica()
    try:
        server = make_server(network="sandbox", lcd_urls=(endpoint.url,), chain_id=sandbox.chain.chain_id, cache=False,
                             retries=0)
        async with connect(server) as client:
            await call_ok(client, "secret_get_latest_block")
            endpoint.set_faults(error_rate=1.0)
            for _ in range(4):  # the default threshold is 5
                await unreachable(client)
            row = await pool_row(client)
            assert row["breaker"] == "closed" and row["failures"] == 4
            await unreachable(client)
            assert (await pool_row(client))["breaker"] == "open"
            paused = await unreachable(client)
            assert 25 < paused["details"]["retry_after_seconds"] <= 30
            endpoint.set_faults(error_rate=0.0)
            await unreachable(client)  # healthy again, but the default 30 s cool-down keeps it paused
    finally:
        endpoint.stop()
