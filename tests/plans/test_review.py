"""The review dict every preview surface renders: values, balance arithmetic, and the text drawn from it."""

from __future__ import annotations

import json

from secret_mcp.amounts import Amount
from secret_mcp.networks import Network
from secret_mcp.tx.plan import Plan, TokenAmount
from secret_mcp.tx.review import review_of

ME = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"
B = "secret1fc3fzy78ttp0lwuujw7e52rhspxn8uj52zfyne"
C = "secret1ajz54hz8azwuy34qwy9fkjnfcrvf0dzswy0lqq"
SANDBOX = Network("sandbox", "secret-sandbox-1", ("http://127.0.0.1:1",), kind="sandbox")


def _review(plan: Plan, **over):
    args = dict(tool="secret_send_tokens", plan=plan, wallet="alice", address=ME, signer_kind="server_key",
                messages=[{"@type": "/cosmos.bank.v1beta1.MsgSend", "from_address": ME, "to_address": B,
                           "amount": [{"denom": "uscrt", "amount": "1500000"}]}],
                gas_limit=15000, gas_price="0.1", fee=("uscrt", 1500), held={"uscrt": 10_000_000},
                network=SANDBOX, endpoints=("http://127.0.0.1:1",), digest="ab" * 32, sequence=3,
                account_number=7, allowed=frozenset({B}))
    return review_of(**{**args, **over})


def test_review_values_and_balance_after():
    plan = Plan("Send 1.5 SCRT", [object()], amounts=[Amount("uscrt", 1_500_000)], receivers=[B, C, B],
                tokens=[TokenAmount(C, 250, 2, "TKN")], credits=[Amount("uscrt", 100)], memo="hi\nthere")
    r = _review(plan)
    json.dumps(r)  # JSON-safe as it is
    assert r["receivers"] == [{"address": B, "allow_list": "allowed"}, {"address": C, "allow_list": "not_allowed"}]
    assert r["amounts"] == [{"denom": "uscrt", "amount": "1500000", "display": "1.5 SCRT (1500000uscrt)"}]
    assert r["tokens"][0]["amount"] == "250" and r["tokens"][0]["display"].startswith("2.5 ")
    assert r["fee"] == {"denom": "uscrt", "amount": "1500", "display": "0.0015 SCRT (1500uscrt)",
                        "gas_limit": 15000, "gas_price": "0.1"}
    # 10 SCRT held + 100 credited - 1.5 SCRT sent - the fee
    assert r["balance"]["after"] == [{"denom": "uscrt", "amount": str(10_000_000 + 100 - 1_500_000 - 1500),
                                      "display": "8.4986 SCRT (8498600uscrt)"}]
    assert r["messages"][0]["type"] == "/cosmos.bank.v1beta1.MsgSend" and "@type" not in r["messages"][0]["value"]
    assert r["network"]["simulated"] is True and r["network"]["real_funds"] is False
    assert r["sign_doc"] == {"digest": "ab" * 32, "short": "ab" * 8, "sequence": 3, "account_number": 7}


def test_review_text_is_drawn_from_the_same_data():
    plan = Plan("Send 1.5 SCRT", [object()], amounts=[Amount("uscrt", 1_500_000)], receivers=[C], memo="a\nb")
    text = _review(plan, allowed=None)["text"].splitlines()
    assert text[0] == "Send 1.5 SCRT" and text[1] == f"From: alice ({ME})"
    assert text[2] == f"To: {C}" and "Memo: " in text[4] and "\n" not in text[4]
    assert text[-2].endswith("SIMULATED chain, tokens are worthless via http://127.0.0.1:1")
    assert text[-1] == "Sign doc: abababababababab (sequence 3)"


def test_balance_unknown_is_said_not_guessed():
    plan = Plan("Send", [object()], amounts=[Amount("uscrt", 1)], receivers=[B])
    assert _review(plan, held=None)["balance"] is None
