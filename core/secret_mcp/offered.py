"""Text that names tools (error suggestions, prompts, the demo) cut down to the tools this server offers.

A pack's error may suggest a tool of another pack (the bank pack: "choose one with secret_set_active_wallet"),
which is not there when that pack is not installed. The core fixes such text where it leaves the server, so
packs can keep writing plain suggestions.
"""

from __future__ import annotations

import re
import weakref
from typing import Any, Iterable

# The first-party packs' tools, by pack: to say which pack to install when a text names a missing tool.
# tests/core/test_requires.py checks this against the packs' registrations.
FIRST_PARTY: dict[str, tuple[str, ...]] = {
    "accounts": ("secret_get_account", "secret_get_account_transactions", "secret_get_account_tx_count"),
    "bank": ("secret_get_balance", "secret_get_denom_metadata", "secret_get_total_supply", "secret_multi_send",
             "secret_send_tokens"),
    "blockchain": ("secret_get_block", "secret_get_block_by_hash", "secret_get_latest_block", "secret_get_node_info",
                   "secret_get_syncing_status"),
    "contracts": ("secret_batch_execute", "secret_execute_contract", "secret_get_code_info",
                  "secret_get_contract_history", "secret_get_contract_info", "secret_instantiate_contract",
                  "secret_list_codes", "secret_migrate_contract", "secret_query_contract", "secret_upload_contract"),
    "governance": ("secret_deposit_proposal", "secret_get_proposal", "secret_get_proposals", "secret_get_vote",
                   "secret_submit_proposal", "secret_vote_proposal"),
    "ibc": ("secret_get_ibc_channel", "secret_get_ibc_channels", "secret_get_ibc_denom_trace",
            "secret_get_ibc_transfer_status", "secret_ibc_transfer"),
    "network": ("secret_configure_network", "secret_get_gas_prices", "secret_get_network_info", "secret_health_check"),
    "rewards": ("secret_get_community_pool", "secret_get_rewards", "secret_set_withdraw_address",
                "secret_withdraw_rewards"),
    "sandbox": ("secret_sandbox_faucet",),
    "staking": ("secret_delegate", "secret_get_delegations", "secret_get_redelegations", "secret_get_unbonding",
                "secret_get_validator", "secret_get_validators", "secret_redelegate", "secret_undelegate"),
    "tokens": ("secret_token_add", "secret_token_balance", "secret_token_create_permit",
               "secret_token_create_viewing_key", "secret_token_forget_key", "secret_token_history",
               "secret_token_info", "secret_token_list", "secret_token_send", "secret_token_set_viewing_key",
               "secret_token_transfer"),
    "transactions": ("secret_estimate_gas", "secret_get_transaction", "secret_get_transaction_status",
                     "secret_search_transactions", "secret_simulate_transaction"),
    "wallet": ("secret_create_wallet", "secret_export_wallet", "secret_get_active_wallet", "secret_import_wallet",
               "secret_list_wallets", "secret_remove_wallet", "secret_set_active_wallet"),
}
PACK_OF: dict[str, str] = {tool: pack for pack, tools in FIRST_PARTY.items() for tool in tools}

# A tool name in prose; secret_mcp… is the project's own prefix (modules, hooks), never a tool.
TOOL_NAME = re.compile(r"\bsecret_(?!mcp)[a-z0-9]+(?:_[a-z0-9]+)*\b")

_OFFERED: "weakref.WeakKeyDictionary[Any, frozenset[str]]" = weakref.WeakKeyDictionary()


def offered_tools(app: Any) -> frozenset[str]:
    """Every tool this configuration offers, on any network (a sandbox-only tool counts: a switch brings it)."""
    names = _OFFERED.get(app)
    if names is None:
        names = _OFFERED[app] = frozenset(spec.name for _plugin, spec in app.tool_specs())
    return names


def pack_hint(pack: str) -> str:
    return f"This needs the {pack} pack (secret-mcp-{pack}), which is not loaded on this server: install or enable it."


def suggestions(app: Any, items: Iterable[str]) -> list[str]:
    """`items` without any that names a tool this server does not offer: such a suggestion becomes the
    sentence naming the first-party pack to install, or is dropped (a tool of an unknown pack, or one that
    this configuration leaves out, like a write tool in read-only mode)."""
    offered = offered_tools(app)
    loaded = set(app.host.loaded())
    out: list[str] = []
    for text in items:
        missing = [name for name in TOOL_NAME.findall(text) if name not in offered]
        if not missing:
            lines = [text]
        else:
            # "Pass an address, or choose a wallet with secret_x." keeps "Pass an address." when secret_x is gone.
            kept = [part for part in re.split(r",? or ", text.rstrip(".")) if not _names_missing(part, offered)]
            lines = [", or ".join(kept) + "."] if kept else []
            packs = [PACK_OF[name] for name in missing if name in PACK_OF and PACK_OF[name] not in loaded]
            lines += [pack_hint(packs[0])] if packs else []
        out += [line for line in lines if line not in out]
    return out


def _names_missing(text: str, offered: frozenset[str]) -> bool:
    return any(name not in offered for name in TOOL_NAME.findall(text))


def prompt_text(app: Any, text: str) -> str:
    """A prompt's text naming only offered tools: "(secret_x)" is dropped, a bare name becomes "a tool of the
    X pack", and a closing line says which packs are missing, so the model skips those steps."""
    offered = offered_tools(app)
    packs: list[str] = []
    unknown: list[str] = []

    def gone(name: str) -> bool:
        if name in offered:
            return False
        if name not in PACK_OF:
            unknown.append(name)
        elif PACK_OF[name] not in packs:
            packs.append(PACK_OF[name])
        return True

    def bare(m: re.Match) -> str:
        name = m.group()
        if not gone(name):
            return name
        return f"a tool of the {PACK_OF[name]} pack" if name in PACK_OF else "another tool"

    text = re.sub(r" ?\((%s)\)" % TOOL_NAME.pattern, lambda m: "" if gone(m.group(1)) else m.group(), text)
    text = TOOL_NAME.sub(bare, text)
    if packs or unknown:
        text = text.rstrip("\n") + (f"\nThis server does not offer every tool this needs (packs not installed: "
                                    f"{', '.join(packs) or 'unknown'}): skip those steps and say so.\n")
    return text
