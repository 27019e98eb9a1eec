"""The agent key: limits the chain enforces (x/authz + x/feegrant) instead of only the server's own.

Each wallet may have one agent key: a fresh secp256k1 key the server holds (kept with the wallet's other
secrets, dropped with it), with no funds of its own. The person grants it capped authorizations and a fee
allowance (the grants pack builds that plan); from then on, on that network, the wallet is in *agent mode*:
every plan from it is signed by the agent key as one MsgExec, with the fee paid by the wallet through its fee
grant, so the chain itself refuses what the grants do not allow. A plan whose messages the grants do not
cover is refused here, before anything is signed, naming what is missing. Granting and revoking are always
the person's own messages (they never go through the agent). The server's own policy still applies on top.

Agent mode is a per-wallet, per-network opt-in, switched on by a successful grant and off by a revoke
(`set_agent_mode`); docs/agent-grants.md.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable

import attrs

from ..errors import SecretMCPError
from . import build
from .pipeline import Signer, active_signer

if TYPE_CHECKING:
    from ..context import ToolContext

KIND = "agent"  # the keystore's secret kind for a wallet's agent items
_KEY_ID = "key"
EXEC = "/cosmos.authz.v1beta1.MsgExec"
AUTHZ = "/cosmos/authz/v1beta1"
FEEGRANT = "/cosmos/feegrant/v1beta1"
# Grant administration is the person's own business: these plans are signed by the wallet, never the agent.
ADMIN_TYPES = frozenset({"/cosmos.authz.v1beta1.MsgGrant", "/cosmos.authz.v1beta1.MsgRevoke",
                         "/cosmos.feegrant.v1beta1.MsgGrantAllowance", "/cosmos.feegrant.v1beta1.MsgRevokeAllowance"})
# Secret's enclave checks a contract message's sender among the tx's own signers: under MsgExec it never is.
CONTRACT_TYPES = frozenset({"/secret.compute.v1beta1.MsgExecuteContract", "/secret.compute.v1beta1.MsgInstantiateContract",
                            "/secret.compute.v1beta1.MsgMigrateContract"})
_STAKE_TYPES = {"AUTHORIZATION_TYPE_DELEGATE": "/cosmos.staking.v1beta1.MsgDelegate",
                "AUTHORIZATION_TYPE_UNDELEGATE": "/cosmos.staking.v1beta1.MsgUndelegate",
                "AUTHORIZATION_TYPE_REDELEGATE": "/cosmos.staking.v1beta1.MsgBeginRedelegate",
                "AUTHORIZATION_TYPE_CANCEL_UNBONDING_DELEGATION": "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation"}


@attrs.frozen
class AgentSigner(Signer):
    """Signs with the wallet's agent key; `fee_granter` (the wallet) pays the fee through its fee grant."""

    kind: str = "agent"

    async def sign(self, ctx: "ToolContext", sign_doc: bytes) -> bytes:
        from ..security import keys

        secret = ctx.keystore.get_secret(self.wallet, KIND, _KEY_ID)
        if secret is None:
            raise SecretMCPError("AGENT_KEY_MISSING", f"Wallet {self.wallet!r} has no agent key any more. Nothing was signed.",
                                 ["Grant a new agent with secret_grant_agent."])
        return keys.sign(bytes.fromhex(secret), sign_doc)


@attrs.frozen
class ExecMsg(build.Msg):
    """MsgExec of `inner`, shown with its inner messages decoded (what the preview, policy and audit see)."""

    inner: tuple[build.Msg, ...] = ()
    grantee: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"@type": EXEC, "grantee": self.grantee, "msgs": [m.to_json() for m in self.inner]}


def _public(private_hex: str) -> tuple[str, bytes]:
    from secret_sdk.key.raw import RawKey

    key = RawKey(bytes.fromhex(private_hex))
    try:
        return key.acc_address, bytes(key.public_key.key)
    finally:
        del key


