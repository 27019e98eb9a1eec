"""Node-level LCD routes: CometBFT service, node config/status, registration (tx-key), CometBFT RPC look-alikes."""

from __future__ import annotations

import base64
import hashlib

from .. import blocks
from ..encoding import dec, paginate
from ..base import LCDError, Module, Request, Route

# The sandbox "enclave" consensus IO key (docs/protocol-notes.md#test-vectors): privkey = SHA256("sandbox consensus io key").
CONSENSUS_IO_PRIVKEY = hashlib.sha256(b"sandbox consensus io key").digest()
NODE_ID = hashlib.sha256(b"sandbox node").hexdigest()[:40]
APP_VERSION = {
    "name": "SecretNetwork", "app_name": "secretd", "version": "v1.25.0-sandbox",
    "git_commit": "0000000000000000000000000000000000000000", "build_tags": "netgo,sandbox",
    "go_version": "python (secret-mcp sandbox)",
    "build_deps": [{"path": "github.com/cosmos/cosmos-sdk", "version": "v0.50.14", "sum": ""}],
    "cosmos_sdk_version": "v0.50.14-secret.12",
}


def consensus_io_pubkey() -> bytes:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    priv = X25519PrivateKey.from_private_bytes(CONSENSUS_IO_PRIVKEY)
    return priv.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


_TX_KEY = base64.b64encode(consensus_io_pubkey()).decode()


def parse_height(req: Request, name: str = "height") -> int:
    raw = req.path_params.get(name) or req.param(name) or ""
    try:
        height = int(raw)
    except ValueError:
        raise LCDError(3, f"type mismatch, parameter: {name}, error: strconv.ParseInt: parsing {raw!r}: "
                          "invalid syntax") from None
    return height


