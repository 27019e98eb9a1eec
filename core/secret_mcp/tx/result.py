"""What a transaction became: the structured result tools return, and chain error codes turned into advice."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr

from ..amounts import CoinView, coin_view
from ..errors import SecretMCPError
from ..networks import Network

SIMULATED_NOTE = "This ran on the sandbox, a SIMULATED local chain: its tokens are worthless and nothing here is real."


class TxEvent(BaseModel):
    type: str
    attributes: dict[str, str] = Field(description="Attribute key -> value (a repeated key keeps its last value)")


class TxResult(BaseModel):
    """The outcome of one broadcast transaction (one or several messages, all or nothing)."""

    status: Literal["success", "failed", "unknown"]
    txhash: str
    height: int | None = None
    code: int | None = Field(None, description="0 = success; otherwise the chain's error code in `codespace`")
    codespace: str = ""
    raw_log: str = ""
    gas_wanted: int | None = None
    gas_used: int | None = None
    fee: CoinView
    summary: str
    sender: str
    messages: list[str] = Field(description="Type URL of each message, in order")
    memo: str = ""
    network: str
    chain_id: str
    explorer_url: str | None = None
    timestamp: str | None = None
    data: str = Field("", description="Upper-hex TxMsgData (msg_responses) as the LCD returns it")
    events: list[TxEvent] = []
    note: str | None = None
    _response: dict = PrivateAttr(default_factory=dict)  # the raw tx_response, for packs that need more

    @property
    def response(self) -> dict:
        return self._response


def events_of(response: dict) -> list[TxEvent]:
    out = []
    for event in response.get("events") or []:
        attrs = {str(a.get("key", "")): str(a.get("value", "")) for a in event.get("attributes") or []}
        out.append(TxEvent(type=str(event.get("type", "")), attributes=attrs))
    return out


def touched_addresses(response: dict) -> set[str]:
    """Every account address an event names (fee payer, senders, receivers, delegators...)."""
    found: set[str] = set()
    for event in response.get("events") or []:
        for attr in event.get("attributes") or []:
            value = str(attr.get("value", ""))
            if value.startswith("secret1") and 39 <= len(value) <= 66:
                found.add(value)
    return found


def from_response(response: dict, *, status: str, fee: tuple[str, int], summary: str, sender: str,
                  types: list[str], memo: str, network: Network) -> TxResult:
    txhash = str(response.get("txhash", "")).upper()
    result = TxResult(
        status=status,  # type: ignore[arg-type]
        txhash=txhash,
        height=int(response["height"]) if str(response.get("height", "")).isdigit() else None,
        code=int(response.get("code", 0)),
        codespace=str(response.get("codespace", "")),
        raw_log=str(response.get("raw_log", "")),
        gas_wanted=int(response.get("gas_wanted") or 0) or None,
        gas_used=int(response.get("gas_used") or 0) or None,
        fee=coin_view(*fee),
        summary=summary,
        sender=sender,
        messages=types,
        memo=memo,
        network=network.name,
        chain_id=network.chain_id,
        explorer_url=network.explorer_link(txhash),
        timestamp=response.get("timestamp") or None,
        data=str(response.get("data") or ""),
        events=events_of(response),
        note=SIMULATED_NOTE if network.simulated else None,
    )
    result._response = response
    return result


# Chain error codes (codespace "sdk", docs/protocol-notes.md#ante-checks) -> our code and what to do about it.
SDK_ERRORS: dict[int, tuple[str, list[str]]] = {
    4: ("TX_UNAUTHORIZED", ["The signature was rejected: check that the network's chain id matches the node."]),
    5: ("INSUFFICIENT_FUNDS", ["Check the balance with secret_get_balance; the amount plus the fee must be covered."]),
    9: ("ACCOUNT_NOT_FOUND", ["The sending account does not exist on chain yet: receive some SCRT first."]),
    11: ("OUT_OF_GAS", ["Retry with a higher gas limit (the `gas` argument), e.g. 1.5x the gas used shown here."]),
    13: ("INSUFFICIENT_FEE", ["The node wants a higher fee: check secret_get_gas_prices; the fee follows the node minimum."]),
    19: ("TX_IN_MEMPOOL", ["This exact transaction is already waiting in the mempool; check it with secret_get_transaction_status."]),
    20: ("MEMPOOL_FULL", ["The node's mempool is full; try again in a few blocks."]),
    21: ("TX_TOO_LARGE", ["Send fewer messages per transaction."]),
    32: ("SEQUENCE_MISMATCH", ["Another transaction from this wallet was sent at the same time; try again."]),
}


def chain_failure(response: dict, *, stage: str, nothing_sent: bool, details: dict[str, Any] | None = None) -> SecretMCPError:
    """A rejected (CheckTx) or failed (committed) transaction as our error model."""
    code = int(response.get("code", 0))
    codespace = str(response.get("codespace", ""))
    raw_log = str(response.get("raw_log", ""))
    ours, suggestions = SDK_ERRORS.get(code, ("TX_FAILED", [])) if codespace in ("sdk", "") else ("TX_FAILED", [])
    if "out of gas" in raw_log:
        ours, suggestions = SDK_ERRORS[11]
    elif "more than spend limit" in raw_log or "fee limit exceeded" in raw_log:  # an agent's grant ran out
        ours, suggestions = "GRANT_LIMIT_EXCEEDED", ["Ask for less, or have the person grant more with secret_grant_agent."]
    where = ("The chain rejected the transaction before including it; nothing was spent, not even the fee."
             if nothing_sent else
             "The transaction was included in a block but failed: its messages had no effect, the fee was paid.")
    body = {"code": code, "codespace": codespace, "raw_log": raw_log, "stage": stage,
            "txhash": str(response.get("txhash", "")).upper() or None, **(details or {})}
    if response.get("height") not in (None, "", "0"):
        body["height"] = int(response["height"])
    for key in ("gas_wanted", "gas_used"):
        if str(response.get(key) or "0") != "0":
            body[key] = int(response[key])
    return SecretMCPError(ours, f"{where} Chain error {codespace or 'sdk'}/{code}: {raw_log}",
                          suggestions or ["Read the chain's message above; change the request and try again."], body)
