"""The stdio transport itself (core/secret_mcp/stdio.py): pipes served by the event loop, a terminal served by
the SDK's threaded reader, very long lines, stray writes to fd 1, and a clean exit at end of input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent / "secret-mcp"
INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}
READY = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def call(i: int, name: str, args: dict) -> dict:
    return {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": name, "arguments": args}}


def script(*messages: dict) -> bytes:
    return b"".join(json.dumps(m).encode() + b"\n" for m in messages)


def answers(stdout: bytes) -> dict[int, dict]:
    """Every line on stdout must be a JSON-RPC message: anything else would break a client."""
    out = {}
    for line in stdout.splitlines():
        message = json.loads(line)
        assert message["jsonrpc"] == "2.0"
        if "id" in message:
            out[message["id"]] = message
    return out


def until_answered(proc: subprocess.Popen, last: int) -> dict[int, dict]:
    """Read answers until request `last` has one, then close stdin as a client does (EOF ends the server)."""
    got: dict[int, dict] = {}
    while last not in got:
        line = proc.stdout.readline()
        assert line, proc.stderr.read().decode()[-2000:]
        got.update(answers(line))
    proc.stdin.close()
    assert proc.wait(30) == 0
    return got


def serve(stdin, stdout=subprocess.PIPE, **kw) -> subprocess.Popen:
    return subprocess.Popen([str(BIN), "serve", "--plugins", "wallet"], stdin=stdin, stdout=stdout,
                            stderr=subprocess.PIPE, env=dict(os.environ), **kw)


def test_pipes_long_lines_and_exit_at_eof():
    huge = "x" * (3 * 1024 * 1024)  # one 3 MB line: far beyond asyncio's default 64 KB line limit
    data = script(INIT, READY, call(2, "secret_get_active_wallet", {}),
                  call(3, "secret_set_active_wallet", {"name": huge}),
                  call(4, "secret_get_active_wallet", {}))
    proc = serve(subprocess.PIPE)
    started = time.monotonic()
    proc.stdin.write(data)
    proc.stdin.flush()
    got = until_answered(proc, 4)
    stderr = proc.stderr.read()
    assert got[1]["result"]["serverInfo"]["name"] == "secret-mcp"
    assert got[2]["result"]["structuredContent"]["active"] is None
    assert got[3]["result"]["isError"] is True  # answered with the error model, not dropped or crashed on
    assert len(json.dumps(got[3])) < 20_000, "the error must not echo the 3 MB argument"
    assert got[4]["result"]["structuredContent"]["active"] is None  # and the session goes on
    assert time.monotonic() - started < 60
    assert b"Traceback" not in stderr


def test_a_terminal_on_stdin_keeps_the_sdk_reader():
    # Not a pipe or socket: core/secret_mcp/stdio.py leaves it to the SDK's threaded reader. (A regular file
    # would do too, but it ends at once, and the SDK drops a request still running at end of input.)
    import pty
    import tty

    master, slave = pty.openpty()
    tty.setraw(slave)  # no echo, no line editing: bytes pass as written
    proc = serve(slave)
    os.close(slave)
    try:
        os.write(master, script(INIT, READY, call(2, "secret_get_active_wallet", {})))
        got: dict[int, dict] = {}
        while 2 not in got:
            line = proc.stdout.readline()
            assert line, proc.stderr.read().decode()[-2000:]
            got.update(answers(line))
        assert got[2]["result"]["structuredContent"]["active"] is None
    finally:
        os.close(master)  # the terminal hangs up: end of input
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_stray_print_cannot_reach_the_protocol_stream(tmp_path):
    # A pack (or a library) printing to stdout while serving: fd 1 points at stderr then, so the client's
    # stream stays pure JSON-RPC. The prints run in the server process, started by a sitecustomize hook.
    code = ("import os, sys, threading, time\n"
            "wire = os.fstat(1).st_ino\n"
            "def late():\n"
            "    deadline = time.monotonic() + 60\n"
            "    while os.fstat(1).st_ino == wire and time.monotonic() < deadline:\n"
            "        time.sleep(0.05)  # until the server has started serving (fd 1 diverted)\n"
            "    print('STRAY-PRINT'); sys.stdout.flush(); os.write(1, b'STRAY-FD1\\n')\n"
            "threading.Thread(target=late, daemon=True).start()\n")
    hook = tmp_path
    (hook / "sitecustomize.py").write_text(code)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([str(BIN), "serve", "--plugins", "wallet"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        proc.stdin.write(script(INIT, READY))
        proc.stdin.flush()
        time.sleep(3)  # the thread prints as soon as the server serves
        proc.stdin.write(script(call(2, "secret_get_active_wallet", {})))
        proc.stdin.flush()
        got = until_answered(proc, 2)  # fails on any non-JSON line
        stderr = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert got[2]["result"]["structuredContent"]["active"] is None
    assert b"STRAY-FD1" in stderr and b"STRAY-PRINT" in stderr
