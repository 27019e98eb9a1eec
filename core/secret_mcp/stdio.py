"""stdio without worker threads: the SDK's transport reads and writes through anyio.wrap_file, which costs a
thread hand-off per line read and two per line written, about a third of a cached call's time. When stdin and
stdout are pipes or sockets (what every MCP client launches us with), they are served by the event loop's own
pipe transports instead; anything else (a terminal, a regular file) keeps the SDK's path.

As the SDK does, fds 0 and 1 are diverted while serving (0 to the null device, 1 to stderr) so that a stray
print or child process can never write into the protocol stream; the wire lives on private duplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import sys
from typing import AsyncIterator

LINE_LIMIT = 64 * 1024 * 1024  # one JSON-RPC message per line; tools/call arguments can be large (wasm uploads)


def _is_pipe_or_socket(fd: int) -> bool:
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def usable() -> bool:
    """True when both standard streams can go on the event loop (POSIX pipes or sockets)."""
    return sys.platform != "win32" and _is_pipe_or_socket(0) and _is_pipe_or_socket(1)


class LineReader:
    """What the SDK's stdio transport iterates: decoded lines from the wire."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    def __aiter__(self) -> "LineReader":
        return self

    async def __anext__(self) -> str:
        try:
            line = await self._reader.readuntil(b"\n")
        except asyncio.IncompleteReadError as exc:  # EOF: the last line may lack its newline
            if not exc.partial:
                raise StopAsyncIteration from None
            line = exc.partial
        return line.decode("utf-8", errors="replace")


class LineWriter:
    """What the SDK's stdio transport writes to: write() queues on the pipe, flush() waits for room."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer

    async def write(self, text: str) -> None:
        self._writer.write(text.encode("utf-8"))

    async def flush(self) -> None:
        await self._writer.drain()


@contextlib.asynccontextmanager
async def loop_streams() -> AsyncIterator[tuple[LineReader, LineWriter]]:
    """Private duplicates of fds 0 and 1 on the running asyncio loop, with the standard fds diverted."""
    loop = asyncio.get_running_loop()
    wire_in, wire_out = os.dup(0), os.dup(1)  # not inherited by child processes (os.dup's default)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    reader = asyncio.StreamReader(limit=LINE_LIMIT)
    transports = []
    try:
        # closefd=False: the duplicates are ours to restore and close below, not the transports'
        in_file = os.fdopen(wire_in, "rb", buffering=0, closefd=False)
        out_file = os.fdopen(wire_out, "wb", buffering=0, closefd=False)
        read_transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), in_file)
        transports.append(read_transport)
        write_transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, out_file)
        transports.append(write_transport)
        writer = asyncio.StreamWriter(write_transport, protocol, None, loop)
        yield LineReader(reader), LineWriter(writer)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
    finally:
        for transport in transports:
            transport.close()
        for wire, fd in ((wire_in, 0), (wire_out, 1)):
            with contextlib.suppress(OSError):
                os.set_blocking(wire, True)  # the loop made the shared pipe non-blocking
                os.dup2(wire, fd)
            os.close(wire)
