"""Exact swap arithmetic: amounts in base units, the pair's belief_price/max_spread guard, minimum received.

The pair (Terraswap semantics) refuses a swap when its return before commission (`gross`) falls below
`expected = floor(offer / belief_price)` by more than `max_spread` of `expected`. So the smallest gross it accepts
is ceil(expected * (1 - max_spread)), and the least the trader can receive is that minus the 0.3 % commission.
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from fractions import Fraction

from secret_mcp.api import SecretMCPError

COMMISSION = Fraction(3, 1000)
MAX_SLIPPAGE_PERCENT = Decimal(50)


def display(units: int, decimals: int) -> str:
    text = format(Decimal(units).scaleb(-decimals), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def slippage(percent: str) -> Fraction:
    """A tolerance in percent ("0.5") -> the pair's max_spread as an exact fraction."""
    try:
        value = Decimal(str(percent).strip())
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= MAX_SLIPPAGE_PERCENT or -value.as_tuple().exponent > 16:
        raise SecretMCPError("INVALID_SLIPPAGE", f"slippage_percent must be a number from 0 to {MAX_SLIPPAGE_PERCENT} "
                             f"(e.g. '1' for 1 %), got {percent!r}.", [], {"field": "slippage_percent"})
    return Fraction(value) / 100


def decimal_text(value: Fraction) -> str:
    """A cosmwasm Decimal string (at most 18 fractional digits, rounded down)."""
    q = (Decimal(value.numerator) / Decimal(value.denominator)) if value.denominator != 1 else Decimal(value.numerator)
    text = format(q.quantize(Decimal("1e-18"), rounding=ROUND_DOWN), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def parse_price(text: str) -> Fraction:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        value = Decimal(0)
    if not value.is_finite() or value <= 0 or -value.as_tuple().exponent > 18:
        raise SecretMCPError("INVALID_PRICE", f"belief_price must be a positive decimal (at most 18 decimals), got "
                             f"{text!r}.", ["Use the belief_price of a secret_swap_quote answer."],
                             {"field": "belief_price"})
    return Fraction(value)


def belief_price(offer: int, gross: int) -> str:
    """Offer units per ask unit at the quoted return (before commission), as the pair expects it."""
    return decimal_text(Fraction(offer, gross))


def min_receive(offer: int, belief: str, max_spread: Fraction) -> int:
    """The least the pair lets the trader receive (after commission) for these guard values."""
    expected = math.floor(offer / parse_price(belief))
    gross = math.ceil(expected * (1 - max_spread))
    return gross - gross * COMMISSION.numerator // COMMISSION.denominator
