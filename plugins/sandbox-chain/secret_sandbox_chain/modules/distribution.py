"""x/distribution for the sandbox (Secret's fork, docs/protocol-notes.md#distribution): block rewards, commission,
community pool, foundation tax.

Every block a fixed provision is minted and, with the fees collected, split: foundation tax to the foundation
address, validators by consensus power (each keeps its commission), the rest to the community pool.
Delegator rewards use one cumulative reward-per-share ratio per validator (F1's idea, folded every block):
a delegation's reward is shares x (ratio now - ratio when it last changed), truncated to 18 decimals.
Staking calls `before_delegation_modified` / `after_delegation_modified` around every share change, so
pending rewards are withdrawn first, as the SDK's hooks do.
"""

from __future__ import annotations

import hashlib
from decimal import ROUND_DOWN, Context, Decimal

from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
from secret_sdk.protobuf.cosmos.distribution import v1beta1 as pb

from ..crypto import bech32_encode, from_valoper, module_address
from ..base import LCDError, Module, Request, Route, TxError
from .staking import _check_address, _query_address, ddiv, dtrunc, fmt_dec, to_int

DEFAULT_BLOCK_PROVISION = 1_000_000  # uscrt minted per block (1 SCRT), standing in for x/mint's inflation
FOUNDATION_ADDRESS = bech32_encode("secret", hashlib.sha256(b"secret-sandbox foundation").digest()[:20])

DecCoins = dict[str, Decimal]
_CTX36 = Context(prec=90)
_RATIO_Q = Decimal(1).scaleb(-36)


def _load(raw: dict | None) -> DecCoins:
    return {d: Decimal(a) for d, a in (raw or {}).items()}


def _save(coins: DecCoins) -> dict:
    return {d: str(a) for d, a in sorted(coins.items()) if a != 0}


def _add(a: DecCoins, b: DecCoins, sign: int = 1) -> DecCoins:
    out = dict(a)
    for d, v in b.items():
        out[d] = out.get(d, Decimal(0)) + sign * v
    return {d: v for d, v in out.items() if v != 0}


def dec_coins_json(coins: DecCoins) -> list[dict]:
    return [{"denom": d, "amount": fmt_dec(a)} for d, a in sorted(coins.items()) if a != 0]


def coins_string(coins: dict[str, int]) -> str:
    """sdk.Coins.String(): "10uscrt,5uatom" (sorted by denom, zero coins dropped)."""
    return ",".join(f"{a}{d}" for d, a in sorted(coins.items()) if a)


def _truncate(coins: DecCoins) -> tuple[dict[str, int], DecCoins]:
    """DecCoins.TruncateDecimal: integer coins plus the fractional remainder."""
    whole = {d: to_int(a) for d, a in coins.items() if to_int(a) > 0}
    return whole, _add(coins, {d: Decimal(a) for d, a in whole.items()}, -1)


