"""What the repo's tests share beyond `secret_mcp.testing`: the sandbox's genesis accounts and reference data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Genesis accounts "a", "b", "c" of the sandbox (and of LocalSecret), and the mnemonic of "a".
A = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"
B = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne"
C = "secret1ajz54hz8azwuy34qwy9fkjnfcrvf0dzswy0lqq"
MNEMONIC_A = ("grant rice replace explain federal release fix clever romance raise often wild taxi quarter soccer "
              "fiber love must tape steak together observe swap guitar")

FIXTURES = Path(__file__).resolve().parent / "fixtures"  # reference data the tests compare against, kept in the repo


def fixture_json(*parts: str) -> Any:
    """A JSON file under tests/fixtures, e.g. fixture_json("lcd", "bank_balances_SYNTHETIC.json")."""
    return json.loads(FIXTURES.joinpath(*parts).read_text())
