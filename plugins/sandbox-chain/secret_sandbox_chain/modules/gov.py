"""x/gov for the sandbox (SDK 0.50, docs/protocol-notes.md#governance): v1 native routes plus the v1beta1 compatibility layer.

Proposals may carry no messages (text proposals, v1 only), MsgExecLegacyContent wrapping a TextProposal
(what v1beta1 MsgSubmitProposal creates), or any message the chain handles whose signer is the gov
account (run when the proposal passes; a failure makes it FAILED). As in the SDK, the v1beta1 routes convert each
proposal and fail when a proposal does not have exactly one message; votes and deposits are deleted
once a proposal ends; a proposal whose deposit period expires is deleted.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from decimal import Decimal

from secret_sdk.protobuf.cosmos.gov import v1 as pb
from secret_sdk.protobuf.cosmos.gov import v1beta1 as pb_legacy
from betterproto.lib.google.protobuf import Any as AnyPb

from ..crypto import module_address, to_valoper
from ..encoding import any_json, paginate, ts
from ..base import LCDError, Module, MsgContext, Request, Route, TxError
from .distribution import coins_string
from .staking import _check_address, _query_address, ddiv, fmt_dec, from_iso, iso, parse_dec, to_int

OPTIONS = ["VOTE_OPTION_UNSPECIFIED", "VOTE_OPTION_YES", "VOTE_OPTION_ABSTAIN", "VOTE_OPTION_NO",
           "VOTE_OPTION_NO_WITH_VETO"]
STATUSES = ["PROPOSAL_STATUS_UNSPECIFIED", "PROPOSAL_STATUS_DEPOSIT_PERIOD", "PROPOSAL_STATUS_VOTING_PERIOD",
            "PROPOSAL_STATUS_PASSED", "PROPOSAL_STATUS_REJECTED", "PROPOSAL_STATUS_FAILED"]
DEPOSIT, VOTING, PASSED, REJECTED, FAILED = STATUSES[1:]
ZERO_TIME = "0001-01-01T00:00:00Z"
LEGACY_CONTENT_URL = "/cosmos.gov.v1.MsgExecLegacyContent"
TEXT_PROPOSAL_URL = "/cosmos.gov.v1beta1.TextProposal"
CONVERT_ERROR = ("can't convert a gov/v1 Proposal to gov/v1beta1 Proposal when amount of proposal messages "
                 "not exactly one: invalid type")
MAX_METADATA_LEN = 255
_RAW = "_raw"  # stored next to a proposal message's JSON: its protobuf bytes (base64), to execute it
CONSTITUTION = ("The sandbox chain is a practice network: proposals here change nothing outside it. "
                "Vote as you would on secret-4.")
_TALLY_KEYS = [("VOTE_OPTION_YES", "yes"), ("VOTE_OPTION_ABSTAIN", "abstain"), ("VOTE_OPTION_NO", "no"),
               ("VOTE_OPTION_NO_WITH_VETO", "no_with_veto")]


def _coins_json(coins: dict[str, int]) -> list[dict]:
    return [{"denom": d, "amount": str(a)} for d, a in sorted(coins.items()) if a]


def _coins_from_pb(coins) -> dict[str, int]:
    out: dict[str, int] = {}
    for c in coins:
        try:
            amount = int(c.amount)
        except ValueError:
            raise TxError("sdk", 10, f"{c.amount}{c.denom}: invalid coins") from None
        if amount < 0 or not c.denom:
            raise TxError("sdk", 10, f"{c.amount}{c.denom}: invalid coins")
        out[c.denom] = out.get(c.denom, 0) + amount
    return {d: a for d, a in out.items() if a}


def _legacy_text(title: str, description: str) -> dict:
    return {"@type": LEGACY_CONTENT_URL,
            "content": {"@type": TEXT_PROPOSAL_URL, "title": title, "description": description},
            "authority": module_address("gov")}


class GovModule(Module):
    name = "gov"

    # ---- state: gov/params, gov/next_id, gov/proposal/<id:020>, gov/deposit/<id:020>/<addr>,
    #      gov/vote/<id:020>/<addr>, gov/constitution
    def params(self, store) -> dict:
        return store.get("gov/params")

    def proposal(self, store, pid: int) -> dict | None:
        return store.get(f"gov/proposal/{pid:020d}")

    def _set_proposal(self, store, p: dict) -> None:
        store.set(f"gov/proposal/{p['id']:020d}", p)

    def proposals(self, store) -> list[dict]:
        return [p for _, p in store.iterate("gov/proposal/")]

    def deposits(self, store, pid: int) -> list[tuple[str, dict[str, int]]]:
        prefix = f"gov/deposit/{pid:020d}/"
        return [(k[len(prefix):], v) for k, v in store.iterate(prefix)]

    def votes(self, store, pid: int) -> list[tuple[str, list]]:
        prefix = f"gov/vote/{pid:020d}/"
        return [(k[len(prefix):], v["options"]) for k, v in store.iterate(prefix)]

    def _staking(self, chain):
        return chain.module("staking")

    # ---- genesis
    def default_genesis(self, accounts: dict[str, str]) -> dict:
        return {"proposals": [
            {"title": "Sandbox launch parameters", "summary": "Adopt the parameters this sandbox started with.",
             "status": PASSED, "proposer": accounts["a"], "deposit": 10_000_000, "days_ago": 10,
             "tally": {"yes": 1_000_000_000, "abstain": 20_000_000, "no": 30_000_000, "no_with_veto": 0}},
            {"title": "Double the block reward", "summary": "Mint twice as many uscrt per block.",
             "status": REJECTED, "proposer": accounts["b"], "deposit": 12_000_000, "days_ago": 5,
             "tally": {"yes": 150_000_000, "abstain": 0, "no": 800_000_000, "no_with_veto": 250_000_000}},
            {"title": "Fund a sandbox tutorial", "summary": "Write a tutorial that uses this sandbox.",
             "status": VOTING, "proposer": accounts["b"], "deposit": 10_000_000,
             "votes": [(accounts["b"], "VOTE_OPTION_YES"), (accounts["c"], "VOTE_OPTION_NO")]},
            {"title": "Rename the sandbox token", "summary": "Call uscrt something else here.",
             "status": DEPOSIT, "proposer": accounts["c"], "deposit": 1_000_000},
        ]}

    def init_genesis(self, ctx, genesis: dict) -> None:
        store, config = ctx.store, ctx.chain.config
        store.set("gov/params", {
            "min_deposit": {"uscrt": 10_000_000},
            "max_deposit_period": config.max_deposit_period_seconds,
            "voting_period": config.voting_period_seconds,
            "quorum": "0.334", "threshold": "0.5", "veto_threshold": "0.334",
            "min_initial_deposit_ratio": "0.1",
            "proposal_cancel_ratio": "0.5", "proposal_cancel_dest": "",
            "expedited_voting_period": max(1, config.voting_period_seconds // 2),
            "expedited_threshold": "0.667", "expedited_min_deposit": {"uscrt": 50_000_000},
            "burn_vote_quorum": False, "burn_proposal_deposit_prevote": False, "burn_vote_veto": True,
            "min_deposit_ratio": "0.01",
        })
        store.set("gov/constitution", CONSTITUTION)
        store.set("gov/next_id", 1)
        params = self.params(store)
        for g in genesis.get("proposals", []):
            pid = self._next_id(store)
            if g["status"] in (PASSED, REJECTED):
                # Finished before genesis: deposits already refunded, votes already pruned.
                submit = ctx.time - timedelta(days=g["days_ago"])
                start = submit + timedelta(seconds=30)  # the deposit was reached 30 s after submission
                end = start + timedelta(seconds=params["voting_period"])
                self._set_proposal(store, self._new_proposal(pid, g, submit, params) | {
                    "status": g["status"], "total_deposit": {"uscrt": g["deposit"]},
                    "voting_start_time": iso(start), "voting_end_time": iso(end),
                    "final_tally": {k: str(v) for k, v in g["tally"].items()}})
                continue
            self._set_proposal(store, self._new_proposal(pid, g, ctx.time, params))
            self._add_deposit(ctx, pid, g["proposer"], {"uscrt": g["deposit"]}, events=False)
            for voter, option in g.get("votes", []):
                store.set(f"gov/vote/{pid:020d}/{voter}", {"options": [[option, "1"]], "metadata": ""})

    def _next_id(self, store) -> int:
        pid = store.get("gov/next_id", 1)
        store.set("gov/next_id", pid + 1)
        return pid

    @staticmethod
    def _new_proposal(pid: int, g: dict, now: datetime, params: dict) -> dict:
        return {
            "id": pid, "messages": g.get("messages", [_legacy_text(g["title"], g["summary"])]), "status": DEPOSIT,
            "final_tally": None, "submit_time": iso(now),
            "deposit_end_time": iso(now + timedelta(seconds=params["max_deposit_period"])),
            "total_deposit": {}, "voting_start_time": None, "voting_end_time": None,
            "metadata": g.get("metadata", ""), "title": g["title"], "summary": g["summary"],
            "proposer": g["proposer"], "expedited": g.get("expedited", False), "failed_reason": "",
        }

    # ---- deposits and votes
    def _min_deposit(self, params: dict, expedited: bool) -> dict[str, int]:
        return params["expedited_min_deposit"] if expedited else params["min_deposit"]

    def _add_deposit(self, ctx, pid: int, depositor: str, amount: dict[str, int], events: bool = True) -> bool:
        """keeper.AddDeposit: returns True when this deposit started the voting period."""
        store = ctx.store
        params = self.params(store)
        p = self.proposal(store, pid)
        if p is None:
            raise TxError("gov", 2, f"{pid}: unknown proposal")
        if p["status"] not in (DEPOSIT, VOTING):
            raise TxError("gov", 3, f"{pid}: inactive proposal")
        min_deposit = self._min_deposit(params, p["expedited"])
        bad = [d for d in amount if d not in min_deposit]
        if bad:
            raise TxError("gov", 23, f"deposited {coins_string(amount)}, but gov accepts only the following denom(s): "
                                     f"[{' '.join(sorted(min_deposit))}]: invalid deposit denom")
        ratio = Decimal(params["min_deposit_ratio"])
        if ratio > 0:
            need = {d: to_int(a * ratio) for d, a in min_deposit.items()}
            if not any(amount.get(d, 0) >= a for d, a in need.items()):
                raise TxError("gov", 16, f"received {coins_string(amount)} but need at least one of the following: "
                                         f"{coins_string(need)}: minimum deposit is too small")
        ctx.chain.module("bank").send(store, depositor, module_address("gov"), amount, ctx if events else None)
        total = dict(p["total_deposit"])
        for d, a in amount.items():
            total[d] = total.get(d, 0) + a
        p = {**p, "total_deposit": total}
        key = f"gov/deposit/{pid:020d}/{depositor}"
        mine = dict(store.get(key, {}))
        for d, a in amount.items():
            mine[d] = mine.get(d, 0) + a
        store.set(key, mine)
        started = p["status"] == DEPOSIT and all(total.get(d, 0) >= a for d, a in min_deposit.items())
        if started:
            period = params["expedited_voting_period"] if p["expedited"] else params["voting_period"]
            p = {**p, "status": VOTING, "voting_start_time": iso(ctx.time),
                 "voting_end_time": iso(ctx.time + timedelta(seconds=period)),
                 "final_tally": {"yes": "0", "abstain": "0", "no": "0", "no_with_veto": "0"}}
        self._set_proposal(store, p)
        if events:
            ctx.emit("proposal_deposit", ("depositor", depositor), ("amount", coins_string(amount)),
                     ("proposal_id", str(pid)))
        return started

    def _add_vote(self, ctx, pid: int, voter: str, options: list[list], metadata: str) -> None:
        p = self.proposal(ctx.store, pid)
        if p is None:
            raise TxError("gov", 2, f"{pid}: unknown proposal")
        if p["status"] != VOTING:
            raise TxError("gov", 3, f"{pid}: inactive proposal")
        if len(metadata) > MAX_METADATA_LEN:
            raise TxError("gov", 15, f"got metadata with length {len(metadata)}: metadata too long")
        ctx.store.set(f"gov/vote/{pid:020d}/{voter}", {"options": options, "metadata": metadata})
        text = "\n".join(f'option:{o} weight:"{fmt_dec(w)}"' for o, w in options)
        ctx.emit("proposal_vote", ("voter", voter), ("option", text), ("proposal_id", str(pid)))

    # ---- tally (keeper.Tally)
    def tally(self, store, chain, pid: int) -> tuple[bool, bool, dict[str, str]]:
        """(burn deposits, passes, tally result) for proposal `pid` from the current votes."""
        staking = self._staking(chain)
        params = self.params(store)
        p = self.proposal(store, pid)
        results = {o: Decimal(0) for o, _ in _TALLY_KEYS}
        total_power = Decimal(0)
        vals = {v["operator_address"]: {"val": v, "deductions": Decimal(0), "vote": None}
                for v in staking.bonded_validators(store)}
        votes = self.votes(store, pid)
        for voter, options in votes:
            valoper = to_valoper(voter)
            if valoper in vals:
                vals[valoper]["vote"] = options
            for val_addr, shares in staking.delegations_of(store, voter):
                if val_addr not in vals:
                    continue
                entry = vals[val_addr]
                entry["deductions"] += shares
                power = staking.tokens_from_shares(entry["val"], shares)
                for option, weight in options:
                    results[option] += power * Decimal(weight)
                total_power += power
        for entry in vals.values():
            if entry["vote"] is None:
                continue
            val = entry["val"]
            power = staking.tokens_from_shares(val, Decimal(val["delegator_shares"]) - entry["deductions"])
            for option, weight in entry["vote"]:
                results[option] += power * Decimal(weight)
            total_power += power
        tally = {name: str(to_int(results[o])) for o, name in _TALLY_KEYS}
        total_bonded = staking.total_bonded(store)
        if total_bonded == 0:
            return False, False, tally
        if ddiv(total_power, Decimal(total_bonded)) < Decimal(params["quorum"]):
            return params["burn_vote_quorum"], False, tally
        non_abstain = total_power - results["VOTE_OPTION_ABSTAIN"]
        if non_abstain == 0:
            return False, False, tally
        if ddiv(results["VOTE_OPTION_NO_WITH_VETO"], total_power) > Decimal(params["veto_threshold"]):
            return params["burn_vote_veto"], False, tally
        threshold = params["expedited_threshold"] if p["expedited"] else params["threshold"]
        if ddiv(results["VOTE_OPTION_YES"], non_abstain) > Decimal(threshold):
            return False, True, tally
        return False, False, tally

    # ---- EndBlocker
    def _settle_deposits(self, ctx, pid: int, burn: bool) -> None:
        bank, gov_addr = ctx.chain.module("bank"), module_address("gov")
        for depositor, coins in self.deposits(ctx.store, pid):
            if burn:
                bank.burn(ctx.store, gov_addr, coins, ctx)
            else:
                bank.send(ctx.store, gov_addr, depositor, coins, ctx)
            ctx.store.delete(f"gov/deposit/{pid:020d}/{depositor}")

    def end_block(self, ctx) -> None:
        store, now = ctx.store, ctx.time
        params = self.params(store)
        for p in self.proposals(store):
            if p["status"] == DEPOSIT and from_iso(p["deposit_end_time"]) <= now:
                self._settle_deposits(ctx, p["id"], params["burn_proposal_deposit_prevote"])
                store.delete(f"gov/proposal/{p['id']:020d}")
                ctx.emit("inactive_proposal", ("proposal_id", str(p["id"])), ("proposal_result", "proposal_dropped"))
        for p in self.proposals(store):
            if p["status"] != VOTING or from_iso(p["voting_end_time"]) > now:
                continue
            burn, passes, tally = self.tally(store, ctx.chain, p["id"])
            if p["expedited"] and not passes:
                # A failed expedited proposal becomes a regular one with the normal voting period.
                end = from_iso(p["voting_start_time"]) + timedelta(seconds=params["voting_period"])
                self._set_proposal(store, {**p, "expedited": False, "voting_end_time": iso(end)})
                ctx.emit("active_proposal", ("proposal_id", str(p["id"])),
                         ("proposal_result", "expedited_proposal_rejected"))
                continue
            self._settle_deposits(ctx, p["id"], burn)
            for voter, _ in self.votes(store, p["id"]):
                store.delete(f"gov/vote/{p['id']:020d}/{voter}")
            failed_reason = self._execute(ctx, p) if passes else ""
            if passes and not failed_reason:
                status, result = PASSED, "proposal_passed"
            elif passes:
                status, result = FAILED, "proposal_failed"
            else:
                status, result = REJECTED, "proposal_rejected"
            self._set_proposal(store, {**p, "status": status, "final_tally": tally, "failed_reason": failed_reason})
            ctx.emit("active_proposal", ("proposal_id", str(p["id"])), ("proposal_result", result))

    # ---- messages
    def msg_handlers(self) -> dict:
        return {
            "/cosmos.gov.v1.MsgSubmitProposal": (pb.MsgSubmitProposal, self._msg_submit),
            "/cosmos.gov.v1.MsgDeposit": (pb.MsgDeposit, self._msg_deposit),
            "/cosmos.gov.v1.MsgVote": (pb.MsgVote, self._msg_vote),
            "/cosmos.gov.v1.MsgVoteWeighted": (pb.MsgVoteWeighted, self._msg_vote_weighted),
            "/cosmos.gov.v1beta1.MsgSubmitProposal": (pb_legacy.MsgSubmitProposal, self._msg_submit_legacy),
            "/cosmos.gov.v1beta1.MsgDeposit": (pb_legacy.MsgDeposit, self._msg_deposit_legacy),
            "/cosmos.gov.v1beta1.MsgVote": (pb_legacy.MsgVote, self._msg_vote_legacy),
            "/cosmos.gov.v1beta1.MsgVoteWeighted": (pb_legacy.MsgVoteWeighted, self._msg_vote_weighted_legacy),
        }

    def amino_names(self) -> dict[str, str]:
        return {
            "/cosmos.gov.v1.MsgSubmitProposal": "cosmos-sdk/v1/MsgSubmitProposal",
            "/cosmos.gov.v1.MsgDeposit": "cosmos-sdk/v1/MsgDeposit",
            "/cosmos.gov.v1.MsgVote": "cosmos-sdk/v1/MsgVote",
            "/cosmos.gov.v1.MsgVoteWeighted": "cosmos-sdk/v1/MsgVoteWeighted",
            "/cosmos.gov.v1beta1.MsgSubmitProposal": "cosmos-sdk/MsgSubmitProposal",
            "/cosmos.gov.v1beta1.MsgDeposit": "cosmos-sdk/MsgDeposit",
            "/cosmos.gov.v1beta1.MsgVote": "cosmos-sdk/MsgVote",
            "/cosmos.gov.v1beta1.MsgVoteWeighted": "cosmos-sdk/MsgVoteWeighted",
            # nested in proposals: legacy signing renders these Anys by amino name too
            LEGACY_CONTENT_URL: "cosmos-sdk/v1/MsgExecLegacyContent",
            TEXT_PROPOSAL_URL: "cosmos-sdk/TextProposal",
        }

    def proto_types(self) -> dict[str, type]:
        """Message classes that appear inside Anys of gov messages (for JSON and amino rendering)."""
        return {LEGACY_CONTENT_URL: pb.MsgExecLegacyContent, TEXT_PROPOSAL_URL: pb_legacy.TextProposal}

    @staticmethod
    def _signer(ctx, addr: str, what: str) -> None:
        _check_address(addr, "secret", what)
        if addr != ctx.signer:
            raise TxError("sdk", 8, f"pubKey does not match signer address {addr} with signer index: 0: invalid pubkey")

    def _proposal_messages(self, ctx, messages: list[AnyPb]) -> list[dict]:
        """Validate a proposal's messages; returns their JSON (with the raw bytes kept for execution)."""
        out = []
        gov_addr = module_address("gov")
        for any_msg in messages:
            if any_msg.type_url == LEGACY_CONTENT_URL:
                legacy = pb.MsgExecLegacyContent().parse(any_msg.value)
                if legacy.authority != gov_addr:
                    raise TxError("gov", 13, "expected gov account as only signer for proposal message")
                out.append(self._legacy_content(legacy.content))
                continue
            entry = ctx.chain.msg_handlers.get(any_msg.type_url)
            if entry is None:
                raise TxError("gov", 10, f"{any_msg.type_url}: proposal message not recognized by router")
            from ..tx import msg_signer  # the pipeline's rule for who signs a message

            inner = entry[0]().parse(any_msg.value)
            if msg_signer(inner) != gov_addr:
                raise TxError("gov", 13, "expected gov account as only signer for proposal message")
            rendered = any_json(any_msg.type_url, any_msg.value, ctx.chain.resolve,
                                getattr(ctx.chain, "json_overrides", None))
            out.append({**rendered, _RAW: base64.b64encode(any_msg.value).decode()})
        return out

    def _execute(self, ctx, p: dict) -> str:
        """Run a passed proposal's messages atomically as the gov account; returns the failure text or ""."""
        branch = ctx.store.branch()
        gov_addr = module_address("gov")
        for index, m in enumerate(p["messages"]):
            if _RAW not in m:
                continue  # legacy text content: nothing to execute
            cls, handler = ctx.chain.msg_handlers[m["@type"]]
            mctx = MsgContext(ctx.chain, branch, ctx.height, ctx.time, index, gov_addr)
            try:
                handler(mctx, cls().parse(base64.b64decode(m[_RAW])))
            except TxError as err:
                return err.log
            ctx.events.extend(mctx.events)
        branch.write()
        return ""

    @staticmethod
    def _legacy_content(content: AnyPb | None) -> dict:
        if content is None or content.type_url != TEXT_PROPOSAL_URL:
            url = content.type_url if content is not None else ""
            raise TxError("gov", 5, f"{url}: invalid proposal content")
        text = pb_legacy.TextProposal().parse(content.value)
        return _legacy_text(text.title, text.description)

    def _submit(self, ctx, messages: list[dict], deposit: dict[str, int], proposer: str, metadata: str, title: str,
                summary: str, expedited: bool) -> int:
        store = ctx.store
        params = self.params(store)
        if not title:
            raise TxError("gov", 12, "proposal title cannot be empty: invalid proposal message")
        if not summary:
            raise TxError("gov", 12, "proposal summary cannot be empty: invalid proposal message")
        if len(metadata) > MAX_METADATA_LEN:
            raise TxError("gov", 15, f"got metadata with length {len(metadata)}: metadata too long")
        ratio = Decimal(params["min_initial_deposit_ratio"])
        if ratio > 0:
            need = {d: int((a * ratio).to_integral_value()) for d, a in self._min_deposit(params, expedited).items()}
            if not all(deposit.get(d, 0) >= a for d, a in need.items()):
                raise TxError("gov", 16, f"was ({coins_string(deposit)}), need ({coins_string(need)}): "
                                         "minimum deposit is too small")
        pid = self._next_id(store)
        self._set_proposal(store, self._new_proposal(pid, {
            "messages": messages, "title": title, "summary": summary, "metadata": metadata,
            "proposer": proposer, "expedited": expedited}, ctx.time, params))
        ctx.emit("submit_proposal", ("proposal_id", str(pid)), ("proposal_proposer", proposer),
                 ("proposal_messages", "".join(f",{m['@type']}" for m in messages)))
        if self._add_deposit(ctx, pid, proposer, deposit):
            ctx.emit("submit_proposal", ("voting_period_start", str(pid)))
        return pid

    def _msg_submit(self, ctx, msg: pb.MsgSubmitProposal):
        self._signer(ctx, msg.proposer, "proposer")
        messages = self._proposal_messages(ctx, msg.messages)
        pid = self._submit(ctx, messages, _coins_from_pb(msg.initial_deposit), msg.proposer, msg.metadata,
                           msg.title, msg.summary, msg.expedited)
        return pb.MsgSubmitProposalResponse(proposal_id=pid)

    def _msg_submit_legacy(self, ctx, msg: pb_legacy.MsgSubmitProposal):
        self._signer(ctx, msg.proposer, "proposer")
        content = self._legacy_content(msg.content)
        text = content["content"]
        pid = self._submit(ctx, [content], _coins_from_pb(msg.initial_deposit), msg.proposer, "",
                           text["title"], text["description"], False)
        return pb_legacy.MsgSubmitProposalResponse(proposal_id=pid)

    def _deposit(self, ctx, pid: int, depositor: str, coins) -> None:
        self._signer(ctx, depositor, "depositor")
        amount = _coins_from_pb(coins)
        if not amount:
            raise TxError("sdk", 10, ": invalid coins")
        if self._add_deposit(ctx, pid, depositor, amount):
            ctx.emit("proposal_deposit", ("voting_period_start", str(pid)))

    def _msg_deposit(self, ctx, msg: pb.MsgDeposit):
        self._deposit(ctx, msg.proposal_id, msg.depositor, msg.amount)
        return pb.MsgDepositResponse()

    def _msg_deposit_legacy(self, ctx, msg: pb_legacy.MsgDeposit):
        self._deposit(ctx, msg.proposal_id, msg.depositor, msg.amount)
        return pb_legacy.MsgDepositResponse()

    def _vote(self, ctx, pid: int, voter: str, option: int, metadata: str = "") -> None:
        self._signer(ctx, voter, "voter")
        option = int(option)
        if option not in (1, 2, 3, 4):
            name = OPTIONS[option] if 0 <= option < len(OPTIONS) else str(option)
            raise TxError("gov", 7, f"{name}: invalid vote option")
        self._add_vote(ctx, pid, voter, [[OPTIONS[option], "1"]], metadata)

    def _vote_weighted(self, ctx, pid: int, voter: str, options, metadata: str, legacy: bool) -> None:
        self._signer(ctx, voter, "voter")
        if not options:
            raise TxError("sdk", 18, ": invalid request")
        total, used, parsed = Decimal(0), set(), []
        for o in options:
            option = int(o.option)
            weight = _parse_weight(o.weight, legacy)
            if option not in (1, 2, 3, 4) or weight is None or weight <= 0 or weight > 1:
                raise TxError("gov", 7, f'option:{OPTIONS[option] if 0 <= option < 5 else option} '
                                        f'weight:"{o.weight}": invalid vote option')
            if option in used:
                raise TxError("gov", 7, "duplicated vote option: invalid vote option")
            used.add(option)
            total += weight
            parsed.append([OPTIONS[option], str(weight)])
        if total > 1:
            raise TxError("gov", 7, "total weight overflow 1.00: invalid vote option")
        if total < 1:
            raise TxError("gov", 7, "total weight lower than 1.00: invalid vote option")
        self._add_vote(ctx, pid, voter, parsed, metadata)

    def _msg_vote(self, ctx, msg: pb.MsgVote):
        self._vote(ctx, msg.proposal_id, msg.voter, msg.option, msg.metadata)
        return pb.MsgVoteResponse()

    def _msg_vote_legacy(self, ctx, msg: pb_legacy.MsgVote):
        self._vote(ctx, msg.proposal_id, msg.voter, msg.option)
        return pb_legacy.MsgVoteResponse()

    def _msg_vote_weighted(self, ctx, msg: pb.MsgVoteWeighted):
        self._vote_weighted(ctx, msg.proposal_id, msg.voter, msg.options, msg.metadata, legacy=False)
        return pb.MsgVoteWeightedResponse()

    def _msg_vote_weighted_legacy(self, ctx, msg: pb_legacy.MsgVoteWeighted):
        self._vote_weighted(ctx, msg.proposal_id, msg.voter, msg.options, "", legacy=True)
        return pb_legacy.MsgVoteWeightedResponse()

    # ---- JSON views
    @staticmethod
    def _tally_v1(t: dict | None) -> dict | None:
        if t is None:
            return None
        return {f"{name}_count": t[name] for _, name in _TALLY_KEYS}

    def proposal_json(self, p: dict) -> dict:
        opt_ts = lambda v: ts(from_iso(v)) if v else None  # noqa: E731 - unset timestamps are null in v1
        return {
            "id": str(p["id"]), "messages": [_public(m) for m in p["messages"]], "status": p["status"],
            "final_tally_result": self._tally_v1(p["final_tally"] or {"yes": "0", "abstain": "0", "no": "0",
                                                                     "no_with_veto": "0"}),
            "submit_time": ts(from_iso(p["submit_time"])), "deposit_end_time": ts(from_iso(p["deposit_end_time"])),
            "total_deposit": _coins_json(p["total_deposit"]),
            "voting_start_time": opt_ts(p["voting_start_time"]), "voting_end_time": opt_ts(p["voting_end_time"]),
            "metadata": p["metadata"], "title": p["title"], "summary": p["summary"], "proposer": p["proposer"],
            "expedited": p["expedited"], "failed_reason": p["failed_reason"],
        }

    def legacy_proposal_json(self, p: dict) -> dict:
        """v3.ConvertToLegacyProposal."""
        if len(p["messages"]) != 1:
            raise LCDError.unknown(CONVERT_ERROR)
        msg = p["messages"][0]
        content = msg["content"] if msg["@type"] == LEGACY_CONTENT_URL else _public(msg)
        tally = p["final_tally"] or {"yes": "0", "abstain": "0", "no": "0", "no_with_veto": "0"}
        legacy_ts = lambda v: ts(from_iso(v)) if v else ZERO_TIME  # noqa: E731 - non-nullable in v1beta1
        return {
            "proposal_id": str(p["id"]), "content": content, "status": p["status"],
            "final_tally_result": {name: tally[name] for _, name in _TALLY_KEYS},
            "submit_time": ts(from_iso(p["submit_time"])), "deposit_end_time": ts(from_iso(p["deposit_end_time"])),
            "total_deposit": _coins_json(p["total_deposit"]),
            "voting_start_time": legacy_ts(p["voting_start_time"]), "voting_end_time": legacy_ts(p["voting_end_time"]),
        }

    # ---- routes
    def routes(self) -> list[Route]:
        v1, old = "/cosmos/gov/v1", "/cosmos/gov/v1beta1"
        return [
            Route("GET", f"{v1}/constitution", self._q_constitution),
            Route("GET", f"{v1}/params/{{params_type}}", self._q_params),
            Route("GET", f"{v1}/proposals", self._q_proposals),
            Route("GET", f"{v1}/proposals/{{proposal_id}}", self._q_proposal),
            Route("GET", f"{v1}/proposals/{{proposal_id}}/votes", self._q_votes),
            Route("GET", f"{v1}/proposals/{{proposal_id}}/votes/{{voter}}", self._q_vote),
            Route("GET", f"{v1}/proposals/{{proposal_id}}/deposits", self._q_deposits),
            Route("GET", f"{v1}/proposals/{{proposal_id}}/deposits/{{depositor}}", self._q_deposit),
            Route("GET", f"{v1}/proposals/{{proposal_id}}/tally", self._q_tally),
            Route("GET", f"{old}/params/{{params_type}}", self._q_params_legacy),
            Route("GET", f"{old}/proposals", self._q_proposals_legacy),
            Route("GET", f"{old}/proposals/{{proposal_id}}", self._q_proposal_legacy),
            Route("GET", f"{old}/proposals/{{proposal_id}}/votes", self._q_votes_legacy),
            Route("GET", f"{old}/proposals/{{proposal_id}}/votes/{{voter}}", self._q_vote_legacy),
            Route("GET", f"{old}/proposals/{{proposal_id}}/deposits", self._q_deposits),
            Route("GET", f"{old}/proposals/{{proposal_id}}/deposits/{{depositor}}", self._q_deposit),
            Route("GET", f"{old}/proposals/{{proposal_id}}/tally", self._q_tally_legacy),
        ]

    @staticmethod
    def _pid(req: Request) -> int:
        raw = req.path_params.get("proposal_id", "")
        try:
            pid = int(raw)
        except ValueError:
            raise LCDError.invalid(f"type mismatch, parameter: proposal_id, error: strconv.ParseUint: parsing "
                                   f"\"{raw}\": invalid syntax") from None
        if pid == 0:
            raise LCDError.invalid("proposal id can not be 0")
        return pid

    def _existing(self, req: Request) -> dict:
        pid = self._pid(req)
        p = self.proposal(req.chain.store, pid)
        if p is None:
            raise LCDError.not_found(f"proposal {pid} doesn't exist")
        return p

    def _q_constitution(self, req: Request) -> dict:
        return {"constitution": req.chain.store.get("gov/constitution", "")}

    def _params_json(self, params: dict) -> dict:
        return {
            "min_deposit": _coins_json(params["min_deposit"]),
            "max_deposit_period": f"{params['max_deposit_period']}s",
            "voting_period": f"{params['voting_period']}s",
            "quorum": fmt_dec(params["quorum"]), "threshold": fmt_dec(params["threshold"]),
            "veto_threshold": fmt_dec(params["veto_threshold"]),
            "min_initial_deposit_ratio": fmt_dec(params["min_initial_deposit_ratio"]),
            "proposal_cancel_ratio": fmt_dec(params["proposal_cancel_ratio"]),
            "proposal_cancel_dest": params["proposal_cancel_dest"],
            "expedited_voting_period": f"{params['expedited_voting_period']}s",
            "expedited_threshold": fmt_dec(params["expedited_threshold"]),
            "expedited_min_deposit": _coins_json(params["expedited_min_deposit"]),
            "burn_vote_quorum": params["burn_vote_quorum"],
            "burn_proposal_deposit_prevote": params["burn_proposal_deposit_prevote"],
            "burn_vote_veto": params["burn_vote_veto"],
            "min_deposit_ratio": fmt_dec(params["min_deposit_ratio"]),
        }

    def _q_params(self, req: Request) -> dict:
        kind = req.path_params.get("params_type", "")
        full = self._params_json(self.params(req.chain.store))
        out = {"voting_params": None, "deposit_params": None, "tally_params": None, "params": full}
        if kind == "voting":
            out["voting_params"] = {"voting_period": full["voting_period"]}
        elif kind == "deposit":
            out["deposit_params"] = {"min_deposit": full["min_deposit"], "max_deposit_period": full["max_deposit_period"]}
        elif kind == "tallying":
            out["tally_params"] = {k: full[k] for k in ("quorum", "threshold", "veto_threshold")}
        else:
            raise LCDError.invalid(f"{kind} is not a valid parameter type")
        return out

    def _q_params_legacy(self, req: Request) -> dict:
        v1 = self._q_params(req)
        zero = "0.000000000000000000"
        return {
            "voting_params": v1["voting_params"] or {"voting_period": "0s"},
            "deposit_params": v1["deposit_params"] or {"min_deposit": [], "max_deposit_period": "0s"},
            "tally_params": v1["tally_params"] or {"quorum": zero, "threshold": zero, "veto_threshold": zero},
        }

    def _filtered(self, req: Request) -> list[dict]:
        store = req.chain.store
        status = req.param("proposal_status", "") or ""
        if status.isdigit() and int(status) < len(STATUSES):
            status = STATUSES[int(status)]
        if status and status not in STATUSES:
            raise LCDError.invalid(f"invalid proposal status {status}")
        voter, depositor = req.param("voter", "") or "", req.param("depositor", "") or ""
        for addr in (voter, depositor):
            if addr:
                _query_address(addr, "secret")
        out = []
        for p in self.proposals(store):
            if status and status != STATUSES[0] and p["status"] != status:
                continue
            if voter and not store.has(f"gov/vote/{p['id']:020d}/{voter}"):
                continue
            if depositor and not store.has(f"gov/deposit/{p['id']:020d}/{depositor}"):
                continue
            out.append(p)
        return out

    def _q_proposals(self, req: Request) -> dict:
        page, pagination = paginate(req, [self.proposal_json(p) for p in self._filtered(req)])
        return {"proposals": page, "pagination": pagination}

    def _q_proposals_legacy(self, req: Request) -> dict:
        page, pagination = paginate(req, self._filtered(req))
        return {"proposals": [self.legacy_proposal_json(p) for p in page], "pagination": pagination}

    def _q_proposal(self, req: Request) -> dict:
        return {"proposal": self.proposal_json(self._existing(req))}

    def _q_proposal_legacy(self, req: Request) -> dict:
        return {"proposal": self.legacy_proposal_json(self._existing(req))}

    @staticmethod
    def _vote_json(pid: int, voter: str, vote: dict, legacy: bool) -> dict:
        options = [{"option": o, "weight": fmt_dec(w)} for o, w in vote["options"]]
        if legacy:  # ConvertToLegacyVote leaves the deprecated single option unset
            return {"proposal_id": str(pid), "voter": voter, "option": OPTIONS[0], "options": options}
        return {"proposal_id": str(pid), "voter": voter, "options": options, "metadata": vote["metadata"]}

    def _votes(self, req: Request, legacy: bool) -> dict:
        pid = self._pid(req)
        prefix = f"gov/vote/{pid:020d}/"
        items = [self._vote_json(pid, k[len(prefix):], v, legacy) for k, v in req.chain.store.iterate(prefix)]
        page, pagination = paginate(req, items)
        return {"votes": page, "pagination": pagination}

    def _q_votes(self, req: Request) -> dict:
        return self._votes(req, legacy=False)

    def _q_votes_legacy(self, req: Request) -> dict:
        return self._votes(req, legacy=True)

    def _one_vote(self, req: Request, legacy: bool) -> dict:
        pid, voter = self._pid(req), req.path_params.get("voter", "")
        _query_address(voter, "secret")
        vote = req.chain.store.get(f"gov/vote/{pid:020d}/{voter}")
        if vote is None:
            raise LCDError.invalid(f"voter: {voter} not found for proposal: {pid}")
        return {"vote": self._vote_json(pid, voter, vote, legacy)}

    def _q_vote(self, req: Request) -> dict:
        return self._one_vote(req, legacy=False)

    def _q_vote_legacy(self, req: Request) -> dict:
        return self._one_vote(req, legacy=True)

    def _q_deposits(self, req: Request) -> dict:
        pid = self._pid(req)
        items = [{"proposal_id": str(pid), "depositor": d, "amount": _coins_json(c)}
                 for d, c in self.deposits(req.chain.store, pid)]
        page, pagination = paginate(req, items)
        return {"deposits": page, "pagination": pagination}

    def _q_deposit(self, req: Request) -> dict:
        pid, depositor = self._pid(req), req.path_params.get("depositor", "")
        _query_address(depositor, "secret")
        coins = req.chain.store.get(f"gov/deposit/{pid:020d}/{depositor}")
        if coins is None:
            raise LCDError.invalid(f"depositer: {depositor} not found for proposal: {pid}")
        return {"deposit": {"proposal_id": str(pid), "depositor": depositor, "amount": _coins_json(coins)}}

    def _current_tally(self, req: Request) -> dict:
        p = self._existing(req)
        if p["status"] == DEPOSIT:
            return {"yes": "0", "abstain": "0", "no": "0", "no_with_veto": "0"}
        if p["status"] == VOTING:
            return self.tally(req.chain.store, req.chain, p["id"])[2]
        return p["final_tally"]

    def _q_tally(self, req: Request) -> dict:
        return {"tally": self._tally_v1(self._current_tally(req))}

    def _q_tally_legacy(self, req: Request) -> dict:
        t = self._current_tally(req)
        return {"tally": {name: t[name] for _, name in _TALLY_KEYS}}


def _public(message: dict) -> dict:
    return {k: v for k, v in message.items() if k != _RAW}


def _parse_weight(text: str, legacy: bool) -> Decimal | None:
    """v1 weights are Dec strings ("0.5"); v1beta1 ones travel as LegacyDec wire bytes (10^18-scaled integers)."""
    try:
        if legacy and text.isdigit():
            return Decimal(int(text)).scaleb(-18)
        return parse_dec(text)
    except ValueError:
        return None
