"""A constant-product (x*y=k) AMM pair between a native denom and one SNIP-20 token, Terraswap/SecretSwap style.

Messages (amounts are Uint128 strings; an asset is `{"info": AssetInfo, "amount"}` with AssetInfo
`{"native_token":{"denom"}}` or `{"token":{"contract_addr", "token_code_hash"?}}`):
- instantiate `{"asset_infos":[native, token]}`: registers itself as the token's receiver (a sub-message).
- execute `swap {offer_asset (native), belief_price?, max_spread?, to?}` with the offer sent as funds;
  token -> native goes through the token: SNIP-20 `send` to the pair with `msg` = base64 `{"swap":{...}}`,
  which the token turns into `receive` here.
- execute `provide_liquidity {assets, slippage_tolerance?}` (native sent as funds; the token is pulled with
  `transfer_from`, so the provider first gives the pair an allowance) and `withdraw_liquidity {share}`.
- queries `pair`, `pool` -> `{assets, total_share}`, `simulation {offer_asset}` ->
  `{return_amount, spread_amount, commission_amount}`.

Swap math (exact integers; commission stays in the pool):
    gross = floor(ask_pool * offer / (offer_pool + offer))       # what x*y=k gives
    commission = floor(gross * 3 / 1000)                          # 0.3 %
    return_amount = gross - commission
    spread_amount = floor(offer * ask_pool / offer_pool) - gross  # versus the spot price
Slippage guard (Terraswap's semantics, commission excluded): with `belief_price` (offer units per ask unit),
expected = floor(offer / belief_price) and the swap fails when gross < expected and
(expected - gross) / expected > max_spread; without it, when spread / (gross + spread) > max_spread.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from .base import (
    BankSend, Contract, ContractError, Deps, Env, Info, Response, WasmExecute, to_json, uint, variant,
)

COMMISSION = Fraction(3, 1000)
EXECUTES = ["swap", "receive", "provide_liquidity", "withdraw_liquidity"]
QUERIES = ["pair", "pool", "simulation"]
SPREAD_ERROR = "Operation exceeds max spread limit"


def _decimal(body: dict, field: str) -> Fraction | None:
    """An optional cosmwasm Decimal field (string, at most 18 fractional digits) as an exact fraction."""
    raw = body.get(field)
    if raw is None:
        return None
    try:
        value = Decimal(raw) if isinstance(raw, str) else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or -value.as_tuple().exponent > 18:
        raise ContractError.parse(f"invalid Decimal {raw!r} for `{field}`", "msg")
    return Fraction(value)


def compute_swap(offer_pool: int, ask_pool: int, offer: int) -> tuple[int, int, int]:
    """(return_amount, spread_amount, commission_amount) for `offer` into these reserves."""
    gross = ask_pool * offer // (offer_pool + offer)
    spread = max(0, offer * ask_pool // offer_pool - gross)
    commission = gross * COMMISSION.numerator // COMMISSION.denominator
    return gross - commission, spread, commission


def assert_max_spread(belief_price: Fraction | None, max_spread: Fraction | None, offer: int, gross: int,
                      spread: int) -> None:
    if max_spread is not None and max_spread > 1:
        raise ContractError.generic("max_spread must be between 0 and 1")
    if belief_price is not None and belief_price == 0:
        raise ContractError.generic("belief_price must be positive")
    if max_spread is None:
        return
    if belief_price is not None:
        expected = math.floor(offer / belief_price)
        short = max(0, expected - gross)
        if gross < expected and Fraction(short, expected) > max_spread:
            raise ContractError.generic(
                f"{SPREAD_ERROR}: the swap would return {gross} before commission, {short} below the {expected} "
                f"expected at belief_price {float(belief_price):g} (max_spread {float(max_spread):g})")
    elif gross + spread and Fraction(spread, gross + spread) > max_spread:
        raise ContractError.generic(f"{SPREAD_ERROR}: spread {spread} of {gross + spread} exceeds max_spread "
                                    f"{float(max_spread):g}")


class AmmPair(Contract):
    name = "amm_pair"

    # ---- instantiate
    def instantiate(self, deps: Deps, env: Env, info: Info, msg: dict) -> Response:
        infos = msg.get("asset_infos") if isinstance(msg, dict) else None
        if not isinstance(infos, list) or len(infos) != 2:
            raise ContractError.parse("missing field `asset_infos` (two assets)", "InstantiateMsg")
        native = next((i["native_token"] for i in infos if isinstance(i, dict) and "native_token" in i), None)
        token = next((i["token"] for i in infos if isinstance(i, dict) and "token" in i), None)
        if not isinstance(native, dict) or not isinstance(token, dict) or not native.get("denom"):
            raise ContractError.generic("This pair needs one native denom and one SNIP-20 token")
        addr, code_hash = deps.validate(token.get("contract_addr"), "contract_addr"), token.get("token_code_hash")
        if not isinstance(code_hash, str) or len(code_hash) != 64:
            raise ContractError.generic("The token's `token_code_hash` (64 hex characters) is required")
        deps.storage.set("config", {"denom": native["denom"], "token": addr, "token_code_hash": code_hash.lower()})
        deps.storage.set("reserves", {"native": "0", "token": "0"})
        deps.storage.set("total_share", "0")
        register = WasmExecute(addr, code_hash, {"register_receive": {"code_hash": env.code_hash}})
        return Response(attributes=[("action", "create_pair"), ("pair", f"{native['denom']}-{addr}")],
                        messages=[register])

    # ---- helpers
    @staticmethod
    def _infos(cfg: dict) -> list[dict]:
        return [{"native_token": {"denom": cfg["denom"]}},
                {"token": {"contract_addr": cfg["token"], "token_code_hash": cfg["token_code_hash"]}}]

    @staticmethod
    def _side(cfg: dict, asset: Any) -> tuple[str, int]:
        """("native" | "token", amount) of an Asset of this pair."""
        if not isinstance(asset, dict) or not isinstance(asset.get("info"), dict):
            raise ContractError.parse("invalid Asset: expected {\"info\", \"amount\"}", "msg")
        info, amount = asset["info"], uint(asset, "amount")
        if (info.get("native_token") or {}).get("denom") == cfg["denom"]:
            return "native", amount
        if (info.get("token") or {}).get("contract_addr") == cfg["token"]:
            return "token", amount
        raise ContractError.generic(f"Asset mismatch: {json.dumps(info)} is not in this pair")

    @staticmethod
    def _reserves(deps: Deps) -> dict[str, int]:
        return {k: int(v) for k, v in deps.storage.get("reserves").items()}

    def _pay(self, cfg: dict, side: str, to: str, amount: int):
        if side == "native":
            return BankSend(to, {cfg["denom"]: amount})
        return WasmExecute(cfg["token"], cfg["token_code_hash"], {"transfer": {"recipient": to, "amount": str(amount)}})

    @staticmethod
    def _label(cfg: dict, side: str) -> str:
        return cfg["denom"] if side == "native" else cfg["token"]

    # ---- execute
    def execute(self, deps: Deps, env: Env, info: Info, msg: dict) -> Response:
        name, body = variant(msg, EXECUTES)
        return getattr(self, "_x_" + name)(deps, env, info, body)

    def _x_swap(self, deps, env, info, body):
        cfg = deps.storage.get("config")
        side, amount = self._side(cfg, body.get("offer_asset"))
        if side != "native":
            raise ContractError.generic("A token offer goes through the token: SNIP-20 `send` to this pair with "
                                        "msg = base64 {\"swap\":{}}")
        self._check_funds(cfg, info, amount)
        return self._swap(deps, cfg, info.sender, "native", amount, body)

    def _x_receive(self, deps, env, info, body):
        cfg = deps.storage.get("config")
        if info.sender != cfg["token"]:
            raise ContractError.generic(f"Unauthorized: receive is only accepted from the pair's token {cfg['token']}")
        raw = body.get("msg")
        try:
            hook = json.loads(base64.b64decode(raw, validate=True)) if isinstance(raw, str) else None
        except (binascii.Error, ValueError):
            hook = None
        if not isinstance(hook, dict):
            raise ContractError.generic("receive needs msg = base64 of {\"swap\":{...}}")
        _, inner = variant(hook, ["swap"])
        trader = deps.validate(body.get("from"), "from")
        return self._swap(deps, cfg, trader, "token", uint(body, "amount"), inner)

    def _check_funds(self, cfg: dict, info: Info, amount: int) -> None:
        extra = sorted(d for d in info.funds if d != cfg["denom"])
        if extra or info.funds.get(cfg["denom"], 0) != amount:
            raise ContractError.generic(f"Native token balance mismatch between the argument ({amount}"
                                        f"{cfg['denom']}) and the transferred ({info.funds})")

    def _swap(self, deps: Deps, cfg: dict, trader: str, offer_side: str, offer: int, body: dict) -> Response:
        ask_side = "token" if offer_side == "native" else "native"
        to = deps.validate(body.get("to"), "to") if body.get("to") is not None else trader
        reserves = self._reserves(deps)
        offer_pool, ask_pool = reserves[offer_side], reserves[ask_side]
        if offer_pool == 0 or ask_pool == 0:
            raise ContractError.generic("The pool has no liquidity yet")
        ret, spread, commission = compute_swap(offer_pool, ask_pool, offer)
        assert_max_spread(_decimal(body, "belief_price"), _decimal(body, "max_spread"), offer, ret + commission,
                          spread)
        if ret == 0:
            raise ContractError.generic("Swap amount too small: it would return nothing")
        reserves[offer_side], reserves[ask_side] = offer_pool + offer, ask_pool - ret
        deps.storage.set("reserves", {k: str(v) for k, v in reserves.items()})
        result = {"return_amount": str(ret), "spread_amount": str(spread), "commission_amount": str(commission)}
        attrs = [("action", "swap"), ("sender", trader), ("receiver", to),
                 ("offer_asset", self._label(cfg, offer_side)), ("ask_asset", self._label(cfg, ask_side)),
                 ("offer_amount", str(offer)), *result.items()]
        return Response(data=to_json({"swap": result}), attributes=attrs,
                        messages=[self._pay(cfg, ask_side, to, ret)])

    def _x_provide_liquidity(self, deps, env, info, body):
        cfg = deps.storage.get("config")
        assets = body.get("assets")
        if not isinstance(assets, list) or len(assets) != 2:
            raise ContractError.parse("`assets` must list both assets of the pair", "msg")
        deposit = dict(self._side(cfg, a) for a in assets)
        if set(deposit) != {"native", "token"} or not all(deposit.values()):
            raise ContractError.generic("Provide both assets of the pair, each with a positive amount")
        self._check_funds(cfg, info, deposit["native"])
        reserves, total = self._reserves(deps), int(deps.storage.get("total_share"))
        tolerance = _decimal(body, "slippage_tolerance")
        if tolerance is not None and total:
            keep = 1 - min(tolerance, Fraction(1))
            d, p = Fraction(deposit["native"], deposit["token"]), Fraction(reserves["native"], reserves["token"])
            if d * keep > p or (1 / d) * keep > 1 / p:
                raise ContractError.generic("Operation exceeds max slippage tolerance")
        if total == 0:
            share = math.isqrt(deposit["native"] * deposit["token"])
        else:
            share = min(deposit["native"] * total // reserves["native"], deposit["token"] * total // reserves["token"])
        if share == 0:
            raise ContractError.generic("Deposit too small: it would mint no share")
        receiver = deps.validate(body.get("receiver"), "receiver") if body.get("receiver") else info.sender
        deps.storage.set("reserves", {k: str(reserves[k] + deposit[k]) for k in reserves})
        deps.storage.set("total_share", str(total + share))
        deps.storage.set(f"share/{receiver}", str(int(deps.storage.get(f"share/{receiver}", "0")) + share))
        pull = WasmExecute(cfg["token"], cfg["token_code_hash"], {"transfer_from": {
            "owner": info.sender, "recipient": env.contract, "amount": str(deposit["token"])}})
        attrs = [("action", "provide_liquidity"), ("sender", info.sender), ("receiver", receiver),
                 ("assets", f"{deposit['native']}{cfg['denom']}, {deposit['token']}{cfg['token']}"),
                 ("share", str(share))]
        data = {"provide_liquidity": {"share": str(share), "total_share": str(total + share)}}
        return Response(data=to_json(data), attributes=attrs, messages=[pull])

    def _x_withdraw_liquidity(self, deps, env, info, body):
        cfg = deps.storage.get("config")
        share, held = uint(body, "share"), int(deps.storage.get(f"share/{info.sender}", "0"))
        if share == 0 or share > held:
            raise ContractError.generic(f"insufficient share: held={held}, required={share}")
        reserves, total = self._reserves(deps), int(deps.storage.get("total_share"))
        out = {k: v * share // total for k, v in reserves.items()}
        deps.storage.set("reserves", {k: str(reserves[k] - out[k]) for k in reserves})
        deps.storage.set("total_share", str(total - share))
        deps.storage.set(f"share/{info.sender}", str(held - share))
        attrs = [("action", "withdraw_liquidity"), ("sender", info.sender), ("withdrawn_share", str(share)),
                 ("refund_assets", f"{out['native']}{cfg['denom']}, {out['token']}{cfg['token']}")]
        data = {"withdraw_liquidity": {"native": str(out["native"]), "token": str(out["token"])}}
        pays = [self._pay(cfg, side, info.sender, amount) for side, amount in out.items() if amount]
        return Response(data=to_json(data), attributes=attrs, messages=pays)

    # ---- queries
    def query(self, deps: Deps, env: Env, msg: dict) -> bytes:
        name, body = variant(msg, QUERIES)
        cfg = deps.storage.get("config")
        if name == "pair":
            return to_json({"asset_infos": self._infos(cfg), "contract_addr": env.contract, "liquidity_token": "",
                            "commission_rate": str(float(COMMISSION))})
        reserves = self._reserves(deps)
        if name == "pool":
            infos = self._infos(cfg)
            return to_json({"assets": [{"info": infos[0], "amount": str(reserves["native"])},
                                       {"info": infos[1], "amount": str(reserves["token"])}],
                            "total_share": deps.storage.get("total_share")})
        side, amount = self._side(cfg, body.get("offer_asset"))
        ask = "token" if side == "native" else "native"
        if reserves[side] == 0 or reserves[ask] == 0:
            raise ContractError.generic("The pool has no liquidity yet")
        ret, spread, commission = compute_swap(reserves[side], reserves[ask], amount)
        return to_json({"return_amount": str(ret), "spread_amount": str(spread),
                        "commission_amount": str(commission)})
