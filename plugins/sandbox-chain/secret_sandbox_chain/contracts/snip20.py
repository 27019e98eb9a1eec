"""A SNIP-20 token with SNIP-24 permits (docs/protocol-notes.md#snip-20), modelled on scrtlabs/snip20-reference-impl's behaviour.

Viewing keys are stored as SHA-256 and compared in constant time; every answer is space-padded to 256 bytes.
`deposit`/`redeem` wrap uscrt 1:1 (sSCRT-like) when the config enables them. `send`/`send_from` call the
recipient's `receive` (SNIP-20 Receiver interface) when it registered with `register_receive` or the sender gave
`recipient_code_hash`; the callback runs in the same tx, so a failing receiver rolls the send back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from . import permit as permits
from .base import (
    BankSend, Contract, ContractError, Deps, Env, Info, Response, WasmExecute, padded, uint, variant,
)

VK_ERROR = {"viewing_key_error": {"msg": "Wrong viewing key for this address or viewing key not set"}}
EXECUTES = ["transfer", "send", "register_receive", "create_viewing_key", "set_viewing_key", "increase_allowance",
            "decrease_allowance", "transfer_from", "send_from", "deposit", "redeem", "burn", "mint", "revoke_permit"]
QUERIES = ["token_info", "token_config", "contract_status", "exchange_rate", "minters", "balance",
           "transfer_history", "transaction_history", "allowance", "with_permit"]
_OK = {"status": "success"}


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Snip20(Contract):
    name = "snip20"

    # ---- instantiate
    def instantiate(self, deps: Deps, env: Env, info: Info, msg: dict) -> Response:
        try:
            name, symbol, decimals = msg["name"], msg["symbol"], msg["decimals"]
        except (KeyError, TypeError):
            raise ContractError.parse("missing field `name`, `symbol` or `decimals`", "InstantiateMsg") from None
        if not isinstance(decimals, int) or not 0 <= decimals <= 18:
            raise ContractError.generic("Decimals must not exceed 18")
        if not isinstance(symbol, str) or not 3 <= len(symbol) <= 20 or not symbol.isalpha() or not symbol.isupper():
            raise ContractError.generic("Ticker symbol is not in expected format [A-Z]{3,20}")
        cfg = msg.get("config") or {}
        s = deps.storage
        s.set("config", {
            "name": name, "symbol": symbol, "decimals": decimals, "admin": msg.get("admin") or info.sender,
            "public_total_supply": bool(cfg.get("public_total_supply", False)),
            "deposit": bool(cfg.get("enable_deposit", False)), "redeem": bool(cfg.get("enable_redeem", False)),
            "mint": bool(cfg.get("enable_mint", False)), "burn": bool(cfg.get("enable_burn", False)),
            "seed": hashlib.sha256(str(msg.get("prng_seed", "")).encode()).hexdigest(),
        })
        total = 0
        for entry in msg.get("initial_balances") or []:
            addr, amount = deps.validate(entry.get("address")), uint(entry, "amount")
            self._add(deps, addr, amount)
            total += amount
            self._record(deps, env, [addr], {"mint": {"minter": info.sender, "recipient": addr}}, amount, None)
        s.set("supply", str(total))
        s.set("minters", [info.sender] if cfg.get("enable_mint") else [])
        return Response()

    # ---- helpers
    def _balance(self, deps: Deps, addr: str) -> int:
        return int(deps.storage.get(f"bal/{addr}", "0"))

    def _add(self, deps: Deps, addr: str, amount: int) -> None:
        deps.storage.set(f"bal/{addr}", str(self._balance(deps, addr) + amount))

    def _sub(self, deps: Deps, addr: str, amount: int) -> None:
        have = self._balance(deps, addr)
        if have < amount:
            raise ContractError.generic(f"insufficient funds: balance={have}, required={amount}")
        deps.storage.set(f"bal/{addr}", str(have - amount))

    def _record(self, deps: Deps, env: Env, owners: list[str], action: dict, amount: int, memo) -> None:
        s = deps.storage
        tx_id = int(s.get("tx_count", 0)) + 1
        s.set("tx_count", tx_id)
        s.set(f"tx/{tx_id}", {"id": tx_id, "action": action,
                              "coins": {"denom": s.get("config")["symbol"], "amount": str(amount)},
                              "memo": memo, "block_time": env.time_seconds, "block_height": env.height})
        for owner in dict.fromkeys(owners):
            s.set(f"txs/{owner}", list(s.get(f"txs/{owner}", [])) + [tx_id])

    def _move(self, deps: Deps, env: Env, sender: str, owner: str, recipient: str, amount: int, memo) -> None:
        self._sub(deps, owner, amount)
        self._add(deps, recipient, amount)
        action = {"transfer": {"from": owner, "sender": sender, "recipient": recipient}}
        self._record(deps, env, [owner, sender, recipient], action, amount, memo)

    def _spend_allowance(self, deps: Deps, env: Env, owner: str, spender: str, amount: int) -> None:
        key = f"allow/{owner}/{spender}"
        allow = deps.storage.get(key) or {"amount": "0", "expiration": None}
        if allow["expiration"] is not None and env.time_seconds >= allow["expiration"]:
            raise ContractError.generic(f"Allowance has expired: {allow['expiration']}")
        if int(allow["amount"]) < amount:
            raise ContractError.generic(f"insufficient allowance: allowance={allow['amount']}, required={amount}")
        deps.storage.set(key, {**allow, "amount": str(int(allow["amount"]) - amount)})

    def _check_key(self, deps: Deps, addr: str, key) -> bool:
        stored = deps.storage.get(f"vk/{addr}")
        # compare even when no key is set so timing does not reveal that
        ok = hmac.compare_digest(stored or "0" * 64, _hash_key(key if isinstance(key, str) else ""))
        return stored is not None and ok

    # ---- execute
    def execute(self, deps: Deps, env: Env, info: Info, msg: dict) -> Response:
        name, body = variant(msg, EXECUTES)
        answer = getattr(self, "_x_" + name)(deps, env, info, body)
        messages = []
        if isinstance(answer, tuple):  # (answer, messages to run after this contract: payouts, callbacks)
            answer, messages = answer
        return Response(data=padded({name: answer}), messages=messages)

    def _x_transfer(self, deps, env, info, body):
        recipient = deps.validate(body.get("recipient"), "recipient")
        self._move(deps, env, info.sender, info.sender, recipient, uint(body, "amount"), body.get("memo"))
        return _OK

    def _x_send(self, deps, env, info, body):
        recipient = deps.validate(body.get("recipient"), "recipient")
        amount = uint(body, "amount")
        self._move(deps, env, info.sender, info.sender, recipient, amount, body.get("memo"))
        return _OK, self._receiver_call(deps, info.sender, info.sender, recipient, amount, body)

    def _receiver_call(self, deps, sender: str, owner: str, recipient: str, amount: int, body: dict) -> list:
        """The SNIP-20 Receiver callback: `receive` on a recipient that registered (or whose hash was given)."""
        code_hash = body.get("recipient_code_hash") or deps.storage.get(f"receiver/{recipient}")
        if not code_hash:
            return []
        receive: dict = {"sender": sender, "from": owner, "amount": str(amount), "msg": body.get("msg")}
        if body.get("memo") is not None:
            receive["memo"] = body["memo"]
        return [WasmExecute(recipient, str(code_hash), {"receive": receive})]

    def _x_register_receive(self, deps, env, info, body):
        deps.storage.set(f"receiver/{info.sender}", str(body.get("code_hash", "")))
        return _OK

    def _x_create_viewing_key(self, deps, env, info, body):
        seed = deps.storage.get("config")["seed"]
        material = f"{seed}|{env.height}|{env.time_seconds}|{info.sender}|{body.get('entropy', '')}".encode()
        key = "api_key_" + base64.b64encode(hashlib.sha256(material).digest()).decode()
        deps.storage.set(f"vk/{info.sender}", _hash_key(key))
        return {"key": key}

    def _x_set_viewing_key(self, deps, env, info, body):
        key = body.get("key")
        if not isinstance(key, str):
            raise ContractError.parse("missing field `key`", "msg")
        deps.storage.set(f"vk/{info.sender}", _hash_key(key))
        return _OK

    def _change_allowance(self, deps, env, info, body, sign: int):
        spender = deps.validate(body.get("spender"), "spender")
        key = f"allow/{info.sender}/{spender}"
        allow = deps.storage.get(key) or {"amount": "0", "expiration": None}
        amount = max(0, int(allow["amount"]) + sign * uint(body, "amount"))
        exp = body.get("expiration", allow["expiration"])
        deps.storage.set(key, {"amount": str(amount), "expiration": exp})
        return {"spender": spender, "owner": info.sender, "allowance": str(amount)}

    def _x_increase_allowance(self, deps, env, info, body):
        return self._change_allowance(deps, env, info, body, 1)

    def _x_decrease_allowance(self, deps, env, info, body):
        return self._change_allowance(deps, env, info, body, -1)

    def _x_transfer_from(self, deps, env, info, body):
        owner = deps.validate(body.get("owner"), "owner")
        recipient = deps.validate(body.get("recipient"), "recipient")
        amount = uint(body, "amount")
        self._spend_allowance(deps, env, owner, info.sender, amount)
        self._move(deps, env, info.sender, owner, recipient, amount, body.get("memo"))
        return _OK

    def _x_send_from(self, deps, env, info, body):
        self._x_transfer_from(deps, env, info, body)
        owner, recipient = body["owner"], body["recipient"]
        return _OK, self._receiver_call(deps, info.sender, owner, recipient, uint(body, "amount"), body)

    def _x_deposit(self, deps, env, info, body):
        if not deps.storage.get("config")["deposit"]:
            raise ContractError.generic("Deposit functionality is not enabled for this token.")
        extra = sorted(d for d in info.funds if d != "uscrt")
        if extra:
            raise ContractError.generic(f"Tried to deposit an unsupported coin {extra[0]}")
        amount = info.funds.get("uscrt", 0)
        if amount == 0:
            raise ContractError.generic("No funds were sent to be deposited")
        self._add(deps, info.sender, amount)
        deps.storage.set("supply", str(int(deps.storage.get("supply")) + amount))
        self._record(deps, env, [info.sender], {"deposit": {}}, amount, None)
        return _OK

    def _x_redeem(self, deps, env, info, body):
        if not deps.storage.get("config")["redeem"]:
            raise ContractError.generic("Redeem functionality is not enabled for this token.")
        amount = uint(body, "amount")
        if body.get("denom") not in (None, "uscrt"):
            raise ContractError.generic(f"Tried to redeem for an unsupported coin {body['denom']}")
        self._sub(deps, info.sender, amount)
        deps.storage.set("supply", str(int(deps.storage.get("supply")) - amount))
        self._record(deps, env, [info.sender], {"redeem": {}}, amount, None)
        return _OK, [BankSend(info.sender, {"uscrt": amount})]

    def _x_burn(self, deps, env, info, body):
        if not deps.storage.get("config")["burn"]:
            raise ContractError.generic("Burn functionality is not enabled for this token.")
        amount = uint(body, "amount")
        self._sub(deps, info.sender, amount)
        deps.storage.set("supply", str(int(deps.storage.get("supply")) - amount))
        self._record(deps, env, [info.sender], {"burn": {"burner": info.sender, "owner": info.sender}}, amount,
                     body.get("memo"))
        return _OK

    def _x_mint(self, deps, env, info, body):
        if not deps.storage.get("config")["mint"]:
            raise ContractError.generic("Mint functionality is not enabled for this token.")
        if info.sender not in deps.storage.get("minters", []):
            raise ContractError.generic("Minting is allowed to minter accounts only")
        recipient, amount = deps.validate(body.get("recipient"), "recipient"), uint(body, "amount")
        self._add(deps, recipient, amount)
        deps.storage.set("supply", str(int(deps.storage.get("supply")) + amount))
        self._record(deps, env, [recipient], {"mint": {"minter": info.sender, "recipient": recipient}}, amount,
                     body.get("memo"))
        return _OK

    def _x_revoke_permit(self, deps, env, info, body):
        deps.storage.set(f"revoked/{info.sender}/{body.get('permit_name', '')}", True)
        return _OK

    # ---- queries
    def query(self, deps: Deps, env: Env, msg: dict) -> bytes:
        name, body = variant(msg, QUERIES)
        if name == "with_permit":
            return padded(self._with_permit(deps, env, body))
        if name in ("balance", "transaction_history", "transfer_history", "allowance"):
            return padded(self._authenticated(deps, env, name, body))
        cfg = deps.storage.get("config")
        if name == "token_info":
            supply = deps.storage.get("supply") if cfg["public_total_supply"] else None
            return padded({"token_info": {"name": cfg["name"], "symbol": cfg["symbol"], "decimals": cfg["decimals"],
                                          "total_supply": supply}})
        if name == "token_config":
            return padded({"token_config": {
                "public_total_supply": cfg["public_total_supply"], "deposit_enabled": cfg["deposit"],
                "redeem_enabled": cfg["redeem"], "mint_enabled": cfg["mint"], "burn_enabled": cfg["burn"],
                "supported_denoms": ["uscrt"] if cfg["deposit"] else []}})
        if name == "contract_status":
            return padded({"contract_status": {"status": "normal_run"}})
        if name == "exchange_rate":
            wrapped = cfg["deposit"] or cfg["redeem"]
            return padded({"exchange_rate": {"rate": "1" if wrapped else "0", "denom": "SCRT" if wrapped else ""}})
        return padded({"minters": {"minters": deps.storage.get("minters", [])}})

    def _authenticated(self, deps: Deps, env: Env, name: str, body: dict) -> dict:
        if name == "transfer_history":
            raise ContractError.generic("`transfer_history` query is UNSUPPORTED. Use `transaction_history` "
                                        "instead.")
        if name == "allowance":
            owner, spender = deps.validate(body.get("owner"), "owner"), deps.validate(body.get("spender"), "spender")
            if not (self._check_key(deps, owner, body.get("key")) or self._check_key(deps, spender, body.get("key"))):
                return VK_ERROR
            return self._answer(deps, env, name, owner, body)
        addr = deps.validate(body.get("address"))
        if not self._check_key(deps, addr, body.get("key")):
            return VK_ERROR
        return self._answer(deps, env, name, addr, body)

    def _answer(self, deps: Deps, env: Env, name: str, who: str, body: dict) -> dict:
        if name == "balance":
            return {"balance": {"amount": str(self._balance(deps, who))}}
        if name == "transaction_history":
            ids = list(reversed(deps.storage.get(f"txs/{who}", [])))
            page, size = int(body.get("page") or 0), int(body.get("page_size") or 10)
            txs = [deps.storage.get(f"tx/{i}") for i in ids[page * size:(page + 1) * size]]
            return {"transaction_history": {"txs": txs, "total": len(ids)}}
        owner, spender = body["owner"], body["spender"]
        allow = deps.storage.get(f"allow/{owner}/{spender}") or {"amount": "0", "expiration": None}
        return {"allowance": {"spender": spender, "owner": owner, "allowance": allow["amount"],
                              "expiration": allow["expiration"]}}

    def _with_permit(self, deps: Deps, env: Env, body: dict) -> dict:
        signer, params = permits.verify(body.get("permit") or {}, env.contract)
        if deps.storage.get(f"revoked/{signer}/{params['permit_name']}"):
            raise ContractError.generic(f"Permit {params['permit_name']!r} was revoked by account {signer!r}")
        name, inner = variant(body.get("query") or {}, ["balance", "transaction_history", "allowance"])
        need = {"balance": "balance", "transaction_history": "history", "allowance": "allowance"}[name]
        perms = params["permissions"]
        if need not in perms and "owner" not in perms:
            raise ContractError.generic(f"No permission to query {need}, got permissions {perms!r}")
        if name == "allowance":
            owner, spender = deps.validate(inner.get("owner"), "owner"), deps.validate(inner.get("spender"), "spender")
            if signer not in (owner, spender):
                raise ContractError.generic(f"Cannot query allowance. Requires permit for either owner {owner!r} "
                                            f"or spender {spender!r}, got permit for {signer!r}")
            return self._answer(deps, env, name, owner, inner)
        return self._answer(deps, env, name, signer, inner)

