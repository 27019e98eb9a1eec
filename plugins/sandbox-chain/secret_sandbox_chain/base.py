"""What a sandbox module is: LCD routes, message handlers and genesis/block hooks over the shared store.

Each module (auth, bank, staking, ...) is one file in the `modules` package exposing one `Module` subclass.
The chain (chain.py) owns the store, blocks and the tx pipeline; modules own their keys (prefix = name + "/").
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

import attrs

if TYPE_CHECKING:
    from .store import Branch, Store

# The chain a module runs in (chain.Chain). Not imported, not even for type checking: chain.py builds on this
# module, and an import back would make the two a cycle.
ChainRef = Any


class LCDError(Exception):
    """A query failure rendered as the gateway's google.rpc.Status body (docs/protocol-notes.md#lcd-errors).

    grpc_code: 3 InvalidArgument (400), 5 NotFound (404), 2 Unknown (500), 13 Internal (500),
    12 Unimplemented (501), 16 Unauthenticated (401). `message` is the final text, exactly as the LCD shows it.
    """

    def __init__(self, grpc_code: int, message: str) -> None:
        super().__init__(message)
        self.grpc_code = grpc_code
        self.message = message

    @classmethod
    def not_found(cls, desc: str) -> "LCDError":
        return cls(5, f"rpc error: code = NotFound desc = {desc}: key not found")

    @classmethod
    def invalid(cls, desc: str) -> "LCDError":
        return cls(3, f"rpc error: code = InvalidArgument desc = {desc}: invalid request")

    @classmethod
    def unknown(cls, desc: str) -> "LCDError":
        return cls(2, f"{desc}: unknown request")


class TxError(Exception):
    """A message (or ante) failure with the SDK's codespace/code; `log` is the error text without prefixes."""

    def __init__(self, codespace: str, code: int, log: str) -> None:
        super().__init__(log)
        self.codespace, self.code, self.log = codespace, code, log


@attrs.define
class Request:
    """One LCD request as a handler sees it."""

    chain: ChainRef
    path_params: dict[str, str]
    query: dict[str, list[str]]  # repeated parameters keep every value
    body: Any = None  # parsed JSON for POST
    headers: dict[str, str] = attrs.Factory(dict)

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@attrs.define
class Route:
    method: str  # "GET" | "POST"
    path: str  # "/cosmos/bank/v1beta1/balances/{address}"; "{hash=**}" matches the rest, slashes included
    handler: Callable[[Request], dict]


@attrs.define
class Event:
    type: str
    attributes: list[tuple[str, str]]


@attrs.define
class MsgContext:
    """What a message handler may use. `store` is a metered branch: failures discard it."""

    chain: ChainRef
    store: "Branch"
    height: int
    time: datetime
    msg_index: int
    signer: str  # bech32 address of the tx signer
    events: list[Event] = attrs.Factory(list)

    def emit(self, type_: str, *attributes: tuple[str, str]) -> None:
        self.events.append(Event(type_, list(attributes)))


@attrs.define
class BlockContext:
    """What genesis and begin/end-block hooks get: the committed store's write branch for this block."""

    chain: ChainRef
    store: "Branch | Store"
    height: int
    time: datetime
    events: list[Event] = attrs.Factory(list)

    def emit(self, type_: str, *attributes: tuple[str, str]) -> None:
        self.events.append(Event(type_, list(attributes)))


# A handler returns the Msg...Response as a betterproto message (or None for an empty response).
MsgHandler = Callable[[MsgContext, Any], Any]


class Module:
    """Base class: override what the module needs. `name` is also its store prefix (name + "/")."""

    name: str = ""

    def routes(self) -> list[Route]:
        return []

    def msg_handlers(self) -> dict[str, tuple[type, MsgHandler]]:
        """Map a message type URL to (betterproto message class, handler)."""
        return {}

    def amino_names(self) -> dict[str, str]:
        """Map a message type URL to its amino name (for SIGN_MODE_LEGACY_AMINO_JSON)."""
        return {}

    def init_genesis(self, ctx: BlockContext, genesis: dict) -> None:
        pass

    def begin_block(self, ctx: BlockContext) -> None:
        pass

    def end_block(self, ctx: BlockContext) -> None:
        pass
