"""The review of a prepared plan: one JSON-safe dict every preview surface renders (the text preview, the
wallet signing page, the MCP Apps review card), so they cannot disagree about what is signed.

Amounts are strings of base units. Chain text inside (memo, token symbols, the plan's lines) is data: the text
form quotes it on one line, pages must render it as text, never as markup.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..amounts import coin_view
from ..networks import Network
from .quote import quote


def _coins(pairs: Iterable[tuple[str, int]]) -> list[dict[str, str]]:
    out = []
    for denom, amount in pairs:
        view = coin_view(denom, amount)
        out.append({"denom": view.denom, "amount": view.amount, "display": view.display})
    return out


def _allow_status(address: str, allowed: frozenset[str] | set[str] | None) -> str:
    if not allowed:
        return "none"
    return "allowed" if address in allowed else "not_allowed"


def _balance_after(held: dict[str, int], spent: dict[str, int], credits: dict[str, int]) -> list[tuple[str, int]]:
    denoms = sorted(set(held) | set(spent))
    return [(d, held.get(d, 0) + credits.get(d, 0) - spent.get(d, 0)) for d in denoms]


def network_view(network: Network, endpoints: Iterable[str]) -> dict[str, Any]:
    return {"name": network.name, "chain_id": network.chain_id, "simulated": bool(network.simulated),
            "real_funds": bool(network.real_funds), "endpoints": list(endpoints)}


def review_of(*, tool: str, plan: Any, wallet: str, address: str, signer_kind: str, messages: Iterable[dict],
              gas_limit: int, gas_price: Any, fee: tuple[str, int], held: dict[str, int] | None,
              network: Network, endpoints: Iterable[str], digest: str, sequence: int, account_number: int,
              allowed: frozenset[str] | set[str] | None) -> dict[str, Any]:
    """Everything the person is asked to approve, as data. `held` is the balance before (None: not known)."""
    spent: dict[str, int] = {}
    for a in plan.amounts:
        spent[a.denom] = spent.get(a.denom, 0) + a.amount
    spent[fee[0]] = spent.get(fee[0], 0) + fee[1]
    credits: dict[str, int] = {}
    for a in plan.credits:
        credits[a.denom] = credits.get(a.denom, 0) + a.amount
    fee_view = coin_view(*fee)
    review: dict[str, Any] = {
        "action": plan.action,
        "tool": tool,
        "from": {"wallet": wallet, "address": address},
        "signer": signer_kind,
        "receivers": [{"address": r, "allow_list": _allow_status(r, allowed)} for r in dict.fromkeys(plan.receivers)],
        "amounts": _coins(a.pair() for a in plan.amounts),
        "tokens": [{"contract": t.contract, "amount": str(t.amount), "decimals": t.decimals, "symbol": t.symbol,
                    "display": t.display} for t in plan.tokens],
        "lines": list(plan.lines),
        "memo": plan.memo,
        "messages": [{"type": m.get("@type", ""), "value": {k: v for k, v in m.items() if k != "@type"}}
                     for m in messages],
        "fee": {"denom": fee_view.denom, "amount": fee_view.amount, "display": fee_view.display,
                "gas_limit": gas_limit, "gas_price": str(gas_price)},
        "balance": None if held is None else {"before": _coins(sorted(held.items())),
                                              "after": _coins(_balance_after(held, spent, credits))},
        "network": network_view(network, endpoints),
        "sign_doc": {"digest": digest, "short": digest[:16], "sequence": sequence, "account_number": account_number},
    }
    review["text"] = render_text(review)
    return review


def network_line(net: dict[str, Any]) -> str:
    label = f"Network: {net['name']} ({net['chain_id']})"
    if net["simulated"]:
        return label + " - a SIMULATED chain, tokens are worthless"
    if net["real_funds"]:
        return label + " - REAL funds"
    return label


_ALLOW_NOTE = {"none": "", "allowed": " (on the allow-list)", "not_allowed": " (NOT on the allow-list)"}


def render_text(review: dict[str, Any]) -> str:
    """The plain-text preview: one fact a line. Chain text is quoted on one line, never trusted."""
    who = review["from"]
    out = [review["action"], f"From: {who['wallet']} ({who['address']})"]
    out += [f"To: {r['address']}{_ALLOW_NOTE[r['allow_list']]}" for r in review["receivers"]]
    out += [f"Amount: {a['display']}" for a in review["amounts"]]
    out += [f"Token amount: {t['display']}" for t in review["tokens"]]
    out += review["lines"]
    if review["memo"]:
        out.append(f"Memo: {quote(review['memo'], limit=256)}")
    fee = review["fee"]
    out.append(f"Estimated fee: {fee['display']} for {fee['gas_limit']} gas at {fee['gas_price']}{fee['denom']}/gas")
    net = review["network"]
    out.append(network_line(net) + f" via {', '.join(net['endpoints'])}")
    doc = review["sign_doc"]
    out.append(f"Sign doc: {doc['short']} (sequence {doc['sequence']})")
    return "\n".join(out)
