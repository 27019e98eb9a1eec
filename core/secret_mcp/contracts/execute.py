"""Contract messages as a Plan: encrypted with this session's key, what they move declared for policy, and the
chain's answers and errors decrypted.

    calls = await ContractMessages.start(ctx)
    await calls.execute(ctx, contract, {"transfer": {"recipient": to, "amount": "100"}})
    return calls.plan(f"Execute on {contract}", then=remember_it)   # -> Plan[ContractTx]

`execute` declares native `funds` as amounts (and the contract as a receiver), and the SNIP-20 amounts and
recipients/spenders the plaintext message names (moves.py) as tokens and receivers. The plan's `decrypt`
explains chain errors in the contract's own words; its `finish` gives a ContractTx with decrypted responses
and wasm events, then the tool's `then` shapes the tool's own result.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Sequence

import attrs
import bech32
from pydantic import Field

from ..addresses import validate_address
from ..amounts import Amount, proto_coins
from ..context import ToolContext
from ..errors import SecretMCPError
from ..tx import Plan, TokenAmount, TxResult
from . import decrypt, state
from .crypto import Cipher
from .moves import declared


class ContractTx(TxResult):
    """A transaction with contract messages, decrypted with this session's key."""

    responses: list[dict[str, Any]] = Field([], description="Per message: decrypted `data`, new contract address, code id")
    wasm_events: list[dict[str, Any]] = Field([], description="Decrypted `wasm` event attributes per contract call")


def raw_address(address: str, field: str = "contract") -> bytes:
    """Store/instantiate/execute carry raw 20-byte addresses, not bech32 text (docs/protocol-notes.md#compute-routes)."""
    text = validate_address(address, field=field)
    _hrp, data = bech32.bech32_decode(text)
    return bytes(bech32.convertbits(data, 5, 8, False))


def readable(c: Cipher, wires: list[bytes], exc: SecretMCPError) -> SecretMCPError:
    """The same failure with the contract's own error text in place of `encrypted: <b64>`."""
    details = dict(exc.details)
    parsed = None
    for key in ("raw_log", "chain_message"):
        if isinstance(details.get(key), str):
            details[key], found = decrypt.error_text(c, wires, details[key])
            parsed = parsed if found is None else found
    message, found = decrypt.error_text(c, wires, exc.message)
    parsed = parsed if found is None else found
    if parsed is None:
        return exc
    details["contract_error"] = parsed
    details["original_code"] = exc.code
    return SecretMCPError("CONTRACT_ERROR", f"The contract refused: {message}",
                          ["Read the contract's error above; fix the message (or the sender/funds) and retry."], details)


@attrs.frozen
class Decrypt:
    """A plan's `decrypt`: this session's cipher and each message's encrypted bytes (None: not encrypted)."""

    cipher: Cipher = attrs.field(repr=False)
    wires: tuple[bytes | None, ...]

    def explain(self, exc: SecretMCPError) -> SecretMCPError:
        return readable(self.cipher, [w or b"" for w in self.wires], exc)

    def contract_tx(self, tx: TxResult, first: int = 0) -> ContractTx:
        """The transaction with this plan's messages' answers decrypted; they start at message `first`."""
        wires: list[bytes | None] = [None] * first + list(self.wires)
        last = first + len(self.wires)
        response = tx.response
        rows = decrypt.msg_datas(self.cipher, wires, str(response.get("data") or ""))
        events = decrypt.wasm_attributes(self.cipher, wires, response.get("events") or [])
        out = ContractTx(**tx.model_dump(), responses=[r for r in rows if first <= r["msg_index"] < last],
                         wasm_events=[e for e in events if first <= e["msg_index"] < last])
        out._response = response
        return out


Then = Callable[[ToolContext, ContractTx], Awaitable[Any]]


def sender_of(ctx: ToolContext) -> str:
    address = ctx.session.active_wallet_address()
    if address is None:
        raise SecretMCPError("NO_ACTIVE_WALLET", "This needs an active wallet.", ["Choose one with secret_set_active_wallet."])
    return address


@attrs.define
class ContractMessages:
    """One plan's contract messages from the active wallet, each with what it moves declared."""

    cipher: Cipher = attrs.field(repr=False)
    sender: str
    msgs: list[Any] = attrs.field(factory=list)
    wires: list[bytes | None] = attrs.field(factory=list)
    amounts: list[Amount] = attrs.field(factory=list)
    tokens: list[TokenAmount] = attrs.field(factory=list)
    receivers: list[str] = attrs.field(factory=list)
    holds_secret: bool = False

    @classmethod
    async def start(cls, ctx: ToolContext) -> "ContractMessages":
        sender = sender_of(ctx)
        return cls(await state.cipher(ctx), sender)

    async def execute(self, ctx: ToolContext, contract: str, msg: dict[str, Any], *, code_hash: str | None = None,
                      funds: Sequence[Amount] = (), token: tuple[int, str] | None = None) -> bytes:
        """Add one MsgExecuteContract; `token` = (decimals, symbol) when the caller knows the contract is one."""
        from secret_sdk.protobuf.secret.compute import v1beta1 as pb  # protobuf on first use, not at start-up

        wire = self.cipher.encrypt(await state.code_hash(ctx, contract, code_hash), msg)
        self.add(pb.MsgExecuteContract(sender=raw_address(self.sender, "sender"), contract=raw_address(contract),
                                       msg=wire, sent_funds=proto_coins(funds)),
                 wire, amounts=funds, receivers=[contract] if funds else [])
        moved = declared(msg)
        decimals, symbol = token if token is not None else state.known_token(ctx, contract)
        self.tokens += [TokenAmount(contract, units, decimals, symbol) for units in moved.amounts]
        self.receivers += moved.receivers
        self.holds_secret |= moved.secret
        return wire

    def add(self, msg: Any, wire: bytes | None, *, amounts: Sequence[Amount] = (), receivers: Sequence[str] = ()) -> None:
        """Any contract message (store, instantiate, migrate) with what it moves."""
        self.msgs.append(msg)
        self.wires.append(wire)
        self.amounts += amounts
        self.receivers += receivers

    def plan(self, action: str, *, lines: Sequence[str] = (), memo: str = "", gas: int | None = None,
             then: Then | None = None) -> Plan[Any]:
        dec = Decrypt(self.cipher, tuple(self.wires))

        async def finish(ctx: ToolContext, tx: TxResult, first: int) -> Any:
            out = dec.contract_tx(tx, first)
            return await then(ctx, out) if then is not None else out

        return Plan(action, self.msgs, amounts=self.amounts, tokens=self.tokens, receivers=self.receivers, lines=lines,
                    memo=memo, gas=gas, decrypt=dec, finish=finish, holds_secret=self.holds_secret)
