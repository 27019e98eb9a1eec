"""x/auth: accounts (number, sequence, public key) and their LCD routes."""

from __future__ import annotations

from ..crypto import bech32_decode, module_address
from ..encoding import paginate
from ..gas import SIG_VERIFY_COST_SECP256K1, TX_SIZE_COST_PER_BYTE
from ..base import LCDError, Module, Request, Route

PARAMS = {
    "max_memo_characters": "256",
    "tx_sig_limit": "7",
    "tx_size_cost_per_byte": str(TX_SIZE_COST_PER_BYTE),
    "sig_verify_cost_ed25519": "590",
    "sig_verify_cost_secp256k1": str(SIG_VERIFY_COST_SECP256K1),
}
MAX_MEMO_CHARACTERS = 256
# Module accounts render as ModuleAccount (name + permissions), as on a real chain.
MODULE_PERMISSIONS = {
    "fee_collector": [], "distribution": [], "mint": ["minter"], "bonded_tokens_pool": ["burner", "staking"],
    "not_bonded_tokens_pool": ["burner", "staking"], "gov": ["burner"], "compute": [],
    "transfer": ["minter", "burner"],
}
_MODULE_BY_ADDRESS = {module_address(name): name for name in MODULE_PERMISSIONS}


def account_key(addr: str) -> str:
    return f"auth/account/{addr}"


def check_address(addr: str, hrp: str = "secret") -> None:
    """Raise the gateway's InvalidArgument for a malformed bech32 account address."""
    try:
        got, data = bech32_decode(addr)
    except ValueError as exc:
        raise LCDError.invalid(f"invalid address: {exc}") from None
    if got != hrp:
        raise LCDError.invalid(f"invalid address: invalid Bech32 prefix; expected {hrp}, got {got}")
    if len(data) not in (20, 32):
        raise LCDError.invalid(f"invalid address: address length must be 20 or 32 bytes, got {len(data)}")


class AuthModule(Module):
    name = "auth"
    # What the tx pipeline (tx.py, below the modules) needs of x/auth, reached through the module it is given.
    max_memo_characters = MAX_MEMO_CHARACTERS
    account_key = staticmethod(account_key)

    # ---- keepers (store may be the committed Store or any Branch)
    @staticmethod
    def get_account(store, addr: str) -> dict | None:
        return store.get(account_key(addr))

    def ensure_account(self, store, addr: str) -> dict:
        acc = store.get(account_key(addr))
        if acc is None:
            number = store.get("auth/next_number", 0)
            store.set("auth/next_number", number + 1)
            acc = {"address": addr, "pub_key": None, "account_number": number, "sequence": 0}
            store.set(account_key(addr), acc)
        return acc

    @staticmethod
    def set_account(store, acc: dict) -> None:
        store.set(account_key(acc["address"]), acc)

    def default_genesis(self, accounts: dict[str, str]) -> dict:
        return {"accounts": [accounts[k] for k in sorted(accounts)]}

    def init_genesis(self, ctx, genesis: dict) -> None:
        for addr in genesis.get("accounts", []):
            self.ensure_account(ctx.store, addr)

    # ---- LCD
    @staticmethod
    def account_json(acc: dict) -> dict:
        pub = acc.get("pub_key")
        base = {
            "@type": "/cosmos.auth.v1beta1.BaseAccount",
            "address": acc["address"],
            "pub_key": None if pub is None else {"@type": "/cosmos.crypto.secp256k1.PubKey", "key": pub},
            "account_number": str(acc["account_number"]),
            "sequence": str(acc["sequence"]),
        }
        name = _MODULE_BY_ADDRESS.get(acc["address"])
        if name is None:
            return base
        base.pop("@type")
        return {"@type": "/cosmos.auth.v1beta1.ModuleAccount", "base_account": base, "name": name,
                "permissions": list(MODULE_PERMISSIONS[name])}

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/cosmos/auth/v1beta1/accounts/{address}", self._q_account),
            Route("GET", "/cosmos/auth/v1beta1/accounts", self._q_accounts),
            Route("GET", "/cosmos/auth/v1beta1/account_info/{address}", self._q_account_info),
            Route("GET", "/cosmos/auth/v1beta1/params", lambda req: {"params": dict(PARAMS)}),
            Route("GET", "/cosmos/auth/v1beta1/bech32", lambda req: {"bech32_prefix": "secret"}),
        ]

    def _found(self, req: Request) -> dict:
        addr = req.path_params["address"]
        check_address(addr)
        acc = self.get_account(req.chain.store, addr)
        if acc is None:
            raise LCDError.not_found(f"account {addr} not found")
        return acc

    def _q_account(self, req: Request) -> dict:
        return {"account": self.account_json(self._found(req))}

    def _q_account_info(self, req: Request) -> dict:
        info = self.account_json(self._found(req))
        info = info.get("base_account", info)
        info.pop("@type", None)
        return {"info": info}

    def _q_accounts(self, req: Request) -> dict:
        accs = sorted((a for _, a in req.chain.store.iterate("auth/account/")), key=lambda a: a["account_number"])
        page, pagination = paginate(req, accs)
        return {"accounts": [self.account_json(a) for a in page], "pagination": pagination}
