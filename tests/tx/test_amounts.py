"""Amount parsing: every accepted spelling gives the exact integer, every bad one a specific error."""

from __future__ import annotations

from decimal import Decimal

import pytest

from secret_mcp.amounts import Amount, coin_view, parse_amount
from secret_mcp.errors import SecretMCPError

IBC = "ibc/" + "27394fb092d2eccd56123c74f36e4c1f926001ceada9ca97ea622b25f41e5eb2"


@pytest.mark.parametrize(("text", "denom", "expected"), [
    ("1.5 SCRT", None, Amount("uscrt", 1_500_000)),
    ("1.5scrt", None, Amount("uscrt", 1_500_000)),
    ("1500000uscrt", None, Amount("uscrt", 1_500_000)),
    ("1500000 uscrt", None, Amount("uscrt", 1_500_000)),
    ("0.000001 SCRT", None, Amount("uscrt", 1)),
    (".5", "SCRT", Amount("uscrt", 500_000)),
    ("2", "uscrt", Amount("uscrt", 2)),
    ("1.500000", "scrt", Amount("uscrt", 1_500_000)),  # trailing zeros are not extra precision
    (Decimal("0.1"), "SCRT", Amount("uscrt", 100_000)),
    (7, "uatom", Amount("uatom", 7)),
    ("123456789012345678901234567890uscrt", None, Amount("uscrt", 123456789012345678901234567890)),
    (f"5 {IBC}", None, Amount("ibc/" + IBC[4:].upper(), 5)),
])
def test_accepted_spellings(text, denom, expected):
    assert parse_amount(text, denom) == expected


@pytest.mark.parametrize(("text", "denom", "code"), [
    ("-1 SCRT", None, "INVALID_AMOUNT"),
    ("0", "SCRT", "INVALID_AMOUNT"),
    ("-0 SCRT", None, "INVALID_AMOUNT"),
    ("1.0000001 SCRT", None, "AMOUNT_TOO_PRECISE"),
    ("0.5uscrt", None, "AMOUNT_TOO_PRECISE"),
    ("1 ATOM", None, "UNKNOWN_DENOM"),
    ("1 ibc/123", None, "UNKNOWN_DENOM"),
    ("1", None, "INVALID_AMOUNT"),
    ("1 SCRT", "uatom", "INVALID_AMOUNT"),
    ("one SCRT", None, "INVALID_AMOUNT"),
    ("1e6uscrt", None, "INVALID_AMOUNT"),
    ("", "SCRT", "INVALID_AMOUNT"),
    (1.5, "SCRT", "INVALID_AMOUNT"),  # a float is refused: it may already be inexact
    (str(2**256), "uscrt", "INVALID_AMOUNT"),
])
def test_refused_spellings(text, denom, code):
    with pytest.raises(SecretMCPError) as caught:
        parse_amount(text, denom, field="amount")
    assert caught.value.code == code and caught.value.message.startswith("amount: ")


def test_views_show_scrt_and_uscrt():
    assert coin_view("uscrt", 1_500_000).model_dump() == {
        "denom": "uscrt", "amount": "1500000", "scrt": "1.5", "display": "1.5 SCRT (1500000uscrt)"}
    assert coin_view("uscrt", 1).scrt == "0.000001" and coin_view("uscrt", 10**24).scrt == "1" + "0" * 18
    assert coin_view("uatom", 5).model_dump() == {"denom": "uatom", "amount": "5", "scrt": None, "display": "5uatom"}
