"""x/staking for the sandbox: validators, delegations, unbonding and redelegation (SDK 0.50 semantics, docs/protocol-notes.md#staking).

Amounts are exact: token amounts are ints, shares are Decimals rendered as LegacyDec (18 decimals).
No slashing happens in the sandbox, so every validator's exchange rate stays 1 token per share.
Other modules use: `get_validator`, `validators`, `bonded_validators`, `delegation_shares`,
`delegations_of`, `delegations_to`, `tokens_from_shares`, `total_bonded`, `consensus_power`.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Context, Decimal, InvalidOperation

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
from secret_sdk.protobuf.cosmos.staking import v1beta1 as pb

from ..crypto import bech32_decode, module_address, pubkey_to_address, to_valoper
from ..encoding import paginate, ts
from ..base import LCDError, Module, Request, Route, TxError

# ---------------------------------------------------------------------------------------------- decimals
# LegacyDec semantics: 18 fractional digits; Quo/Mul round half-even, *Truncate variants round down.
_CTX = Context(prec=80)
_Q = Decimal(1).scaleb(-18)


def dround(x: Decimal) -> Decimal:
    return x.quantize(_Q, rounding=ROUND_HALF_EVEN, context=_CTX)


def dtrunc(x: Decimal) -> Decimal:
    return x.quantize(_Q, rounding=ROUND_DOWN, context=_CTX)


def ddiv(a: Decimal, b: Decimal, truncate: bool = False) -> Decimal:
    q = _CTX.divide(Decimal(a), Decimal(b))
    return dtrunc(q) if truncate else dround(q)


def fmt_dec(x: Decimal | int | str) -> str:
    """LegacyDec JSON: always 18 fractional digits ("1.000000000000000000")."""
    return format(dtrunc(Decimal(x)), "f")


def to_int(x: Decimal) -> int:
    return int(x.to_integral_value(rounding=ROUND_DOWN))


def parse_dec(text: str) -> Decimal:
    """Parse a Dec string; ValueError like LegacyNewDecFromStr on garbage or more than 18 decimals."""
    text = (text or "").strip()
    if not text:
        raise ValueError("decimal string cannot be empty")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"failed to set decimal string with base 10: {text}") from None
    if not value.is_finite() or ("." in text and len(text.split(".")[1]) > 18):
        raise ValueError(f"value '{text}' exceeds max precision by {len(text.split('.')[-1]) - 18} decimal places")
    return value


def iso(dt: datetime) -> str:
    return dt.isoformat()


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


EPOCH_TS = "1970-01-01T00:00:00Z"
BOND_DENOM = "uscrt"
POWER_REDUCTION = 1_000_000  # sdk.DefaultPowerReduction: consensus power = tokens / 10^6
STATUSES = ["BOND_STATUS_UNSPECIFIED", "BOND_STATUS_UNBONDED", "BOND_STATUS_UNBONDING", "BOND_STATUS_BONDED"]
BONDED, UNBONDING, UNBONDED = "BOND_STATUS_BONDED", "BOND_STATUS_UNBONDING", "BOND_STATUS_UNBONDED"

# ------------------------------------------------------------------------------------- genesis validators
# (moniker, commission rate, max rate, max change rate, self-bond uscrt, jailed)
GENESIS_VALIDATORS = [
    ("Sandbox Alpha", "0.05", "0.20", "0.01", 400_000_000, False),
    ("Sandbox Beta", "0.10", "0.25", "0.01", 300_000_000, False),
    ("Sandbox Gamma", "0.02", "0.10", "0.01", 200_000_000, False),
    ("Sandbox Delta", "0.20", "0.50", "0.05", 100_000_000, False),
    ("Sandbox Epsilon (100% commission)", "1.00", "1.00", "0.01", 50_000_000, False),
    ("Sandbox Zeta (jailed)", "0.07", "0.20", "0.01", 25_000_000, True),
]
OPERATOR_LIQUID = 10_000_000  # each operator also gets 10 SCRT to pay fees with
# Genesis delegations from LocalSecret accounts: (account key, validator index, uscrt).
GENESIS_DELEGATIONS = [("b", 1, 100_000_000), ("c", 0, 50_000_000)]


def _seed(kind: str, index: int) -> bytes:
    return hashlib.sha256(f"secret-sandbox {kind} {index}".encode()).digest()


def operator_private_key(index: int) -> bytes:
    """The secp256k1 key of genesis validator `index`'s operator account (fixed, so tests can sign as it)."""
    return _seed("operator", index)


