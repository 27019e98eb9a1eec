"""What a plaintext contract message gives away, read before it is encrypted, so policy can see it.

A SNIP-20 `transfer`, `send`, `increase_allowance`, `transfer_from`, ... moves tokens (or the right to move
them) to an address the chain only ever sees encrypted. `declared(contract, msg)` names the token amounts
leaving (keyed by the token contract) and every address receiving value or rights, so the allow-list and the
token limits apply to any contract call, not only to the tokens pack's tools.

A message is recognised by its SNIP-20 / SNIP-721 shape exactly as those contracts parse it (recipient a
string, amount a Uint128 string), so anything such a contract would accept is declared.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

AMOUNT = re.compile(r"\+?[0-9]{1,39}")  # Uint128 as Rust parses it (a leading + is accepted)

# variant -> field naming who receives tokens or the right to spend them ("" = nobody: tokens are burnt)
SINGLE = {"transfer": "recipient", "send": "recipient", "increase_allowance": "spender",
          "transfer_from": "recipient", "send_from": "recipient", "burn": "", "burn_from": ""}
BATCH = {"batch_transfer": "recipient", "batch_send": "recipient", "batch_transfer_from": "recipient",
         "batch_send_from": "recipient", "batch_burn_from": ""}
# Rights without a token amount: minting to, admin of, NFTs to or approvals for another address.
RIGHTS = {"mint": ("recipient",), "change_admin": ("address",), "add_minters": ("minters",),
          "set_minters": ("minters",), "transfer_nft": ("recipient",), "send_nft": ("contract",),
          "approve": ("spender",), "approve_all": ("operator",), "set_whitelisted_approval": ("address",)}
SECRET = ("set_viewing_key", "create_viewing_key")  # the key (or its entropy) must never leave this process


@attrs.frozen
class Declared:
    amounts: tuple[int, ...] = ()  # base units of the called token leaving the sender (or an owner it spends for)
    receivers: tuple[str, ...] = ()
    secret: bool = False


def _amount(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and AMOUNT.fullmatch(value) else None


def _move(body: Any, field: str) -> tuple[int, str | None] | None:
    """(amount, receiver) of one SNIP-20 action, or None when it is not shaped like one."""
    if not isinstance(body, dict):
        return None
    amount = _amount(body.get("amount"))
    if amount is None:
        return None
    if not field:
        return amount, None
    to = body.get(field)
    return (amount, to) if isinstance(to, str) else None


def _addresses(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def declared(msg: dict[str, Any]) -> Declared:
    """Token amounts and receivers a plaintext execute message declares (see the module's note)."""
    amounts: list[int] = []
    receivers: list[str] = []
    for variant, body in msg.items():
        if variant in SINGLE:
            moves = [_move(body, SINGLE[variant])]
        elif variant in BATCH:
            actions = body.get("actions") if isinstance(body, dict) else None
            moves = [_move(a, BATCH[variant]) for a in actions] if isinstance(actions, list) else []
        else:
            moves = []
            if variant in RIGHTS and isinstance(body, dict):
                for field in RIGHTS[variant]:
                    receivers += _addresses(body.get(field))
            if variant == "batch_transfer_nft" and isinstance(body, dict):
                receivers += [t["recipient"] for t in body.get("transfers") or [] if isinstance(t, dict)
                              and isinstance(t.get("recipient"), str)]
            if variant == "batch_send_nft" and isinstance(body, dict):
                receivers += [s["contract"] for s in body.get("sends") or [] if isinstance(s, dict)
                              and isinstance(s.get("contract"), str)]
        for move in moves:
            if move is None:
                continue
            amounts.append(move[0])
            if move[1] is not None:
                receivers.append(move[1])
    return Declared(tuple(amounts), tuple(dict.fromkeys(receivers)), any(v in SECRET for v in msg))


def shown(msg: dict[str, Any]) -> dict[str, Any]:
    """The message as the person may see it: a viewing key or its entropy replaced by a placeholder."""
    out = dict(msg)
    for variant in SECRET:
        if isinstance(out.get(variant), dict):
            out[variant] = {k: ("<hidden>" if k in ("key", "entropy") else v) for k, v in out[variant].items()}
    return out
