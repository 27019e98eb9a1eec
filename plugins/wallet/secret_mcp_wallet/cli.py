"""`secret-mcp wallet import|export|list|remove`: the terminal is where phrases are typed and shown.

Phrases are read without echo and shown only after an explicit prompt; nothing here goes through the model.
"""

from __future__ import annotations

import os

import click

from secret_mcp.api import FileStore, KeyringStore, Keystore, PASSPHRASE_ENV, SecretMCPError


def _keystore(new_passphrase: bool = False) -> Keystore:
    asked: list[str] = []

    def passphrase() -> str:
        # Asked at most once per command, and only if a file-keystore wallet is touched.
        if not asked:
            asked.append(os.environ.get(PASSPHRASE_ENV) or click.prompt(
                "Keystore passphrase", hide_input=True, confirmation_prompt=new_passphrase, err=True
            ))
        return asked[0]

    keystore = Keystore(stores=lambda b: FileStore(passphrase=passphrase) if b == "file" else KeyringStore())
    keystore.load_persisted()
    return keystore


def _fail(exc: SecretMCPError) -> click.ClickException:
    return click.ClickException("\n".join([exc.message, *exc.suggestions]))


@click.group()
def wallet() -> None:
    """Manage persisted wallets on this machine (the OS keyring or the encrypted file keystore)."""


@wallet.command("import")
@click.argument("name")
@click.option("--backend", type=click.Choice(["keyring", "file"]), default="keyring", show_default=True)
@click.option("--account", type=int, default=0, show_default=True)
@click.option("--index", "index_", type=int, default=0, show_default=True)
@click.option("--coin-type", type=click.Choice(["529", "118"]), default="529", show_default=True)
@click.option("--address", default=None, help="With --signer wallet: the address the person's wallet signs for.")
@click.option("--signer", type=click.Choice(["wallet"]), default=None,
              help="wallet: no key is stored; the person's wallet app (Keplr, Leap, secretcli, Ledger) signs.")
def import_(name: str, backend: str, account: int, index_: int, coin_type: str, address: str | None,
            signer: str | None) -> None:
    """Import a wallet from its recovery phrase (typed without echo), or one the person's own wallet signs for."""
    if (signer == "wallet") != (address is not None):
        raise click.UsageError("--address and --signer wallet go together.")
    if signer == "wallet":
        try:
            w = _keystore().add_wallet_signer(name, address, persist=True)
        except SecretMCPError as exc:
            raise _fail(exc) from None
        click.echo(f"Imported {w.name}: {w.address} (signs in your own wallet; no key stored).")
        return
    phrase = click.prompt("Recovery phrase", hide_input=True, err=True)
    try:
        w = _keystore(new_passphrase=True).import_mnemonic(
            name, phrase, account=account, index=index_, coin_type=int(coin_type), backend=backend
        )
    except SecretMCPError as exc:
        raise _fail(exc) from None
    click.echo(f"Imported {w.name}: {w.address} ({w.backend}).")


def _after_yes(name: str, question: str, action):
    """Ask `question` about wallet `name` on the terminal; run `action(keystore)` only after a yes."""
    keystore = _keystore()
    try:
        w = keystore.get(name)
        click.confirm(question.format(name=w.name, address=w.address), abort=True, err=True)
        return action(keystore)
    except SecretMCPError as exc:
        raise _fail(exc) from None


@wallet.command()
@click.argument("name")
def export(name: str) -> None:
    """Show a wallet's recovery phrase on this terminal, after a confirmation prompt."""
    question = "Show the recovery phrase of {name} ({address})? Anyone who sees it controls the funds"
    click.echo(_after_yes(name, question, lambda ks: ks.export_mnemonic(name)))


@wallet.command("list")
def list_() -> None:
    """List persisted wallets (name, address, where kept)."""
    keystore = _keystore()
    for name, w in sorted(keystore.wallets.items()):
        click.echo(f"{name:<20} {w.address:<46} {'watch-only' if w.watch_only else 'own wallet' if w.signs_elsewhere else w.backend}")


@wallet.command()
@click.argument("name")
def remove(name: str) -> None:
    """Remove a persisted wallet and delete its stored key, after a confirmation prompt."""
    _after_yes(name, "Delete {name} ({address}) and its key from this machine?", lambda ks: ks.remove(name))
    click.echo(f"Removed {name}.")