def agent_key(ctx: "ToolContext", wallet: str, *, create: bool = False) -> tuple[str, bytes] | None:
    """(address, public key) of `wallet`'s agent key; a fresh one is made (and kept) when `create`."""
    import secrets

    from ecdsa import SECP256k1

    secret = ctx.keystore.get_secret(wallet, KIND, _KEY_ID)
    if secret is None:
        if not create:
            return None
        while True:  # a valid secp256k1 scalar (1 <= k < n)
            raw = secrets.token_bytes(32)
            if 0 < int.from_bytes(raw, "big") < SECP256k1.order:
                break
        secret = raw.hex()
        ctx.keystore.put_secret(wallet, KIND, _KEY_ID, secret)
    return _public(secret)


def agent_address(ctx: "ToolContext", wallet: str | None = None, *, create: bool = False) -> str | None:
    """The agent key's address for `wallet` (default: the active wallet), or None when it has none."""
    name = wallet or ctx.session.active_wallet
    if name is None:
        raise SecretMCPError("NO_ACTIVE_WALLET", "This needs an active wallet.", ["Choose one with secret_set_active_wallet."])
    found = agent_key(ctx, name, create=create)
    return found[0] if found else None


def _mode_id(ctx: "ToolContext") -> str:
    return f"on:{ctx.network.chain_id}"


def agent_mode(ctx: "ToolContext", wallet: str | None = None) -> bool:
    """Whether `wallet` (default: the active one) signs through its agent key on the session's network."""
    name = wallet or ctx.session.active_wallet
    return name is not None and ctx.keystore.get_secret(name, KIND, _mode_id(ctx)) is not None


def set_agent_mode(ctx: "ToolContext", on: bool, wallet: str | None = None) -> None:
    """Switch agent mode for `wallet` (default: the active one) on the session's network."""
    name = wallet or ctx.session.active_wallet
    if name is None:
        return
    if on:
        ctx.keystore.put_secret(name, KIND, _mode_id(ctx), "1")
    else:
        ctx.keystore.forget_secret(name, KIND, _mode_id(ctx))


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def covered_types(grants: Iterable[dict], now: datetime) -> dict[str, dict]:
    """Message type URL -> the live grant (LCD JSON) that authorizes it."""
    out: dict[str, dict] = {}
    for grant in grants:
        expiry = _parse_time(grant.get("expiration"))
        if expiry is not None and expiry <= now:
            continue
        auth = grant.get("authorization") or {}
        kind = auth.get("@type")
        if kind == "/cosmos.authz.v1beta1.GenericAuthorization":
            out[str(auth.get("msg"))] = grant
        elif kind == "/cosmos.bank.v1beta1.SendAuthorization":
            out["/cosmos.bank.v1beta1.MsgSend"] = grant
        elif kind == "/cosmos.staking.v1beta1.StakeAuthorization":
            url = _STAKE_TYPES.get(str(auth.get("authorization_type")))
            if url:
                out[url] = grant
    return out


def _addresses(listed: Any) -> list[str]:
    """An allow/deny list as the LCD gives it: a list (SendAuthorization) or {"address": [...]} (StakeAuthorization)."""
    if isinstance(listed, dict):
        listed = listed.get("address")
    return [str(a) for a in listed or []]


def _outside(msg: dict, grant: dict) -> str:
    """Why the grant's allow/deny lists refuse `msg` (proto JSON), or "" when they do not."""
    auth = grant.get("authorization") or {}
    kind = auth.get("@type")
    if kind == "/cosmos.bank.v1beta1.SendAuthorization":
        allow, to = _addresses(auth.get("allow_list")), str(msg.get("to_address", ""))
        return f"{to} is not on the send grant's allow-list" if allow and to not in allow else ""
    if kind == "/cosmos.staking.v1beta1.StakeAuthorization":
        allow, deny = _addresses(auth.get("allow_list")), _addresses(auth.get("deny_list"))
        val = str(msg.get("validator_dst_address") or msg.get("validator_address") or "")
        if (allow and val not in allow) or val in deny:
            return f"validator {val} is not on the stake grant's allow-list"
    return ""


async def _lcd(ctx: "ToolContext", path: str, params: dict | None = None) -> dict | None:
    return await (await ctx.pool()).get_found(path, params)


def _refused(wallet: str, agent: str, missing: list[str], why: str, suggestions: list[str]) -> SecretMCPError:
    return SecretMCPError(
        "AGENT_NOT_AUTHORIZED", f"Wallet {wallet!r} acts through its agent key {agent}, {why} Nothing was signed.",
        suggestions, {"missing": missing, "agent": agent})


