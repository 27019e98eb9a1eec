"""The classic Secret counter contract: increment by anyone, reset by the owner, get_count."""

from __future__ import annotations

from .base import Contract, ContractError, Deps, Env, Info, Response, to_json, variant


class Counter(Contract):
    name = "counter"

    def instantiate(self, deps: Deps, env: Env, info: Info, msg: dict) -> Response:
        count = msg.get("count", 0) if isinstance(msg, dict) else None
        if not isinstance(count, int) or isinstance(count, bool):
            raise ContractError.parse("invalid type: expected i32 for `count`", "msg")
        deps.storage.set("state", {"count": count, "owner": info.sender})
        return Response(attributes=[("count", str(count)), ("owner", info.sender)])

    def execute(self, deps: Deps, env: Env, info: Info, msg: dict) -> Response:
        name, body = variant(msg, ["increment", "reset"])
        state = deps.storage.get("state")
        if name == "increment":
            state = {**state, "count": state["count"] + 1}
        else:
            if info.sender != state["owner"]:
                raise ContractError.generic("Only the owner can reset count")
            count = body.get("count", 0)
            if not isinstance(count, int) or isinstance(count, bool):
                raise ContractError.parse("invalid type: expected i32 for `count`", "msg")
            state = {**state, "count": count}
        deps.storage.set("state", state)
        return Response(data=to_json({name: {"count": state["count"]}}),
                        attributes=[("action", name), ("count", str(state["count"]))])

    def query(self, deps: Deps, env: Env, msg: dict) -> bytes:
        variant(msg, ["get_count"])
        return to_json({"count": deps.storage.get("state")["count"]})
