"""Helpers for tests against a running sandbox: keys of the genesis accounts, sign, broadcast, wait.

Public API for pack authors (documented in this pack's README, "Testing helpers"): a pack's tests use it to set up
chain state or check what a tool did, without the MCP server. Everything goes through the LCD over HTTP, as a real
client would. Names outside `__all__` may change.
"""

from __future__ import annotations

import base64
import functools
import time
from typing import Any

import httpx

from .chain import GENESIS_MNEMONICS
from .txbuild import build_tx

__all__ = ["account", "balance", "broadcast", "genesis_key", "http", "send_tx", "sign", "type_url", "wait_tx"]

_client: httpx.Client | None = None


def http() -> httpx.Client:
    """One shared keep-alive client (creating an httpx client per call costs tens of ms)."""
    global _client
    if _client is None:
        _client = httpx.Client(timeout=30)
    return _client


@functools.lru_cache(maxsize=None)
def genesis_key(name: str) -> Any:
    """secret_sdk MnemonicKey of LocalSecret account "a".."d" (m/44'/529'/0'/0/0)."""
    from secret_sdk.key.mnemonic import MnemonicKey

    return MnemonicKey(GENESIS_MNEMONICS[name])


def type_url(msg: Any) -> str:
    """The Any type URL of a secret_sdk betterproto message ("/cosmos.bank.v1beta1.MsgSend")."""
    package = type(msg).__module__.removeprefix("secret_sdk.protobuf.")
    return f"/{package}.{type(msg).__name__}"


def _key(signer: Any) -> Any:
    return genesis_key(signer) if isinstance(signer, str) else signer


def account(url: str, address: str) -> dict | None:
    """The LCD's account JSON (number, sequence, pubkey), or None when the chain has never seen the address."""
    r = http().get(f"{url}/cosmos/auth/v1beta1/accounts/{address}")
    return r.json()["account"] if r.status_code == 200 else None


def balance(url: str, address: str, denom: str = "uscrt") -> int:
    """The address's balance of `denom`, in base units."""
    r = http().get(f"{url}/cosmos/bank/v1beta1/balances/{address}/by_denom", params={"denom": denom})
    r.raise_for_status()
    return int(r.json()["balance"]["amount"])


def sign(url: str, chain_id: str, signer: Any, msgs: list[Any], *, gas: int = 200_000, fee_uscrt: int | None = None,
         memo: str = "", sequence: int | None = None, account_number: int | None = None, **extra: Any) -> bytes:
    """TxRaw bytes of `msgs` signed (SIGN_MODE_DIRECT unless `amino_sign_bytes=`) by genesis account `signer`
    ("a".."d") or a secret_sdk key; number and sequence are read from the LCD unless given."""
    key = _key(signer)
    if sequence is None or account_number is None:
        acc = account(url, key.acc_address)
        if acc is None:
            raise LookupError(f"account {key.acc_address} does not exist on the sandbox")
        sequence = int(acc["sequence"]) if sequence is None else sequence
        account_number = int(acc["account_number"]) if account_number is None else account_number
    pairs = [m if isinstance(m, tuple) else (type_url(m), m) for m in msgs]
    return build_tx(key, pairs, chain_id=chain_id, account_number=account_number, sequence=sequence, gas=gas,
                    fee_uscrt=fee_uscrt, memo=memo, **extra)


def broadcast(url: str, raw: bytes, mode: str = "BROADCAST_MODE_SYNC", key: str = "tx_bytes") -> dict:
    """POST signed TxRaw bytes to /cosmos/tx/v1beta1/txs; returns its `tx_response` (check `code`)."""
    r = http().post(f"{url}/cosmos/tx/v1beta1/txs", json={key: base64.b64encode(raw).decode(), "mode": mode})
    r.raise_for_status()
    return r.json()["tx_response"]


def wait_tx(url: str, txhash: str, timeout: float = 10.0) -> dict:
    """GET txs/{hash} until it is committed; returns {"tx", "tx_response"}."""
    deadline = time.monotonic() + timeout
    while True:
        r = http().get(f"{url}/cosmos/tx/v1beta1/txs/{txhash}")
        if r.status_code == 200:
            return r.json()
        if time.monotonic() > deadline:
            raise TimeoutError(f"tx {txhash} not committed after {timeout}s: {r.text}")
        time.sleep(0.02)


def send_tx(server: Any, signer: Any, msgs: list[Any], **kw: Any) -> dict:
    """Sign, broadcast (SYNC) and wait; returns the committed {"tx", "tx_response"}.
    Raises AssertionError if CheckTx refuses the tx (its tx_response is in the message)."""
    raw = sign(server.url, server.chain.chain_id, signer, msgs, **kw)
    answer = broadcast(server.url, raw)
    if answer["code"] != 0:
        raise AssertionError(f"broadcast refused: {answer}")
    return wait_tx(server.url, answer["txhash"])
