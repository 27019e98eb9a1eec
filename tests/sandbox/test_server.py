"""Server features: persistence across restarts, fault injection, faucet, plugin hooks."""

from __future__ import annotations

import time

import click
import httpx
import pytest
from secret_sdk.protobuf.cosmos.bank.v1beta1 import MsgSend
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin

from secret_sandbox_chain.testing import http
from secret_sandbox_chain import find_server, launch

from .conftest import ADDR

NEW_ADDR = "secret1xvgdr32t37euwk5s387w4l70vyg8pzkyvcln78"


def send(sandbox, tx, frm="a", to="b", amount=1):
    return tx.send(sandbox, frm, [MsgSend(from_address=ADDR[frm], to_address=ADDR[to],
                                          amount=[Coin(denom="uscrt", amount=str(amount))])])


def test_state_survives_restart(tmp_path, tx):
    with launch(state_dir=tmp_path) as first:
        res = send(first, tx, amount=12345)["tx_response"]
        first.faucet(NEW_ADDR, 777)
        height, b_balance = first.chain.height, tx.balance(first.url, ADDR["b"])
        block = http().get(f"{first.url}/cosmos/base/tendermint/v1beta1/blocks/latest").json()
        tx_body = tx.wait_tx(first.url, res["txhash"])
    with launch(state_dir=tmp_path) as second:
        assert second.chain.height == height
        assert tx.balance(second.url, ADDR["b"]) == b_balance
        assert tx.balance(second.url, NEW_ADDR) == 777
        assert tx.account(second.url, ADDR["a"])["sequence"] == "1"
        assert tx.wait_tx(second.url, res["txhash"]) == tx_body
        assert http().get(f"{second.url}/cosmos/base/tendermint/v1beta1/blocks/latest").json() == block
        found = http().get(f"{second.url}/cosmos/tx/v1beta1/txs", params={"query": f"message.sender='{ADDR['a']}'"})
        assert found.json()["total"] == "1"
        res2 = send(second, tx, amount=1)["tx_response"]  # sequence 1 continues; heights go on
        assert res2["code"] == 0 and int(res2["height"]) == height + 1
    assert (tmp_path / "chain.sqlite3").exists()


def test_memory_chain_starts_fresh(tx):
    with launch() as one:
        send(one, tx)
    with launch() as two:
        assert two.chain.height == 1 and tx.account(two.url, ADDR["a"])["sequence"] == "0"


def test_fault_switches(sandbox):
    url = f"{sandbox.url}/cosmos/base/tendermint/v1beta1/syncing"
    sandbox.set_faults(latency_ms=150)
    started = time.monotonic()
    assert http().get(url).status_code == 200
    assert time.monotonic() - started >= 0.15
    sandbox.set_faults(latency_ms=0, error_rate=1.0)
    assert http().get(url).status_code == 503
    sandbox.set_faults(error_rate=0.0, malformed_rate=1.0)
    r = http().get(url)
    assert r.status_code == 200
    with pytest.raises(ValueError):
        r.json()
    sandbox.set_faults(malformed_rate=0.0, down=True)
    with pytest.raises(httpx.TransportError):
        http().get(url)
    admin = http().get(f"{sandbox.url}/sandbox/admin/faults")  # the admin API is never faulted
    assert admin.json()["down"] is True
    r = http().post(f"{sandbox.url}/sandbox/admin/faults", json={"down": False})
    assert r.status_code == 200 and r.json()["down"] is False
    assert http().get(url).json() == {"syncing": False}
    assert http().post(f"{sandbox.url}/sandbox/admin/faults", json={"bogus": 1}).status_code == 400
    with pytest.raises(ValueError):
        sandbox.set_faults(error_rate=2)


def test_faults_are_deterministic_with_a_seed(sandbox):
    url = f"{sandbox.url}/cosmos/base/tendermint/v1beta1/syncing"

    def run() -> list[int]:
        r = http().post(f"{sandbox.url}/sandbox/admin/faults", json={"seed": 7, "error_rate": 0.5})
        assert r.json()["error_rate"] == 0.5
        with httpx.Client() as client:
            return [client.get(url).status_code for _ in range(24)]

    first, second = run(), run()
    assert first == second and set(first) == {200, 503}


