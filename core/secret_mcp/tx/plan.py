"""A write tool's answer: a Plan says what one transaction would do; the core alone carries it out.

    @tool(effect="moves_funds", needs_wallet=True)
    async def secret_delegate(ctx: ToolContext, validator: str, amount: str) -> Plan[TxResult]:
        '''Stake SCRT with a validator.'''
        value = parse_amount(amount)
        msg = MsgDelegate(delegator_address=ctx.sender(), validator_address=validator, amount=...)
        return Plan(f"Delegate {value.display}", [msg], amounts=[value], receivers=[validator])

The tool body plans; it never confirms, signs or broadcasts. The core checks the plan against policy
(read-only, allow-list over every receiver, limits per denom and per token with the fee counted, fee cap),
estimates it once, shows the person a preview bound to a digest of the exact sign doc, signs through a
Signer, broadcasts, waits, and gives `finish` the transaction's result to shape the tool's own result.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Generic, Iterable, TypeVar

import attrs

from ..amounts import Amount

if TYPE_CHECKING:
    from ..context import ToolContext
    from .result import TxResult

R = TypeVar("R")


@attrs.frozen
class TokenAmount:
    """A SNIP-20 amount leaving the sender: limits key it by the token's contract address."""

    contract: str
    amount: int  # base units
    decimals: int = 0
    symbol: str = ""

    @property
    def display(self) -> str:
        from .quote import quote

        whole = format((Decimal(self.amount) / (Decimal(10) ** self.decimals)).normalize(), "f")
        name = quote(self.symbol, limit=20) if self.symbol else "tokens"
        return f"{whole} {name} ({self.amount} base units of {self.contract})"


# finish(ctx, tx, first): the tool's own result from the transaction's; `first` is the index of this plan's
# first message in the transaction (0 alone, later in a batch), for answers that are per message.
Finish = Callable[["ToolContext", "TxResult", int], Awaitable[Any]]


def _tuple(items: Iterable[Any] | None) -> tuple[Any, ...]:
    return tuple(items or ())


@attrs.frozen
class Plan(Generic[R]):
    """What one write would put on chain, and everything the person must see before it is signed."""

    action: str  # one line: "Send 1.5 SCRT (1500000uscrt) to secret1…"
    messages: tuple[Any, ...] = attrs.field(converter=_tuple)  # secret_sdk protobuf messages or tx.Msg
    amounts: tuple[Amount, ...] = attrs.field(default=(), converter=_tuple)  # native coins leaving the sender
    tokens: tuple[TokenAmount, ...] = attrs.field(default=(), converter=_tuple)  # SNIP-20 amounts leaving it
    # Every address that receives value or rights: recipients, spenders, contracts paid, withdraw addresses.
    receivers: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    lines: tuple[str, ...] = attrs.field(default=(), converter=_tuple)  # more for the preview, one fact a line
    memo: str = ""
    gas: int | None = None  # the caller's gas limit; None = simulated, times the gas adjustment
    # Coins earlier messages bring to the sender before later ones spend (rewards withdrawn, then delegated):
    # the balance check counts them; limits never subtract them.
    credits: tuple[Amount, ...] = attrs.field(default=(), converter=_tuple)
    # Contract messages: (cipher, wires) so the core can show chain errors and answers decrypted.
    decrypt: Any = None
    finish: Finish | None = attrs.field(default=None, eq=False)
    holds_secret: bool = False  # the messages carry a secret (a viewing key): never stored outside this process


def returns_plan(spec: Any) -> bool:
    """Whether a tool (its ToolSpec) returns a Plan: a chain write the core carries out."""
    import typing

    return typing.get_origin(typing.get_type_hints(spec.fn).get("return")) is Plan
