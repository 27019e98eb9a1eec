"""The one async HTTP client for all LCD traffic: keep-alive, round robin, failover, retry, breakers.

Failure classes (why they are treated differently):

* transient - connect errors, timeouts, 502/503/504, a 5xx that is not a chain error body (a proxy
  page), malformed JSON, gRPC Unavailable/DeadlineExceeded. The endpoint is suspect: count a breaker
  failure, fail over to the next endpoint, and after a full round back off (exponential, full
  jitter) and try again, up to `retries` more rounds.
* chain answer - any 4xx, and a 5xx carrying an LCD `google.rpc.Status` body (e.g. "query contract
  failed"). The node worked and said no; asking another node would only repeat it. Raised at once.

A POST is sent once unless `idempotent=True`: after a timeout or a 503 the broadcast may have been
accepted, so resending is the tx pipeline's call (it looks the hash up first). A POST still fails over
when the connection could not be made at all, because then nothing was sent.

Request and response bodies are never logged (they can carry signed transactions); the log shows
method, endpoint, path without query string, status and latency.
"""

from __future__ import annotations

import json as jsonlib
import logging
import random
import time
from typing import Any, Mapping, Sequence

import anyio

from . import lcd_http

from .errors import ChainError, SecretMCPError
from .networks import Network

log = logging.getLogger(__name__)

HEIGHT_HEADER = "Grpc-Metadata-X-Cosmos-Block-Height"
LATEST_BLOCK = "/cosmos/base/tendermint/v1beta1/blocks/latest"
RETRY_STATUS = {502, 503, 504}
TRANSIENT_GRPC = {4, 14}  # DeadlineExceeded, Unavailable


class Breaker:
    """Per-endpoint circuit breaker: closed -> open after `threshold` failures -> half-open after cooldown."""

    def __init__(self, threshold: int, cooldown: float) -> None:
        self.threshold, self.cooldown = threshold, cooldown
        self.failures = 0
        self.opened_at: float | None = None
        self.probing = False
        self.opens = 0  # times it opened (metrics)

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if time.monotonic() - self.opened_at >= self.cooldown else "open"

    def allow(self) -> bool:
        """May a request go out now? In half-open only one probe at a time."""
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self.probing:
            self.probing = True
            return True
        return False

    def success(self) -> None:
        self.failures, self.opened_at, self.probing = 0, None, False

    def failure(self) -> None:
        self.failures += 1
        if self.probing or self.failures >= self.threshold:
            if self.opened_at is None or self.probing:  # closed or half-open -> open; not a re-stamp while open
                self.opens += 1
            self.opened_at = time.monotonic()
        self.probing = False

    def release(self) -> None:
        """A probe that ended in a chain answer proves the endpoint works."""
        self.success()

    def retry_in(self) -> float:
        """Seconds until the cool-down ends and a probe may go out (0 unless open)."""
        if self.opened_at is None:
            return 0.0
        return max(0.0, self.cooldown - (time.monotonic() - self.opened_at))


class Endpoint:
    def __init__(self, url: str, breaker: Breaker) -> None:
        self.url = url.rstrip("/")
        self.breaker = breaker
        self.requests = 0
        self.failures = 0


class _Transient(Exception):
    """A failure worth trying elsewhere or again; `kind` picks the final error code."""

    def __init__(self, kind: str, text: str, status: int | None = None, sent: bool = True) -> None:
        super().__init__(text)
        self.kind, self.text, self.status, self.sent = kind, text, status, sent


