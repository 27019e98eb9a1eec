"""What a plaintext execute message declares for policy: token amounts, receivers, secrets (no chain needed)."""

from __future__ import annotations

from secret_mcp.contracts.moves import Declared, declared, shown

A, B, C = "secret1aaa", "secret1bbb", "secret1ccc"


def test_snip20_moves_name_their_amounts_and_receivers():
    assert declared({"transfer": {"recipient": A, "amount": "5", "memo": "x"}}) == Declared((5,), (A,))
    assert declared({"send": {"recipient": A, "amount": "7", "msg": "e30="}}) == Declared((7,), (A,))
    assert declared({"increase_allowance": {"spender": B, "amount": "9"}}) == Declared((9,), (B,))
    assert declared({"transfer_from": {"owner": C, "recipient": A, "amount": "1"}}) == Declared((1,), (A,))
    assert declared({"send_from": {"owner": C, "recipient": B, "amount": "2"}}) == Declared((2,), (B,))
    assert declared({"burn": {"amount": "3"}}) == Declared((3,), ())  # leaves the sender, nobody receives it
    batch = {"batch_transfer": {"actions": [{"recipient": A, "amount": "1"}, {"recipient": B, "amount": "2"},
                                            {"recipient": A, "amount": "3"}]}}
    assert declared(batch) == Declared((1, 2, 3), (A, B))


def test_amounts_are_read_as_the_contract_parses_a_uint128():
    assert declared({"transfer": {"recipient": A, "amount": "+12"}}).amounts == (12,)  # Rust accepts a leading +
    # Shapes the token would refuse anyway declare nothing (they cannot move anything).
    for body in ({"recipient": A, "amount": 5}, {"recipient": A, "amount": "1.5"}, {"recipient": A, "amount": " 5"},
                 {"recipient": 5, "amount": "5"}, {"amount": "5"}, "transfer"):
        assert declared({"transfer": body}) == Declared(), body


def test_rights_name_their_receivers_without_an_amount():
    assert declared({"change_admin": {"address": A}}) == Declared((), (A,))
    assert declared({"add_minters": {"minters": [A, B, 7]}}) == Declared((), (A, B))
    assert declared({"transfer_nft": {"recipient": C, "token_id": "1"}}) == Declared((), (C,))
    assert declared({"batch_send_nft": {"sends": [{"contract": A, "token_ids": ["1"]}]}}) == Declared((), (A,))
    assert declared({"increment": {}}) == declared({"decrease_allowance": {"spender": A, "amount": "1"}}) == Declared()


def test_viewing_key_messages_hold_a_secret_and_are_shown_without_it():
    msg = {"set_viewing_key": {"key": "my key", "padding": "xx"}}
    assert declared(msg).secret and declared({"create_viewing_key": {"entropy": "e"}}).secret
    assert shown(msg) == {"set_viewing_key": {"key": "<hidden>", "padding": "xx"}} and msg["set_viewing_key"]["key"] == "my key"
    assert not declared({"transfer": {"recipient": A, "amount": "1"}}).secret
