"""IBC transfer (ibc-go v8 shapes) over one open channel to a simulated counterparty chain, with a built-in relayer.

MsgTransfer escrows (native denoms) or burns (vouchers going home) and emits `send_packet`. RELAY_BLOCKS blocks
later the simulated counterparty decides: timed out (height/timestamp passed) or received (error ack if the
receiver is not a `cosmos1…` address). The sandbox relayer then submits a real signed MsgAcknowledgement/MsgTimeout
tx, so `acknowledge_packet`/`timeout_packet` events are in a searchable tx, like on a live chain.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import threading

from secret_sdk.protobuf.ibc.applications.transfer import v1 as tpb
from secret_sdk.protobuf.ibc.core.channel import v1 as cpb
from secret_sdk.protobuf.ibc.core.client.v1 import Height

from ..crypto import bech32_decode, bech32_encode, module_address, pubkey_to_address
from ..encoding import paginate
from ..base import LCDError, Module, Request, Route, TxError

PORT, CHANNEL, CONNECTION, CLIENT = "transfer", "channel-0", "connection-0", "07-tendermint-0"
COUNTERPARTY = {"chain_id": "cosmoshub-sandbox", "prefix": "cosmos", "channel": "channel-235",
                "connection": "connection-1", "revision": 4, "height_offset": 1_000_000}
RELAY_BLOCKS = 2  # blocks between send_packet and the counterparty's verdict
VERSION = "ics20-1"
RELAYER_PRIVKEY = hashlib.sha256(b"sandbox ibc relayer key").digest()
GENESIS_VOUCHER = ("transfer/channel-0", "uatom", 1_000_000_000)  # held by LocalSecret account d
P = "ibc/"
log = logging.getLogger(__name__)
ACK_OK = b'{"result":"AQ=="}'


def escrow_address(port: str = PORT, channel: str = CHANNEL) -> str:
    """ibc-go GetEscrowAddress: first 20 bytes of SHA256(version ‖ 0x00 ‖ port/channel)."""
    return bech32_encode("secret", hashlib.sha256(VERSION.encode() + b"\x00" + f"{port}/{channel}".encode())
                         .digest()[:20])


def ibc_denom(trace: str) -> str:
    return "ibc/" + hashlib.sha256(trace.encode()).hexdigest().upper()


def relayer_address() -> str:
    from secret_sdk.key.raw import RawKey

    return pubkey_to_address(RawKey(RELAYER_PRIVKEY).public_key.key)


def counterparty_height(height: int) -> tuple[int, int]:
    return COUNTERPARTY["revision"], COUNTERPARTY["height_offset"] + height


def _channel_json() -> dict:
    return {"state": "STATE_OPEN", "ordering": "ORDER_UNORDERED",
            "counterparty": {"port_id": PORT, "channel_id": COUNTERPARTY["channel"]},
            "connection_hops": [CONNECTION], "version": VERSION, "port_id": PORT, "channel_id": CHANNEL,
            "upgrade_sequence": "0"}


def _packet_attrs(p: dict) -> list[tuple[str, str]]:
    return [("packet_timeout_height", p["timeout_height"]), ("packet_timeout_timestamp", p["timeout_timestamp"]),
            ("packet_sequence", str(p["sequence"])), ("packet_src_port", PORT), ("packet_src_channel", CHANNEL),
            ("packet_dst_port", PORT), ("packet_dst_channel", COUNTERPARTY["channel"]),
            ("packet_channel_ordering", "ORDER_UNORDERED"), ("packet_connection", CONNECTION),
            ("connection_id", CONNECTION)]


class IBCModule(Module):
    name = "ibc"
    # With instant blocks (block_time_ms 0) nothing produces blocks between txs, so while packets are in flight
    # the module asks for a block every tick_seconds itself (None: only txs or Chain.advance move them).
    tick_seconds: float | None = 1.0

    def __init__(self) -> None:
        self._timer: threading.Timer | None = None

    # ---- keepers
    @staticmethod
    def traces(store) -> list[dict]:
        return [dict(v) for _, v in store.iterate(f"{P}trace/")]

    @staticmethod
    def trace_of(store, hash_hex: str) -> dict | None:
        return store.get(f"{P}trace/{hash_hex.upper()}")

    def _add_trace(self, store, path: str, base: str) -> str:
        denom = ibc_denom(f"{path}/{base}")
        store.set(f"{P}trace/{denom[4:]}", {"path": path, "base_denom": base})
        return denom

    # ---- genesis
    def default_genesis(self, accounts: dict[str, str]) -> dict:
        path, base, amount = GENESIS_VOUCHER
        return {"vouchers": [{"path": path, "base_denom": base, "holder": accounts["d"], "amount": amount}],
                "relayer_funds": 10**12}

    def init_genesis(self, ctx, genesis: dict) -> None:
        bank = ctx.chain.module("bank")
        for v in genesis.get("vouchers", []):
            denom = self._add_trace(ctx.store, v["path"], v["base_denom"])
            bank.mint(ctx.store, v["holder"], {denom: v["amount"]})
        bank.mint(ctx.store, relayer_address(), {"uscrt": genesis.get("relayer_funds", 10**12)})
        ctx.chain.module("auth").ensure_account(ctx.store, relayer_address())

    # ---- MsgTransfer
    def msg_handlers(self) -> dict:
        return {
            "/ibc.applications.transfer.v1.MsgTransfer": (tpb.MsgTransfer, self._msg_transfer),
            "/ibc.core.channel.v1.MsgAcknowledgement": (cpb.MsgAcknowledgement, self._msg_ack),
            "/ibc.core.channel.v1.MsgTimeout": (cpb.MsgTimeout, self._msg_timeout),
        }

    def amino_names(self) -> dict[str, str]:
        return {"/ibc.applications.transfer.v1.MsgTransfer": "cosmos-sdk/MsgTransfer"}

    def _msg_transfer(self, ctx, msg: tpb.MsgTransfer):
        store, bank = ctx.store, ctx.chain.module("bank")
        if (msg.source_port, msg.source_channel) != (PORT, CHANNEL):
            raise TxError("channel", 1, f"port ID ({msg.source_port}) channel ID ({msg.source_channel}): "
                                        "channel not found")
        if not msg.receiver.strip():
            raise TxError("sdk", 7, "missing recipient address: invalid address")
        try:
            amount = int(msg.token.amount)
        except (TypeError, ValueError, AttributeError):
            amount = 0
        if amount <= 0 or not msg.token.denom:
            raise TxError("sdk", 10, f"{msg.token.amount}{msg.token.denom}: invalid coins")
        th = msg.timeout_height or Height()
        if th.revision_height == 0 and msg.timeout_timestamp == 0:
            raise TxError("transfer", 4, "packet timeout height and packet timeout timestamp cannot both be 0: "
                                          "invalid packet timeout")
        latest = counterparty_height(ctx.height)
        if th.revision_height and (th.revision_number, th.revision_height) <= latest:
            raise TxError("channel", 20, f"receiving chain block height >= packet timeout height "
                                         f"({latest[0]}-{latest[1]} >= {th.revision_number}-{th.revision_height}): "
                                         "packet timeout")
        denom, full_path = msg.token.denom, msg.token.denom
        if denom.startswith("ibc/"):
            trace = self.trace_of(store, denom[4:])
            if trace is None:
                raise TxError("transfer", 6, f"{denom}: denomination trace not found")
            full_path = f"{trace['path']}/{trace['base_denom']}"
        returning = full_path.startswith(f"{PORT}/{CHANNEL}/")  # the voucher goes home: burn instead of escrow
        if returning:
            bank.send(store, msg.sender, module_address("transfer"), {denom: amount}, ctx)
            bank.burn(store, module_address("transfer"), {denom: amount}, ctx)
        else:
            bank.send(store, msg.sender, escrow_address(), {denom: amount}, ctx)
            store.set(f"{P}escrow/{denom}", int(store.get(f"{P}escrow/{denom}", 0)) + amount)
        seq = int(store.get(f"{P}next_seq", 1))
        store.set(f"{P}next_seq", seq + 1)
        data = {"amount": str(amount), "denom": full_path, "receiver": msg.receiver, "sender": msg.sender}
        if msg.memo:
            data["memo"] = msg.memo
        data_bytes = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        packet = {"sequence": seq, "sent_height": ctx.height, "data": base64.b64encode(data_bytes).decode(),
                  "timeout_height": f"{th.revision_number}-{th.revision_height}",
                  "timeout_timestamp": str(msg.timeout_timestamp), "denom": denom, "amount": amount,
                  "sender": msg.sender, "receiver": msg.receiver, "memo": msg.memo, "returning": returning,
                  "state": "sent"}
        store.set(f"{P}packet/{seq:016d}", packet)
        ctx.emit("send_packet", ("packet_data", data_bytes.decode()), ("packet_data_hex", data_bytes.hex()),
                 *_packet_attrs(packet))
        ctx.emit("message", ("module", "ibc_channel"))
        ctx.emit("ibc_transfer", ("sender", msg.sender), ("receiver", msg.receiver), ("amount", str(amount)),
                 ("denom", full_path), ("memo", msg.memo))
        ctx.emit("message", ("module", "transfer"))
        return tpb.MsgTransferResponse(sequence=seq)

    # ---- the counterparty and the relayer
    def end_block(self, ctx) -> None:
        msgs = []
        for key, p in list(ctx.store.iterate(f"{P}packet/")):
            if p["state"] != "sent" or ctx.height < p["sent_height"] + RELAY_BLOCKS:
                continue
            rev, h = (int(x) for x in p["timeout_height"].split("-"))
            ts = int(p["timeout_timestamp"])
            timed_out = (h and (rev, h) <= counterparty_height(ctx.height)) or \
                        (ts and int(ctx.time.timestamp() * 1e9) >= ts)
            if timed_out:
                verdict = {"kind": "timeout"}
            elif self._valid_receiver(p["receiver"]):
                verdict = {"kind": "ack", "ack": ACK_OK.decode()}
            else:
                verdict = {"kind": "ack", "ack": json.dumps(
                    {"error": "ABCI code: 7: error handling packet: see events for details"}, separators=(",", ":"))}
            ctx.store.set(key, {**p, "state": "decided", "verdict": verdict})
            msgs.append(self._relay_msg(p, verdict))
        if msgs:
            self._submit(ctx, msgs)
        in_flight = any(p["state"] != "done" for _, p in ctx.store.iterate(f"{P}packet/"))
        if in_flight:
            self._schedule(ctx.chain)

    def _schedule(self, chain) -> None:
        if self.tick_seconds is None or chain.config.block_time_ms > 0 or self._timer is not None:
            return
        self._timer = threading.Timer(self.tick_seconds, self._tick, [chain])
        self._timer.daemon = True
        self._timer.start()

    def _tick(self, chain) -> None:
        self._timer = None
        if chain._stop.is_set():  # the chain was closed meanwhile
            return
        try:
            chain.produce_block()
        except Exception:  # noqa: BLE001 - a failed tick must not kill the timer thread silently
            log.exception("sandbox: IBC relay block failed")

    @staticmethod
    def _valid_receiver(receiver: str) -> bool:
        try:
            return bech32_decode(receiver)[0] == COUNTERPARTY["prefix"]
        except ValueError:
            return False

    @staticmethod
    def _packet_pb(p: dict) -> cpb.Packet:
        rev, h = (int(x) for x in p["timeout_height"].split("-"))
        return cpb.Packet(sequence=p["sequence"], source_port=PORT, source_channel=CHANNEL, destination_port=PORT,
                          destination_channel=COUNTERPARTY["channel"], data=base64.b64decode(p["data"]),
                          timeout_height=Height(revision_number=rev, revision_height=h),
                          timeout_timestamp=int(p["timeout_timestamp"]))

    def _relay_msg(self, p: dict, verdict: dict) -> tuple[str, object]:
        proof_height = Height(revision_number=COUNTERPARTY["revision"],
                              revision_height=COUNTERPARTY["height_offset"] + p["sent_height"] + RELAY_BLOCKS)
        if verdict["kind"] == "timeout":
            return "/ibc.core.channel.v1.MsgTimeout", cpb.MsgTimeout(
                packet=self._packet_pb(p), proof_unreceived=b"sandbox", proof_height=proof_height,
                next_sequence_recv=p["sequence"], signer=relayer_address())
        return "/ibc.core.channel.v1.MsgAcknowledgement", cpb.MsgAcknowledgement(
            packet=self._packet_pb(p), acknowledgement=verdict["ack"].encode(), proof_acked=b"sandbox",
            proof_height=proof_height, signer=relayer_address())

    def _submit(self, ctx, msgs: list) -> None:
        """Queue one signed relayer tx for the next block (sequence as of this block's state)."""
        from secret_sdk.key.raw import RawKey

        from ..txbuild import build_tx

        acc = ctx.chain.module("auth").get_account(ctx.store, relayer_address())
        raw = build_tx(RawKey(RELAYER_PRIVKEY), msgs, chain_id=ctx.chain.chain_id,
                       account_number=acc["account_number"], sequence=acc["sequence"], gas=300_000 * len(msgs),
                       memo="sandbox relayer")
        ctx.chain.mempool.append(raw)

    def _decided(self, ctx, packet: cpb.Packet, kind: str) -> dict:
        if packet.source_channel != CHANNEL or packet.source_port != PORT:
            raise TxError("channel", 1, f"port ID ({packet.source_port}) channel ID ({packet.source_channel}): "
                                        "channel not found")
        p = ctx.store.get(f"{P}packet/{packet.sequence:016d}")
        if p is None or p["state"] == "done":
            raise TxError("channel", 1, "packet commitment not found: no op")  # already relayed (ibc-go: no-op)
        if p["state"] != "decided" or p["verdict"]["kind"] != kind:
            raise TxError("commitment", 5, "failed packet verification: invalid proof")  # nothing to prove yet
        return p

    def _refund(self, ctx, p: dict) -> None:
        bank, amounts = ctx.chain.module("bank"), {p["denom"]: p["amount"]}
        if p["returning"]:
            bank.mint(ctx.store, p["sender"], amounts, ctx)
        else:
            bank.send(ctx.store, escrow_address(), p["sender"], amounts, ctx)
            ctx.store.set(f"{P}escrow/{p['denom']}", int(ctx.store.get(f"{P}escrow/{p['denom']}", 0)) - p["amount"])

    def _msg_ack(self, ctx, msg: cpb.MsgAcknowledgement):
        p = self._decided(ctx, msg.packet, "ack")
        if msg.acknowledgement.decode() != p["verdict"]["ack"]:
            raise TxError("commitment", 5, "failed packet acknowledgement verification: invalid proof")
        ctx.emit("acknowledge_packet", *_packet_attrs(p))
        ctx.emit("message", ("module", "ibc_channel"))
        ack = json.loads(msg.acknowledgement)
        base = [("module", "transfer"), ("sender", p["sender"]), ("receiver", p["receiver"]),
                ("denom", json.loads(base64.b64decode(p["data"]))["denom"]), ("amount", str(p["amount"])),
                ("memo", p["memo"]), ("acknowledgement", msg.acknowledgement.decode())]
        ctx.emit("fungible_token_packet", *base)
        if "error" in ack:
            self._refund(ctx, p)
            ctx.emit("fungible_token_packet", ("error", ack["error"]))
        else:
            ctx.emit("fungible_token_packet", ("success", "\x01"))
        ctx.store.set(f"{P}packet/{p['sequence']:016d}", {**p, "state": "done"})
        return cpb.MsgAcknowledgementResponse(result=cpb.ResponseResultType.RESPONSE_RESULT_TYPE_SUCCESS)

    def _msg_timeout(self, ctx, msg: cpb.MsgTimeout):
        p = self._decided(ctx, msg.packet, "timeout")
        ctx.emit("timeout_packet", *_packet_attrs(p))
        ctx.emit("message", ("module", "ibc_channel"))
        self._refund(ctx, p)
        ctx.emit("timeout", ("module", "transfer"), ("refund_receiver", p["sender"]), ("refund_denom", p["denom"]),
                 ("refund_amount", str(p["amount"])), ("memo", p["memo"]))
        ctx.store.set(f"{P}packet/{p['sequence']:016d}", {**p, "state": "done"})
        return cpb.MsgTimeoutResponse(result=cpb.ResponseResultType.RESPONSE_RESULT_TYPE_SUCCESS)

    # ---- LCD (docs/protocol-notes.md#ibc)
    def routes(self) -> list[Route]:
        ch, tr = "/ibc/core/channel/v1", "/ibc/apps/transfer/v1"
        return [
            Route("GET", ch + "/channels", self._q_channels),
            Route("GET", ch + "/channels/{channel_id}/ports/{port_id}", self._q_channel),
            Route("GET", "/ibc/client/v1/params", lambda req: {"params": {
                "allowed_clients": ["06-solomachine", "07-tendermint", "09-localhost"]}}),
            Route("GET", tr + "/params", lambda req: {"params": {"send_enabled": True, "receive_enabled": True}}),
            Route("GET", tr + "/denom_traces", self._q_traces),
            Route("GET", tr + "/denom_traces/{hash=**}", self._q_trace),
            Route("GET", tr + "/denom_hashes/{trace=**}", self._q_hash),
            Route("GET", tr + "/channels/{channel_id}/ports/{port_id}/escrow_address", self._q_escrow),
            Route("GET", tr + "/denoms/{denom=**}/total_escrow", self._q_total_escrow),
        ]

    @staticmethod
    def _height(req: Request) -> dict:
        return {"revision_number": "1", "revision_height": str(req.chain.height)}

    def _q_channels(self, req: Request) -> dict:
        page, pagination = paginate(req, [_channel_json()])
        return {"channels": page, "pagination": pagination, "height": self._height(req)}

    def _check_channel(self, req: Request) -> None:
        c, p = req.path_params["channel_id"], req.path_params["port_id"]
        if (c, p) != (CHANNEL, PORT):
            raise LCDError.not_found(f"channel not found: port-id: {p}, channel-id: {c}")

    def _q_channel(self, req: Request) -> dict:
        self._check_channel(req)
        channel = {k: v for k, v in _channel_json().items() if k not in ("port_id", "channel_id")}
        return {"channel": channel, "proof": None, "proof_height": self._height(req)}

    def _q_traces(self, req: Request) -> dict:
        page, pagination = paginate(req, self.traces(req.chain.store))
        return {"denom_traces": page, "pagination": pagination}

    def _q_trace(self, req: Request) -> dict:
        h = req.path_params["hash"].removeprefix("ibc/")
        if not re.fullmatch(r"[0-9A-Fa-f]{64}", h):
            raise LCDError.invalid(f"invalid denom trace hash: {h}: encoding/hex: invalid byte")
        trace = self.trace_of(req.chain.store, h)
        if trace is None:
            raise LCDError.not_found(f"denomination trace not found: {h.upper()}")
        return {"denom_trace": trace}

    def _q_hash(self, req: Request) -> dict:
        trace = req.path_params["trace"]
        path, _, base = trace.rpartition("/")
        if not path or not base or not re.fullmatch(r"([\w-]+/channel-\d+/?)+", path + "/"):
            raise LCDError.invalid(f"invalid denom trace: {trace}")
        h = ibc_denom(trace)[4:]
        if self.trace_of(req.chain.store, h) is None:
            raise LCDError.not_found(f"denomination trace not found: {h}")
        return {"hash": h}

    def _q_escrow(self, req: Request) -> dict:
        self._check_channel(req)
        return {"escrow_address": escrow_address()}

    def _q_total_escrow(self, req: Request) -> dict:
        denom = req.path_params["denom"]
        return {"amount": {"denom": denom, "amount": str(int(req.chain.store.get(f"{P}escrow/{denom}", 0)))}}

