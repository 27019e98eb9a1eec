"""x/authz as SDK 0.50 has it: MsgGrant / MsgExec / MsgRevoke, the built-in authorizations (bank's
SendAuthorization, staking's StakeAuthorization, GenericAuthorization), expiry, and the LCD's grant queries.

A grant is stored per (granter, grantee, message type URL) with its authorization as protobuf bytes, so an
accepted MsgExec can store the decremented authorization back (a SendAuthorization spent to zero is deleted).
Error texts are the SDK's (x/authz/errors.go, keeper.DispatchActions, the authorizations' Accept).
"""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any

from betterproto.lib.google.protobuf import Any as AnyPb
from secret_sdk.protobuf.cosmos.authz import v1beta1 as pb
from secret_sdk.protobuf.cosmos.bank.v1beta1 import MsgSend, SendAuthorization
from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
from secret_sdk.protobuf.cosmos.staking import v1beta1 as st

from .. import gas
from ..crypto import bech32_decode
from ..encoding import any_json, paginate, ts
from .auth import check_address
from ..base import LCDError, Module, MsgContext, Request, Route, TxError

SEND_AUTH = "/cosmos.bank.v1beta1.SendAuthorization"
GENERIC_AUTH = "/cosmos.authz.v1beta1.GenericAuthorization"
STAKE_AUTH = "/cosmos.staking.v1beta1.StakeAuthorization"
_STAKE_MSGS = {
    st.AuthorizationType.AUTHORIZATION_TYPE_DELEGATE: "/cosmos.staking.v1beta1.MsgDelegate",
    st.AuthorizationType.AUTHORIZATION_TYPE_UNDELEGATE: "/cosmos.staking.v1beta1.MsgUndelegate",
    st.AuthorizationType.AUTHORIZATION_TYPE_REDELEGATE: "/cosmos.staking.v1beta1.MsgBeginRedelegate",
    st.AuthorizationType.AUTHORIZATION_TYPE_CANCEL_UNBONDING_DELEGATION:
        "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation",
}
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# Contract messages whose encrypted input the enclave verifies against the tx's own signers and messages.
_ENCLAVE_CHECKED = {
    "/secret.compute.v1beta1.MsgInstantiateContract": (2, "instantiate contract failed"),
    "/secret.compute.v1beta1.MsgExecuteContract": (3, "execute contract failed"),
    "/secret.compute.v1beta1.MsgMigrateContract": (5, "migrate contract failed"),
}


def grant_key(granter: str, grantee: str, type_url: str = "") -> str:
    return f"authz/grant/{granter}/{grantee}/{type_url}"


def expiry_of(value: datetime | None) -> datetime | None:
    """betterproto reads an unset Timestamp as the epoch: that is "no expiry"."""
    if value is None or value == EPOCH:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def coins_of(pb_coins: list[Coin]) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in pb_coins:
        out[c.denom] = out.get(c.denom, 0) + int(c.amount or 0)
    return out


def pb_coins(amounts: dict[str, int]) -> list[Coin]:
    return [Coin(denom=d, amount=str(a)) for d, a in sorted(amounts.items()) if a]


def safe_sub(have: dict[str, int], take: dict[str, int]) -> tuple[dict[str, int], bool]:
    """sdk.Coins.SafeSub: (what is left without zero coins, whether any denom went negative)."""
    left = dict(have)
    for denom, amount in take.items():
        left[denom] = left.get(denom, 0) - amount
    negative = any(v < 0 for v in left.values())
    return {d: v for d, v in left.items() if v}, negative


def charge(ctx: Any, amount: int, what: str) -> None:
    """Gas an SDK keeper consumes directly (not through the store), on the tx's meter when there is one."""
    meter = getattr(ctx.store, "meter", None)
    if meter is not None:
        meter.consume(amount, what)


