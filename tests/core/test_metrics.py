"""Metrics through a real MCP client against the sandbox (both eras), the Prometheus text, and JSON logs."""

from __future__ import annotations

import json
import logging
import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from secret_mcp import logs, metrics
from secret_mcp.app import App
from secret_mcp.config import Config
from secret_mcp.plugins import PluginHost
from secret_mcp.policy import TxOutcome, TxRequest
from secret_mcp.pool import Breaker
from secret_mcp.resources import SERVER_METRICS
from tests.helpers import call_err, call_ok, connect
from tests.tx.fixtures import B, MNEMONIC_A, accept, funded_wallet, home, sandbox, server_on  # noqa: F401

HEX_KEY = "9f3c" * 16  # shaped like a raw secp256k1 private key


async def read_metrics(client) -> dict:
    result = await client.read_resource(SERVER_METRICS)
    assert result.contents[0].mime_type == "application/json"
    return json.loads(result.contents[0].text)


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) -> value, parsed by prometheus_client's own parser."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            key = (s.name, tuple(sorted(s.labels.items())))
            assert key not in out, f"duplicate sample {key}"
            out[key] = s.value
    return out


@pytest.mark.anyio
async def test_calls_errors_cache_and_a_transaction_are_counted(mode, sandbox, home):
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        before = await read_metrics(client)
        await call_ok(client, "secret_get_balance", {"address": B})
        await call_ok(client, "secret_get_balance", {"address": B})  # the same read again: a cache hit
        bad = await call_err(client, "secret_get_balance", {"address": ["not", "a", "string"]})
        await funded_wallet(client, sandbox)
        sent = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "1uscrt"})
        snap = await read_metrics(client)
    assert before["tools"] == {} and before["transactions"]["total"] == 0 and before["cache"]["hit_rate"] is None
    assert bad["code"] == "INVALID_INPUT" and sent["status"] == "success"

    balance = snap["tools"]["secret_get_balance"]
    assert balance["calls"] == 3 and balance["errors"] == {"INVALID_INPUT": 1} and balance["error_count"] == 1
    hist = balance["latency_seconds"]
    counts = list(hist["buckets"].values())
    assert hist["count"] == 3 and counts[-1] == 3 and counts == sorted(counts) and hist["sum"] > 0
    assert list(hist["buckets"])[:2] == ["0.001", "0.0025"] and list(hist["buckets"])[-2:] == ["30.0", "+Inf"]
    assert snap["tools"]["secret_send_tokens"]["calls"] == 1 and snap["tools"]["secret_send_tokens"]["errors"] == {}
    assert snap["tools"]["secret_create_wallet"]["calls"] == 1

    tx = snap["transactions"]
    assert (tx["total"], tx["success"], tx["failed"], tx["unknown"], tx["success_rate"]) == (1, 1, 0, 0, 1.0)
    assert tx["by_status_code"] == [{"status": "success", "code": "0", "count": 1}]

    cache = snap["cache"]
    assert cache["hits"] >= 1 and cache["misses"] >= 1 and cache["enabled"] is True
    assert cache["hit_rate"] == round(cache["hits"] / (cache["hits"] + cache["misses"]), 4)
    assert cache["invalidations"] >= 1  # the send dropped the cached balances it touched

    pool = snap["pool"]
    (endpoint,) = pool["endpoints"]
    assert pool["connected"] is True and pool["max_connections"] == 10 and pool["requests"] > 0
    assert endpoint["endpoint"] == metrics.endpoint_label(sandbox.url) and endpoint["breaker"] == "closed"
    assert endpoint["requests"] == pool["requests"] and endpoint["failures"] == pool["failures"] == 0

    # The Prometheus text of the same snapshot parses and says the same.
    got = samples(metrics.render_prometheus(snap))
    tool = (("tool", "secret_get_balance"),)
    assert got[("secret_mcp_tool_calls_total", tool)] == 3
    assert got[("secret_mcp_tool_errors_total", (("code", "INVALID_INPUT"), ("tool", "secret_get_balance")))] == 1
    assert got[("secret_mcp_tool_duration_seconds_count", tool)] == 3
    assert got[("secret_mcp_tool_duration_seconds_sum", tool)] == hist["sum"]
    for le, n in hist["buckets"].items():
        assert got[("secret_mcp_tool_duration_seconds_bucket", (("le", le), *tool))] == n
    assert got[("secret_mcp_transactions_total", (("code", "0"), ("status", "success")))] == 1
    assert got[("secret_mcp_transaction_success_ratio", ())] == 1.0
    assert got[("secret_mcp_cache_hits_total", ())] == cache["hits"]
    assert got[("secret_mcp_cache_misses_total", ())] == cache["misses"]
    assert got[("secret_mcp_cache_hit_ratio", ())] == cache["hit_rate"]
    assert got[("secret_mcp_pool_requests_total", ())] == pool["requests"]
    ep = (("endpoint", endpoint["endpoint"]),)
    assert got[("secret_mcp_endpoint_requests_total", ep)] == endpoint["requests"]
    assert got[("secret_mcp_endpoint_breaker_state", (*ep, ("state", "closed")))] == 1
    assert got[("secret_mcp_endpoint_breaker_state", (*ep, ("state", "open")))] == 0


