"""The amino StdSignDoc a wallet signs, for every message type the core names, equals the sign bytes the sandbox
chain rebuilds from the transaction (its own implementation of the chain's rules) byte for byte."""

from __future__ import annotations

import pytest

from tests.tx.fixtures import A, B, sandbox  # noqa: F401 (fixture)

VALOPER = "secretvaloper1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a7f0gyl"
ADDR20 = bytes(range(20))


def messages() -> list[tuple[str, object]]:
    from secret_sdk.protobuf.cosmos.bank.v1beta1 import MsgSend
    from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
    from secret_sdk.protobuf.cosmos.distribution.v1beta1 import MsgWithdrawDelegatorReward
    from secret_sdk.protobuf.cosmos.gov import v1, v1beta1
    from secret_sdk.protobuf.cosmos.staking.v1beta1 import MsgBeginRedelegate, MsgDelegate, MsgUndelegate
    from secret_sdk.protobuf.secret.compute.v1beta1 import MsgExecuteContract, MsgInstantiateContract

    coin = Coin(denom="uscrt", amount="1500000")
    return [
        ("send", MsgSend(from_address=A, to_address=B, amount=[coin])),
        ("delegate", MsgDelegate(delegator_address=A, validator_address=VALOPER, amount=coin)),
        ("undelegate", MsgUndelegate(delegator_address=A, validator_address=VALOPER, amount=coin)),
        ("redelegate", MsgBeginRedelegate(delegator_address=A, validator_src_address=VALOPER,
                                          validator_dst_address=VALOPER, amount=coin)),
        ("withdraw", MsgWithdrawDelegatorReward(delegator_address=A, validator_address=VALOPER)),
        ("vote v1", v1.MsgVote(proposal_id=7, voter=A, option=v1.VoteOption.VOTE_OPTION_YES)),
        ("vote v1 metadata", v1.MsgVote(proposal_id=7, voter=A, option=v1.VoteOption.VOTE_OPTION_NO, metadata="why")),
        ("vote v1beta1", v1beta1.MsgVote(proposal_id=7, voter=A, option=v1beta1.VoteOption.VOTE_OPTION_ABSTAIN)),
        ("execute", MsgExecuteContract(sender=ADDR20, contract=ADDR20[::-1], msg=b"\x01ciphertext")),
        ("execute funds", MsgExecuteContract(sender=ADDR20, contract=ADDR20, msg=b"x", sent_funds=[coin])),
        ("instantiate", MsgInstantiateContract(sender=ADDR20, code_id=3, label="a <label> & more", init_msg=b"x",
                                               admin=A)),
    ]


@pytest.mark.parametrize("name", [n for n, _ in messages()])
def test_amino_doc_matches_the_chain(name, sandbox):
    from secret_mcp.tx import amino, build

    msg = build.as_msg(dict(messages())[name])
    memo, number, seq, fee, gas = "memo with <html> & more", 12, 5, 1875, 150_000
    body = build.body_bytes([msg], memo)
    auth = build.auth_info_bytes(bytes([2]) + bytes(32), seq, fee, "uscrt", gas, amino=True)
    runner = sandbox.chain.runner
    chain_bytes = runner.amino_sign_bytes(runner.decode(build.tx_raw(body, auth, bytes(64))), number, seq)
    doc = amino.std_sign_doc([msg], memo=memo, chain_id=sandbox.chain.chain_id, account_number=number, sequence=seq,
                             fee_amount=fee, fee_denom="uscrt", gas_limit=gas)
    assert amino.sign_bytes(doc) == chain_bytes


def test_a_message_without_an_amino_form_gives_no_doc():
    from secret_sdk.protobuf.cosmos.bank.v1beta1 import Input, MsgMultiSend

    from secret_mcp.tx import amino, build

    msg = build.as_msg(MsgMultiSend(inputs=[Input(address=A, coins=[])], outputs=[]))
    assert amino.std_sign_doc([msg], memo="", chain_id="c", account_number=1, sequence=1, fee_amount=1,
                              fee_denom="uscrt", gas_limit=1) is None
