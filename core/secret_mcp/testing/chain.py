"""The sandbox chain for tests: start one, read an account's balance and sequence from its LCD.

Reads go over HTTP to the LCD REST API, as a wallet would; nothing here reaches into the sandbox's internals.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

import httpx

_http: httpx.Client | None = None


def _client() -> httpx.Client:
    global _http
    if _http is None:  # one keep-alive client: a new one per read costs tens of ms
        _http = httpx.Client(timeout=30)
    return _http


@contextlib.contextmanager
def running_sandbox(**options: Any) -> Iterator[Any]:
    """A fresh in-memory sandbox chain with its LCD on a free loopback port, stopped on exit.

    `options` go to the chain's launcher (`secret_sandbox_chain.launch`) (chain_id, block_time_ms, state_dir, voting_period_seconds, ...).
    The server has `.url` (its LCD), `.faucet(address, uscrt)` and `.set_faults(...)`.
    """
    from secret_sandbox_chain import launch  # the sandbox chain's public launcher, only when a chain is wanted

    options.setdefault("port", 0)
    with launch(**options) as server:
        yield server


def chain_id_of(sandbox: Any) -> str:
    return sandbox.chain.chain_id


def _url(where: Any) -> str:
    return where if isinstance(where, str) else where.url


def account(sandbox: Any, address: str) -> dict | None:
    """The LCD's account JSON (account_number, sequence, pub_key), or None if the chain never saw the address."""
    r = _client().get(f"{_url(sandbox)}/cosmos/auth/v1beta1/accounts/{address}")
    return r.json()["account"] if r.status_code == 200 else None


def balance(sandbox: Any, address: str, denom: str = "uscrt") -> int:
    """The address's balance of `denom` in base units (a sandbox server or its LCD URL)."""
    r = _client().get(f"{_url(sandbox)}/cosmos/bank/v1beta1/balances/{address}/by_denom", params={"denom": denom})
    r.raise_for_status()
    return int(r.json()["balance"]["amount"])


def sequence(sandbox: Any, address: str) -> int:
    """The account's sequence as the chain has it: how many transactions it signed (0 for a new account)."""
    found = account(sandbox, address)
    return int(found["sequence"]) if found else 0
