"""The wallet pack's results: public facts only (names, addresses, where a key is kept), never key material."""

from __future__ import annotations

from pydantic import BaseModel, Field


class WalletInfo(BaseModel):
    name: str
    address: str
    watch_only: bool = Field(description="True: address only, this server cannot sign for it")
    storage: str = Field(description="memory (lost when the server stops), keyring or file")
    derivation_path: str | None = Field(description="BIP44 path of the key, e.g. m/44'/529'/0'/0/0")
    active: bool


class WalletCreated(BaseModel):
    wallet: WalletInfo
    recovery_phrase_kept: str = Field(description="Where the recovery phrase is kept (it is never shown here)")
    how_to_view_phrase: str
    warnings: list[str]


class WalletImported(BaseModel):
    wallet: WalletInfo
    warnings: list[str]


class WalletList(BaseModel):
    wallets: list[WalletInfo]
    active: str | None


class ActiveWallet(BaseModel):
    active: WalletInfo | None
    hint: str | None = None


class WalletRemoved(BaseModel):
    removed: str
    address: str
    active: str | None