def operator_address(index: int) -> str:
    key = ec.derive_private_key(int.from_bytes(operator_private_key(index), "big"), ec.SECP256K1())
    pub33 = key.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    return pubkey_to_address(pub33)


def consensus_pubkey(index: int) -> bytes:
    key = ed25519.Ed25519PrivateKey.from_private_bytes(_seed("consensus", index))
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def default_params(unbonding_seconds: int) -> dict:
    return {
        "unbonding_time": f"{unbonding_seconds}s",
        "max_validators": 100,
        "max_entries": 7,
        "historical_entries": 10000,
        "bond_denom": BOND_DENOM,
        "min_commission_rate": "0.000000000000000000",
    }


# ------------------------------------------------------------------------------------------ the module
class StakingModule(Module):
    name = "staking"

    # ---- store access (keys: staking/validator/<valoper>, staking/delegation/<del>/<val>,
    #      staking/ubd/<del>/<val>, staking/red/<del>/<src>/<dst>, staking/params, staking/unbonding_id)
    def params(self, store) -> dict:
        return store.get("staking/params")

    def unbonding_seconds(self, store) -> int:
        return int(self.params(store)["unbonding_time"].rstrip("s"))

    def get_validator(self, store, valoper: str) -> dict | None:
        return store.get(f"staking/validator/{valoper}")

    def set_validator(self, store, val: dict) -> None:
        store.set(f"staking/validator/{val['operator_address']}", val)

    def validators(self, store) -> list[dict]:
        vals = [v for _, v in store.iterate("staking/validator/")]
        return sorted(vals, key=lambda v: bech32_decode(v["operator_address"])[1])  # the SDK orders by address bytes

    def bonded_validators(self, store) -> list[dict]:
        return [v for v in self.validators(store) if v["status"] == BONDED]

    def delegation_shares(self, store, delegator: str, valoper: str) -> Decimal | None:
        d = store.get(f"staking/delegation/{delegator}/{valoper}")
        return Decimal(d["shares"]) if d else None

    def delegations_of(self, store, delegator: str) -> list[tuple[str, Decimal]]:
        prefix = f"staking/delegation/{delegator}/"
        out = [(k[len(prefix):], Decimal(v["shares"])) for k, v in store.iterate(prefix)]
        return sorted(out, key=lambda x: bech32_decode(x[0])[1])

    def delegations_to(self, store, valoper: str) -> list[tuple[str, Decimal]]:
        out = []
        for k, v in store.iterate("staking/delegation/"):
            delegator, val = k.split("/")[2:4]
            if val == valoper:
                out.append((delegator, Decimal(v["shares"])))
        return sorted(out, key=lambda x: bech32_decode(x[0])[1])

    def all_delegations(self, store) -> list[tuple[str, str, Decimal]]:
        return [(*k.split("/")[2:4], Decimal(v["shares"])) for k, v in store.iterate("staking/delegation/")]

    @staticmethod
    def tokens_from_shares(val: dict, shares: Decimal) -> Decimal:
        total = Decimal(val["delegator_shares"])
        if total == 0:
            return Decimal(0)
        return ddiv(shares * int(val["tokens"]), total)

    @staticmethod
    def shares_from_tokens(val: dict, amount: int, truncate: bool = False) -> Decimal:
        return ddiv(Decimal(val["delegator_shares"]) * amount, Decimal(int(val["tokens"])), truncate)

    @staticmethod
    def consensus_power(val: dict) -> int:
        return int(val["tokens"]) // POWER_REDUCTION if val["status"] == BONDED else 0

    def total_bonded(self, store) -> int:
        return sum(int(v["tokens"]) for v in self.bonded_validators(store))

    def _next_unbonding_id(self, store) -> int:
        n = store.get("staking/unbonding_id", 1)
        store.set("staking/unbonding_id", n + 1)
        return n

    # ---- genesis
    def default_genesis(self, accounts: dict[str, str]) -> dict:
        return {"validators": GENESIS_VALIDATORS, "delegations": [(accounts[k], i, amt) for k, i, amt in GENESIS_DELEGATIONS]}

    def init_genesis(self, ctx, genesis: dict) -> None:
        store, bank = ctx.store, ctx.chain.module("bank")
        store.set("staking/params", default_params(ctx.chain.config.unbonding_seconds))
        valopers = []
        for i, (moniker, rate, max_rate, max_change, self_bond, jailed) in enumerate(genesis["validators"]):
            owner = operator_address(i)
            valoper = to_valoper(owner)
            valopers.append(valoper)
            status = UNBONDED if jailed else BONDED
            pool = module_address("not_bonded_tokens_pool" if jailed else "bonded_tokens_pool")
            bank.mint(store, owner, {BOND_DENOM: self_bond + OPERATOR_LIQUID})
            bank.send(store, owner, pool, {BOND_DENOM: self_bond})
            ctx.chain.module("auth").ensure_account(store, owner)
            self.set_validator(store, {
                "operator_address": valoper,
                "consensus_pubkey": base64.b64encode(consensus_pubkey(i)).decode(),
                "jailed": jailed,
                "status": status,
                "tokens": str(self_bond),
                "delegator_shares": str(Decimal(self_bond)),
                "description": {"moniker": moniker, "identity": "", "website": "https://scrt.network",
                                "security_contact": "", "details": f"Genesis validator {i} of the sandbox chain"},
                "unbonding_height": ctx.height if jailed else 0,
                "unbonding_time": iso(ctx.time) if jailed else None,
                "commission": {"rate": rate, "max_rate": max_rate, "max_change_rate": max_change},
                "commission_update_time": iso(ctx.time),
                "min_self_delegation": "1",
            })
            self._set_delegation(store, owner, valoper, Decimal(self_bond))
        for delegator, index, amount in genesis.get("delegations", []):
            self._bond(ctx, delegator, self.get_validator(store, valopers[index]), amount, from_account=True, events=False)

    # ---- core mechanics
    def _set_delegation(self, store, delegator: str, valoper: str, shares: Decimal) -> None:
        key = f"staking/delegation/{delegator}/{valoper}"
        if shares == 0:
            store.delete(key)
        else:
            store.set(key, {"shares": str(shares)})

    def _distribution(self, ctx):
        try:
            return ctx.chain.module("distribution")
        except KeyError:  # a chain assembled without distribution
            return None

    def _bond(self, ctx, delegator: str, val: dict, amount: int, from_account: bool, token_src: str | None = None,
              events: bool = True) -> Decimal:
        """keeper.Delegate: add tokens/shares to `val` for `delegator`, moving coins between pools."""
        store, bank = ctx.store, ctx.chain.module("bank")
        if Decimal(val["delegator_shares"]) == 0 and int(val["tokens"]) > 0:
            raise TxError("staking", 34, "cannot delegate to validators with invalid (zero) ex-rate")
        dist = self._distribution(ctx)
        old = self.delegation_shares(store, delegator, val["operator_address"])
        if dist is not None and old is not None:
            dist.before_delegation_modified(ctx, delegator, val["operator_address"])
        bonded_pool, not_bonded_pool = module_address("bonded_tokens_pool"), module_address("not_bonded_tokens_pool")
        dst_bonded = val["status"] == BONDED
        if from_account:
            bank.send(store, delegator, bonded_pool if dst_bonded else not_bonded_pool, {BOND_DENOM: amount},
                      ctx if events else None)
        elif token_src == BONDED and not dst_bonded:
            bank.send(store, bonded_pool, not_bonded_pool, {BOND_DENOM: amount}, ctx)
        elif token_src != BONDED and dst_bonded:
            bank.send(store, not_bonded_pool, bonded_pool, {BOND_DENOM: amount}, ctx)
        if int(val["tokens"]) == 0:
            new_shares = Decimal(amount)
        else:
            new_shares = self.shares_from_tokens(val, amount)
        val = {**val, "tokens": str(int(val["tokens"]) + amount),
               "delegator_shares": str(Decimal(val["delegator_shares"]) + new_shares)}
        self.set_validator(store, val)
        self._set_delegation(store, delegator, val["operator_address"], (old or Decimal(0)) + new_shares)
        if dist is not None:
            dist.after_delegation_modified(ctx, delegator, val["operator_address"])
        return new_shares

    def _unbond(self, ctx, delegator: str, valoper: str, shares: Decimal) -> tuple[int, dict]:
        """keeper.Unbond: remove shares, return the tokens they were worth (pools untouched here)."""
        store = ctx.store
        old = self.delegation_shares(store, delegator, valoper)
        if old is None:
            raise TxError("staking", 19, "no delegation for (address, validator) tuple")
        if old < shares:
            raise TxError("staking", 22, "insufficient delegation shares")
        val = self.get_validator(store, valoper)
        dist = self._distribution(ctx)
        if dist is not None:
            dist.before_delegation_modified(ctx, delegator, valoper)
        self._set_delegation(store, delegator, valoper, old - shares)
        total_shares = Decimal(val["delegator_shares"])
        if shares == total_shares:
            tokens = int(val["tokens"])
        else:
            tokens = to_int(self.tokens_from_shares(val, shares))
        val = {**val, "tokens": str(int(val["tokens"]) - tokens), "delegator_shares": str(total_shares - shares)}
        self.set_validator(store, val)
        if dist is not None:
            dist.after_delegation_modified(ctx, delegator, valoper)
        return tokens, val

    def _validate_unbond_amount(self, store, delegator: str, val: dict, amount: int) -> Decimal:
        """keeper.ValidateUnbondAmount: the shares that `amount` tokens represent, capped at the delegation."""
        shares = self.shares_from_tokens(val, amount)
        truncated = self.shares_from_tokens(val, amount, truncate=True)
        del_shares = self.delegation_shares(store, delegator, val["operator_address"])
        if del_shares is None:
            raise TxError("staking", 19, "no delegation for (address, validator) tuple")
        if truncated > del_shares:
            raise TxError("sdk", 18, "invalid shares amount: invalid request")
        return min(shares, del_shares)

    # ---- message handlers
    def msg_handlers(self) -> dict:
        return {
            "/cosmos.staking.v1beta1.MsgDelegate": (pb.MsgDelegate, self._msg_delegate),
            "/cosmos.staking.v1beta1.MsgUndelegate": (pb.MsgUndelegate, self._msg_undelegate),
            "/cosmos.staking.v1beta1.MsgBeginRedelegate": (pb.MsgBeginRedelegate, self._msg_redelegate),
        }

    def amino_names(self) -> dict[str, str]:
        return {
            "/cosmos.staking.v1beta1.MsgDelegate": "cosmos-sdk/MsgDelegate",
            "/cosmos.staking.v1beta1.MsgUndelegate": "cosmos-sdk/MsgUndelegate",
            "/cosmos.staking.v1beta1.MsgBeginRedelegate": "cosmos-sdk/MsgBeginRedelegate",
        }

    @staticmethod
    def _check_signer(ctx, delegator: str) -> None:
        _check_address(delegator, "secret", "delegator")
        if delegator != ctx.signer:
            raise TxError("sdk", 8, f"pubKey does not match signer address {delegator} with signer index: 0: invalid pubkey")

    def _amount(self, store, coin, what: str = "invalid shares amount") -> int:
        try:
            amount = int(coin.amount) if coin is not None and coin.amount else 0
        except ValueError:
            amount = 0
        if coin is None or amount <= 0:
            raise TxError("sdk", 18, f"{what}: invalid request")
        bond_denom = self.params(store)["bond_denom"]
        if coin.denom != bond_denom:
            raise TxError("sdk", 18, f"invalid coin denomination: got {coin.denom}, expected {bond_denom}: invalid request")
        return amount

    def _require_validator(self, store, valoper: str) -> dict:
        _check_address(valoper, "secretvaloper", "validator")
        val = self.get_validator(store, valoper)
        if val is None:
            raise TxError("staking", 3, "validator does not exist")
        return val

    def _msg_delegate(self, ctx, msg: pb.MsgDelegate):
        val = self._require_validator(ctx.store, msg.validator_address)
        self._check_signer(ctx, msg.delegator_address)
        amount = self._amount(ctx.store, msg.amount, "invalid delegation amount")
        new_shares = self._bond(ctx, msg.delegator_address, val, amount, from_account=True)
        ctx.emit("delegate", ("validator", msg.validator_address), ("delegator", msg.delegator_address),
                 ("amount", f"{amount}{BOND_DENOM}"), ("new_shares", fmt_dec(new_shares)))
        return pb.MsgDelegateResponse()

    def _msg_undelegate(self, ctx, msg: pb.MsgUndelegate):
        store = ctx.store
        _check_address(msg.validator_address, "secretvaloper", "validator")
        self._check_signer(ctx, msg.delegator_address)
        amount = self._amount(store, msg.amount)
        val = self.get_validator(store, msg.validator_address)
        if val is None:
            raise TxError("staking", 3, "validator does not exist")
        shares = self._validate_unbond_amount(store, msg.delegator_address, val, amount)
        ubd_key = f"staking/ubd/{msg.delegator_address}/{msg.validator_address}"
        ubd = store.get(ubd_key, {"entries": []})
        if len(ubd["entries"]) >= self.params(store)["max_entries"]:
            raise TxError("staking", 27, "too many unbonding delegation entries for (delegator, validator) tuple")
        was_bonded = val["status"] == BONDED
        tokens, val = self._unbond(ctx, msg.delegator_address, msg.validator_address, shares)
        if was_bonded:
            ctx.chain.module("bank").send(store, module_address("bonded_tokens_pool"),
                                          module_address("not_bonded_tokens_pool"), {BOND_DENOM: tokens}, ctx)
        completion = ctx.time + timedelta(seconds=self.unbonding_seconds(store))
        entries = [dict(e) for e in store.get(ubd_key, {"entries": []})["entries"]]
        for e in entries:  # SDK 0.50 merges entries created in the same block with the same completion time
            if e["creation_height"] == ctx.height and e["completion_time"] == iso(completion):
                e["initial_balance"] = str(int(e["initial_balance"]) + tokens)
                e["balance"] = str(int(e["balance"]) + tokens)
                break
        else:
            entries.append({"creation_height": ctx.height, "completion_time": iso(completion),
                            "initial_balance": str(tokens), "balance": str(tokens),
                            "unbonding_id": self._next_unbonding_id(store)})
        store.set(ubd_key, {"entries": entries})
        ctx.emit("unbond", ("validator", msg.validator_address), ("delegator", msg.delegator_address),
                 ("amount", f"{tokens}{BOND_DENOM}"), ("completion_time", ts(completion)))
        return pb.MsgUndelegateResponse(completion_time=completion, amount=Coin(denom=BOND_DENOM, amount=str(tokens)))

    def has_receiving_redelegation(self, store, delegator: str, valoper: str) -> bool:
        return any(k.split("/")[4] == valoper for k, _ in store.iterate(f"staking/red/{delegator}/"))

    def _msg_redelegate(self, ctx, msg: pb.MsgBeginRedelegate):
        store = ctx.store
        src_addr, dst_addr, delegator = msg.validator_src_address, msg.validator_dst_address, msg.delegator_address
        _check_address(src_addr, "secretvaloper", "validator source")
        _check_address(dst_addr, "secretvaloper", "validator destination")
        self._check_signer(ctx, delegator)
        amount = self._amount(store, msg.amount)
        src = self.get_validator(store, src_addr)
        if src is None:
            raise TxError("staking", 3, "validator does not exist")
        shares = self._validate_unbond_amount(store, delegator, src, amount)
        if src_addr == dst_addr:
            raise TxError("staking", 29, "cannot redelegate to the same validator")
        dst = self.get_validator(store, dst_addr)
        if dst is None:
            raise TxError("staking", 31, "redelegation destination validator not found")
        if self.has_receiving_redelegation(store, delegator, src_addr):
            raise TxError("staking", 32, "redelegation to this validator already in progress; first redelegation to "
                                         "this validator must complete before next redelegation")
        red_key = f"staking/red/{delegator}/{src_addr}/{dst_addr}"
        entries = [dict(e) for e in store.get(red_key, {"entries": []})["entries"]]
        if len(entries) >= self.params(store)["max_entries"]:
            raise TxError("staking", 33, "too many redelegation entries for (delegator, src-validator, dst-validator) tuple")
        src_status = src["status"]
        tokens, src = self._unbond(ctx, delegator, src_addr, shares)
        if tokens == 0:
            raise TxError("staking", 30, "too few tokens to redelegate (truncates to zero tokens)")
        dst = self.get_validator(store, dst_addr)
        shares_dst = self._bond(ctx, delegator, dst, tokens, from_account=False, token_src=src_status)
        # getBeginInfo: bonded source -> full unbonding time; unbonding -> its own end; unbonded -> immediate.
        if src_status == BONDED:
            completion = ctx.time + timedelta(seconds=self.unbonding_seconds(store))
        elif src_status == UNBONDING:
            completion = from_iso(src["unbonding_time"])
        else:
            completion = ctx.time
        if src_status != UNBONDED:
            entries.append({"creation_height": ctx.height, "completion_time": iso(completion),
                            "initial_balance": str(tokens), "shares_dst": str(shares_dst),
                            "unbonding_id": self._next_unbonding_id(store)})
            store.set(red_key, {"entries": entries})
        ctx.emit("redelegate", ("source_validator", src_addr), ("destination_validator", dst_addr),
                 ("amount", f"{tokens}{BOND_DENOM}"), ("completion_time", ts(completion)))
        return pb.MsgBeginRedelegateResponse(completion_time=completion)

    # ---- blocks
    def end_block(self, ctx) -> None:
        store, now = ctx.store, ctx.time
        for key, ubd in list(store.iterate("staking/ubd/")):
            delegator, valoper = key.split("/")[2:4]
            mature = [e for e in ubd["entries"] if from_iso(e["completion_time"]) <= now]
            if not mature:
                continue
            amount = sum(int(e["balance"]) for e in mature)
            if amount:
                ctx.chain.module("bank").send(store, module_address("not_bonded_tokens_pool"), delegator,
                                              {BOND_DENOM: amount}, ctx)
            rest = [e for e in ubd["entries"] if e not in mature]
            if rest:
                store.set(key, {"entries": rest})
            else:
                store.delete(key)
            ctx.emit("complete_unbonding", ("amount", f"{amount}{BOND_DENOM}" if amount else ""),
                     ("validator", valoper), ("delegator", delegator))
        for key, red in list(store.iterate("staking/red/")):
            delegator, src, dst = key.split("/")[2:5]
            mature = [e for e in red["entries"] if from_iso(e["completion_time"]) <= now]
            if not mature:
                continue
            rest = [e for e in red["entries"] if e not in mature]
            if rest:
                store.set(key, {"entries": rest})
            else:
                store.delete(key)
            amount = sum(int(e["initial_balance"]) for e in mature)
            ctx.emit("complete_redelegation", ("amount", f"{amount}{BOND_DENOM}"), ("source_validator", src),
                     ("destination_validator", dst), ("delegator", delegator))
        for val in self.validators(store):  # UnbondAllMatureValidators
            if val["status"] == UNBONDING and val["unbonding_time"] and from_iso(val["unbonding_time"]) <= now:
                self.set_validator(store, {**val, "status": UNBONDED})

    # ---- JSON views (shapes: docs/protocol-notes.md#staking)
    def validator_json(self, val: dict) -> dict:
        c = val["commission"]
        return {
            "operator_address": val["operator_address"],
            "consensus_pubkey": {"@type": "/cosmos.crypto.ed25519.PubKey", "key": val["consensus_pubkey"]},
            "jailed": val["jailed"],
            "status": val["status"],
            "tokens": val["tokens"],
            "delegator_shares": fmt_dec(val["delegator_shares"]),
            "description": dict(val["description"]),
            "unbonding_height": str(val["unbonding_height"]),
            "unbonding_time": ts(from_iso(val["unbonding_time"])) if val["unbonding_time"] else EPOCH_TS,
            "commission": {
                "commission_rates": {"rate": fmt_dec(c["rate"]), "max_rate": fmt_dec(c["max_rate"]),
                                     "max_change_rate": fmt_dec(c["max_change_rate"])},
                "update_time": ts(from_iso(val["commission_update_time"])),
            },
            "min_self_delegation": val["min_self_delegation"],
            "unbonding_on_hold_ref_count": "0",
            "unbonding_ids": [],
        }

    def delegation_json(self, store, delegator: str, valoper: str, shares: Decimal) -> dict:
        val = self.get_validator(store, valoper)
        return {
            "delegation": {"delegator_address": delegator, "validator_address": valoper, "shares": fmt_dec(shares)},
            "balance": {"denom": BOND_DENOM, "amount": str(to_int(self.tokens_from_shares(val, shares)))},
        }

    @staticmethod
    def _ubd_json(delegator: str, valoper: str, ubd: dict) -> dict:
        return {
            "delegator_address": delegator, "validator_address": valoper,
            "entries": [{"creation_height": str(e["creation_height"]), "completion_time": ts(from_iso(e["completion_time"])),
                         "initial_balance": e["initial_balance"], "balance": e["balance"],
                         "unbonding_id": str(e["unbonding_id"]), "unbonding_on_hold_ref_count": "0"}
                        for e in ubd["entries"]],
        }

    def _red_json(self, store, key: str, red: dict) -> dict:
        delegator, src, dst = key.split("/")[2:5]
        dst_val = self.get_validator(store, dst)
        entries = [{"creation_height": str(e["creation_height"]), "completion_time": ts(from_iso(e["completion_time"])),
                    "initial_balance": e["initial_balance"], "shares_dst": fmt_dec(e["shares_dst"]),
                    "unbonding_id": str(e["unbonding_id"]), "unbonding_on_hold_ref_count": "0"}
                   for e in red["entries"]]
        return {
            "redelegation": {"delegator_address": delegator, "validator_src_address": src,
                             "validator_dst_address": dst, "entries": entries},
            "entries": [{"redelegation_entry": entry,
                         "balance": str(to_int(self.tokens_from_shares(dst_val, Decimal(e["shares_dst"]))))}
                        for entry, e in zip(entries, red["entries"])],
        }

    # ---- routes
    def routes(self) -> list[Route]:
        p = "/cosmos/staking/v1beta1"
        return [
            Route("GET", f"{p}/validators", self._q_validators),
            Route("GET", f"{p}/validators/{{validator_addr}}", self._q_validator),
            Route("GET", f"{p}/validators/{{validator_addr}}/delegations", self._q_validator_delegations),
            Route("GET", f"{p}/validators/{{validator_addr}}/delegations/{{delegator_addr}}", self._q_delegation),
            Route("GET", f"{p}/validators/{{validator_addr}}/delegations/{{delegator_addr}}/unbonding_delegation",
                  self._q_unbonding_delegation),
            Route("GET", f"{p}/validators/{{validator_addr}}/unbonding_delegations", self._q_validator_unbondings),
            Route("GET", f"{p}/delegations/{{delegator_addr}}", self._q_delegator_delegations),
            Route("GET", f"{p}/delegators/{{delegator_addr}}/unbonding_delegations", self._q_delegator_unbondings),
            Route("GET", f"{p}/delegators/{{delegator_addr}}/redelegations", self._q_redelegations),
            Route("GET", f"{p}/delegators/{{delegator_addr}}/validators", self._q_delegator_validators),
            Route("GET", f"{p}/delegators/{{delegator_addr}}/validators/{{validator_addr}}", self._q_delegator_validator),
            Route("GET", f"{p}/pool", self._q_pool),
            Route("GET", f"{p}/params", self._q_params),
        ]

    def _val_param(self, req: Request, name: str = "validator_addr") -> str:
        addr = req.path_params.get(name, "")
        if not addr:
            raise LCDError.invalid("validator address cannot be empty")
        _query_address(addr, "secretvaloper")
        return addr

    @staticmethod
    def _del_param(req: Request) -> str:
        addr = req.path_params.get("delegator_addr", "")
        if not addr:
            raise LCDError.invalid("delegator address cannot be empty")
        _query_address(addr, "secret")
        return addr

    def _q_validators(self, req: Request) -> dict:
        status = req.param("status", "") or ""
        if status.isdigit() and int(status) < len(STATUSES):
            status = STATUSES[int(status)]
        if status and status not in STATUSES:
            raise LCDError.invalid(f"invalid validator status {status}")
        vals = [v for v in self.validators(req.chain.store) if not status or v["status"] == status]
        page, pagination = paginate(req, [self.validator_json(v) for v in vals])
        return {"validators": page, "pagination": pagination}

    def _q_validator(self, req: Request) -> dict:
        addr = self._val_param(req)
        val = self.get_validator(req.chain.store, addr)
        if val is None:
            raise LCDError.not_found(f"validator {addr} not found")
        return {"validator": self.validator_json(val)}

    def _q_validator_delegations(self, req: Request) -> dict:
        addr = self._val_param(req)
        store = req.chain.store
        items = [self.delegation_json(store, d, addr, s) for d, s in self.delegations_to(store, addr)]
        page, pagination = paginate(req, items)
        return {"delegation_responses": page, "pagination": pagination}

    def _q_delegation(self, req: Request) -> dict:
        valoper, delegator = self._val_param(req), self._del_param(req)
        store = req.chain.store
        shares = self.delegation_shares(store, delegator, valoper)
        if shares is None:
            raise LCDError.not_found(f"delegation with delegator {delegator} not found for validator {valoper}")
        return {"delegation_response": self.delegation_json(store, delegator, valoper, shares)}

    def _q_unbonding_delegation(self, req: Request) -> dict:
        valoper, delegator = self._val_param(req), self._del_param(req)
        ubd = req.chain.store.get(f"staking/ubd/{delegator}/{valoper}")
        if ubd is None:
            raise LCDError.not_found(f"unbonding delegation with delegator {delegator} not found for validator {valoper}")
        return {"unbond": self._ubd_json(delegator, valoper, ubd)}

    def _q_validator_unbondings(self, req: Request) -> dict:
        valoper = self._val_param(req)
        items = []
        for key, ubd in req.chain.store.iterate("staking/ubd/"):
            delegator, val = key.split("/")[2:4]
            if val == valoper:
                items.append(self._ubd_json(delegator, val, ubd))
        page, pagination = paginate(req, items)
        return {"unbonding_responses": page, "pagination": pagination}

    def _q_delegator_delegations(self, req: Request) -> dict:
        delegator = self._del_param(req)
        store = req.chain.store
        items = [self.delegation_json(store, delegator, v, s) for v, s in self.delegations_of(store, delegator)]
        page, pagination = paginate(req, items)
        return {"delegation_responses": page, "pagination": pagination}

    def _q_delegator_unbondings(self, req: Request) -> dict:
        delegator = self._del_param(req)
        prefix = f"staking/ubd/{delegator}/"
        items = [self._ubd_json(delegator, k[len(prefix):], u) for k, u in req.chain.store.iterate(prefix)]
        page, pagination = paginate(req, items)
        return {"unbonding_responses": page, "pagination": pagination}

    def _q_redelegations(self, req: Request) -> dict:
        delegator = self._del_param(req)
        src, dst = req.param("src_validator_addr", "") or "", req.param("dst_validator_addr", "") or ""
        store = req.chain.store
        items = []
        for key, red in store.iterate(f"staking/red/{delegator}/"):
            s, d = key.split("/")[3:5]
            if (not src or s == src) and (not dst or d == dst):
                items.append(self._red_json(store, key, red))
        if src and dst and not items:
            raise LCDError.not_found(f"redelegation not found for delegator address {delegator} "
                                     f"from validator address {src}")
        page, pagination = paginate(req, items)
        return {"redelegation_responses": page, "pagination": pagination}

    def _q_delegator_validators(self, req: Request) -> dict:
        delegator = self._del_param(req)
        store = req.chain.store
        items = [self.validator_json(self.get_validator(store, v)) for v, _ in self.delegations_of(store, delegator)]
        page, pagination = paginate(req, items)
        return {"validators": page, "pagination": pagination}

    def _q_delegator_validator(self, req: Request) -> dict:
        delegator, valoper = self._del_param(req), self._val_param(req)
        store = req.chain.store
        if self.delegation_shares(store, delegator, valoper) is None:
            raise LCDError.unknown("no delegation for (address, validator) tuple")
        return {"validator": self.validator_json(self.get_validator(store, valoper))}

    def _q_pool(self, req: Request) -> dict:
        bank, store = req.chain.module("bank"), req.chain.store
        return {"pool": {
            "not_bonded_tokens": str(bank.balance(store, module_address("not_bonded_tokens_pool"), BOND_DENOM)),
            "bonded_tokens": str(bank.balance(store, module_address("bonded_tokens_pool"), BOND_DENOM)),
        }}

    def _q_params(self, req: Request) -> dict:
        return {"params": dict(self.params(req.chain.store))}


def _check_address(addr: str, hrp: str, what: str) -> None:
    """Tx-side address validation with the SDK's wording (ErrInvalidAddress, code 7)."""
    try:
        got, data = bech32_decode(addr)
    except ValueError as e:
        if not addr:
            raise TxError("sdk", 7, "empty address string is not allowed: invalid address") from None
        raise TxError("sdk", 7, f"invalid {what} address: {e}: invalid address") from None
    if got != hrp:
        raise TxError("sdk", 7, f"invalid {what} address: invalid Bech32 prefix; expected {hrp}, got {got}: invalid address")


def _query_address(addr: str, hrp: str) -> None:
    try:
        got, _ = bech32_decode(addr)
    except ValueError as e:
        raise LCDError.unknown(str(e)) from None
    if got != hrp:
        raise LCDError.unknown(f"invalid Bech32 prefix; expected {hrp}, got {got}")
