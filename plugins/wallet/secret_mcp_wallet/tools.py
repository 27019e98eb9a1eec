"""The wallet tools. They change this server's state, never the chain: effect="local", and "reads" for the three
that only look (the active wallet, the list, and the export that is always refused)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from secret_mcp.api import SESSION_STATE, SecretMCPError, ToolContext, WALLETS_LIST, Wallet, tool

from .models import ActiveWallet, WalletCreated, WalletImported, WalletInfo, WalletList, WalletRemoved

# Descriptions only where name, type and enum do not say it all: every byte of tools/list is read by the model.
Name = str  # letters, digits, . _ - (validated by the keystore)
Persist = bool  # keep the wallet after the server stops
BackendArg = Literal["keyring", "file"]  # with persist: the OS keyring, or a file encrypted with a passphrase from the env
Account = Annotated[int, Field(ge=0, lt=2**31)]  # BIP44 account: m/44'/coin'/ACCOUNT'/0/index
Index = Annotated[int, Field(ge=0, lt=2**31)]  # BIP44 address index
CoinType = Annotated[Literal[529, 118], Field(description="118: Cosmos/Keplr legacy")]

PHRASE_WARNING = (
    "This recovery phrase passed through the conversation (and so through the AI provider and any client logs). "
    "For a wallet holding real funds, import on the terminal instead (`secret-mcp wallet import NAME`), "
    "or move the funds to a freshly created wallet."
)


def _keystore(ctx: ToolContext):
    return ctx.keystore


def info(ctx: ToolContext, wallet: Wallet) -> WalletInfo:
    keyless = wallet.watch_only or wallet.signs_elsewhere
    path = None if keyless else f"m/44'/{wallet.coin_type}'/{wallet.account}'/0/{wallet.index}"
    storage = "index only (watch-only)" if wallet.watch_only and wallet.backend != "memory" else wallet.backend
    if wallet.signs_elsewhere:
        storage = "no key here: the person's own wallet signs" + (" (address in the index)" if wallet.backend != "memory" else "")
    return WalletInfo(
        name=wallet.name, address=wallet.address, watch_only=wallet.watch_only, storage=storage,
        derivation_path=path, active=ctx.session.active_wallet == wallet.name,
    )


def _activate_if_first(ctx: ToolContext, wallet: Wallet) -> None:
    # The first wallet becomes active so "create, then send" needs no extra step; later ones never silently do.
    if ctx.session.active_wallet is None and not wallet.watch_only:
        ctx.session.active_wallet = wallet.name


def _where(wallet: Wallet) -> tuple[str, str, list[str]]:
    if wallet.backend == "memory":
        return (
            "Only in this server's memory (encrypted); it is lost when the server stops.",
            "It cannot be viewed. To keep a wallet, create it with persist=true, "
            "then run `secret-mcp wallet export NAME` on the terminal.".replace("NAME", wallet.name),
            ["Do not send real funds to a memory-only wallet: they are lost with the server process."],
        )
    place = "the OS keyring (service 'secret-mcp')" if wallet.backend == "keyring" else "the encrypted file keystore"
    return (
        f"In {place}, under the name {wallet.name!r}.",
        f"The person runs `secret-mcp wallet export {wallet.name}` on their own terminal and confirms the prompt. "
        "Never ask them to paste it here.",
        ["Ask the person to write the recovery phrase down on paper before funding the wallet."],
    )


@tool(effect="local", title="Create a wallet", idempotent=False)  # a fresh key every call
async def secret_create_wallet(
    ctx: ToolContext, name: Name, persist: Persist = False, backend: BackendArg = "keyring",
    account: Account = 0, index: Index = 0, coin_type: CoinType = 529,
) -> WalletCreated:
    """New wallet; its phrase is never returned (the person exports it on their terminal). The first becomes active."""
    wallet = _keystore(ctx).create(
        name, account=account, index=index, coin_type=coin_type, backend=backend if persist else "memory"
    )
    _activate_if_first(ctx, wallet)
    kept, how, warnings = _where(wallet)
    await ctx.resource_changed(WALLETS_LIST, SESSION_STATE)
    return WalletCreated(wallet=info(ctx, wallet), recovery_phrase_kept=kept, how_to_view_phrase=how, warnings=warnings)


@tool(effect="local", title="Import a wallet")
async def secret_import_wallet(
    ctx: ToolContext, name: Name,
    mnemonic: str | None = None,
    address: Annotated[str | None, Field(description="To watch, or with signer=wallet")] = None,
    persist: Persist = False, backend: BackendArg = "keyring",
    account: Account = 0, index: Index = 0, coin_type: CoinType = 529,
    signer: Literal["wallet"] | None = None,  # with address: the person's wallet app (Keplr, Leap, Ledger) signs
) -> WalletImported:
    """Import a wallet from a phrase (never ask for one: the person can run `secret-mcp wallet import NAME`) or watch an address."""
    if (mnemonic is None) == (address is None):
        raise SecretMCPError(
            "INVALID_INPUT", "Give exactly one of mnemonic (to sign) or address (watch-only).", [],
            {"fields": ["mnemonic", "address"]},
        )
    keystore = _keystore(ctx)
    if signer == "wallet":
        if address is None:
            raise SecretMCPError("INVALID_INPUT", "signer='wallet' takes the wallet's address, never a phrase.", [],
                                 {"fields": ["mnemonic", "signer"]})
        wallet = keystore.add_wallet_signer(name, address, persist=persist)
        _activate_if_first(ctx, wallet)
        await ctx.resource_changed(WALLETS_LIST, SESSION_STATE)
        return WalletImported(wallet=info(ctx, wallet), warnings=[])
    if address is not None:
        wallet = keystore.add_watch(name, address, persist=persist)
        await ctx.resource_changed(WALLETS_LIST, SESSION_STATE)
        return WalletImported(wallet=info(ctx, wallet), warnings=[])
    wallet = keystore.import_mnemonic(
        name, mnemonic, account=account, index=index, coin_type=coin_type, backend=backend if persist else "memory"
    )
    _activate_if_first(ctx, wallet)
    await ctx.resource_changed(WALLETS_LIST, SESSION_STATE)
    return WalletImported(wallet=info(ctx, wallet), warnings=[PHRASE_WARNING])


@tool(effect="local", title="Choose the active wallet")
async def secret_set_active_wallet(ctx: ToolContext, name: Name) -> WalletInfo:
    """Choose the wallet transactions are sent from (watch-only: for reads)."""
    wallet = _keystore(ctx).get(name)
    ctx.session.active_wallet = wallet.name
    await ctx.resource_changed(WALLETS_LIST, SESSION_STATE)
    return info(ctx, wallet)


@tool(effect="reads", title="Active wallet")
async def secret_get_active_wallet(ctx: ToolContext) -> ActiveWallet:
    """The active wallet, or none."""
    name = ctx.session.active_wallet
    if name is None or name not in ctx.session.wallets:
        return ActiveWallet(active=None, hint="No active wallet: create or import one, then secret_set_active_wallet.")
    return ActiveWallet(active=info(ctx, ctx.session.wallets[name]))


@tool(effect="reads", title="List wallets")
async def secret_list_wallets(ctx: ToolContext) -> WalletList:
    """Every wallet, and which is active."""
    wallets = [info(ctx, w) for _n, w in sorted(ctx.session.wallets.items())]
    return WalletList(wallets=wallets, active=ctx.session.active_wallet)


async def _confirm_remove(ctx: ToolContext, args: dict[str, Any]) -> str | None:
    wallet = ctx.session.wallets.get(args.get("name"))
    if wallet is None or wallet.watch_only:
        return None  # nothing irreversible: an unknown name fails with a clear error, watch-only has no key
    return (f"Remove wallet {wallet.name!r} ({wallet.address}) and delete its key from this machine? "
            "Without a written copy of its recovery phrase, funds at this address are lost for good.")


@tool(effect="local", title="Remove a wallet", confirm=_confirm_remove, destructive=True)  # deletes the key
async def secret_remove_wallet(
    ctx: ToolContext, name: Name,
    new_active: str | None = None,
) -> WalletRemoved:
    """Remove a wallet and its key; removing the active one needs new_active."""
    keystore = _keystore(ctx)
    wallet = keystore.get(name)
    if ctx.session.active_wallet == name:
        if new_active is None:
            others = sorted(n for n in ctx.session.wallets if n != name)
            raise SecretMCPError(
                "WALLET_IS_ACTIVE", f"{name!r} is the active wallet.",
                [f"Pass new_active (one of: {', '.join(others)})" if others else "Create another wallet first,",
                 "or choose another with secret_set_active_wallet, then remove this one."],
            )
        if new_active == name:
            raise SecretMCPError("WALLET_IS_ACTIVE", "new_active must be another wallet.", [])
        keystore.get(new_active)  # unknown -> UNKNOWN_WALLET before anything is removed
    keystore.remove(name)
    if ctx.session.active_wallet == name:
        ctx.session.active_wallet = new_active
    await ctx.resource_changed(WALLETS_LIST, SESSION_STATE)
    return WalletRemoved(removed=wallet.name, address=wallet.address, active=ctx.session.active_wallet)


@tool(effect="reads", title="Export a wallet (refused)")
async def secret_export_wallet(ctx: ToolContext, name: Name) -> WalletInfo:
    """Always refused: the person runs `secret-mcp wallet export NAME` on their terminal."""
    wallet = _keystore(ctx).get(name)
    raise SecretMCPError(
        "EXPORT_NOT_AVAILABLE",
        "Recovery phrases and private keys never leave the server through the conversation.",
        [f"The person can run `secret-mcp wallet export {wallet.name}` on their own terminal "
         "(persisted wallets only); it asks for confirmation first."],
    )


TOOLS = (
    secret_create_wallet, secret_import_wallet, secret_set_active_wallet, secret_get_active_wallet,
    secret_list_wallets, secret_remove_wallet, secret_export_wallet,
)
