"""Helpers shared by the staking, distribution and gov tests: sign as a LocalSecret account (or a genesis
operator), broadcast through the LCD, read events and fees."""

from __future__ import annotations

import httpx
from secret_sdk.key.raw import RawKey

from secret_sandbox_chain import testing
from secret_sandbox_chain.chain import GENESIS_ADDRESSES
from secret_sandbox_chain.modules.staking import operator_private_key

ACCOUNTS = dict(GENESIS_ADDRESSES)


def _signer(who):
    """"a".."d" are LocalSecret's accounts; ("operator", i) is genesis validator i's operator key."""
    return RawKey(operator_private_key(who[1])) if isinstance(who, tuple) else who


async def get(sandbox, path: str, expect: int | None = 200, **params) -> dict:
    async with httpx.AsyncClient(base_url=sandbox.url, timeout=10) as client:
        r = await client.get(path, params=params)
    if expect is not None:
        assert r.status_code == expect, (r.status_code, r.text)
    return r.json()


async def tx(sandbox, who, *msgs, gas: int = 500_000) -> dict:
    """Sign `msgs` as `who`, broadcast (SYNC) and return the committed tx_response."""
    return testing.send_tx(sandbox, _signer(who), list(msgs), gas=gas)["tx_response"]


def events(res: dict, type_: str) -> list[dict]:
    return [{a["key"]: a["value"] for a in e["attributes"]} for e in res["events"] if e["type"] == type_]


def fee_paid(res: dict) -> int:
    return sum(int(c["amount"]) for c in res["tx"]["auth_info"]["fee"]["amount"] if c["denom"] == "uscrt")
