"""A rejected argument's value is never echoed: errors name the field and what is wrong, not the value.

A recovery phrase pasted where an address, amount, denom or hash belongs must not come back in the error (to
the model), the server log, or the audit log, whether or not redaction would have recognised it.
"""

from __future__ import annotations

import json
import logging
import re

import bech32
import pytest

from secret_mcp.addresses import validate_address
from secret_mcp.amounts import parse_amount, token_units
from secret_mcp.errors import SecretMCPError
from secret_mcp.tx.lookup import check_hash

from secret_mcp.testing import accept, call_err, connect, funded_wallet, server_on

# Not a phrase any keystore holds, so only the validators (and pattern redaction) stand between it and the output.
PHRASE = "acquire hundred chicken festival across item occur series arrive fame cloth marriage"
WORDS = PHRASE.split()
HYPHENS = "-".join(WORDS)  # denom-shaped and address-shaped enough to reach the later checks


def message_of(exc: SecretMCPError) -> str:
    return json.dumps([exc.message, exc.suggestions, exc.details])


def leaked(text: str) -> list[str]:
    """Words of the phrase found in `text` as whole words."""
    return sorted(set(WORDS) & set(re.findall(r"[a-z]+", text.casefold())))


CASES = [
    ("recipient", lambda v: validate_address(v, field="recipient")),
    ("validator", lambda v: validate_address(v, "secretvaloper", field="validator")),
    ("amount", lambda v: parse_amount(v)),
    ("amount", lambda v: parse_amount("1", v.replace("-", " "))),  # as a denom (hyphenated, it is a valid raw one)
    ("amount", lambda v: parse_amount("1 " + v.replace(" ", "-"), "uscrt")),  # a unit that disagrees with denom
    ("amount", lambda v: parse_amount("ibc/" + v)),
    ("amount", lambda v: token_units(v, 6)),
    ("hash", check_hash),
]


@pytest.mark.parametrize("field,check", CASES)
@pytest.mark.parametrize("value", [PHRASE, HYPHENS, PHRASE.upper()], ids=["spaces", "hyphens", "upper"])
def test_validators_name_the_field_never_the_value(field, check, value):
    with pytest.raises(SecretMCPError) as info:
        check(value)
    text = message_of(info.value)
    assert field in text
    assert not leaked(text) and "[REDACTED]" not in text, text


def test_a_wrong_prefix_is_named_the_address_is_not():
    cosmos = bech32.bech32_encode("cosmos", bech32.convertbits(bytes(range(20)), 8, 5))
    with pytest.raises(SecretMCPError) as info:
        validate_address(cosmos, field="recipient")
    assert "'cosmos'" in info.value.message and info.value.details == {"field": "recipient", "prefix": "cosmos"}
    assert cosmos not in message_of(info.value)


@pytest.mark.anyio
@pytest.mark.parametrize("recipient", [PHRASE, HYPHENS], ids=["spaces", "hyphens"])
async def test_a_phrase_as_recipient_is_nowhere(mode, sandbox, tmp_path, monkeypatch, caplog, recipient):
    monkeypatch.setenv("SECRET_MCP_HOME", str(tmp_path))
    caplog.set_level(logging.DEBUG)
    async with connect(server_on(sandbox), mode, elicitation_callback=accept) as client:
        await funded_wallet(client, sandbox)
        result = await client.call_tool("secret_send_tokens", {"recipient": recipient, "amount": "1 SCRT"})
        err = await call_err(client, "secret_send_tokens", {"recipient": recipient, "amount": "1 SCRT"})
    assert result.is_error and err["code"] == "INVALID_ADDRESS" and "recipient" in err["message"]
    shown = json.dumps(result.structured_content) + " ".join(c.text for c in result.content)
    assert not leaked(shown) and "[REDACTED]" not in shown, shown  # not even masked: the value is not echoed
    logs = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert "INVALID_ADDRESS" in logs and not leaked(logs)
    audit = tmp_path / "state" / "audit.jsonl"
    assert audit.exists() and "secret_send_tokens" in audit.read_text()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert not leaked(path.read_text(errors="replace")), path