@pytest.mark.anyio
async def test_counters_survive_a_network_switch(mode, sandbox, home):
    # A switch closes the pool and cache; their counts are kept, so every counter only goes up.
    server = server_on(sandbox)
    async with connect(server, mode, elicitation_callback=accept) as client:
        await call_ok(client, "secret_get_balance", {"address": B})
        await call_ok(client, "secret_get_balance", {"address": B})
        first = await read_metrics(client)
        await call_ok(client, "secret_configure_network", {"network": "custom", "lcd_url": [sandbox.url]})
        between = await read_metrics(client)
        new_pool = server.secret_app.session._pool.stats()["requests"]  # the switch checked the endpoint
        await call_ok(client, "secret_get_balance", {"address": B})
        after = await read_metrics(client)
    # The switch checks the new endpoint (a new pool and cache); nothing counted before is lost.
    assert between["pool"]["requests"] == first["pool"]["requests"] + new_pool and first["pool"]["requests"] > 0
    assert between["cache"]["hits"] >= first["cache"]["hits"] >= 1
    assert after["pool"]["requests"] > between["pool"]["requests"] and after["cache"]["misses"] > between["cache"]["misses"]
    (endpoint,) = after["pool"]["endpoints"]  # the same URL on both networks: one series
    assert endpoint["requests"] == after["pool"]["requests"] and endpoint["breaker"] == "closed"
    assert after["tools"]["secret_get_balance"]["calls"] == 3


@pytest.mark.anyio
async def test_secrets_never_reach_metrics_or_json_logs(sandbox, home, capsys):
    # A mnemonic and a private key sent where an address belongs, and a key as a tool name: the JSON log on
    # stderr must show none of them.
    level = logging.getLogger().level
    handler = logs.configure("json", "INFO")  # stderr is pytest's capture now
    try:
        async with connect(server_on(sandbox)) as client:
            await call_ok(client, "secret_import_wallet", {"name": "a", "mnemonic": MNEMONIC_A})
            phrase = await call_err(client, "secret_get_balance", {"address": MNEMONIC_A})
            key = await call_err(client, "secret_get_balance", {"address": HEX_KEY})
            unknown = await call_err(client, f"secret_{HEX_KEY}", {})
            snap = await read_metrics(client)
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
        logging.captureWarnings(False)
    err = capsys.readouterr().err
    assert (phrase["code"], key["code"], unknown["code"]) == ("INVALID_ADDRESS", "INVALID_ADDRESS", "UNKNOWN_TOOL")

    lines = [json.loads(line) for line in err.splitlines() if line.strip()]  # every line is one JSON object
    calls = [r for r in lines if r["logger"] == "secret_mcp.server" and "tool" in r]
    assert [(r["tool"], r["outcome"], r.get("code")) for r in calls] == [
        ("secret_import_wallet", "ok", None), ("secret_get_balance", "error", "INVALID_ADDRESS"),
        ("secret_get_balance", "error", "INVALID_ADDRESS"), (metrics.UNKNOWN_TOOL, "error", "UNKNOWN_TOOL"),
    ]
    assert all({"ts", "level", "msg", "duration_ms"} <= set(r) and r["level"] == "INFO" for r in calls)
    # Address errors no longer quote the value at all (its length only); the unknown tool's name is quoted, redacted.
    assert [("[REDACTED]" in r["msg"], "characters given" in r["msg"]) for r in calls[1:]] == [
        (False, True), (False, True), (True, False)]
    words = MNEMONIC_A.split()
    assert HEX_KEY not in err and " ".join(words[:4]) not in err and " ".join(words[-4:]) not in err

    text = json.dumps(snap) + metrics.render_prometheus(snap)
    assert HEX_KEY not in text and " ".join(words[:2]) not in text
    assert snap["tools"][metrics.UNKNOWN_TOOL]["errors"] == {"UNKNOWN_TOOL": 1}
    labels = {(k, v) for family in text_string_to_metric_families(metrics.render_prometheus(snap))
              for s in family.samples for k, v in s.labels.items()}
    assert {v for k, v in labels if k == "tool"} == {"secret_import_wallet", "secret_get_balance", metrics.UNKNOWN_TOOL}
    assert {v for k, v in labels if k == "code"} == {"INVALID_ADDRESS", "UNKNOWN_TOOL"}


