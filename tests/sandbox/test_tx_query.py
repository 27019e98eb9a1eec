"""A malformed CometBFT query on GET /cosmos/tx/v1beta1/txs: the sandbox answers like a node's gateway (HTTP 400,
google.rpc.Status with code 3), never a 500; the search tool turns that into INVALID_QUERY, in both eras."""

from __future__ import annotations

import pytest

from secret_sandbox_chain.testing import http

from tests.helpers import call_err, call_ok, connect
from tests.tx.fixtures import home, server_on  # noqa: F401

from .conftest import ADDR

TXS = "/cosmos/tx/v1beta1/txs"
MALFORMED = [
    "tx.height>=x",                                  # an unquoted operand that is no number
    "tx.height>=5 AND message.sender=secret1abc",    # the same in a second condition
    "tx.height>=1.2.3",
    "tx.height=inf",
    "tx.height=" + "9" * 5000,                       # too long for a number
    "message.sender='unterminated",
    "tx.height>=",
    "tx.height EXISTS 5",
    "=== AND",
    "tx.height >= TIME 2024-01-01T00:00:00Z",
]


@pytest.mark.parametrize("query", MALFORMED)
def test_malformed_query_is_a_400_status_body(sandbox, query):
    r = http().get(f"{sandbox.url}{TXS}", params={"query": query, "events": "ignored"})
    body = r.json()
    assert r.status_code == 400, body
    assert set(body) == {"code", "message", "details"} and body["code"] == 3 and body["details"] == []
    assert body["message"].startswith("rpc error: code = InvalidArgument desc = failed to parse query: ")
    assert body["message"].endswith(": invalid request")


def test_well_formed_queries_still_match(sandbox):
    for _ in range(2):
        sandbox.faucet(ADDR["b"], 1)
    for query in ("tx.height>=1", "tx.height>=1.0", "tx.height>-1 AND tx.height EXISTS",
                  f"transfer.recipient CONTAINS '{ADDR['b'][:20]}'"):
        r = http().get(f"{sandbox.url}{TXS}", params={"query": query})
        assert r.status_code == 200, (query, r.text)
        assert int(r.json()["total"]) >= 2, query


@pytest.mark.anyio
async def test_search_tool_reports_a_malformed_query(mode, sandbox, home):
    sandbox.faucet(ADDR["b"], 1)
    async with connect(server_on(sandbox), mode) as client:
        bad = await call_err(client, "secret_search_transactions", {"query": "tx.height>=x"})
        good = await call_ok(client, "secret_search_transactions", {"query": "tx.height>=1", "limit": 1})
    assert bad["code"] == "INVALID_QUERY" and "tx.height>=x" in bad["message"]
    assert "failed to parse query" in bad["message"] and bad["suggestions"]
    assert "Traceback" not in str(bad) and good["total"] >= 1