class DistributionModule(Module):
    name = "distribution"

    # ---- state: distribution/params, /provision, /community_pool, /val/<valoper>,
    #      /start/<delegator>/<valoper>, /withdraw/<delegator>
    def params(self, store) -> dict:
        return store.get("distribution/params")

    def _val(self, store, valoper: str) -> dict:
        return store.get(f"distribution/val/{valoper}", {"outstanding": {}, "commission": {}, "ratio": {}})

    def community_pool(self, store) -> DecCoins:
        return _load(store.get("distribution/community_pool"))

    def withdraw_address(self, store, delegator: str) -> str:
        return store.get(f"distribution/withdraw/{delegator}", delegator)

    def _staking(self, chain):
        return chain.module("staking")

    # ---- genesis
    def default_genesis(self, accounts: dict[str, str]) -> dict:
        return {
            "params": {
                "community_tax": "0.020000000000000000",
                "base_proposer_reward": "0.000000000000000000",
                "bonus_proposer_reward": "0.000000000000000000",
                "withdraw_addr_enabled": True,
                "secret_foundation_tax": "0.030000000000000000",
                "secret_foundation_address": FOUNDATION_ADDRESS,
                "minimum_restake_threshold": "10000000.000000000000000000",
                "restake_period": "10000",
            },
            "block_provision": DEFAULT_BLOCK_PROVISION,
        }

    def init_genesis(self, ctx, genesis: dict) -> None:
        store = ctx.store
        store.set("distribution/params", dict(genesis["params"]))
        store.set("distribution/provision", int(genesis.get("block_provision", DEFAULT_BLOCK_PROVISION)))
        store.set("distribution/community_pool", {})
        for delegator, valoper, shares in self._staking(ctx.chain).all_delegations(store):
            store.set(f"distribution/start/{delegator}/{valoper}", {"ratio": {}, "shares": str(shares)})

    # ---- allocation (BeginBlocker)
    def begin_block(self, ctx) -> None:
        store, bank = ctx.store, ctx.chain.module("bank")
        params = self.params(store)
        me = module_address("distribution")
        provision = store.get("distribution/provision", 0)
        if provision:
            bank.mint(store, me, {"uscrt": provision})
        fee_collector = module_address("fee_collector")
        fees = {d: a for d, a in _balances(bank, store, fee_collector).items() if a}
        if fees:
            bank.send(store, fee_collector, me, fees)
        collected: DecCoins = {d: Decimal(a) for d, a in fees.items()}
        collected = _add(collected, {"uscrt": Decimal(provision)} if provision else {})
        if not collected:
            return
        remaining = dict(collected)
        vote_multiplier = Decimal(1) - Decimal(params["community_tax"])
        tax = Decimal(params["secret_foundation_tax"])
        if tax > 0 and params["secret_foundation_address"]:
            # Secret's fork: the foundation's cut is paid out in whole coins; its dust joins the community pool.
            foundation = {d: dtrunc(a * tax) for d, a in collected.items()}
            paid, _ = _truncate(foundation)
            if paid:
                bank.send(store, me, params["secret_foundation_address"], paid)
            remaining = _add(remaining, {d: Decimal(a) for d, a in paid.items()}, -1)
            vote_multiplier -= tax
        staking = self._staking(ctx.chain)
        validators = staking.bonded_validators(store)
        total_power = sum(staking.consensus_power(v) for v in validators)
        if total_power > 0:
            for val in validators:
                fraction = ddiv(Decimal(staking.consensus_power(val)), Decimal(total_power))
                reward = {d: dtrunc(dtrunc(a * vote_multiplier) * fraction) for d, a in collected.items()}
                self._allocate_to_validator(ctx, val, reward)
                remaining = _add(remaining, reward, -1)
        store.set("distribution/community_pool", _save(_add(self.community_pool(store), remaining)))

    def _allocate_to_validator(self, ctx, val: dict, reward: DecCoins) -> None:
        rate = Decimal(val["commission"]["rate"])
        commission = {d: dtrunc(a * rate) for d, a in reward.items()}
        shared = _add(reward, commission, -1)
        valoper = val["operator_address"]
        rec = self._val(ctx.store, valoper)
        total_shares = Decimal(val["delegator_shares"])
        ratio = _load(rec["ratio"])
        if total_shares > 0:
            # 36 decimals keep per-share dust far below the 18 that rewards are shown with.
            ratio = _add(ratio, {d: (a / total_shares).quantize(_RATIO_Q, rounding=ROUND_DOWN, context=_CTX36)
                                 for d, a in shared.items()})
        ctx.store.set(f"distribution/val/{valoper}", {
            "outstanding": _save(_add(_load(rec["outstanding"]), reward)),
            "commission": _save(_add(_load(rec["commission"]), commission)),
            "ratio": _save(ratio),
        })
        ctx.emit("commission", ("amount", _dec_coins_string(commission)), ("validator", valoper))
        ctx.emit("rewards", ("amount", _dec_coins_string(reward)), ("validator", valoper))

    # ---- rewards of one delegation
    def pending_rewards(self, store, delegator: str, valoper: str) -> DecCoins:
        start = store.get(f"distribution/start/{delegator}/{valoper}")
        if start is None:
            return {}
        now = _load(self._val(store, valoper)["ratio"])
        delta = _add(now, _load(start["ratio"]), -1)
        shares = Decimal(start["shares"])
        return {d: dtrunc(shares * r) for d, r in delta.items() if dtrunc(shares * r) > 0}

    def _withdraw(self, ctx, delegator: str, valoper: str) -> dict[str, int]:
        """withdrawDelegationRewards: pay whole coins to the withdraw address, dust to the community pool."""
        store = ctx.store
        rewards = self.pending_rewards(store, delegator, valoper)
        coins, remainder = _truncate(rewards)
        if coins:
            ctx.chain.module("bank").send(store, module_address("distribution"),
                                          self.withdraw_address(store, delegator), coins, ctx)
        rec = self._val(store, valoper)
        store.set(f"distribution/val/{valoper}", {**rec, "outstanding": _save(_add(_load(rec["outstanding"]), rewards, -1))})
        store.set("distribution/community_pool", _save(_add(self.community_pool(store), remainder)))
        start = store.get(f"distribution/start/{delegator}/{valoper}")
        if start is not None:  # rewards are now paid up to the current ratio
            store.set(f"distribution/start/{delegator}/{valoper}", {**start, "ratio": rec["ratio"]})
        ctx.emit("withdraw_rewards", ("amount", coins_string(coins) or "0uscrt"), ("validator", valoper),
                 ("delegator", delegator))
        return coins

    # hooks called by staking
    def before_delegation_modified(self, ctx, delegator: str, valoper: str) -> None:
        self._withdraw(ctx, delegator, valoper)

    def after_delegation_modified(self, ctx, delegator: str, valoper: str) -> None:
        store = ctx.store
        shares = self._staking(ctx.chain).delegation_shares(store, delegator, valoper)
        key = f"distribution/start/{delegator}/{valoper}"
        if shares is None:
            store.delete(key)
        else:
            store.set(key, {"ratio": self._val(store, valoper)["ratio"], "shares": str(shares)})

    # ---- messages
    def msg_handlers(self) -> dict:
        p = "/cosmos.distribution.v1beta1."
        return {
            p + "MsgWithdrawDelegatorReward": (pb.MsgWithdrawDelegatorReward, self._msg_withdraw_reward),
            p + "MsgSetWithdrawAddress": (pb.MsgSetWithdrawAddress, self._msg_set_withdraw_address),
            p + "MsgWithdrawValidatorCommission": (pb.MsgWithdrawValidatorCommission, self._msg_withdraw_commission),
            p + "MsgFundCommunityPool": (pb.MsgFundCommunityPool, self._msg_fund_community_pool),
        }

    def amino_names(self) -> dict[str, str]:
        p = "/cosmos.distribution.v1beta1."
        return {
            p + "MsgWithdrawDelegatorReward": "cosmos-sdk/MsgWithdrawDelegationReward",
            p + "MsgSetWithdrawAddress": "cosmos-sdk/MsgModifyWithdrawAddress",
            p + "MsgWithdrawValidatorCommission": "cosmos-sdk/MsgWithdrawValCommission",
            p + "MsgFundCommunityPool": "cosmos-sdk/MsgFundCommunityPool",
        }

    @staticmethod
    def _signer(ctx, addr: str, what: str) -> None:
        _check_address(addr, "secret", what)
        if addr != ctx.signer:
            raise TxError("sdk", 8, f"pubKey does not match signer address {addr} with signer index: 0: invalid pubkey")

    def _msg_withdraw_reward(self, ctx, msg: pb.MsgWithdrawDelegatorReward):
        self._signer(ctx, msg.delegator_address, "delegator")
        _check_address(msg.validator_address, "secretvaloper", "validator")
        staking = self._staking(ctx.chain)
        if staking.get_validator(ctx.store, msg.validator_address) is None:
            raise TxError("staking", 3, "validator does not exist")
        if staking.delegation_shares(ctx.store, msg.delegator_address, msg.validator_address) is None:
            raise TxError("staking", 19, "no delegation for (address, validator) tuple")
        coins = self._withdraw(ctx, msg.delegator_address, msg.validator_address)
        return pb.MsgWithdrawDelegatorRewardResponse(amount=[Coin(denom=d, amount=str(a)) for d, a in sorted(coins.items())])

    def _msg_set_withdraw_address(self, ctx, msg: pb.MsgSetWithdrawAddress):
        self._signer(ctx, msg.delegator_address, "delegator")
        _check_address(msg.withdraw_address, "secret", "withdraw")
        if not self.params(ctx.store)["withdraw_addr_enabled"]:
            raise TxError("distribution", 8, "set withdraw address disabled")
        blocked = {module_address(n) for n in ("distribution", "bonded_tokens_pool", "not_bonded_tokens_pool",
                                                 "fee_collector", "gov", "mint")}
        if msg.withdraw_address in blocked:
            raise TxError("sdk", 4, f"{msg.withdraw_address} is not allowed to receive external funds: unauthorized")
        ctx.store.set(f"distribution/withdraw/{msg.delegator_address}", msg.withdraw_address)
        ctx.emit("set_withdraw_address", ("withdraw_address", msg.withdraw_address))
        return pb.MsgSetWithdrawAddressResponse()

    def _msg_withdraw_commission(self, ctx, msg: pb.MsgWithdrawValidatorCommission):
        _check_address(msg.validator_address, "secretvaloper", "validator")
        owner = from_valoper(msg.validator_address)
        if owner != ctx.signer:
            raise TxError("sdk", 8, f"pubKey does not match signer address {owner} with signer index: 0: invalid pubkey")
        store = ctx.store
        if self._staking(ctx.chain).get_validator(store, msg.validator_address) is None:
            raise TxError("staking", 3, "validator does not exist")
        rec = self._val(store, msg.validator_address)
        commission = _load(rec["commission"])
        coins, remainder = _truncate(commission)
        if not commission:
            raise TxError("distribution", 7, "no validator commission to withdraw")
        store.set(f"distribution/val/{msg.validator_address}", {
            **rec, "commission": _save(remainder),
            "outstanding": _save(_add(_load(rec["outstanding"]), {d: Decimal(a) for d, a in coins.items()}, -1)),
        })
        if coins:
            ctx.chain.module("bank").send(store, module_address("distribution"), self.withdraw_address(store, owner),
                                          coins, ctx)
        ctx.emit("withdraw_commission", ("amount", coins_string(coins)))
        return pb.MsgWithdrawValidatorCommissionResponse(
            amount=[Coin(denom=d, amount=str(a)) for d, a in sorted(coins.items())])

    def _msg_fund_community_pool(self, ctx, msg: pb.MsgFundCommunityPool):
        self._signer(ctx, msg.depositor, "depositor")
        amounts: dict[str, int] = {}
        for c in msg.amount:
            try:
                amount = int(c.amount)
            except ValueError:
                amount = -1
            if amount <= 0 or not c.denom:
                raise TxError("sdk", 10, f"{c.amount}{c.denom}: invalid coins")
            amounts[c.denom] = amounts.get(c.denom, 0) + amount
        if not amounts:
            raise TxError("sdk", 10, ": invalid coins")
        ctx.chain.module("bank").send(ctx.store, msg.depositor, module_address("distribution"), amounts, ctx)
        pool = _add(self.community_pool(ctx.store), {d: Decimal(a) for d, a in amounts.items()})
        ctx.store.set("distribution/community_pool", _save(pool))
        return pb.MsgFundCommunityPoolResponse()

    # ---- routes
    def routes(self) -> list[Route]:
        p = "/cosmos/distribution/v1beta1"
        return [
            Route("GET", f"{p}/params", self._q_params),
            Route("GET", f"{p}/foundation_tax", self._q_foundation_tax),
            Route("GET", f"{p}/restake_threshold", self._q_restake_threshold),
            Route("GET", f"{p}/community_pool", self._q_community_pool),
            Route("GET", f"{p}/delegators/{{delegator_address}}/rewards", self._q_total_rewards),
            Route("GET", f"{p}/delegators/{{delegator_address}}/rewards/{{validator_address}}", self._q_rewards),
            Route("GET", f"{p}/delegators/{{delegator_address}}/withdraw_address", self._q_withdraw_address),
            Route("GET", f"{p}/delegators/{{delegator_address}}/validators", self._q_delegator_validators),
            Route("GET", f"{p}/validators/{{validator_address}}", self._q_validator_info),
            Route("GET", f"{p}/validators/{{validator_address}}/outstanding_rewards", self._q_outstanding),
            Route("GET", f"{p}/validators/{{validator_address}}/commission", self._q_commission),
            Route("GET", f"{p}/validators/{{validator_address}}/slashes", self._q_slashes),
        ]

    @staticmethod
    def _delegator(req: Request) -> str:
        addr = req.path_params.get("delegator_address", "")
        if not addr:
            raise LCDError.invalid("empty delegator address")
        _query_address(addr, "secret")
        return addr

    def _validator(self, req: Request) -> str:
        addr = req.path_params.get("validator_address", "")
        if not addr:
            raise LCDError.invalid("empty validator address")
        _query_address(addr, "secretvaloper")
        if self._staking(req.chain).get_validator(req.chain.store, addr) is None:
            raise LCDError.unknown("validator does not exist")
        return addr

    def _q_params(self, req: Request) -> dict:
        return {"params": dict(self.params(req.chain.store))}

    def _q_foundation_tax(self, req: Request) -> dict:
        params = self.params(req.chain.store)
        return {"tax": params["secret_foundation_tax"], "foundation_address": params["secret_foundation_address"]}

    def _q_restake_threshold(self, req: Request) -> dict:
        return {"threshold": self.params(req.chain.store)["minimum_restake_threshold"]}

    def _q_community_pool(self, req: Request) -> dict:
        return {"pool": dec_coins_json(self.community_pool(req.chain.store))}

    def _q_total_rewards(self, req: Request) -> dict:
        delegator = self._delegator(req)
        store = req.chain.store
        rewards, total = [], {}
        for valoper, _ in self._staking(req.chain).delegations_of(store, delegator):
            r = self.pending_rewards(store, delegator, valoper)
            rewards.append({"validator_address": valoper, "reward": dec_coins_json(r)})
            total = _add(total, r)
        return {"rewards": rewards, "total": dec_coins_json(total)}

    def _q_rewards(self, req: Request) -> dict:
        valoper, delegator = self._validator(req), self._delegator(req)
        store = req.chain.store
        if self._staking(req.chain).delegation_shares(store, delegator, valoper) is None:
            raise LCDError.unknown("no delegation for (address, validator) tuple")
        return {"rewards": dec_coins_json(self.pending_rewards(store, delegator, valoper))}

    def _q_withdraw_address(self, req: Request) -> dict:
        return {"withdraw_address": self.withdraw_address(req.chain.store, self._delegator(req))}

    def _q_delegator_validators(self, req: Request) -> dict:
        delegator = self._delegator(req)
        return {"validators": [v for v, _ in self._staking(req.chain).delegations_of(req.chain.store, delegator)]}

    def _q_validator_info(self, req: Request) -> dict:
        valoper = self._validator(req)
        store = req.chain.store
        owner = from_valoper(valoper)
        return {
            "operator_address": owner,
            "self_bond_rewards": dec_coins_json(self.pending_rewards(store, owner, valoper)),
            "commission": dec_coins_json(_load(self._val(store, valoper)["commission"])),
        }

    def _q_outstanding(self, req: Request) -> dict:
        valoper = self._validator(req)
        return {"rewards": {"rewards": dec_coins_json(_load(self._val(req.chain.store, valoper)["outstanding"]))}}

    def _q_commission(self, req: Request) -> dict:
        valoper = self._validator(req)
        return {"commission": {"commission": dec_coins_json(_load(self._val(req.chain.store, valoper)["commission"]))}}

    def _q_slashes(self, req: Request) -> dict:
        self._validator(req)
        return {"slashes": [], "pagination": {"next_key": None, "total": "0"}}


def _dec_coins_string(coins: DecCoins) -> str:
    """sdk.DecCoins.String(): "12.500000000000000000uscrt"."""
    return ",".join(f"{fmt_dec(a)}{d}" for d, a in sorted(coins.items()) if a != 0)


def _balances(bank, store, addr: str) -> dict[str, int]:
    raw = bank.balances(store, addr)
    if isinstance(raw, dict):
        return {d: int(a) for d, a in raw.items()}
    return {c["denom"]: int(c["amount"]) for c in raw}
