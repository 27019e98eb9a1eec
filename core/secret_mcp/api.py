"""The pack API: everything a pack may import from the core, and nothing else.

    from secret_mcp.api import hookimpl, tool, ToolContext, SecretMCPError, Plan, TxResult, parse_amount

A pack imports only from here (tests/core/test_pack_api.py checks every first-party pack); the rest of
`secret_mcp` is the core's own and may change. Names resolve on first use (module `__getattr__`), so importing
this module costs nothing at start-up and a pack pays only for what it touches. docs/pack-api.md lists them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import hookimpl

if TYPE_CHECKING:
    from .context import ToolContext

# name -> (module, attribute in it): one line each says what a pack uses it for.
_EXPORTS: dict[str, tuple[str, str]] = {
    # -- writing a pack
    "tool": ("secret_mcp.tools", "tool"),  # decorator that turns an async function into an MCP tool
    "ToolContext": ("secret_mcp.context", "ToolContext"),  # what a tool gets: session, network, reads, keystore, state
    "SecretMCPError": ("secret_mcp.errors", "SecretMCPError"),  # the structured error (code, message, suggestions)
    "ChainError": ("secret_mcp.errors", "ChainError"),  # the node failed or refused; packs catch it for fallbacks
    "ConfigError": ("secret_mcp.errors", "ConfigError"),  # a setting (env var or config file) is wrong
    "Network": ("secret_mcp.networks", "Network"),  # a network preset (returned by secret_mcp_networks)
    "endpoint_id": ("secret_mcp.networks", "endpoint_id"),  # who answers for a network: what kept secrets are scoped to
    "NETWORK_CONFIG": ("secret_mcp.uris", "NETWORK_CONFIG"),  # URI of the network resource
    "SESSION_STATE": ("secret_mcp.uris", "SESSION_STATE"),  # URI of the session resource
    "WALLETS_LIST": ("secret_mcp.uris", "WALLETS_LIST"),  # URI of the wallet list resource
    "can_ask_person": ("secret_mcp.security.ask", "can_ask_person"),  # can this call's client ask the person?
    # -- inputs and amounts
    "validate_address": ("secret_mcp.addresses", "validate_address"),  # a bech32 address, checked (INVALID_ADDRESS)
    "validate_denom": ("secret_mcp.denoms", "validate_denom"),  # a bank denom, checked
    "denom_path": ("secret_mcp.denoms", "denom_path"),  # a denom made safe for an LCD URL path
    "Amount": ("secret_mcp.amounts", "Amount"),  # a parsed amount in base units with its denom and display text
    "AmountText": ("secret_mcp.amounts", "AmountText"),  # the tool-argument type for an amount ("1.5 SCRT")
    "parse_amount": ("secret_mcp.amounts", "parse_amount"),  # text or number -> Amount (structured errors)
    "token_units": ("secret_mcp.amounts", "token_units"),  # a token amount in text -> base units for its decimals
    "CoinView": ("secret_mcp.amounts", "CoinView"),  # result model of a coin (base units and SCRT display)
    "coin_view": ("secret_mcp.amounts", "coin_view"),  # (denom, amount) -> CoinView
    "USCRT_PER_SCRT": ("secret_mcp.units", "USCRT_PER_SCRT"),  # 1 SCRT in uscrt
    "scrt": ("secret_mcp.units", "scrt"),  # uscrt -> "1.5 SCRT" text
    "fee_for": ("secret_mcp.units", "fee_for"),  # gas and gas price -> fee in uscrt (rounded up)
    "parse_dec_coin": ("secret_mcp.units", "parse_dec_coin"),  # "0.1uscrt" -> (Decimal, denom)
    # -- reads
    "gather": ("secret_mcp.concurrency", "gather"),  # run lookups together; the first error cancels the rest
    "extra": ("secret_mcp.partial", "extra"),  # a lookup a result can do without: None and its name in `missing`
    "MISSING_DESCRIPTION": ("secret_mcp.partial", "MISSING_DESCRIPTION"),  # field description of `missing`
    # -- chain writes (a tool returns a Plan; the core carries it out)
    "Plan": ("secret_mcp.tx", "Plan"),  # what a write tool returns: messages, amounts, receivers, preview
    "TokenAmount": ("secret_mcp.tx", "TokenAmount"),  # a token amount a plan moves (limits and preview)
    "TxResult": ("secret_mcp.tx", "TxResult"),  # result model of a carried-out transaction
    "TxEvent": ("secret_mcp.tx", "TxEvent"),  # one event of a transaction's result
    "events_of": ("secret_mcp.tx.result", "events_of"),  # a tx response's events as TxEvent
    "quote": ("secret_mcp.tx", "quote"),  # chain-given text as one quoted, bounded line for a preview
    "Msg": ("secret_mcp.tx", "Msg"),  # a message given by type URL and proto-JSON
    "active_signer": ("secret_mcp.tx", "active_signer"),  # the active wallet as a signer (NO_ACTIVE_WALLET otherwise)
    "estimate": ("secret_mcp.tx", "estimate"),  # gas and fee of messages, without signing
    "simulate": ("secret_mcp.tx", "simulate"),  # the node's simulation of messages (gas used, events)
    "gas_price": ("secret_mcp.tx.chain", "gas_price"),  # the gas price in force on the session's network
    # -- the agent key (limits the chain enforces through x/authz and x/feegrant; docs/agent-grants.md)
    "agent_address": ("secret_mcp.tx.agent", "agent_address"),  # a wallet's agent key address (create=True makes one)
    "agent_mode": ("secret_mcp.tx.agent", "agent_mode"),  # does the wallet sign through its agent on this network?
    "set_agent_mode": ("secret_mcp.tx.agent", "set_agent_mode"),  # switch that, after a grant or a revoke
    "covered_types": ("secret_mcp.tx.agent", "covered_types"),  # LCD grants -> {message type URL: live grant}
    # -- reading transactions back
    "TxInfo": ("secret_mcp.tx.lookup", "TxInfo"),  # result model of a transaction read back
    "tx_info": ("secret_mcp.tx.lookup", "tx_info"),  # a tx response -> TxInfo
    "get_tx": ("secret_mcp.tx.lookup", "get_tx"),  # one tx response by hash, or None
    "search_txs": ("secret_mcp.tx.lookup", "search"),  # one page of txs matching a CometBFT query
    "check_tx_hash": ("secret_mcp.tx.lookup", "check_hash"),  # a tx hash, checked; upper-case hex without 0x
    "MAX_TX_PAGE": ("secret_mcp.tx.lookup", "MAX_PAGE"),  # the most txs one search page returns
    "PENDING_SECONDS": ("secret_mcp.tx.pipeline", "PENDING_SECONDS"),  # after this long unseen a broadcast is lost
    # `broadcast_age` is defined below: seconds since this server broadcast a hash
    # -- IBC
    "TransferStatus": ("secret_mcp.ibc", "TransferStatus"),  # result model of an IBC transfer's progress
    "transfer_status": ("secret_mcp.ibc", "transfer_status"),  # a packet's status by channel and sequence
    "ibc_outcomes": ("secret_mcp.ibc", "ibc_outcomes"),  # the status of every packet a tx sent
    # -- Secret contracts
    "query": ("secret_mcp.contracts", "query"),  # an encrypted smart query, answer decrypted
    "code_hash": ("secret_mcp.contracts", "code_hash"),  # a contract's code hash (looked up once per chain)
    "cipher": ("secret_mcp.contracts", "cipher"),  # the session's contract message cipher
    "normalize_hash": ("secret_mcp.contracts", "normalize_hash"),  # a code hash, lower-cased and without 0x
    "remember": ("secret_mcp.contracts", "remember"),  # note a contract the session used (recent contracts)
    "remember_token": ("secret_mcp.contracts", "remember_token"),  # note a token's decimals and symbol
    "contract_state": ("secret_mcp.contracts", "state_of"),  # the session's contract state (recent contracts)
    "ContractMessages": ("secret_mcp.contracts.execute", "ContractMessages"),  # builds a plan's contract messages
    "ContractTx": ("secret_mcp.contracts.execute", "ContractTx"),  # result model of a contract transaction
    "sender_of": ("secret_mcp.contracts.execute", "sender_of"),  # the active wallet's address (NO_ACTIVE_WALLET)
    "raw_address": ("secret_mcp.contracts.execute", "raw_address"),  # a bech32 address as the bytes compute wants
    "proto_coins": ("secret_mcp.amounts", "proto_coins"),  # Amounts -> proto coins, one per denom, sorted
    "shown_message": ("secret_mcp.contracts.moves", "shown"),  # a contract message with secrets hidden, to preview
    "parse_contract_json": ("secret_mcp.contracts.decrypt", "parse_json"),  # decrypted contract bytes -> JSON
    # -- keys (tools reach the session's keystore with `ctx.keystore`)
    "Wallet": ("secret_mcp.security", "Wallet"),  # a wallet's public facts (name, address, backend)
    "Keystore": ("secret_mcp.security.keystore", "Keystore"),  # for a terminal command: the keystore itself
    "FileStore": ("secret_mcp.security.storage", "FileStore"),  # for a terminal command: the encrypted file store
    "KeyringStore": ("secret_mcp.security.storage", "KeyringStore"),  # for a terminal command: the OS keyring store
    "PASSPHRASE_ENV": ("secret_mcp.security.storage", "PASSPHRASE_ENV"),  # env var holding the file passphrase
}


def broadcast_age(ctx: "ToolContext", txhash: str) -> float | None:
    """Seconds since this server broadcast `txhash`, or None if it did not (recently)."""
    from .tx.pipeline import broadcast_age as age

    return age(ctx.app, txhash)


def signing_request_status(ctx: "ToolContext", request_id: str) -> dict[str, Any] | None:
    """A wallet signing request's progress ({request_id, status, expires_at, txhash, height}), or None when
    `request_id` names no request of this server."""
    from .tx.signing import status_of

    return status_of(ctx.app, request_id)


def web_asset(name: str) -> str:
    """The text of one file the core serves to browsers (`secret_mcp/web/NAME`, e.g. "review.js"), so a pack's
    page can show a plan with the same renderer as the wallet signing page. ValueError for any other name."""
    from importlib import resources

    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not a web asset name: {name!r}")
    try:
        return (resources.files("secret_mcp") / "web" / name).read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ValueError(f"no web asset {name!r} in the core") from None


def __getattr__(name: str) -> Any:
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'secret_mcp.api' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value  # resolved once
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = ["hookimpl", "broadcast_age", "signing_request_status", "web_asset", *_EXPORTS]
