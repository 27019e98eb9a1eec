"""Token amounts as people write them ("1.5 SCRT", "1500000uscrt", "2.5" + denom "scrt"), exact and checked.

Everything is Decimal or int: a float cannot hold 0.1 SCRT exactly, and a rounding error here moves money.
SCRT (any case) is the display unit of uscrt (10^6). Other denoms (ibc/…, factory/…, uatom, …) are taken raw,
in their base unit, so they must be whole numbers; an upper-case ticker ("ATOM") is refused because its
exponent is unknown here and guessing it would send the wrong amount.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Iterable

import attrs
from pydantic import BaseModel, BeforeValidator, Field

from .addresses import given
from .errors import SecretMCPError
from .units import USCRT_PER_SCRT, scrt

BASE = "uscrt"
MAX_AMOUNT = 2**255  # cosmos math.Int is 256-bit signed
_TEXT = re.compile(r"^\s*([+-]?)\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z][A-Za-z0-9/:._-]*)?\s*$")
_RAW_DENOM = re.compile(r"^[a-z][a-z0-9/:._-]{1,127}$")
_IBC = re.compile(r"^ibc/[0-9A-Fa-f]{64}$")
_FORMAT = ["Write an amount like '1.5 SCRT', '1500000uscrt', or a number with denom 'SCRT' / 'uscrt'."]


class CoinView(BaseModel):
    """One amount, shown both ways for SCRT so nobody has to count zeros."""

    denom: str = Field(description="Base denom, e.g. 'uscrt' or 'ibc/…'")
    amount: str = Field(description="Integer amount in the base denom (a string: it can exceed 2^53)")
    scrt: str | None = Field(None, description="The same amount in SCRT when the denom is uscrt")
    display: str = Field(description="Readable form, e.g. '1.5 SCRT (1500000uscrt)'")


@attrs.frozen
class Amount:
    denom: str  # base denom
    amount: int

    @property
    def display(self) -> str:
        if self.denom == BASE:
            return f"{scrt(self.amount)} SCRT ({self.amount}uscrt)"
        return f"{self.amount}{self.denom}"

    def view(self) -> CoinView:
        return coin_view(self.denom, self.amount)

    def pair(self) -> tuple[str, int]:
        return (self.denom, self.amount)


def coin_view(denom: str, amount: int | str) -> CoinView:
    value = int(amount)
    return CoinView(denom=denom, amount=str(value), scrt=scrt(value) if denom == BASE else None,
                    display=Amount(denom, value).display)


def _bad(code: str, message: str, field: str, suggestions: list[str] | None = None) -> SecretMCPError:
    return SecretMCPError(code, f"{field}: {message}", suggestions if suggestions is not None else _FORMAT, {"field": field})


def _check_denom(denom: str, field: str) -> str:
    if denom.lower() in ("scrt", BASE):
        return denom.lower()
    if denom.startswith("ibc/"):
        if not _IBC.match(denom):
            raise _bad("UNKNOWN_DENOM", f"not an IBC denom (ibc/ followed by 64 hex digits; {given(denom)}).", field)
        return "ibc/" + denom[4:].upper()  # the chain stores the hash in upper case
    if not _RAW_DENOM.match(denom):
        raise _bad("UNKNOWN_DENOM", "not a denom this server knows. SCRT and uscrt are known; other "
                   "tokens must be given raw in their base denom (e.g. 'ibc/27394F…' or 'uatom').", field,
                   ["Check the denom with secret_get_balance, which lists every denom the wallet holds."])
    return denom


def parse_amount(value: str | int | Decimal, denom: str | None = None, *, field: str = "amount") -> Amount:
    """Parse an amount; `denom` applies when the text carries none. Raises INVALID_AMOUNT, AMOUNT_TOO_PRECISE,
    UNKNOWN_DENOM."""
    if isinstance(value, bool) or isinstance(value, float):
        # A float has already lost precision before we see it; insist on text.
        raise _bad("INVALID_AMOUNT", "pass the amount as text (e.g. \"0.1\"), not a floating-point number.", field)
    match = _TEXT.match(str(value))
    if not match:
        raise _bad("INVALID_AMOUNT", f"not an amount ({given(value)}).", field)
    sign, number, unit = match.groups()
    if unit and denom and unit.lower() != denom.lower():
        raise _bad("INVALID_AMOUNT", "the unit in the amount and the denom argument disagree.", field)
    if unit and re.match(r"^[eE]\d", unit):
        raise _bad("INVALID_AMOUNT", "exponent notation is not accepted; write the number out.", field)
    unit = unit or denom
    if not unit:
        raise _bad("INVALID_AMOUNT", f"{number!r} has no unit: say whether it is SCRT or uscrt.", field)
    unit = _check_denom(unit.strip(), field)
    try:
        quantity = Decimal(number)
    except InvalidOperation:  # the regex should make this unreachable; keep the error model anyway
        raise _bad("INVALID_AMOUNT", f"{number!r} is not a number.", field) from None
    if sign == "-" and quantity != 0:
        raise _bad("INVALID_AMOUNT", "the amount is negative; amounts must be positive.", field,
                   ["To receive tokens, give the other person your address instead."])
    if quantity == 0:
        raise _bad("INVALID_AMOUNT", "the amount is zero; amounts must be positive.", field)
    if unit == "scrt":
        base = quantity * USCRT_PER_SCRT
        if base != base.to_integral_value():
            raise _bad("AMOUNT_TOO_PRECISE", f"{number} SCRT has more than 6 decimals (1 uscrt = 0.000001 SCRT).",
                       field, ["Round to at most 6 decimals, or give the amount in uscrt."])
        unit = BASE
    else:
        base = quantity
        if base != base.to_integral_value():
            raise _bad("AMOUNT_TOO_PRECISE", f"{number}{unit} is not a whole number of {unit}, its smallest unit.", field,
                       ["Give a whole number of the base denom, or use SCRT for decimals of SCRT."])
    if base >= MAX_AMOUNT:
        raise _bad("INVALID_AMOUNT", "the amount is too large.", field)
    return Amount(unit, int(base))


def totals(amounts: Iterable[Amount]) -> dict[str, int]:
    """Sum per denom (several recipients, or amount + fee)."""
    out: dict[str, int] = {}
    for a in amounts:
        out[a.denom] = out.get(a.denom, 0) + a.amount
    return out


UINT128_MAX = 2**128 - 1


def token_units(amount: str, decimals: int, field: str = "amount") -> int:
    """Whole token units ("1.5") to base units for a token with `decimals`; positive, exact, at most Uint128."""
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise SecretMCPError("INVALID_AMOUNT", f"{field}: not a number ({given(amount)}).", [],
                             {"field": field}) from None
    units = value.scaleb(decimals)
    if not value.is_finite() or value <= 0 or units != units.to_integral_value():
        raise SecretMCPError("INVALID_AMOUNT", f"{field}: {amount} must be positive with at most {decimals} decimals.",
                             ["Give the amount in whole units, e.g. '1.5'."], {"field": field})
    if units > UINT128_MAX:  # SNIP-20 amounts are Uint128; bigger ones also break str() of the int (4300 digits)
        raise SecretMCPError("INVALID_AMOUNT", f"{field}: {amount} is more than any token amount can be.", [],
                             {"field": field})
    return int(units)


def proto_coins(amounts: Iterable[Amount]) -> list:
    """Amounts as protobuf coins the way the chain wants them: one coin per denom, sorted by denom."""
    from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin  # protobuf on first use, not at start-up

    merged: dict[str, int] = {}
    for a in amounts:
        merged[a.denom] = merged.get(a.denom, 0) + a.amount
    return [Coin(denom=d, amount=str(merged[d])) for d in sorted(merged)]


def _number_as_text(value: object) -> object:
    """A JSON number given for an amount (an inspector sends `amount=1` as 1) becomes its exact decimal text."""
    import math

    if isinstance(value, bool):
        raise ValueError("an amount is a number or text like '1.5 SCRT', not true/false")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("an amount must be a finite number")
        # repr is the shortest text that reads back as this float: the digits the client wrote.
        return format(Decimal(repr(value)), "f")
    return value


# An amount argument: text ('1.5 SCRT', '1500000uscrt') or a JSON number (then in the unit `denom` says). The
# schema still says "string": a type list is not portable (single-type schema dialects reject it), and every
# client can send text; a number is accepted as well for the clients (the inspector) that send one anyway.
AmountText = Annotated[str, BeforeValidator(_number_as_text)]
