"""x/feegrant as SDK 0.50 has it: MsgGrantAllowance / MsgRevokeAllowance, BasicAllowance, PeriodicAllowance and
AllowedMsgAllowance, fees paid through `fee.granter` (the ante handler calls `use_granted_fees`), expiry, and the
LCD's allowance queries. Error texts are the SDK's (x/feegrant/errors.go, the allowances' Accept, the keeper).
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any

from betterproto.lib.google.protobuf import Any as AnyPb
from secret_sdk.protobuf.cosmos.feegrant import v1beta1 as pb

from .. import gas
from ..crypto import bech32_decode
from ..encoding import any_json, paginate
from .auth import check_address
from .authz import charge, coins_of, expiry_of, pb_coins, safe_sub
from ..base import LCDError, Module, MsgContext, Request, Route, TxError

BASIC = "/cosmos.feegrant.v1beta1.BasicAllowance"
PERIODIC = "/cosmos.feegrant.v1beta1.PeriodicAllowance"
ALLOWED_MSG = "/cosmos.feegrant.v1beta1.AllowedMsgAllowance"
_TYPES = {BASIC: pb.BasicAllowance, PERIODIC: pb.PeriodicAllowance, ALLOWED_MSG: pb.AllowedMsgAllowance}


def allowance_key(grantee: str, granter: str) -> str:
    return f"feegrant/allowance/{grantee}/{granter}"


def _unpack(any_msg: AnyPb | None) -> tuple[str, Any]:
    url = any_msg.type_url if any_msg is not None else ""
    cls = _TYPES.get(url)
    if cls is None:
        raise TxError("feegrant", 5, "failed to get allowance: no allowance")
    try:
        return url, cls().parse(any_msg.value)
    except Exception:
        raise TxError("sdk", 2, "tx parse error") from None


def _expires(url: str, allowance: Any) -> datetime | None:
    if url == BASIC:
        return expiry_of(allowance.expiration)
    if url == PERIODIC:
        return expiry_of(allowance.basic.expiration)
    return _expires(*_unpack(allowance.allowance))


def _validate(url: str, a: Any) -> None:
    """The allowance's ValidateBasic."""
    if url == ALLOWED_MSG:
        if not a.allowed_messages:
            raise TxError("feegrant", 6, "allowed messages shouldn't be empty: allowed messages are empty")
        _validate(*_unpack(a.allowance))
        return
    basic = a if url == BASIC else a.basic
    if basic.spend_limit and any(int(c.amount or 0) <= 0 for c in basic.spend_limit):
        raise TxError("sdk", 10, "spend limit must be positive: invalid coins")
    if url == PERIODIC:
        if not a.period_spend_limit or any(int(c.amount or 0) <= 0 for c in a.period_spend_limit):
            raise TxError("sdk", 10, "spend limit must be positive: invalid coins")
        if basic.spend_limit and not set(coins_of(a.period_spend_limit)) <= set(coins_of(basic.spend_limit)):
            raise TxError("sdk", 10, "period spend limit has different currency than basic spend limit: invalid coins")
        if a.period.total_seconds() < 0:
            raise TxError("feegrant", 4, "negative clock step: invalid duration")