def test_dropped_broadcast_response_still_commits(sandbox, tx):
    raw = tx.sign(sandbox.url, sandbox.chain.chain_id, "a",
                  [MsgSend(from_address=ADDR["a"], to_address=ADDR["b"], amount=[Coin(denom="uscrt", amount="9")])])
    sandbox.set_faults(drop_next_broadcast=True)
    import base64
    import hashlib

    with pytest.raises(httpx.TimeoutException):
        http().post(f"{sandbox.url}/cosmos/tx/v1beta1/txs", timeout=0.5,
                   json={"tx_bytes": base64.b64encode(raw).decode(), "mode": "BROADCAST_MODE_SYNC"})
    body = tx.wait_tx(sandbox.url, hashlib.sha256(raw).hexdigest().upper())
    assert body["tx_response"]["code"] == 0
    assert sandbox.faults.drop_next_broadcast is False
    assert send(sandbox, tx)["tx_response"]["code"] == 0  # the next broadcast is answered


def test_faucet_python_and_admin(sandbox, tx):
    result = sandbox.faucet(NEW_ADDR, 5_000_000)
    assert tx.balance(sandbox.url, NEW_ADDR) == 5_000_000
    body = tx.wait_tx(sandbox.url, result["txhash"])
    assert body["tx_response"]["code"] == 0 and int(body["tx_response"]["height"]) == result["height"]
    r = http().post(f"{sandbox.url}/sandbox/admin/faucet", json={"address": NEW_ADDR, "amount": "1000"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["address"] == NEW_ADDR and out["amount"] == "1000" and len(out["txhash"]) == 64
    assert tx.balance(sandbox.url, NEW_ADDR) == 5_001_000
    assert http().get(f"{sandbox.url}/cosmos/auth/v1beta1/accounts/{NEW_ADDR}").status_code == 200
    assert http().post(f"{sandbox.url}/sandbox/admin/faucet", json={"address": "nope"}).status_code == 400
    huge = sandbox.faucet(NEW_ADDR, 10**19)  # more than the faucet holds: it is topped up
    assert tx.wait_tx(sandbox.url, huge["txhash"])["tx_response"]["code"] == 0


def test_advance_moves_time_and_height(sandbox):
    before_h, before_t = sandbox.chain.height, sandbox.chain.time
    r = http().post(f"{sandbox.url}/sandbox/admin/advance", json={"blocks": 3, "seconds": 90})
    assert r.json() == {"height": str(before_h + 3)}
    assert (sandbox.chain.time - before_t).total_seconds() >= 90


def test_plugin_network_and_command():
    from secret_mcp_sandbox import plugin

    (network,) = plugin.secret_mcp_networks()
    assert (network.name, network.chain_id, network.kind, str(network.gas_price)) == (
        "sandbox", "secret-sandbox-1", "sandbox", "0.0125")
    with network.launcher() as url:
        assert url.startswith("http://127.0.0.1:")
        server = find_server(url)
        assert server is not None and server.chain.chain_id == "secret-sandbox-1"
        assert http().get(f"{url}/cosmos/base/tendermint/v1beta1/node_info").status_code == 200
    assert find_server(url) is None

    @click.group()
    def cli() -> None:
        pass

    plugin.secret_mcp_register_commands(cli)
    cmd = cli.commands["sandbox"]
    assert {p.name: p.default for p in cmd.params} == {"host": "127.0.0.1", "port": 1317, "state_dir": None,
                                                       "block_time": 0}


def test_the_packs_command_runs_the_chain_in_foreground(tmp_path):
    # `python -m secret_mcp_sandbox` (the pack's glue) still runs the chain; test_import_graph.py runs the chain's own.
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "secret_mcp_sandbox", "--port", str(port)],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}" in line
        assert http().get(f"http://127.0.0.1:{port}/cosmos/base/tendermint/v1beta1/syncing").json() == {"syncing": False}
    finally:
        proc.send_signal(2)  # Ctrl-C
        assert proc.wait(timeout=10) == 0
