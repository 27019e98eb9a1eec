"""x/bank: balances, supply, MsgSend/MsgMultiSend and their LCD routes (SDK 0.50 events and errors)."""

from __future__ import annotations

from secret_sdk.protobuf.cosmos.bank import v1beta1 as pb

from ..crypto import bech32_decode
from ..encoding import coin, coins, coins_text, paginate
from .auth import check_address
from ..base import LCDError, Module, Request, Route, TxError

USCRT_METADATA = {
    "description": "The native staking and fee token of the Secret Network (sandbox: worthless).",
    "denom_units": [
        {"denom": "uscrt", "exponent": 0, "aliases": ["microscrt"]},
        {"denom": "mscrt", "exponent": 3, "aliases": ["milliscrt"]},
        {"denom": "scrt", "exponent": 6, "aliases": []},
    ],
    "base": "uscrt",
    "display": "scrt",
    "name": "Secret",
    "symbol": "SCRT",
    "uri": "",
    "uri_hash": "",
}
GENESIS_FUNDS = 1_000_000_000_000  # uscrt for each LocalSecret account


def _positive_coins(pb_coins, what: str = "amount") -> dict[str, int]:
    """Protobuf coins -> {denom: amount}; the SDK's ValidateBasic errors for bad or empty amounts."""
    out: dict[str, int] = {}
    for c in pb_coins:
        try:
            amount = int(c.amount)
        except ValueError:
            raise TxError("sdk", 10, f"invalid coins: {c.amount}{c.denom}: invalid coins") from None
        if amount <= 0 or not c.denom:
            raise TxError("sdk", 10, f"{coins_text({c.denom: amount}) or c.amount + c.denom}: invalid coins")
        out[c.denom] = out.get(c.denom, 0) + amount
    if not out:
        raise TxError("sdk", 10, ": invalid coins")
    return out


def _msg_address(addr: str, what: str) -> None:
    try:
        hrp, _ = bech32_decode(addr)
    except ValueError as exc:
        raise TxError("sdk", 7, f"invalid {what} address: {exc}: invalid address") from None
    if hrp != "secret":
        raise TxError("sdk", 7, f"invalid {what} address: invalid Bech32 prefix; expected secret, got {hrp}: invalid address")


