"""Exact SCRT/uscrt arithmetic (Decimal, never float)."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

USCRT_PER_SCRT = Decimal(1_000_000)


def scrt(uscrt: int | Decimal) -> str:
    """1500000 -> '1.5' (no trailing zeros, no exponent)."""
    value = (Decimal(uscrt) / USCRT_PER_SCRT).normalize()
    return format(value, "f")


def fee_for(gas: int, gas_price: Decimal) -> int:
    """Fee in the smallest unit, rounded up as the node requires (fee >= gas x price)."""
    return int((Decimal(gas) * gas_price).to_integral_value(rounding=ROUND_CEILING))


def parse_dec_coin(text: str) -> tuple[Decimal, str]:
    """'0.012500000000000000uscrt' -> (Decimal('0.0125'), 'uscrt')."""
    i = 0
    while i < len(text) and (text[i].isdigit() or text[i] == "."):
        i += 1
    return Decimal(text[:i] or "0").normalize(), text[i:]
