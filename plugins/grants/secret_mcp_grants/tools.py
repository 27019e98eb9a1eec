"""Grant the wallet's agent key capped authorizations and a fee allowance, list grants, revoke them all.

The grant and the revoke are the person's own transactions (the core never routes them through the agent);
once a grant lands, the wallet is in agent mode on that network and the core signs its plans with the agent key
as MsgExec, fees through the fee grant (core: secret_mcp/tx/agent.py).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any

from pydantic import BaseModel, Field
from secret_mcp.api import (
    AmountText, CoinView, Plan, SecretMCPError, ToolContext, TxResult, agent_address, agent_mode,
    coin_view, gather, parse_amount, quote, set_agent_mode, tool, validate_address,
)

AUTHZ = "/cosmos/authz/v1beta1"
FEEGRANT = "/cosmos/feegrant/v1beta1"
SEND = "/cosmos.bank.v1beta1.MsgSend"
VOTE = "/cosmos.gov.v1.MsgVote"
WITHDRAW = "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward"
STAKE_TYPES = {"AUTHORIZATION_TYPE_DELEGATE": "/cosmos.staking.v1beta1.MsgDelegate",
               "AUTHORIZATION_TYPE_UNDELEGATE": "/cosmos.staking.v1beta1.MsgUndelegate",
               "AUTHORIZATION_TYPE_REDELEGATE": "/cosmos.staking.v1beta1.MsgBeginRedelegate",
               "AUTHORIZATION_TYPE_CANCEL_UNBONDING_DELEGATION": "/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation"}
LimitArg = AmountText | None  # e.g. '5 SCRT': the total the agent may send / delegate


class GrantTx(TxResult):
    agent: str = Field(description="The agent key's address (held by this server)")
    expiration: str = Field(description="When the grants end (UTC)")
    agent_mode: bool = Field(description="This wallet's plans on this network are now signed by the agent key")


class GrantView(BaseModel):
    granter: str
    grantee: str
    kind: str = Field(description="authz authorization or fee allowance type")
    msg_type: str | None = Field(None, description="The message type it authorizes")
    remaining: list[CoinView] = Field([], description="Spend/fee limit left; empty = no cap")
    allow_list: list[str] = []
    expiration: str | None = None


class GrantsList(BaseModel):
    address: str
    agent: str | None = Field(None, description="The active wallet's agent key, if it has one")
    agent_mode: bool = False
    granted: list[GrantView] = Field(description="Authorizations and fee allowances this address gave")
    received: list[GrantView] = Field(description="Authorizations and fee allowances this address holds")


def _any(type_url: str, msg: Any) -> Any:
    from betterproto.lib.google.protobuf import Any as AnyPb

    return AnyPb(type_url=type_url, value=bytes(msg))


def _coins(amount: Any) -> list[Any]:
    from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin

    return [Coin(denom=amount.denom, amount=str(amount.amount))]


async def _get(ctx: ToolContext, path: str, params: dict | None = None) -> dict | None:
    return await (await ctx.pool()).get_found(path, params)


def _owner(ctx: ToolContext) -> tuple[str, str]:
    wallet, owner = ctx.session.active_wallet, ctx.session.active_wallet_address()
    if wallet is None or owner is None:
        raise SecretMCPError("NO_ACTIVE_WALLET", "This needs an active wallet.", ["Choose one with secret_set_active_wallet."])
    return wallet, owner


@tool(effect="moves_funds", title="Grant the agent key limits", needs_wallet=True)
async def secret_grant_agent(
    ctx: ToolContext,
    send_limit: LimitArg = None,
    recipients: Annotated[list[str], Field(max_length=50)] = [],  # noqa: B006 - pydantic copies defaults
    stake_limit: LimitArg = None,
    validators: Annotated[list[str], Field(max_length=50)] = [],  # noqa: B006
    vote: bool = False,
    withdraw_rewards: bool = False,
    fee_limit: AmountText = "1 SCRT",  # what the agent may spend of the wallet's funds on fees
    days: Annotated[int, Field(ge=1, le=365)] = 7,
) -> Plan[GrantTx]:
    """Give the wallet's agent key limits the chain enforces (authz, fee grant)."""
    from secret_sdk.protobuf.cosmos.authz.v1beta1 import GenericAuthorization, Grant, MsgGrant
    from secret_sdk.protobuf.cosmos.bank.v1beta1 import SendAuthorization
    from secret_sdk.protobuf.cosmos.feegrant.v1beta1 import BasicAllowance, MsgGrantAllowance, MsgRevokeAllowance
    from secret_sdk.protobuf.cosmos.staking.v1beta1 import (
        AuthorizationType, StakeAuthorization, StakeAuthorizationValidators,
    )

    wallet, owner = _owner(ctx)
    if not (send_limit or stake_limit or vote or withdraw_rewards):
        raise SecretMCPError("INVALID_INPUT", "Grant at least one thing: send_limit, stake_limit, vote or withdraw_rewards.",
                             ["e.g. send_limit='5 SCRT' to let the agent send up to 5 SCRT in total."])
    if recipients and not send_limit:
        raise SecretMCPError("INVALID_INPUT", "recipients restrict sends: give send_limit too.", [], {"field": "recipients"})
    if stake_limit and not validators:
        raise SecretMCPError("INVALID_INPUT", "stake_limit needs the validators the agent may delegate to.",
                             ["List them in validators (secretvaloper1...)."], {"field": "validators"})
    to = [validate_address(r, field=f"recipients[{i}]") for i, r in enumerate(recipients)]
    vals = [validate_address(v, "secretvaloper", field=f"validators[{i}]") for i, v in enumerate(validators)]
    fee_cap = parse_amount(fee_limit, field="fee_limit")
    agent = agent_address(ctx, wallet, create=True)
    until = (datetime.now(timezone.utc) + timedelta(days=days)).replace(microsecond=0)
    when = until.strftime("%Y-%m-%d %H:%M UTC")

    msgs: list[Any] = []
    can: list[str] = []

    def grant(type_url: str, auth: Any) -> None:
        msgs.append(MsgGrant(granter=owner, grantee=agent, grant=Grant(authorization=_any(type_url, auth), expiration=until)))

    if send_limit:
        cap = parse_amount(send_limit, field="send_limit")
        grant("/cosmos.bank.v1beta1.SendAuthorization", SendAuthorization(spend_limit=_coins(cap), allow_list=to))
        can.append(f"- send up to {cap.display} in total from {wallet}, "
                   + (f"only to {', '.join(to)}" if to else "to any address"))
    if stake_limit:
        cap = parse_amount(stake_limit, field="stake_limit")
        grant("/cosmos.staking.v1beta1.StakeAuthorization", StakeAuthorization(
            max_tokens=_coins(cap)[0], allow_list=StakeAuthorizationValidators(address=vals),
            authorization_type=AuthorizationType.AUTHORIZATION_TYPE_DELEGATE))
        can.append(f"- delegate up to {cap.display} in total, only to {', '.join(vals)}")
    if vote:
        grant("/cosmos.authz.v1beta1.GenericAuthorization", GenericAuthorization(msg=VOTE))
        can.append("- vote on governance proposals as this wallet (no limit on how)")
    if withdraw_rewards:
        grant("/cosmos.authz.v1beta1.GenericAuthorization", GenericAuthorization(msg=WITHDRAW))
        can.append("- withdraw staking rewards into this wallet")
    existing, earlier = await gather(
        _get(ctx, f"{FEEGRANT}/allowance/{owner}/{agent}"),
        _get(ctx, f"{AUTHZ}/grants", {"granter": owner, "grantee": agent, "pagination.limit": 200}))
    if existing:  # the chain keeps one allowance per pair: replace it in the same transaction
        msgs.insert(0, MsgRevokeAllowance(granter=owner, grantee=agent))
    msgs.append(MsgGrantAllowance(granter=owner, grantee=agent, allowance=_any(
        "/cosmos.feegrant.v1beta1.BasicAllowance", BasicAllowance(spend_limit=_coins(fee_cap), expiration=until))))
    can.append(f"- spend up to {fee_cap.display} of {wallet}'s funds on its own transaction fees")
    # The chain replaces a grant of the same message type and keeps the others: say which stay.
    granted = {SEND if send_limit else "", STAKE_TYPES["AUTHORIZATION_TYPE_DELEGATE"] if stake_limit else "",
               VOTE if vote else "", WITHDRAW if withdraw_rewards else ""}
    kept = [v for v in _views([{**g, "granter": owner, "grantee": agent} for g in (earlier or {}).get("grants") or []], [])
            if v.msg_type not in granted]
    if kept:
        can += ["It keeps these earlier grants (revoke them with secret_revoke_grant):"] + [
            f"- {_shown(v.msg_type)} ({_shown(v.kind)}), until {_shown(v.expiration)}"
            + (f", {' + '.join(c.display for c in v.remaining)} left" if v.remaining else "") for v in kept]
    lines = [f"Agent key {agent}: held by this server, no funds of its own. Until {when} it will be able to:", *can,
             "The chain itself refuses anything beyond this, even if this server were compromised.",
             f"From then on this server signs {wallet}'s transactions on {ctx.network.name} with the agent key "
             "(a transaction outside these grants is refused).",
             "Revoke everything at any time with secret_revoke_grant (one transaction)."]

    async def finish(ctx: ToolContext, tx: TxResult, first: int) -> GrantTx:
        set_agent_mode(ctx, True, wallet)
        return GrantTx(**tx.model_dump(), agent=agent, expiration=until.isoformat().replace("+00:00", "Z"), agent_mode=True)

    # Receivers are who can gain value through the grants: its recipients and validators (the allow-list checks
    # them). The agent key is this server's own key for the wallet and is named in the preview; a send grant to
    # any address still meets the server's allow-list on every agent send.
    return Plan(f"Grant {wallet}'s agent key limits until {when}", msgs, receivers=[*to, *vals], lines=lines,
                finish=finish)