class BankModule(Module):
    name = "bank"

    # ---- keepers
    @staticmethod
    def balance(store, addr: str, denom: str) -> int:
        return int(store.get(f"bank/balance/{addr}/{denom}", 0))

    @staticmethod
    def balances(store, addr: str) -> dict[str, int]:
        prefix = f"bank/balance/{addr}/"
        return {k[len(prefix):]: int(v) for k, v in store.iterate(prefix) if int(v)}

    @staticmethod
    def supply(store) -> dict[str, int]:
        return {k[len("bank/supply/"):]: int(v) for k, v in store.iterate("bank/supply/") if int(v)}

    @staticmethod
    def _set_balance(store, addr: str, denom: str, amount: int) -> None:
        key = f"bank/balance/{addr}/{denom}"
        if amount:
            store.set(key, amount)
        else:
            store.delete(key)

    def _sub(self, store, addr: str, amounts: dict[str, int]) -> None:
        for denom in sorted(amounts):
            have = self.balance(store, addr, denom)
            if have < amounts[denom]:
                raise TxError("sdk", 5, f"spendable balance {have}{denom} is smaller than "
                                        f"{amounts[denom]}{denom}: insufficient funds")
        for denom, amount in amounts.items():
            self._set_balance(store, addr, denom, self.balance(store, addr, denom) - amount)

    def _add(self, store, addr: str, amounts: dict[str, int]) -> None:
        for denom, amount in amounts.items():
            self._set_balance(store, addr, denom, self.balance(store, addr, denom) + amount)
        auth = self._auth
        if auth is not None and auth.get_account(store, addr) is None:
            auth.ensure_account(store, addr)  # the SDK creates the recipient's account on first receipt

    _auth = None  # set by the chain so the bank can create accounts without a lookup on every call

    def send(self, store, from_addr: str, to_addr: str, amounts: dict[str, int], ctx=None) -> None:
        amounts = {d: a for d, a in amounts.items() if a}
        self._sub(store, from_addr, amounts)
        self._add(store, to_addr, amounts)
        if ctx is not None:
            text = coins_text(amounts)
            ctx.emit("coin_spent", ("spender", from_addr), ("amount", text))
            ctx.emit("coin_received", ("receiver", to_addr), ("amount", text))
            ctx.emit("transfer", ("recipient", to_addr), ("sender", from_addr), ("amount", text))
            ctx.emit("message", ("sender", from_addr))

    def mint(self, store, addr: str, amounts: dict[str, int], ctx=None) -> None:
        amounts = {d: a for d, a in amounts.items() if a}
        self._add(store, addr, amounts)
        for denom, amount in amounts.items():
            store.set(f"bank/supply/{denom}", int(store.get(f"bank/supply/{denom}", 0)) + amount)
        if ctx is not None:
            text = coins_text(amounts)
            ctx.emit("coin_received", ("receiver", addr), ("amount", text))
            ctx.emit("coinbase", ("minter", addr), ("amount", text))

    def burn(self, store, addr: str, amounts: dict[str, int], ctx=None) -> None:
        amounts = {d: a for d, a in amounts.items() if a}
        self._sub(store, addr, amounts)
        for denom, amount in amounts.items():
            store.set(f"bank/supply/{denom}", int(store.get(f"bank/supply/{denom}", 0)) - amount)
        if ctx is not None:
            text = coins_text(amounts)
            ctx.emit("coin_spent", ("spender", addr), ("amount", text))
            ctx.emit("burn", ("burner", addr), ("amount", text))

    # ---- genesis
    def default_genesis(self, accounts: dict[str, str]) -> dict:
        return {"balances": {addr: {"uscrt": GENESIS_FUNDS} for addr in accounts.values()}}

    def init_genesis(self, ctx, genesis: dict) -> None:
        for addr, amounts in genesis.get("balances", {}).items():
            self.mint(ctx.store, addr, amounts)

    # ---- messages
    def msg_handlers(self) -> dict:
        return {
            "/cosmos.bank.v1beta1.MsgSend": (pb.MsgSend, self._msg_send),
            "/cosmos.bank.v1beta1.MsgMultiSend": (pb.MsgMultiSend, self._msg_multi_send),
        }

    def amino_names(self) -> dict[str, str]:
        return {
            "/cosmos.bank.v1beta1.MsgSend": "cosmos-sdk/MsgSend",
            "/cosmos.bank.v1beta1.MsgMultiSend": "cosmos-sdk/MsgMultiSend",
        }

    def _msg_send(self, ctx, msg: pb.MsgSend):
        _msg_address(msg.from_address, "from")
        _msg_address(msg.to_address, "to")
        amounts = _positive_coins(msg.amount)
        self.send(ctx.store, msg.from_address, msg.to_address, amounts, ctx)
        return pb.MsgSendResponse()

    def _msg_multi_send(self, ctx, msg: pb.MsgMultiSend):
        if len(msg.inputs) != 1:
            raise TxError("bank", 4, "multiple senders not allowed: invalid input coins" if msg.inputs
                          else "no inputs to send transaction")
        if not msg.outputs:
            raise TxError("bank", 5, "no outputs to send transaction")
        sender = msg.inputs[0].address
        _msg_address(sender, "input")
        total_in = _positive_coins(msg.inputs[0].coins)
        total_out: dict[str, int] = {}
        outputs = []
        for out in msg.outputs:
            _msg_address(out.address, "output")
            amounts = _positive_coins(out.coins)
            outputs.append((out.address, amounts))
            for d, a in amounts.items():
                total_out[d] = total_out.get(d, 0) + a
        if total_in != total_out:
            raise TxError("bank", 6, f"sum inputs != sum outputs: {coins_text(total_in)} != "
                                     f"{coins_text(total_out)}")  # wording close to ErrInputOutputMismatch
        self._sub(ctx.store, sender, total_in)
        text = coins_text(total_in)
        ctx.emit("coin_spent", ("spender", sender), ("amount", text))
        ctx.emit("message", ("sender", sender))
        for addr, amounts in outputs:
            self._add(ctx.store, addr, amounts)
            ctx.emit("coin_received", ("receiver", addr), ("amount", coins_text(amounts)))
            ctx.emit("transfer", ("recipient", addr), ("amount", coins_text(amounts)))
        return pb.MsgMultiSendResponse()

    # ---- LCD
    def routes(self) -> list[Route]:
        p = "/cosmos/bank/v1beta1"
        return [
            Route("GET", p + "/balances/{address}", self._q_balances),
            Route("GET", p + "/balances/{address}/by_denom", self._q_by_denom),
            Route("GET", p + "/spendable_balances/{address}", self._q_balances),
            Route("GET", p + "/spendable_balances/{address}/by_denom", self._q_by_denom),
            Route("GET", p + "/supply", self._q_supply),
            Route("GET", p + "/supply/by_denom", self._q_supply_of),
            Route("GET", p + "/denoms_metadata", self._q_metadatas),
            Route("GET", p + "/denoms_metadata/{denom=**}", self._q_metadata),
            Route("GET", p + "/denoms_metadata_by_query_string", self._q_metadata_qs),
            Route("GET", p + "/params", lambda req: {"params": {"send_enabled": [], "default_send_enabled": True}}),
            Route("GET", p + "/send_enabled", lambda req: {"send_enabled": [], "pagination": None}),
        ]

    def _q_balances(self, req: Request) -> dict:
        addr = req.path_params["address"]
        check_address(addr)
        page, pagination = paginate(req, coins(self.balances(req.chain.store, addr)))
        return {"balances": page, "pagination": pagination}

    def _q_by_denom(self, req: Request) -> dict:
        addr = req.path_params["address"]
        check_address(addr)
        denom = req.param("denom") or ""
        if not denom:
            raise LCDError.invalid("invalid denom")
        return {"balance": coin(denom, self.balance(req.chain.store, addr, denom))}

    def _q_supply(self, req: Request) -> dict:
        page, pagination = paginate(req, coins(self.supply(req.chain.store)))
        return {"supply": page, "pagination": pagination}

    def _q_supply_of(self, req: Request) -> dict:
        denom = req.param("denom") or ""
        if not denom:
            raise LCDError.invalid("invalid denom")
        return {"amount": coin(denom, int(req.chain.store.get(f"bank/supply/{denom}", 0)))}

    def _q_metadatas(self, req: Request) -> dict:
        page, pagination = paginate(req, [USCRT_METADATA])
        return {"metadatas": page, "pagination": pagination}

    def _metadata(self, denom: str) -> dict:
        if denom != "uscrt":
            raise LCDError.not_found(f"client metadata for denom {denom}")
        return {"metadata": USCRT_METADATA}

    def _q_metadata(self, req: Request) -> dict:
        return self._metadata(req.path_params["denom"])

    def _q_metadata_qs(self, req: Request) -> dict:
        return self._metadata(req.param("denom") or "")