def bare_app() -> App:
    return App(Config(), PluginHost(load_entrypoints=False))


def outcome(status: str, code: int | None) -> TxOutcome:
    request = TxRequest(tool="secret_send_tokens", network="sandbox", chain_id="c", sender="s", messages=())
    return TxOutcome(request, None, None, code, status)


def test_histogram_buckets_are_upper_inclusive():
    h = metrics.Histogram()
    for value in (0.001, 0.0011, 0.5, 30.0, 31.0):
        h.observe(value)
    snap = h.snapshot()["buckets"]
    assert (snap["0.001"], snap["0.0025"], snap["0.25"], snap["0.5"], snap["10.0"], snap["30.0"], snap["+Inf"]) == (
        1, 2, 2, 3, 3, 4, 5)


def test_failed_and_unknown_transactions_and_label_escaping():
    app = bare_app()
    m = app.metrics  # built by the App, and the core's metrics plugin bound to it
    assert app.host.pm.get_plugin("metrics").metrics is m
    odd = 'we"ird\\tool\nname'  # every character the format escapes
    m.record_call(odd, 0.002, 'CODE"\\\n')
    app.host.hook.secret_mcp_tx_completed(result=outcome("failed", 5))
    app.host.hook.secret_mcp_tx_completed(result=outcome("failed", None))
    app.host.hook.secret_mcp_tx_completed(result=outcome("unknown", None))
    app.host.hook.secret_mcp_tx_completed(result=outcome("success", 0))
    snap = m.snapshot()
    tx = snap["transactions"]
    assert (tx["total"], tx["success"], tx["failed"], tx["unknown"]) == (4, 1, 2, 1)
    assert tx["failed_by_code"] == {"5": 1, "none": 1} and tx["success_rate"] == 0.25
    assert snap["pool"]["connected"] is False and snap["pool"]["endpoints"] == [] and snap["cache"]["hit_rate"] is None

    text = metrics.render_prometheus(snap)
    got = samples(text)
    assert got[("secret_mcp_tool_calls_total", (("tool", odd),))] == 1
    assert got[("secret_mcp_tool_errors_total", (("code", 'CODE"\\\n'), ("tool", odd)))] == 1
    assert got[("secret_mcp_transactions_total", (("code", "none"), ("status", "failed")))] == 1
    assert got[("secret_mcp_transactions_total", (("code", "none"), ("status", "unknown")))] == 1
    assert got[("secret_mcp_transaction_success_ratio", ())] == 0.25
    assert ("secret_mcp_cache_hit_ratio", ()) not in got  # no lookups yet: no ratio rather than a made-up 0
    # Every family is announced once with HELP and TYPE before its samples.
    helps = re.findall(r"^# HELP (\S+) ", text, re.M)
    types = re.findall(r"^# TYPE (\S+) (\w+)$", text, re.M)
    assert len(helps) == len(set(helps)) == len(types) and [n for n, _ in types] == helps
    assert ("secret_mcp_tool_duration_seconds", "histogram") in types


def test_endpoint_labels_keep_only_the_origin():
    assert metrics.endpoint_label("https://user:pw@lcd.example.com:1317/key/abc123?apikey=x") == "https://lcd.example.com:1317"
    assert metrics.endpoint_label("http://[::1]:8080/") == "http://[::1]:8080"
    rows = metrics._endpoint_rows([{"url": "https://a.example/one"}, {"url": "https://a.example/two"}])
    assert [label for label, _ in rows] == ["https://a.example", "https://a.example#2"]


def test_breaker_counts_each_opening_once():
    breaker = Breaker(threshold=2, cooldown=30)
    breaker.failure()
    assert breaker.opens == 0
    breaker.failure()
    breaker.failure()  # a late failure of a request sent before it opened: still one opening
    assert breaker.opens == 1 and breaker.state == "open"
    breaker.cooldown = 0
    assert breaker.allow()  # half-open probe
    breaker.failure()
    assert breaker.opens == 2
