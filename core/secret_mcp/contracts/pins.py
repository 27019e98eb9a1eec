"""Pinned consensus IO keys: the key a chain's enclave encrypts contract traffic to, checked before it is used.

Whoever serves `/registration/v1beta1/tx-key` chooses who can read this session's contract messages (viewing
keys included) and forge the answers. So a key is never simply believed:

- mainnet (secret-4) has a built-in pin (below);
- any other endpoint's key is remembered the first time it is seen, in `data_dir()/consensus_keys.json`, per
  chain id + endpoint (see `networks.endpoint_id`); a custom endpoint claiming the chain id of a built-in preset
  must also serve the key that preset's endpoints served;
- the sandbox this process runs is its own code, and is not pinned.

A different key later refuses contract traffic with CONSENSUS_KEY_CHANGED. A chain can rotate its key (mainnet
did in September 2025); the person then accepts the new one by editing that file (an entry "<chain id>|*"
replaces the built-in pin), never through a tool the model could call.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from pathlib import Path

from ..errors import SecretMCPError
from ..networks import Network
from ..paths import data_dir

log = logging.getLogger(__name__)

# secret-4: the key secret.js hard-coded after the September 2025 seed rotation (scrtlabs/secret.js commit
# 144fd7d, "Seed rotation"), before it stopped hard-coding one. pulsar-3 has no published value we could
# confirm: it is pinned on first use like any other endpoint.
BUILT_IN = {"secret-4": "UyAkgs8Z55YD2091/RjSnmdMH4yF9PKc5lWqjV78nS8="}
FILE_NAME = "consensus_keys.json"
_LOCK = threading.Lock()


def pins_path() -> Path:
    return data_dir() / FILE_NAME


def _load(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:  # an unreadable pin file must not silently mean "trust anything"
        raise SecretMCPError("CONSENSUS_PINS_UNREADABLE", f"The pinned consensus keys cannot be read ({exc}).",
                             [f"Fix or remove {path}; every endpoint's key is then pinned again on first use."]) from None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _changed(network: Network, where: str, expected: str, served: str) -> SecretMCPError:
    return SecretMCPError(
        "CONSENSUS_KEY_CHANGED",
        f"The LCD endpoint serves a consensus key for {network.chain_id} that differs from the one pinned "
        f"({where}). Contract messages and queries are refused: an endpoint serving its own key could read "
        "them (viewing keys included) and forge the answers.",
        ["Switch to another endpoint (secret_configure_network), or check with the chain's operators whether the "
         f"key was rotated; if it was, the person can accept the new key by editing {pins_path()} "
         f"(entry \"{network.chain_id}|*\" for a built-in pin)."],
        {"chain_id": network.chain_id, "pinned_pubkey": expected, "served_pubkey": served},
    )


def check(network: Network, endpoint: str, key: bytes) -> None:
    """Refuse `key` if it is not the one pinned for this chain and endpoint; pin it on first use."""
    if network.kind == "sandbox":
        return  # a chain this process runs (see Network.serves): its key is our own code's
    served = base64.b64encode(key).decode()
    chain = network.chain_id
    path = pins_path()
    with _LOCK:
        pins = _load(path)
        override = pins.get(f"{chain}|*")
        if override or chain in BUILT_IN:
            expected = override or BUILT_IN[chain]
            if served != expected:
                raise _changed(network, "built-in pin" if not override else "pinned for the chain", expected, served)
            return
        if not endpoint.startswith("preset:"):
            for name, value in pins.items():  # the chain's key as its preset endpoints served it
                if name.startswith(f"{chain}|preset:") and value != served:
                    raise _changed(network, f"as served by {name.split('|', 1)[1]}", value, served)
        slot = f"{chain}|{endpoint}"
        if slot in pins:
            if pins[slot] != served:
                raise _changed(network, "first seen on this endpoint", pins[slot], served)
            return
        pins[slot] = served
        from ..security.storage import _write_private

        _write_private(path, json.dumps(pins, indent=1, sort_keys=True))
        log.info("pinned the consensus key of %s at %s on first use", chain, endpoint)
