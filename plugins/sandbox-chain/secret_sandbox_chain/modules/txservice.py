"""cosmos.tx.v1beta1 Service over LCD: broadcast, get, search (CometBFT query language), simulate, block txs."""

from __future__ import annotations

import base64
import binascii
import re

from ..encoding import any_json, b64, events_json
from ..base import LCDError, Module, Request, Route
from .tendermint import TendermintModule, parse_height

_MODES = {"BROADCAST_MODE_SYNC": "sync", "2": "sync", "BROADCAST_MODE_ASYNC": "async", "3": "async"}
_COND = re.compile(r"""\s*([\w.\-]+)\s*(<=|>=|=|<|>|\s+CONTAINS\s+|\s+EXISTS)\s*('(?:[^']*)'|[\w.\-:]+)?\s*""",
                   re.IGNORECASE)
_NUMBER = re.compile(r"-?\d{1,30}(?:\.\d{1,30})?")  # bounded: int() of thousands of digits raises


def _tx_bytes(req: Request) -> bytes:
    body = req.body if isinstance(req.body, dict) else {}
    text = body.get("tx_bytes") or body.get("txBytes") or ""
    if not text:
        raise LCDError.invalid("invalid empty tx")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise LCDError(3, "illegal base64 data at input byte 0") from None


def _bad_query(part: str) -> LCDError:
    # The node's CometBFT parser refuses it; the gateway answers 400 {"code": 3, ...} (docs/protocol-notes.md#lcd-errors).
    return LCDError.invalid(f"failed to parse query: {part.strip()!r}")


def parse_query(query: str) -> list[tuple[str, str, object]]:
    """CometBFT query -> [(key, op, value)]; value is str for quoted operands, int/float for numbers.

    An unquoted operand must be a number (CometBFT reads `x` in `tx.height>=x` as neither a number nor a
    string), so anything else is a malformed query, never an exception."""
    conds = []
    for part in re.split(r"\s+AND\s+", query.strip(), flags=re.IGNORECASE):
        m = _COND.fullmatch(part)
        if not m:
            raise _bad_query(part)
        key, op, raw = m.group(1), m.group(2).strip().upper(), m.group(3)
        if (op == "EXISTS") != (raw is None):
            raise _bad_query(part)
        if raw is None:
            value: object = None
        elif raw.startswith("'"):
            value = raw[1:-1]
        elif _NUMBER.fullmatch(raw):
            value = float(raw) if "." in raw else int(raw)
        else:
            raise _bad_query(part)
        conds.append((key, op, value))
    return conds


def _cmp(have: str, op: str, want: object) -> bool:
    if op == "=":
        return have == str(want) if isinstance(want, str) else _num(have) == want
    if op == "CONTAINS":
        return str(want) in have
    h = _num(have)
    if h is None or isinstance(want, str) and _num(want) is None:
        return False
    w = want if not isinstance(want, str) else _num(want)
    return {"<": h < w, "<=": h <= w, ">": h > w, ">=": h >= w}[op]


def _num(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def matches(index_events: list, conds: list[tuple[str, str, object]]) -> bool:
    for key, op, value in conds:
        values = [v for k, v in index_events if k == key]
        if op == "EXISTS":
            if not values:
                return False
        elif not any(_cmp(v, op, value) for v in values):
            return False
    return True


class TxServiceModule(Module):
    name = "txservice"

    def routes(self) -> list[Route]:
        p = "/cosmos/tx/v1beta1"
        return [
            Route("POST", p + "/txs", self._broadcast),
            Route("GET", p + "/txs/{hash}", self._get_tx),
            Route("GET", p + "/txs", self._search),
            Route("POST", p + "/simulate", self._simulate),
            Route("GET", p + "/txs/block/{height}", self._block_txs),
        ]

    def _broadcast(self, req: Request) -> dict:
        body = req.body if isinstance(req.body, dict) else {}
        raw = _tx_bytes(req)
        mode = _MODES.get(str(body.get("mode", "")).upper())
        if mode is None:
            raise LCDError(2, "unsupported return type unspecified; supported types: sync, async")
        return {"tx_response": req.chain.broadcast(raw, mode)}

    @staticmethod
    def _tx_pair(rec: dict) -> tuple[dict, dict]:
        tx = dict(rec["response"]["tx"])
        tx.pop("@type", None)
        return tx, rec["response"]

    def _get_tx(self, req: Request) -> dict:
        wanted = req.path_params["hash"]
        rec = req.chain.txs.get(wanted.upper())
        if rec is None:
            raise LCDError.not_found(f"tx not found: {wanted}")
        tx, response = self._tx_pair(rec)
        return {"tx": tx, "tx_response": response}

    def _search(self, req: Request) -> dict:
        query = (req.param("query") or "").strip()
        if not query:  # SDK 0.50 ignores the legacy `events` parameter (docs/protocol-notes.md#tx-search)
            raise LCDError(2, "rpc error: code = Internal desc = query cannot be empty: unknown request")
        conds = parse_query(query)
        try:
            page = int(req.param("page") or 1)
            limit = int(req.param("limit") or 100)
        except ValueError:
            raise LCDError.invalid("page and limit must be integers") from None
        limit = max(1, min(limit, 100))
        chain = req.chain
        with chain.lock:
            found = [chain.txs[h] for h in chain.tx_order if matches(chain.txs[h]["index_events"], conds)]
        if str(req.param("order_by") or "").upper() in ("ORDER_BY_DESC", "2"):
            found.reverse()
        total = len(found)
        pages = max(1, -(-total // limit))
        if page < 1 or page > pages:
            raise LCDError(2, f"rpc error: code = Internal desc = page should be within [1, {pages}] range, "
                              f"given {page}: unknown request")
        chunk = found[(page - 1) * limit: page * limit]
        pairs = [self._tx_pair(r) for r in chunk]
        return {"txs": [t for t, _ in pairs], "tx_responses": [r for _, r in pairs], "pagination": None,
                "total": str(total)}

    def _simulate(self, req: Request) -> dict:
        chain = req.chain
        result = chain.simulate(_tx_bytes(req))
        if result.code != 0:
            raise LCDError(2, f"rpc error: code = Unknown desc = {result.log} with gas used: '{result.gas_used}': "
                              "unknown request")
        return {
            "gas_info": {"gas_wanted": str(result.gas_wanted), "gas_used": str(result.gas_used)},
            "result": {
                "data": b64(result.data) or "",
                "log": "",
                "events": events_json(result.events),
                "msg_responses": [any_json(a.type_url, a.value, chain.resolve) for a in result.msg_responses],
            },
        }

    def _block_txs(self, req: Request) -> dict:
        chain = req.chain
        height = TendermintModule.checked_height(chain, parse_height(req))
        view = TendermintModule.block_response(chain, height)
        block = chain.blocks[height]
        from ..tx import tx_hash

        txs = [self._tx_pair(chain.txs[tx_hash(base64.b64decode(t))])[0] for t in block["txs"]]
        return {"txs": txs, "block_id": view["block_id"], "block": view["sdk_block"],
                "pagination": {"next_key": None, "total": str(len(txs))}}
