"""A scriptable LCD stand-in on 127.0.0.1 (starlette + uvicorn in a thread) for client-pool tests.

Tests queue answers per path with `script(path, *answers)`; an empty queue answers 200 with a small
JSON object. Every request is recorded with the client's port, so tests can count connections.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


class Answer:
    def __init__(self, status: int = 200, body: Any = None, *, raw: bytes | None = None,
                 delay: float = 0.0, headers: dict[str, str] | None = None) -> None:
        self.status, self.body, self.raw, self.delay, self.headers = status, body, raw, delay, headers or {}


class LCDStandin:
    def __init__(self) -> None:
        self.scripts: dict[str, list[Answer]] = {}
        self.requests: list[dict[str, Any]] = []
        self.height = 100
        self._lock = threading.Lock()
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["GET", "POST"])])
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Inherited by accepted sockets; without it Nagle + delayed ACK add ~40 ms to every keep-alive request.
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def start(self) -> "LCDStandin":
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("stand-in did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(5)
        self._sock.close()

    def reset(self) -> None:
        with self._lock:
            self.scripts.clear()
            self.requests.clear()

    def script(self, path: str, *answers: Answer) -> None:
        with self._lock:
            self.scripts.setdefault(path, []).extend(answers)

    def hits(self, path: str | None = None) -> int:
        return sum(1 for r in self.requests if path is None or r["path"] == path)

    def last_query(self, path: str) -> list[tuple[str, str]]:
        """The query pairs of the last request to `path`, in order, repeated keys kept."""
        return [r for r in self.requests if r["path"] == path][-1]["query_list"]

    def client_ports(self) -> set[int]:
        return {r["port"] for r in self.requests}

    async def _handle(self, request: Request) -> Response:
        path = request.url.path
        body = await request.body()
        with self._lock:
            self.requests.append({"method": request.method, "path": path, "port": request.client.port,
                                  "query": dict(request.query_params), "query_list": request.query_params.multi_items(),
                                  "body": body})
            queue = self.scripts.get(path)
            answer = queue.pop(0) if queue else None
        if answer is None:
            answer = self._default(path)
        if answer.delay:
            await asyncio.sleep(answer.delay)
        payload = answer.body if answer.body is not None else self._default(path).body  # a bare delay answers normally
        content = answer.raw if answer.raw is not None else json.dumps(payload).encode()
        headers = {"Grpc-Metadata-X-Cosmos-Block-Height": str(self.height), **answer.headers}
        return Response(content, status_code=answer.status, media_type="application/json", headers=headers)

    def _default(self, path: str) -> Answer:
        if path == "/cosmos/base/tendermint/v1beta1/blocks/latest":
            return Answer(body={"block": {"header": {"chain_id": "standin-1", "height": str(self.height)}}})
        return Answer(body={"ok": True, "path": path})


def dead_url() -> str:
    """A loopback URL nothing listens on (connections are refused at once)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
