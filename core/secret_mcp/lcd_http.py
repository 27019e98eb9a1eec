"""HTTP/1.1 keep-alive requests for the client pool, on aiohttp.

Why aiohttp rather than httpx: on the 2-core dev machine an httpx GET of a balance from the sandbox cost
1.2-1.6 ms of CPU and aiohttp's 0.3-0.5 ms (C parsers), so a cache miss spent more time in the HTTP client
than anywhere else. The pool only needs plain requests, so this module is the whole surface it uses, and
aiohttp's exceptions become two of ours, split by whether the request may have reached the node (the
pool must never resend a broadcast that may have been accepted).

The session is made on first use and belongs to the running event loop (aiohttp sessions cannot move
between loops), so a pool built outside a loop, or used by a later one, still works.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import re
from typing import Any, Mapping

HEADERS = {"Accept": "application/json", "User-Agent": "secret-mcp"}
MAX_URL = 65536  # what common servers accept in a request line; longer is the caller's mistake, not the node's
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
IDLE_SECONDS = 4.0  # drop idle connections before common servers do (uvicorn: 5 s), so a reused one is alive


class RequestFailed(Exception):
    """No answer. `sent`: the request may have reached the node (the pool must not resend a broadcast then)."""

    def __init__(self, text: str, *, timed_out: bool, sent: bool) -> None:
        super().__init__(text)
        self.timed_out, self.sent = timed_out, sent


class BadURL(Exception):
    """The URL cannot be built from these values (the caller's input, not the node's fault)."""


class Reply:
    """Status, headers and body of one answer, read in full."""

    __slots__ = ("status", "headers", "content")

    def __init__(self, status: int, headers: Mapping[str, str], content: bytes) -> None:
        self.status, self.headers, self.content = status, headers, content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


def query_pairs(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Query parameters as text, encoded the way the LCD expects: booleans as true/false, lists repeated."""
    pairs: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(item, bool):
                text = "true" if item else "false"
            else:
                text = "" if item is None else str(item)
            pairs.append((str(key), text))
    return pairs


class HttpClient:
    def __init__(self, *, max_connections: int, timeout: float) -> None:
        self.max_connections, self.timeout = max_connections, timeout
        self._session: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._proxies: dict[tuple[str, str, int | None], str | None] = {}

    def _current(self) -> Any:
        import aiohttp  # imported on the first chain request, not at start-up (about 0.25 s)

        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.max_connections, limit_per_host=0,
                                             keepalive_timeout=IDLE_SECONDS, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector, headers=HEADERS, trust_env=False,
                                                  json_serialize=jsonlib.dumps, raise_for_status=False)
            self._loop = loop
        return self._session

    async def request(self, method: str, url: str, *, params: Mapping[str, Any] | None = None, json: Any = None,
                      headers: Mapping[str, str] | None = None, timeout: float | None = None) -> Reply:
        import aiohttp
        from yarl import URL

        session = self._current()
        limit = self.timeout if timeout is None else timeout
        # Per phase, as the pool documents request_timeout: waiting for a connection and connecting, then
        # each read of the answer.
        phases = aiohttp.ClientTimeout(total=None, connect=limit, sock_read=limit)
        pairs = query_pairs(params)
        _check_url(url, pairs)  # before yarl parses and encodes what may be a 100 KB value
        try:
            target = URL(url)
            if pairs:
                target = target.update_query(pairs)
        except (ValueError, TypeError) as exc:
            raise BadURL(str(exc) or type(exc).__name__) from None
        try:
            async with session.request(method, target, json=json, headers=headers, timeout=phases,
                                       proxy=self._proxy(target), allow_redirects=True) as response:
                content = await response.read()
                return Reply(response.status, response.headers, content)
        except aiohttp.ConnectionTimeoutError as exc:  # no free connection, or connecting, in time
            raise RequestFailed(_describe(exc), timed_out=True, sent=False) from None
        except aiohttp.ClientConnectorError as exc:  # refused, DNS, TLS handshake
            raise RequestFailed(_describe(exc), timed_out=False, sent=False) from None
        except (aiohttp.ServerTimeoutError, asyncio.TimeoutError) as exc:
            raise RequestFailed(_describe(exc), timed_out=True, sent=True) from None
        except aiohttp.InvalidURL as exc:
            raise BadURL(_describe(exc)) from None
        except (aiohttp.ClientError, OSError, ValueError) as exc:  # broken connection, bad framing, undecodable body
            raise RequestFailed(_describe(exc), timed_out=False, sent=True) from None

    def _proxy(self, target: Any) -> str | None:
        """The HTTP(S)_PROXY that applies to this origin (NO_PROXY respected), looked up once per origin.

        aiohttp's trust_env does this lookup on every request, reading the whole environment each time:
        0.6 ms of CPU per request here, more than the request itself."""
        origin = (target.scheme, target.host or "", target.port)
        if origin not in self._proxies:
            import urllib.request

            proxy = urllib.request.getproxies().get(target.scheme)
            if proxy and urllib.request.proxy_bypass(target.host or ""):
                proxy = None
            self._proxies[origin] = proxy
        return self._proxies[origin]

    def open_connections(self) -> int | None:
        connector = getattr(self._session, "connector", None)
        if connector is None:
            return 0
        # aiohttp keeps its counts private; report what it exposes when it does
        acquired = getattr(connector, "_acquired", None)
        idle = getattr(connector, "_conns", None)
        if acquired is None or idle is None:
            return None
        return len(acquired) + sum(len(v) for v in idle.values())

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            try:
                await session.close()
            except RuntimeError:  # made by an event loop that has ended: its sockets went with it
                pass


_PATH_CHARS = re.compile(r"^/[A-Za-z0-9/_.:~@!$&'()*+,;=-]*$")


def path_problem(path: str) -> str | None:
    """Why `path` is not a plain LCD path, or None. Every tool builds paths from its arguments; whatever a tool
    forgot to check, no argument may step out of its route: "." and ".." segments (the HTTP client resolves
    them), empty segments, percent-escapes (encoded dots), "?", "#" and backslashes are refused here."""
    if not _PATH_CHARS.match(path or ""):
        return "it holds a character no LCD path has (%, ?, #, \\, spaces or non-ASCII)"
    segments = path.split("/")[1:]
    if any(seg in ("", ".", "..") for seg in segments[:-1]) or segments[-1] in (".", ".."):
        return "it has an empty, '.' or '..' segment"
    return None


def _check_url(url: str, pairs: list[tuple[str, str]]) -> None:
    """Refuse what no LCD path or query holds: control characters (yarl would quietly percent-encode them into
    a different request), and URLs beyond MAX_URL."""
    texts = [url, *(k for k, _ in pairs), *(v for _, v in pairs)]
    if any(_CONTROL.search(text) for text in texts):
        raise BadURL("a value holds a control character")
    if sum(len(t) + 1 for t in texts) > MAX_URL:
        raise BadURL(f"the URL would be longer than {MAX_URL} characters")


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