def _shown(text: Any) -> str:
    """Chain text in a preview line: a type URL, kind or time as is, anything else quoted (one line, no markup)."""
    return str(text) if re.fullmatch(r"[\w./:+-]*", str(text)) else quote(text)


def _views(grants: list[dict], fees: list[dict]) -> list[GrantView]:
    out = []
    for g in grants:
        auth = g.get("authorization") or {}
        kind = str(auth.get("@type", "")).rsplit(".", 1)[-1]
        msg_type = {"SendAuthorization": SEND, "GenericAuthorization": auth.get("msg")}.get(kind)
        if kind == "StakeAuthorization":
            msg_type = STAKE_TYPES.get(str(auth.get("authorization_type")))
        limit = auth.get("spend_limit") or ([auth["max_tokens"]] if auth.get("max_tokens") else [])
        allow = auth.get("allow_list") or []
        out.append(GrantView(granter=g["granter"], grantee=g["grantee"], kind=kind, msg_type=msg_type,
                             remaining=[coin_view(c["denom"], int(c["amount"])) for c in limit],
                             allow_list=allow.get("address", []) if isinstance(allow, dict) else list(allow),
                             expiration=g.get("expiration")))
    for f in fees:
        allowance = f.get("allowance") or {}
        basic = allowance.get("basic") or allowance
        out.append(GrantView(granter=f["granter"], grantee=f["grantee"], kind=str(allowance.get("@type", "")).rsplit(".", 1)[-1],
                             remaining=[coin_view(c["denom"], int(c["amount"])) for c in basic.get("spend_limit") or []],
                             expiration=basic.get("expiration")))
    return out