class TendermintModule(Module):
    name = "tendermint"

    def routes(self) -> list[Route]:
        t = "/cosmos/base/tendermint/v1beta1"
        return [
            Route("GET", t + "/node_info", self._q_node_info),
            Route("GET", t + "/syncing", lambda req: {"syncing": False}),
            Route("GET", t + "/blocks/latest", lambda req: self.block_response(req.chain, req.chain.height)),
            Route("GET", t + "/blocks/{height}", self._q_block),
            Route("GET", t + "/validatorsets/latest", lambda req: self._valset(req, req.chain.height)),
            Route("GET", t + "/validatorsets/{height}", self._q_valset),
            Route("GET", "/cosmos/base/node/v1beta1/config", self._q_config),
            Route("GET", "/cosmos/base/node/v1beta1/status", self._q_status),
            Route("GET", "/registration/v1beta1/tx-key", lambda req: {"key": _TX_KEY}),
            Route("GET", "/registration/v1beta1/registration-key", self._q_registration_key),
            Route("GET", "/block_by_hash", self._rpc_block_by_hash),
            Route("GET", "/block", self._rpc_block),
            Route("GET", "/status", self._rpc_status),
            Route("GET", "/block_results", self._rpc_block_results),
        ]

    @staticmethod
    def node_info(chain) -> dict:
        return {
            "protocol_version": {"p2p": "8", "block": "11", "app": "0"},
            "default_node_id": NODE_ID,
            "listen_addr": "tcp://127.0.0.1:26656",
            "network": chain.chain_id,
            "version": "0.38.23",
            "channels": base64.b64encode(bytes.fromhex("40202122233038606162630000")).decode(),
            "moniker": "sandbox",
            "other": {"tx_index": "on", "rpc_address": "tcp://127.0.0.1:26657"},
        }

    def _q_node_info(self, req: Request) -> dict:
        return {"default_node_info": self.node_info(req.chain), "application_version": dict(APP_VERSION)}

    @staticmethod
    def block_response(chain, height: int) -> dict:
        block = chain.blocks[height]
        prev = chain.blocks.get(height - 1)
        return {
            "block_id": blocks.block_id_json(block),
            "block": blocks.block_json(chain.chain_id, block, prev, sdk=False),
            "sdk_block": blocks.block_json(chain.chain_id, block, prev, sdk=True),
        }

    @staticmethod
    def checked_height(chain, height: int) -> int:
        if height > chain.height:
            raise LCDError.invalid("requested block height is bigger then the chain length")
        if height < 1:
            raise LCDError.invalid("requested block height must be positive")  # wording of the 0.50 service
        return height

    def _q_block(self, req: Request) -> dict:
        return self.block_response(req.chain, self.checked_height(req.chain, parse_height(req)))

    def _q_valset(self, req: Request) -> dict:
        return self._valset(req, self.checked_height(req.chain, parse_height(req)))

    @staticmethod
    def _valset(req: Request, height: int) -> dict:
        vals = blocks.validators_json(blocks.validator_set(req.chain, req.chain.store))
        page, pagination = paginate(req, vals)
        return {"block_height": str(height), "validators": page, "pagination": pagination}

    @staticmethod
    def _q_config(req: Request) -> dict:
        return {"minimum_gas_price": dec(req.chain.config.min_gas_price) + "uscrt", "pruning_keep_recent": "0",
                "pruning_interval": "0", "halt_height": "0"}

    @staticmethod
    def _q_status(req: Request) -> dict:
        block = req.chain.blocks[req.chain.height]
        return {"earliest_store_height": "1", "height": str(block["height"]), "timestamp": block["time"],
                "app_hash": base64.b64encode(bytes.fromhex(block["app_hash"])).decode(),
                "validator_hash": base64.b64encode(bytes.fromhex(block["validators_hash"])).decode()}

    @staticmethod
    def _q_registration_key(req: Request) -> dict:
        # On a real chain: b64 of the registration GenesisState JSON (io master cert + node exchange cert).
        genesis = {"io_master_key": {"bytes": _TX_KEY}, "node_exch_master_key": {"bytes": _TX_KEY}}
        import json

        return {"key": base64.b64encode(json.dumps(genesis, separators=(",", ":")).encode()).decode()}

    # ---- CometBFT RPC (port 26657 on a real node; served here so block-by-hash works against one URL)
    @staticmethod
    def _rpc_block_json(chain, block: dict) -> dict:
        view = blocks.block_json(chain.chain_id, block, chain.blocks.get(block["height"] - 1), sdk=False)
        header = view["header"]
        for key in ("last_commit_hash", "data_hash", "validators_hash", "next_validators_hash", "consensus_hash",
                    "app_hash", "last_results_hash", "evidence_hash", "proposer_address"):
            header[key] = base64.b64decode(header[key]).hex().upper()
        header["last_block_id"] = _rpc_id(block["last_hash"])
        return {"block_id": _rpc_id(block["hash"]), "block": view}

    def _rpc_block_by_hash(self, req: Request) -> dict:
        wanted = (req.param("hash") or "").strip('"').lower().removeprefix("0x")
        for block in req.chain.blocks.values():
            if block["hash"] == wanted:
                return _rpc_ok(self._rpc_block_json(req.chain, block))
        return _rpc_ok({"block_id": {"hash": "", "parts": {"total": 0, "hash": ""}}, "block": None})

    def _rpc_block(self, req: Request) -> dict:
        raw = (req.param("height") or "").strip('"')
        height = int(raw) if raw.isdigit() else req.chain.height
        if height not in req.chain.blocks:
            raise LCDError(3, f"height {height} must be less than or equal to the current blockchain height "
                              f"{req.chain.height}")
        return _rpc_ok(self._rpc_block_json(req.chain, req.chain.blocks[height]))

    def _rpc_block_results(self, req: Request) -> dict:
        """CometBFT 0.38 block_results: each tx's result, then begin/end-block events as finalize_block_events."""
        chain = req.chain
        raw = (req.param("height") or "").strip('"')
        height = int(raw) if raw.isdigit() else chain.height
        if height not in chain.blocks:
            raise LCDError(3, f"height {height} must be less than or equal to the current blockchain height "
                              f"{chain.height}")
        block = chain.blocks[height]
        from ..tx import tx_hash

        results = []
        for t in block["txs"]:
            r = chain.txs[tx_hash(base64.b64decode(t))]["response"]
            data = base64.b64encode(bytes.fromhex(r["data"])).decode() if r["data"] else None
            results.append({"code": r["code"], "data": data, "log": r["raw_log"], "info": "",
                            "gas_wanted": r["gas_wanted"], "gas_used": r["gas_used"], "events": r["events"],
                            "codespace": r["codespace"]})
        return _rpc_ok({"height": str(height), "txs_results": results,
                        "finalize_block_events": block.get("begin_events", []) + block.get("end_events", []),
                        "validator_updates": [], "consensus_param_updates": None,
                        "app_hash": base64.b64encode(bytes.fromhex(block["app_hash"])).decode()})

    def _rpc_status(self, req: Request) -> dict:
        chain = req.chain
        latest, first = chain.blocks[chain.height], chain.blocks[min(chain.blocks)]
        vals = blocks.validator_set(chain, chain.store)
        return _rpc_ok({
            "node_info": {**self.node_info(chain), "channels": "40202122233038606162630000"},
            "sync_info": {
                "latest_block_hash": latest["hash"].upper(), "latest_app_hash": latest["app_hash"].upper(),
                "latest_block_height": str(latest["height"]), "latest_block_time": latest["time"],
                "earliest_block_hash": first["hash"].upper(), "earliest_app_hash": first["app_hash"].upper(),
                "earliest_block_height": str(first["height"]), "earliest_block_time": first["time"],
                "catching_up": False,
            },
            "validator_info": {
                "address": hashlib.sha256(vals[0]["pub"]).digest()[:20].hex().upper(),
                "pub_key": {"type": "tendermint/PubKeyEd25519", "value": base64.b64encode(vals[0]["pub"]).decode()},
                "voting_power": str(vals[0]["power"]),
            },
        })


def _rpc_id(hash_hex: str) -> dict:
    if not hash_hex:
        return {"hash": "", "parts": {"total": 0, "hash": ""}}
    h = bytes.fromhex(hash_hex)
    return {"hash": hash_hex.upper(), "parts": {"total": 1, "hash": hashlib.sha256(b"parts" + h).hexdigest().upper()}}


def _rpc_ok(result: dict) -> dict:
    return {"jsonrpc": "2.0", "id": -1, "result": result}