class FeegrantModule(Module):
    name = "feegrant"

    def proto_types(self) -> dict[str, type]:
        return dict(_TYPES)

    def msg_handlers(self) -> dict:
        return {
            "/cosmos.feegrant.v1beta1.MsgGrantAllowance": (pb.MsgGrantAllowance, self._msg_grant),
            "/cosmos.feegrant.v1beta1.MsgRevokeAllowance": (pb.MsgRevokeAllowance, self._msg_revoke),
        }

    def amino_names(self) -> dict[str, str]:
        return {
            "/cosmos.feegrant.v1beta1.MsgGrantAllowance": "cosmos-sdk/MsgGrantAllowance",
            "/cosmos.feegrant.v1beta1.MsgRevokeAllowance": "cosmos-sdk/MsgRevokeAllowance",
            BASIC: "cosmos-sdk/BasicAllowance",
            PERIODIC: "cosmos-sdk/PeriodicAllowance",
            ALLOWED_MSG: "cosmos-sdk/AllowedMsgAllowance",
        }

    # ---- keeper
    @staticmethod
    def get(store, granter: str, grantee: str) -> dict | None:
        return store.get(allowance_key(grantee, granter))

    @staticmethod
    def _set(store, granter: str, grantee: str, url: str, allowance: Any) -> None:
        store.set(allowance_key(grantee, granter), {"granter": granter, "grantee": grantee, "type_url": url,
                                                   "value": base64.b64encode(bytes(allowance)).decode()})

    def _found(self, store, granter: str, grantee: str) -> dict:
        row = self.get(store, granter, grantee)
        if row is None:
            raise TxError("sdk", 38, "fee-grant not found: not found")
        return row

    def use_granted_fees(self, ctx: Any, granter: str, grantee: str, fee: dict[str, int], msg_urls: list[str]) -> None:
        """Keeper.UseGrantedFees: Accept the fee against the allowance, store what is left (or drop it when spent)."""
        row = self._found(ctx.store, granter, grantee)
        url, allowance = _unpack(AnyPb(type_url=row["type_url"], value=base64.b64decode(row["value"])))
        remove = self._accept(ctx, url, allowance, fee, msg_urls)
        if remove:
            ctx.store.delete(allowance_key(grantee, granter))
            ctx.emit("revoke_feegrant", ("granter", granter), ("grantee", grantee))
        ctx.emit("use_feegrant", ("granter", granter), ("grantee", grantee))
        if not remove:
            self._set(ctx.store, granter, grantee, url, allowance)
            ctx.emit("update_feegrant", ("granter", granter), ("grantee", grantee))

    def _accept(self, ctx: Any, url: str, a: Any, fee: dict[str, int], msg_urls: list[str]) -> bool:
        """The allowance's Accept: True = spent (remove it); raises the SDK's error when it does not cover `fee`.
        Updates `a` in place, as the SDK's pointer receivers do."""
        if url == ALLOWED_MSG:
            for _ in a.allowed_messages:
                charge(ctx, gas.FEEGRANT_MSG_ITERATION, "check msg")
            for msg_url in msg_urls:
                charge(ctx, gas.FEEGRANT_MSG_ITERATION, "check msg")
                if msg_url not in a.allowed_messages:
                    raise TxError("feegrant", 7, "message does not exist in allowed messages: message not allowed")
            inner_url, inner = _unpack(a.allowance)
            remove = self._accept(ctx, inner_url, inner, fee, msg_urls)
            if not remove:
                a.allowance = AnyPb(type_url=inner_url, value=bytes(inner))
            return remove
        now = ctx.time
        if url == BASIC:
            expiration = expiry_of(a.expiration)
            if expiration is not None and expiration < now:
                raise TxError("feegrant", 3, "basic allowance: fee allowance expired")
            if not a.spend_limit:
                return False
            left, negative = safe_sub(coins_of(a.spend_limit), fee)
            if negative:
                raise TxError("feegrant", 2, "basic allowance: fee limit exceeded")
            a.spend_limit = pb_coins(left)
            return not left
        expiration = expiry_of(a.basic.expiration)
        if expiration is not None and now > expiration:
            raise TxError("feegrant", 3, "absolute limit: fee allowance expired")
        self._try_reset_period(a, now)
        can_spend, negative = safe_sub(coins_of(a.period_can_spend), fee)
        if negative:
            raise TxError("feegrant", 2, "period limit: fee limit exceeded")
        a.period_can_spend = pb_coins(can_spend)
        if a.basic.spend_limit:
            left, negative = safe_sub(coins_of(a.basic.spend_limit), fee)
            if negative:
                raise TxError("feegrant", 2, "absolute limit: fee limit exceeded")
            a.basic.spend_limit = pb_coins(left)
            return not left
        return False

    @staticmethod
    def _try_reset_period(a: pb.PeriodicAllowance, now: datetime) -> None:
        reset = expiry_of(a.period_reset)
        if reset is not None and now < reset:
            return
        basic, period = coins_of(a.basic.spend_limit), coins_of(a.period_spend_limit)
        _, short = safe_sub(basic, period)
        a.period_can_spend = pb_coins(basic if short and basic else period)
        a.period_reset = (reset or now) + a.period
        if now > a.period_reset:
            a.period_reset = now + a.period

    # ---- messages
    def _msg_grant(self, ctx: MsgContext, msg: pb.MsgGrantAllowance):
        if msg.granter.lower() == msg.grantee.lower():
            raise TxError("sdk", 7, "cannot self-grant fee authorization: invalid address")
        for who, addr in (("granter", msg.granter), ("grantee", msg.grantee)):
            try:
                bech32_decode(addr)
            except ValueError as exc:
                raise TxError("sdk", 7, f"invalid {who} address: {exc}: invalid address") from None
        if self.get(ctx.store, msg.granter, msg.grantee) is not None:
            raise TxError("sdk", 18, "fee allowance already exists: invalid request")
        url, allowance = _unpack(msg.allowance)
        _validate(url, allowance)
        auth = ctx.chain.module("auth")
        if auth.get_account(ctx.store, msg.grantee) is None:
            auth.ensure_account(ctx.store, msg.grantee)  # the SDK creates the grantee's account
        expiration = _expires(url, allowance)
        if expiration is not None and expiration < ctx.time:
            raise TxError("sdk", 18, "expiration is before current block time: invalid request")
        periodic = allowance if url == PERIODIC else None
        if url == ALLOWED_MSG and allowance.allowance.type_url == PERIODIC:
            periodic = pb.PeriodicAllowance().parse(allowance.allowance.value)
        if periodic is not None:  # UpdatePeriodReset: the first period starts now
            periodic.period_reset = ctx.time + (periodic.period or timedelta(0))
            if url == PERIODIC:
                allowance = periodic
            else:
                allowance.allowance = AnyPb(type_url=PERIODIC, value=bytes(periodic))
        self._set(ctx.store, msg.granter, msg.grantee, url, allowance)
        ctx.emit("set_feegrant", ("granter", msg.granter), ("grantee", msg.grantee))
        return pb.MsgGrantAllowanceResponse()

    def _msg_revoke(self, ctx: MsgContext, msg: pb.MsgRevokeAllowance):
        if msg.granter == msg.grantee:
            raise TxError("sdk", 7, "addresses must be different: invalid address")
        self._found(ctx.store, msg.granter, msg.grantee)
        ctx.store.delete(allowance_key(msg.grantee, msg.granter))
        ctx.emit("revoke_feegrant", ("granter", msg.granter), ("grantee", msg.grantee))
        return pb.MsgRevokeAllowanceResponse()

    # ---- expiry (SDK 0.50 EndBlocker: RemoveExpiredAllowances)
    def end_block(self, ctx) -> None:
        for key, row in list(ctx.store.iterate("feegrant/allowance/")):
            url, allowance = _unpack(AnyPb(type_url=row["type_url"], value=base64.b64decode(row["value"])))
            expiration = _expires(url, allowance)
            if expiration is not None and expiration <= ctx.time:
                ctx.store.delete(key)

    # ---- LCD
    def routes(self) -> list[Route]:
        p = "/cosmos/feegrant/v1beta1"
        return [
            Route("GET", p + "/allowance/{granter}/{grantee}", self._q_allowance),
            Route("GET", p + "/allowances/{grantee}", self._q_allowances),
            Route("GET", p + "/issued/{granter}", self._q_issued),
        ]

    @staticmethod
    def _json(req: Request, row: dict) -> dict:
        return {"granter": row["granter"], "grantee": row["grantee"],
                "allowance": any_json(row["type_url"], base64.b64decode(row["value"]), req.chain.resolve,
                                      req.chain.json_overrides)}

    def _q_allowance(self, req: Request) -> dict:
        granter, grantee = req.path_params["granter"], req.path_params["grantee"]
        check_address(granter)
        check_address(grantee)
        row = self.get(req.chain.store, granter, grantee)
        if row is None:
            raise LCDError(5, "fee-grant not found: not found")
        return {"allowance": self._json(req, row)}

    def _q_allowances(self, req: Request) -> dict:
        grantee = req.path_params["grantee"]
        check_address(grantee)
        rows = [r for _, r in req.chain.store.iterate(f"feegrant/allowance/{grantee}/")]
        page, pagination = paginate(req, rows)
        return {"allowances": [self._json(req, r) for r in page], "pagination": pagination}

    def _q_issued(self, req: Request) -> dict:
        granter = req.path_params["granter"]
        check_address(granter)
        rows = [r for _, r in req.chain.store.iterate("feegrant/allowance/") if r["granter"] == granter]
        page, pagination = paginate(req, rows)
        return {"allowances": [self._json(req, r) for r in page], "pagination": pagination}