@tool(effect="reads", title="List grants")
async def secret_list_grants(ctx: ToolContext, address: str | None = None) -> GrantsList:
    """Authz and fee grants an address gave and holds: limits left, expiry."""
    addr = ctx.address_or_active(address)
    page = {"pagination.limit": 200}
    given, held, issued, allowances = await gather(
        _get(ctx, f"{AUTHZ}/grants/granter/{addr}", page), _get(ctx, f"{AUTHZ}/grants/grantee/{addr}", page),
        _get(ctx, f"{FEEGRANT}/issued/{addr}", page), _get(ctx, f"{FEEGRANT}/allowances/{addr}", page))
    agent, mode = None, False
    if ctx.session.active_wallet is not None and ctx.session.active_wallet_address() == addr:
        agent, mode = agent_address(ctx), agent_mode(ctx)
    return GrantsList(address=addr, agent=agent, agent_mode=mode,
                      granted=_views((given or {}).get("grants") or [], (issued or {}).get("allowances") or []),
                      received=_views((held or {}).get("grants") or [], (allowances or {}).get("allowances") or []))


@tool(effect="writes", title="Revoke the agent's grants", needs_wallet=True)
async def secret_revoke_grant(ctx: ToolContext, grantee: str | None = None) -> Plan[TxResult]:
    """Revoke all grants of the wallet's agent key (or of grantee) in one tx."""
    from secret_sdk.protobuf.cosmos.authz.v1beta1 import MsgRevoke
    from secret_sdk.protobuf.cosmos.feegrant.v1beta1 import MsgRevokeAllowance

    wallet, owner = _owner(ctx)
    mine = agent_address(ctx, wallet)
    agent = validate_address(grantee, field="grantee") if grantee else mine
    if agent is None:
        raise SecretMCPError("NO_AGENT", f"Wallet {wallet!r} has no agent key: there is nothing to revoke.",
                             ["Name the grantee to revoke grants given to another address."])
    grants, allowance = await gather(_get(ctx, f"{AUTHZ}/grants", {"granter": owner, "grantee": agent, "pagination.limit": 200}),
                                     _get(ctx, f"{FEEGRANT}/allowance/{owner}/{agent}"))
    views = _views([{**g, "granter": owner, "grantee": agent} for g in (grants or {}).get("grants") or []], [])
    types = sorted({v.msg_type for v in views if v.msg_type})
    msgs: list[Any] = [MsgRevoke(granter=owner, grantee=agent, msg_type_url=t) for t in types]
    if allowance:
        msgs.append(MsgRevokeAllowance(granter=owner, grantee=agent))
    if not msgs:
        if agent == mine:
            set_agent_mode(ctx, False, wallet)
        raise SecretMCPError("NOTHING_TO_REVOKE", f"{agent} holds no grant from {wallet} on this network"
                             + ("; agent mode is off." if agent == mine else "."), [])

    async def finish(ctx: ToolContext, tx: TxResult, first: int) -> TxResult:
        if agent == mine:
            set_agent_mode(ctx, False, wallet)
        return tx

    lines = [f"Revoke: {t}" for t in types] + (["Revoke the fee allowance"] if allowance else [])
    if agent == mine:
        lines.append(f"Afterwards the agent key can do nothing for {wallet}; this server signs with {wallet}'s own key again.")
    who = f"{wallet}'s agent key {agent}" if agent == mine else agent
    return Plan(f"Revoke every grant of {wallet} to {who}", msgs, lines=lines, finish=finish)