class ClientPool:
    """Async LCD client over several endpoints of one network. One keep-alive HTTP/1.1 session (lcd_http)."""

    def __init__(
        self,
        network: Network,
        *,
        urls: Sequence[str] | None = None,
        max_connections: int = 10,
        timeout: float = 10.0,
        retries: int = 2,
        backoff: float = 0.2,
        breaker_threshold: int = 5,
        breaker_cooldown: float = 30.0,
    ) -> None:
        chosen = tuple(urls) if urls else tuple(network.lcd_urls)
        if not chosen:
            raise ValueError(f"network {network.name} has no LCD endpoint")
        self.network = network
        self.endpoints = [Endpoint(u, Breaker(breaker_threshold, breaker_cooldown)) for u in chosen]
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.last_height: int | None = None
        self._next = 0
        self._counts = {"requests": 0, "failures": 0, "retries": 0, "failovers": 0}
        self.max_connections = max_connections
        self._http = lcd_http.HttpClient(max_connections=max_connections, timeout=timeout)

    # --- public API

    async def get(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> dict:
        """GET an LCD path; transient failures fail over and are retried."""
        return await self._request("GET", path, params=params, headers=headers, timeout=timeout, idempotent=True)

    async def get_found(self, path: str, params: Mapping[str, Any] | None = None) -> dict | None:
        """GET, or None when the chain answers that the thing does not exist (CHAIN_NOT_FOUND)."""
        try:
            return await self.get(path, params)
        except ChainError as exc:
            if exc.code == "CHAIN_NOT_FOUND":
                return None
            raise

    async def post(
        self,
        path: str,
        json: Any,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        idempotent: bool = False,
    ) -> dict:
        """POST JSON; sent once unless `idempotent=True` (see the module docstring)."""
        return await self._request("POST", path, json=json, headers=headers, timeout=timeout, idempotent=idempotent)

    async def health(self, timeout: float | None = None) -> list[dict]:
        """Probe every endpoint's latest block concurrently; breakers are reported, not changed."""
        results: list[dict] = [{} for _ in self.endpoints]

        async def probe(i: int, ep: Endpoint) -> None:
            started = time.perf_counter()
            row: dict[str, Any] = {"url": ep.url, "ok": False, "latency_ms": None, "latest_height": None,
                                   "chain_id": None, "breaker": ep.breaker.state, "error": None}
            try:
                resp = await self._http.request("GET", ep.url + LATEST_BLOCK, timeout=timeout or self.timeout)
                row["latency_ms"] = round((time.perf_counter() - started) * 1000, 1)
                body = jsonlib.loads(resp.content)
                header = (body.get("sdk_block") or body.get("block") or {}).get("header", {})
                if resp.status != 200 or "height" not in header:
                    row["error"] = f"HTTP {resp.status}: unexpected latest-block response"
                else:
                    row.update(ok=True, latest_height=int(header["height"]), chain_id=header.get("chain_id"))
            except (lcd_http.RequestFailed, lcd_http.BadURL) as exc:
                row["error"] = str(exc)
            except (ValueError, AttributeError) as exc:
                row["error"] = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            results[i] = row

        async with anyio.create_task_group() as tg:
            for i, ep in enumerate(self.endpoints):
                tg.start_soon(probe, i, ep)
        return results

    def stats(self) -> dict:
        out: dict[str, Any] = dict(self._counts)
        out["endpoints"] = [
            {"url": e.url, "requests": e.requests, "failures": e.failures, "breaker": e.breaker.state,
             "breaker_opens": e.breaker.opens}
            for e in self.endpoints
        ]
        out["open_connections"] = self._open_connections()
        out["last_height"] = self.last_height
        return out

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "ClientPool":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    # --- the request loop

    def _order(self) -> list[Endpoint]:
        start = self._next % len(self.endpoints)
        self._next += 1
        return self.endpoints[start:] + self.endpoints[:start]

    async def _request(self, method: str, path: str, *, idempotent: bool, **kw: Any) -> dict:
        problem = lcd_http.path_problem(path)
        if problem:  # a tool's argument tried to leave its route: not the node's fault, and never sent
            raise SecretMCPError("INVALID_INPUT", f"A value in this request cannot be part of an LCD path: {problem}.",
                                 ["Check the identifiers passed (denoms, addresses, ids) for stray characters."])
        self._counts["requests"] += 1
        failures: list[tuple[Endpoint, _Transient]] = []
        rounds = self.retries + 1 if idempotent else 1
        for attempt in range(rounds):
            if attempt:
                self._counts["retries"] += 1
                # Full jitter: spreads retries of many callers instead of synchronising them.
                await anyio.sleep(random.uniform(0, self.backoff * 2 ** (attempt - 1)))
            tried_here = False
            for ep in self._order():
                if not ep.breaker.allow():
                    continue
                if tried_here:
                    self._counts["failovers"] += 1
                tried_here = True
                took_probe = ep.breaker.probing  # allow() just set it, so this call owns the probe
                try:
                    return await self._once(ep, method, path, **kw)
                except _Transient as exc:
                    failures.append((ep, exc))
                    if not idempotent and exc.sent:
                        raise self._give_up(path, failures) from None
                finally:
                    if took_probe:  # a cancelled probe must not leave the endpoint shut forever
                        ep.breaker.probing = False
            if not tried_here:
                break  # every breaker open: waiting a few hundred ms will not close them
        raise self._give_up(path, failures)

    async def _once(self, ep: Endpoint, method: str, path: str, *, params: Any = None, json: Any = None,
                    headers: Any = None, timeout: float | None = None) -> dict:
        ep.requests += 1
        started = time.perf_counter()
        try:
            resp = await self._http.request(method, ep.url + path, params=params, json=json, headers=headers,
                                            timeout=self.timeout if timeout is None else timeout)
        except lcd_http.RequestFailed as exc:
            self._fail(ep)
            if exc.timed_out:
                raise _Transient("timeout", f"timed out ({exc})", sent=exc.sent) from None
            raise _Transient("unreachable", str(exc), sent=exc.sent) from None
        except lcd_http.BadURL as exc:  # a caller's value cannot be in a URL: not the node's fault
            raise SecretMCPError("INVALID_INPUT", f"A value in this request cannot be sent to the node in a URL: {exc}.",
                                 ["Check the values passed for stray control characters or excessive length."],
                                 {"path": path[:200]}) from None
        log.debug("%s %s%s -> %s in %.0f ms", method, ep.url, path, resp.status, (time.perf_counter() - started) * 1000)
        height = resp.headers.get(HEIGHT_HEADER)
        if height and height.isdigit():
            self.last_height = int(height)
        try:
            body = jsonlib.loads(resp.content)
        except ValueError:
            body = None
        if resp.status >= 400:
            return self._error_status(ep, path, resp, body)
        if not isinstance(body, dict):
            self._fail(ep)
            raise _Transient("bad_response", f"HTTP {resp.status} with a body that is not a JSON object", resp.status)
        ep.breaker.success()
        return body

    def _error_status(self, ep: Endpoint, path: str, resp: lcd_http.Reply, body: Any) -> dict:
        status = resp.status
        is_status_body = isinstance(body, dict) and "message" in body and "code" in body
        grpc = body.get("code") if is_status_body else None
        if status in RETRY_STATUS or (status >= 500 and (not is_status_body or grpc in TRANSIENT_GRPC)):
            self._fail(ep)
            raise _Transient("status", f"HTTP {status}", status)
        ep.breaker.release()  # the node answered; it is healthy even if the answer is "no"
        message = body["message"] if is_status_body else resp.text[:300]
        raise chain_error(self.network, status, grpc, str(message), ep.url, path)

    def _fail(self, ep: Endpoint) -> None:
        ep.failures += 1
        self._counts["failures"] += 1
        ep.breaker.failure()

    def _give_up(self, path: str, failures: list[tuple[Endpoint, _Transient]]) -> ChainError:
        kinds = {f.kind for _, f in failures}
        tried = ", ".join(f"{ep.url} ({f.text})" for ep, f in failures)
        details: dict[str, Any] = {"path": path, "endpoints": [e.url for e in self.endpoints],
                                   "attempts": [{"endpoint": ep.url, "error": f.text, "http_status": f.status} for ep, f in failures]}
        if failures:
            details["endpoint"] = failures[-1][0].url
            details["http_status"] = failures[-1][1].status
        net = f"{self.network.name} ({self.network.chain_id})"
        if kinds == {"timeout"}:
            return ChainError("CHAIN_TIMEOUT", f"The {net} LCD did not answer {path} in time: {tried}.",
                              ["Try again; the node may be busy.", "Raise request_timeout, or use another endpoint with --lcd-url."], details)
        if kinds == {"bad_response"}:
            return ChainError("CHAIN_BAD_RESPONSE", f"The {net} LCD sent a malformed answer for {path}: {tried}.",
                              ["Try again, or use another endpoint with --lcd-url."], details)
        if not failures:
            wait = min(e.breaker.retry_in() for e in self.endpoints)  # breaker_cooldown may be well under 1 s
            details["retry_after_seconds"] = round(wait, 1)
            msg = f"Every {net} endpoint is paused after repeated failures: {', '.join(e.url for e in self.endpoints)}."
            when = f"{wait:.1f}" if wait < 10 else f"{wait:.0f}"
            return ChainError("CHAIN_UNREACHABLE", msg, [f"Try again in about {when} s.", "Use another endpoint with --lcd-url.",
                                                          "Check the network with secret_health_check."], details)
        return ChainError("CHAIN_UNREACHABLE", f"Could not reach the {net} LCD for {path}: {tried}.",
                          ["Check your connection and the network name.", "Try again shortly.",
                           "Use another endpoint with --lcd-url."], details)

    def _open_connections(self) -> int | None:
        return self._http.open_connections()


def _clean(message: str) -> str:
    """'rpc error: code = NotFound desc = account X not found: key not found' -> 'account X not found: key not found'."""
    marker = " desc = "
    return message.split(marker, 1)[1] if message.startswith("rpc error:") and marker in message else message


def chain_error(network: Network, status: int, grpc: Any, message: str, endpoint: str, path: str) -> ChainError:
    """The ChainError for an error status the chain answered with (LCD body: docs/protocol-notes.md#lcd-errors)."""
    details = {"http_status": status, "grpc_code": grpc, "chain_message": message, "endpoint": endpoint, "path": path}
    text = _clean(message)
    net = f"{network.name} ({network.chain_id})"
    if status == 404:
        return ChainError("CHAIN_NOT_FOUND", f"Not found on {net}: {text}",
                          ["Check the address, hash or id.", f"Make sure it exists on {net}; switch network if not."], details)
    if status == 400:
        return ChainError("CHAIN_BAD_REQUEST", f"The {net} LCD rejected the request: {text}",
                          ["Check the values passed (addresses, amounts, denominations)."], details)
    return ChainError("CHAIN_ERROR", f"The {net} LCD answered HTTP {status}: {text}",
                      ["Read the chain's message above.", "Try again, or use another endpoint with --lcd-url."], details)