def restored_signer(ctx: "ToolContext") -> AgentSigner:
    """The active wallet's agent signer, for a code approved in another process (tx/carry.restore): the caller
    checks its address against the approved one."""
    wallet, owner = ctx.session.active_wallet, ctx.session.active_wallet_address()
    found = agent_key(ctx, wallet) if wallet is not None and owner is not None else None
    if wallet is None or owner is None or found is None:
        raise SecretMCPError("CONFIRMATION_STALE", "This was approved for the active wallet's agent key, which this "
                             "wallet does not have. Nothing was signed or sent.", ["Call the tool again for a fresh preview."])
    return AgentSigner(wallet, found[0], found[1], fee_granter=owner)


async def signer_for(ctx: "ToolContext", msgs: list[build.Msg]) -> tuple[list[build.Msg], Signer]:
    """Who signs `msgs` and as what: the active wallet's own key, or (agent mode) the agent key with the
    messages inside one MsgExec, after checking that live grants cover every message."""
    wallet = ctx.session.active_wallet
    owner = ctx.session.active_wallet_address()
    if wallet is None or owner is None or not agent_mode(ctx, wallet) or all(m.type_url in ADMIN_TYPES for m in msgs):
        return msgs, active_signer(ctx)
    found = agent_key(ctx, wallet)
    if found is None:
        raise SecretMCPError("AGENT_KEY_MISSING", f"Wallet {wallet!r} is in agent mode but has no agent key. Nothing was signed.",
                             ["Grant a new agent with secret_grant_agent, or revoke with secret_revoke_grant."])
    agent, public_key = found
    types = list(dict.fromkeys(m.type_url for m in msgs))
    contracts = [t for t in types if t in CONTRACT_TYPES]
    if contracts:
        raise _refused(wallet, agent, contracts, "and Secret contracts cannot be called through an agent grant (the "
                       "enclave checks the contract message's sender among the transaction's signers).",
                       ["Run contract calls with the wallet's own key: revoke the agent with secret_revoke_grant first."])
    admin = [t for t in types if t in ADMIN_TYPES]
    if admin:
        raise _refused(wallet, agent, admin, "and grant changes cannot be mixed with other messages.",
                       ["Send grant changes (secret_grant_agent, secret_revoke_grant) on their own."])
    grants, allowance = await _grants_and_allowance(ctx, owner, agent)
    covered = covered_types(grants, datetime.now(timezone.utc))
    missing = [t for t in types if t not in covered]
    if missing:
        raise _refused(wallet, agent, missing, f"and has not granted it {', '.join(missing)} (or the grant expired).",
                       ["Grant it with secret_grant_agent (the person signs), or stop agent mode with secret_revoke_grant."])
    outside = [(m.type_url, why) for m in msgs if (why := _outside(m.to_json(), covered[m.type_url]))]
    if outside:  # the chain would refuse it in simulation, or in a block with a fixed gas (the fee lost)
        raise _refused(wallet, agent, list(dict.fromkeys(t for t, _ in outside)),
                       f"and its grants do not allow this: {'; '.join(why for _, why in outside)}.",
                       ["Stay within the grant's allow-list, or have the person grant more with secret_grant_agent."])
    if allowance is None:
        raise _refused(wallet, agent, ["/cosmos.feegrant.v1beta1.BasicAllowance"], "and no fee allowance pays its fees.",
                       ["Grant one with secret_grant_agent (the person signs)."])
    from secret_sdk.protobuf.cosmos.authz.v1beta1 import MsgExec

    exec_msg = MsgExec(grantee=agent, msgs=[m.to_any() for m in msgs])
    signer = AgentSigner(wallet, agent, public_key, fee_granter=owner)
    return [ExecMsg(EXEC, exec_msg, tuple(msgs), agent)], signer


async def _grants_and_allowance(ctx: "ToolContext", owner: str, agent: str) -> tuple[list[dict], dict | None]:
    from ..concurrency import gather

    body, allowance = await gather(
        _lcd(ctx, f"{AUTHZ}/grants", {"granter": owner, "grantee": agent, "pagination.limit": 200}),
        _lcd(ctx, f"{FEEGRANT}/allowance/{owner}/{agent}"))
    return list((body or {}).get("grants") or []), (allowance or {}).get("allowance")