def _go_text(msg: Any) -> str:
    """Roughly gogoproto's CompactTextString, which the SDK prints (%v) when an exec'd message fails."""
    import dataclasses

    parts = []
    for field in dataclasses.fields(msg):
        value = getattr(msg, field.name)
        for item in value if isinstance(value, list) else [value]:
            if item in (None, "", 0, b"", False) or (hasattr(item, "__bytes__") and not bytes(item)):
                continue
            if isinstance(item, str):
                parts.append(f'{field.name}:"{item}" ')
            elif hasattr(item, "__bytes__") and not isinstance(item, bytes):
                parts.append(f"{field.name}:<{_go_text(item)}> ")
            else:
                parts.append(f"{field.name}:{item} ")
    return "".join(parts)


class AuthzModule(Module):
    name = "authz"

    def proto_types(self) -> dict[str, type]:
        return {SEND_AUTH: SendAuthorization, GENERIC_AUTH: pb.GenericAuthorization,
                STAKE_AUTH: st.StakeAuthorization}

    def msg_handlers(self) -> dict:
        return {
            "/cosmos.authz.v1beta1.MsgGrant": (pb.MsgGrant, self._msg_grant),
            "/cosmos.authz.v1beta1.MsgExec": (pb.MsgExec, self._msg_exec),
            "/cosmos.authz.v1beta1.MsgRevoke": (pb.MsgRevoke, self._msg_revoke),
        }

    def amino_names(self) -> dict[str, str]:
        return {
            "/cosmos.authz.v1beta1.MsgGrant": "cosmos-sdk/MsgGrant",
            "/cosmos.authz.v1beta1.MsgExec": "cosmos-sdk/MsgExec",
            "/cosmos.authz.v1beta1.MsgRevoke": "cosmos-sdk/MsgRevoke",
            SEND_AUTH: "cosmos-sdk/SendAuthorization",
            GENERIC_AUTH: "cosmos-sdk/GenericAuthorization",
            STAKE_AUTH: "cosmos-sdk/StakeAuthorization",
        }

    # ---- keeper
    @staticmethod
    def _key_text(granter: str, grantee: str, type_url: str) -> str:
        """The SDK's grant store key printed as a Go string (its error texts include it)."""
        g1, g2 = bytes(bech32_decode(granter)[1]), bytes(bech32_decode(grantee)[1])
        raw = b"\x01" + bytes([len(g1)]) + g1 + bytes([len(g2)]) + g2 + type_url.encode()
        return raw.decode("utf-8", errors="replace")

    @staticmethod
    def get_grant(store, granter: str, grantee: str, type_url: str) -> dict | None:
        return store.get(grant_key(granter, grantee, type_url))

    @staticmethod
    def decode(grant: dict) -> tuple[str, Any]:
        url = grant["type_url"]
        cls = {SEND_AUTH: SendAuthorization, GENERIC_AUTH: pb.GenericAuthorization,
               STAKE_AUTH: st.StakeAuthorization}[url]
        return url, cls().parse(base64.b64decode(grant["value"]))

    def _save(self, ctx: MsgContext, granter: str, grantee: str, type_url: str, auth_url: str, auth: Any,
              expiration: datetime | None) -> None:
        ctx.store.set(grant_key(granter, grantee, type_url), {
            "type_url": auth_url, "value": base64.b64encode(bytes(auth)).decode(),
            "expiration": ts(expiration) if expiration else None})

    def _delete(self, ctx: MsgContext, granter: str, grantee: str, type_url: str) -> None:
        key = grant_key(granter, grantee, type_url)
        grant = ctx.store.get(key)
        if grant is None:
            raise TxError("authz", 2, f"failed to delete grant with key {self._key_text(granter, grantee, type_url)}: "
                                      "authorization not found")
        if grant.get("expiration"):
            charge(ctx, gas.AUTHZ_QUEUE_ITERATION, "grant queue")  # removeFromGrantQueue walks the queue item
        ctx.store.delete(key)
        ctx.emit("cosmos.authz.v1beta1.EventRevoke", ("grantee", f'"{grantee}"'), ("granter", f'"{granter}"'),
                 ("msg_type_url", f'"{type_url}"'))

    # ---- messages
    def _msg_grant(self, ctx: MsgContext, msg: pb.MsgGrant):
        if msg.granter.lower() == msg.grantee.lower():
            raise TxError("authz", 7, "grantee and granter should be different")
        for who, addr in (("granter", msg.granter), ("grantee", msg.grantee)):
            try:
                bech32_decode(addr)
            except ValueError as exc:
                raise TxError("sdk", 7, f"invalid {who} address: {exc}: invalid address") from None
        auth_any = msg.grant.authorization
        auth_url, auth = self._unpack(auth_any)
        type_url = self._validate(auth_url, auth)
        if type_url not in ctx.chain.msg_handlers:
            raise TxError("sdk", 29, f"{type_url} doesn't exist.: invalid type")
        expiration = expiry_of(msg.grant.expiration)
        if expiration is not None and not expiration > ctx.time:
            raise TxError("authz", 3, f"expiration must be after the current block time ({ts(ctx.time.replace(microsecond=0))}), "
                                      f"got {ts(expiration.replace(microsecond=0))}: expiration time of authorization "
                                      "should be more than current time")
        auth_mod = ctx.chain.module("auth")
        if auth_mod.get_account(ctx.store, msg.grantee) is None:
            auth_mod.ensure_account(ctx.store, msg.grantee)  # the SDK creates the grantee's account
        self._save(ctx, msg.granter, msg.grantee, type_url, auth_url, auth, expiration)
        ctx.emit("cosmos.authz.v1beta1.EventGrant", ("grantee", f'"{msg.grantee}"'), ("granter", f'"{msg.granter}"'),
                 ("msg_type_url", f'"{type_url}"'))
        return pb.MsgGrantResponse()

    def _unpack(self, any_msg: AnyPb) -> tuple[str, Any]:
        url = any_msg.type_url if any_msg is not None else ""
        cls = self.proto_types().get(url)
        if cls is None:
            raise TxError("sdk", 2, f"unable to resolve type URL {url}: tx parse error")
        try:
            return url, cls().parse(any_msg.value)
        except Exception:
            raise TxError("sdk", 2, "tx parse error") from None

    @staticmethod
    def _validate(url: str, auth: Any) -> str:
        """ValidateBasic of the authorization; returns the message type URL it authorizes."""
        if url == GENERIC_AUTH:
            return auth.msg
        if url == SEND_AUTH:
            if not auth.spend_limit:
                raise TxError("sdk", 10, "spend limit cannot be nil: invalid coins")
            if any(int(c.amount or 0) <= 0 for c in auth.spend_limit):
                raise TxError("sdk", 10, "spend limit must be positive: invalid coins")
            if len(set(auth.allow_list)) != len(auth.allow_list):
                raise TxError("bank", 13, "duplicate entry")
            return "/cosmos.bank.v1beta1.MsgSend"
        if auth.max_tokens is not None and bytes(auth.max_tokens) and int(auth.max_tokens.amount or 0) < 0:
            raise TxError("authz", 12, f"negative coin amount: {auth.max_tokens.amount}{auth.max_tokens.denom}: "
                                       "max tokens should be positive")
        kind = _STAKE_MSGS.get(auth.authorization_type)
        if kind is None:
            raise TxError("authz", 4, "unknown authorization type")
        return kind

    def _msg_revoke(self, ctx: MsgContext, msg: pb.MsgRevoke):
        if msg.granter == msg.grantee:
            raise TxError("authz", 7, "grantee and granter should be different")
        if not msg.msg_type_url:
            raise TxError("sdk", 18, "missing msg method name: invalid request")
        self._delete(ctx, msg.granter, msg.grantee, msg.msg_type_url)
        return pb.MsgRevokeResponse()

    def _msg_exec(self, ctx: MsgContext, msg: pb.MsgExec):
        from ..tx import msg_signer

        try:
            bech32_decode(msg.grantee)
        except ValueError as exc:
            raise TxError("sdk", 7, f"invalid grantee address: {exc}: invalid address") from None
        if not msg.msgs:
            raise TxError("sdk", 18, "messages cannot be empty: invalid request")
        chain, grantee = ctx.chain, msg.grantee
        inner: list[tuple[str, Any]] = []
        for any_msg in msg.msgs:
            entry = chain.msg_handlers.get(any_msg.type_url)
            if entry is None:
                raise TxError("sdk", 2, f"unable to resolve type URL {any_msg.type_url}: tx parse error")
            try:
                inner.append((any_msg.type_url, entry[0]().parse(any_msg.value)))
            except Exception:
                raise TxError("sdk", 2, "tx parse error") from None
        results = []
        for i, (type_url, m) in enumerate(inner):
            granter = msg_signer(m)
            if granter is None:
                raise TxError("authz", 9, "authorization can be given to msg with only one signer")
            if granter != grantee:
                self._accept(ctx, granter, grantee, type_url, m)
            sub = MsgContext(chain, ctx.store, ctx.height, ctx.time, ctx.msg_index, granter)
            try:
                if granter != grantee and type_url in _ENCLAVE_CHECKED:
                    # Secret's enclave looks for the contract message's sender among the tx's signers and for the
                    # message itself among the tx's top-level messages: under MsgExec it finds neither.
                    code, what = _ENCLAVE_CHECKED[type_url]
                    raise TxError("compute", code, f"Execution error: Enclave: failed to verify transaction signature: {what}")
                response = chain.msg_handlers[type_url][1](sub, m)
            except TxError as err:
                raise TxError(err.codespace, err.code, f"failed to execute message; message {_go_text(m)}: {err.log}") from None
            results.append(bytes(response) if response is not None else b"")
            for event in sub.events:
                event.attributes = list(event.attributes) + [("authz_msg_index", str(i))]
                ctx.events.append(event)
        return pb.MsgExecResponse(results=results)

    def _accept(self, ctx: MsgContext, granter: str, grantee: str, type_url: str, m: Any) -> None:
        """keeper.DispatchActions for one message: find the grant, check expiry, Accept, store the update."""
        grant = self.get_grant(ctx.store, granter, grantee, type_url)
        if grant is None:
            raise TxError("authz", 2, f"failed to update grant with key {self._key_text(granter, grantee, type_url)}: "
                                      "authorization not found")
        expiration = _parse_ts(grant["expiration"])
        if expiration is not None and expiration < ctx.time:
            raise TxError("authz", 6, "authorization expired")
        auth_url, auth = self.decode(grant)
        if auth_url == GENERIC_AUTH:
            return
        if auth_url == SEND_AUTH:
            self._accept_send(ctx, granter, grantee, type_url, auth, m, expiration)
        else:
            self._accept_stake(ctx, granter, grantee, type_url, auth, m, expiration)

    def _accept_send(self, ctx, granter, grantee, type_url, auth: SendAuthorization, m: Any, expiration) -> None:
        if not isinstance(m, MsgSend):
            raise TxError("sdk", 29, "type mismatch: invalid type")
        left, negative = safe_sub(coins_of(auth.spend_limit), coins_of(m.amount))
        if negative:
            raise TxError("sdk", 5, "requested amount is more than spend limit: insufficient funds")
        found = False
        for addr in auth.allow_list:
            charge(ctx, gas.SEND_AUTHZ_ITERATION, "send authorization")
            if addr == m.to_address:
                found = True
                break
        if auth.allow_list and not found:
            raise TxError("sdk", 4, f"cannot send to {m.to_address} address: unauthorized")
        if not left:
            self._delete(ctx, granter, grantee, type_url)
            return
        updated = SendAuthorization(spend_limit=pb_coins(left), allow_list=list(auth.allow_list))
        self._save(ctx, granter, grantee, type_url, SEND_AUTH, updated, expiration)

    def _accept_stake(self, ctx, granter, grantee, type_url, auth: st.StakeAuthorization, m: Any, expiration) -> None:
        validator = getattr(m, "validator_dst_address", "") or getattr(m, "validator_address", "")
        amount = m.amount
        allow = auth.allow_list.address if auth.allow_list is not None else []
        deny = auth.deny_list.address if auth.deny_list is not None else []
        found = False
        for v in allow:
            charge(ctx, gas.STAKE_AUTHZ_ITERATION, "stake authorization")
            if v == validator:
                found = True
                break
        for v in deny:
            charge(ctx, gas.STAKE_AUTHZ_ITERATION, "stake authorization")
            if v == validator:
                raise TxError("sdk", 4, f"cannot delegate/undelegate to {v} validator: unauthorized")
        if allow and not found:
            raise TxError("sdk", 4, f"cannot delegate/undelegate to {validator} validator: unauthorized")
        if auth.max_tokens is None or not bytes(auth.max_tokens):
            return
        if auth.max_tokens.denom != amount.denom:
            raise TxError("sdk", 10, f"invalid coin denominations; {auth.max_tokens.denom}, {amount.denom}: invalid coins")
        left = int(auth.max_tokens.amount) - int(amount.amount)
        if left < 0:
            raise TxError("sdk", 1, "negative coin amount")  # math.Coin.SafeSub's plain error
        if left == 0:
            self._delete(ctx, granter, grantee, type_url)
            return
        auth.max_tokens = Coin(denom=amount.denom, amount=str(left))
        self._save(ctx, granter, grantee, type_url, STAKE_AUTH, auth, expiration)

    # ---- expiry (SDK 0.50 BeginBlocker: DequeueAndDeleteExpiredGrants)
    def begin_block(self, ctx) -> None:
        for key, grant in list(ctx.store.iterate("authz/grant/")):
            expiration = _parse_ts(grant.get("expiration"))
            if expiration is not None and expiration <= ctx.time:
                ctx.store.delete(key)

    # ---- LCD
    def routes(self) -> list[Route]:
        p = "/cosmos/authz/v1beta1"
        return [
            Route("GET", p + "/grants", self._q_grants),
            Route("GET", p + "/grants/granter/{granter}", self._q_by_granter),
            Route("GET", p + "/grants/grantee/{grantee}", self._q_by_grantee),
        ]

    def _grant_json(self, req: Request, grant: dict) -> dict:
        return {"authorization": any_json(grant["type_url"], base64.b64decode(grant["value"]), req.chain.resolve,
                                          req.chain.json_overrides),
                "expiration": grant.get("expiration")}

    def _all(self, req: Request) -> list[tuple[str, str, str, dict]]:
        out = []
        for key, grant in req.chain.store.iterate("authz/grant/"):
            granter, grantee, type_url = key[len("authz/grant/"):].split("/", 2)
            out.append((granter, grantee, type_url, grant))
        return out

    def _q_grants(self, req: Request) -> dict:
        granter, grantee = req.param("granter") or "", req.param("grantee") or ""
        for addr in (granter, grantee):
            check_address(addr)
        type_url = req.param("msg_type_url") or ""
        if type_url:
            grant = self.get_grant(req.chain.store, granter, grantee, type_url)
            if grant is None:
                raise LCDError(2, f"authorization not found for {type_url} type: authorization not found")
            return {"grants": [self._grant_json(req, grant)], "pagination": None}
        rows = [g for (gr, ge, _u, g) in self._all(req) if gr == granter and ge == grantee]
        page, pagination = paginate(req, rows)
        return {"grants": [self._grant_json(req, g) for g in page], "pagination": pagination}

    def _listed(self, req: Request, field: str) -> dict:
        addr = req.path_params[field]
        check_address(addr)
        rows = [(gr, ge, g) for (gr, ge, _u, g) in self._all(req) if (gr if field == "granter" else ge) == addr]
        page, pagination = paginate(req, rows)
        return {"grants": [{"granter": gr, "grantee": ge, **self._grant_json(req, g)} for gr, ge, g in page],
                "pagination": pagination}

    def _q_by_granter(self, req: Request) -> dict:
        return self._listed(req, "granter")

    def _q_by_grantee(self, req: Request) -> dict:
        return self._listed(req, "grantee")


def _parse_ts(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
