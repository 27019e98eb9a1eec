"""What a transaction asks to do, and the core's single place where policy plugins can refuse it.

The transaction pipeline builds a TxRequest for every write and calls `authorize` before any signing.
Spending limits, allow-lists and confirmation (the wallets-and-security work) plug in here as well.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

import attrs

from .errors import SecretMCPError


class HookHost(Protocol):
    """The plugin host as policy sees it (it sits in a lower layer than the host itself)."""

    @property
    def hook(self) -> Any: ...

    def impls(self, hook_name: str) -> list[tuple[str, Callable[..., Any]]]: ...


class HasHost(Protocol):
    @property
    def host(self) -> HookHost: ...


@attrs.frozen
class TxRequest:
    tool: str
    network: str
    chain_id: str
    sender: str
    messages: tuple[dict[str, Any], ...]  # proto-JSON of each message, "@type" first
    amounts: tuple[tuple[str, int], ...] = ()  # (denom, amount) leaving the sender
    recipients: tuple[str, ...] = ()  # every address receiving value or rights
    summary: str = ""
    fee: tuple[str, int] | None = None  # (denom, amount) the fee takes from the sender
    tokens: tuple[tuple[str, int], ...] = ()  # (SNIP-20 contract address, base units) leaving the sender

    def spent(self) -> dict[str, int]:
        """Everything leaving the sender, per denom or token contract: amounts, the fee, token amounts."""
        out: dict[str, int] = {}
        for key, amount in (*self.amounts, *((self.fee,) if self.fee else ()), *self.tokens):
            out[key] = out.get(key, 0) + int(amount)
        return out


@attrs.frozen
class TxOutcome:
    request: TxRequest
    txhash: str | None
    height: int | None
    code: int | None
    status: str  # "success" | "failed" | "unknown"


def authorize(app: HasHost, request: TxRequest) -> None:
    """Ask every `secret_mcp_authorize` implementation; the first refusal stops the transaction."""
    for plugin, impl in app.host.impls("secret_mcp_authorize"):
        reason = impl(request=request)
        if reason:
            raise SecretMCPError(
                "POLICY_REFUSED",
                f"Refused by the {plugin} policy: {reason}",
                ["Nothing was signed or sent.", "Change the request, or the policy if you are the person running the server."],
                {"plugin": plugin},
            )


def tx_completed(app: HasHost, outcome: TxOutcome) -> None:
    """Tell every plugin how a transaction ended (audit, notifications, metrics)."""
    app.host.hook.secret_mcp_tx_completed(result=outcome)
