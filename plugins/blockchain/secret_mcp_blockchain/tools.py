"""Block and node tools over the LCD's tendermint service; block-by-hash over CometBFT RPC where served."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime, timezone
from typing import Annotated

from pydantic import BaseModel, Field

from secret_mcp.api import ChainError, MISSING_DESCRIPTION, SecretMCPError, ToolContext, extra, tool

TM = "/cosmos/base/tendermint/v1beta1"
_BLOCK_HASH = re.compile(r"^(0x)?[0-9A-Fa-f]{64}$")


class Block(BaseModel):
    height: int
    hash: str = Field(description="Block hash, upper-case hex")
    time: str
    chain_id: str
    proposer: str = Field(description="Proposer's consensus address (secretvalcons…)")
    num_txs: int
    tx_hashes: list[str] = Field(description="Hashes of the block's transactions (look them up with secret_get_transaction)")
    last_block_hash: str
    app_hash: str


class NodeInfo(BaseModel):
    moniker: str
    network: str = Field(description="Chain id the node serves")
    node_id: str
    cometbft_version: str
    app_name: str
    app_version: str
    cosmos_sdk_version: str
    go_version: str
    git_commit: str


class SyncStatus(BaseModel):
    syncing: bool = Field(description="True while the node is still catching up with the chain")
    latest_height: int | None
    latest_block_time: str | None
    block_age_seconds: float | None = Field(description="How long ago the latest block was made")
    note: str
    missing: list[str] = Field([], description=MISSING_DESCRIPTION)


def _hex(b64: str | None) -> str:
    return base64.b64decode(b64 or "").hex().upper()


def _block(body: dict) -> Block:
    sdk = body.get("sdk_block") or body.get("block") or {}
    header = sdk.get("header") or {}
    txs = (sdk.get("data") or {}).get("txs") or []
    return Block(
        height=int(header.get("height", 0)), hash=_hex((body.get("block_id") or {}).get("hash")),
        time=str(header.get("time", "")), chain_id=str(header.get("chain_id", "")),
        proposer=str(header.get("proposer_address", "")), num_txs=len(txs),
        tx_hashes=[hashlib.sha256(base64.b64decode(t)).hexdigest().upper() for t in txs],
        last_block_hash=_hex((header.get("last_block_id") or {}).get("hash")), app_hash=_hex(header.get("app_hash")),
    )


def _rfc3339(text: str) -> datetime:
    # CometBFT gives up to 9 fractional digits; Python parses at most 6.
    match = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?", text)
    if match is None:
        return datetime.now(timezone.utc)
    return datetime.fromisoformat(match[1] + (match[2] or "")[:7]).replace(tzinfo=timezone.utc)


async def _latest(ctx: ToolContext) -> dict:
    return await ctx.query(f"{TM}/blocks/latest", cached=False)


@tool(effect="reads", title="Get block")
async def secret_get_block(ctx: ToolContext, height: Annotated[int, Field(ge=1)]) -> Block:
    """Block at a height, with its tx hashes."""
    try:
        return _block(await ctx.query(f"{TM}/blocks/{height}", data_class="block"))
    except ChainError as exc:
        if exc.code not in ("CHAIN_BAD_REQUEST", "CHAIN_ERROR", "CHAIN_NOT_FOUND"):
            raise
        latest = _block(await _latest(ctx)).height
        if height > latest:
            raise SecretMCPError("BLOCK_NOT_FOUND", f"Block {height} does not exist yet: the latest block is {latest}.",
                                 [f"Ask for a height up to {latest}, or call secret_get_latest_block."],
                                 {"height": height, "latest_height": latest}) from None
        raise SecretMCPError("BLOCK_NOT_FOUND", f"Block {height} is not available from this node: {exc.message}",
                             ["Pruning nodes keep only recent blocks; try an archive endpoint."],
                             {"height": height, "latest_height": latest}) from None


@tool(effect="reads", title="Latest block")
async def secret_get_latest_block(ctx: ToolContext) -> Block:
    """Newest block, with its tx hashes."""
    return _block(await _latest(ctx))


@tool(effect="reads", title="Get block by hash")
async def secret_get_block_by_hash(
    ctx: ToolContext, hash: str,
) -> Block:
    """Block by hash (needs CometBFT RPC; public LCDs usually lack it)."""
    text = (hash or "").strip()
    if not _BLOCK_HASH.match(text):
        raise SecretMCPError("INVALID_BLOCK_HASH", f"{text!r} is not a block hash (64 hexadecimal characters).",
                             ["Copy the hash from secret_get_block or an explorer."], {"field": "hash"})
    wanted = text.removeprefix("0x").upper()
    pool = await ctx.pool()
    try:
        body = await pool.get("/block_by_hash", {"hash": "0x" + wanted})
    except ChainError as exc:
        if exc.code in ("CHAIN_TIMEOUT", "CHAIN_UNREACHABLE", "CHAIN_BAD_RESPONSE"):  # the node failed, not "no such path"
            raise
        raise SecretMCPError(
            "CAPABILITY_UNAVAILABLE", f"The {ctx.network.name} endpoint does not serve block lookup by hash "
            "(CometBFT RPC /block_by_hash is not part of the LCD REST API).",
            ["Use secret_get_block with a height, or configure an endpoint that also serves CometBFT RPC."],
            {"network": ctx.network.name}) from None
    result = body.get("result") or {}
    if "block" not in result:  # some other JSON at that path: not CometBFT RPC
        raise SecretMCPError("CAPABILITY_UNAVAILABLE", f"The {ctx.network.name} endpoint does not serve /block_by_hash.",
                             ["Use secret_get_block with a height."], {"network": ctx.network.name})
    if not result.get("block"):
        raise SecretMCPError("BLOCK_NOT_FOUND", f"No block with hash {wanted} on {ctx.network.name}.",
                             ["Check the hash and the network."], {"hash": wanted})
    height = int(result["block"]["header"]["height"])
    return _block(await ctx.query(f"{TM}/blocks/{height}", data_class="block"))


@tool(effect="reads", title="Node info")
async def secret_get_node_info(ctx: ToolContext) -> NodeInfo:
    """Node moniker, chain id and software versions."""
    body = await ctx.query(f"{TM}/node_info", data_class="node_info")
    node, app = body.get("default_node_info") or {}, body.get("application_version") or {}
    return NodeInfo(moniker=node.get("moniker", ""), network=node.get("network", ""), node_id=node.get("default_node_id", ""),
                    cometbft_version=node.get("version", ""), app_name=app.get("app_name", "") or app.get("name", ""),
                    app_version=app.get("version", ""), cosmos_sdk_version=app.get("cosmos_sdk_version", ""),
                    go_version=app.get("go_version", ""), git_commit=app.get("git_commit", ""))


@tool(effect="reads", title="Syncing status")
async def secret_get_syncing_status(ctx: ToolContext) -> SyncStatus:
    """Whether the node is catching up; its latest block's age."""
    syncing = bool((await ctx.query(f"{TM}/syncing", cached=False)).get("syncing"))
    missing: list[str] = []
    latest = await extra(_latest(ctx), "latest_block", missing)
    if latest is None:
        note = ("The node is catching up: its answers may be out of date." if syncing else
                "The node says it is in sync, but its latest block could not be read to check its age.")
        return SyncStatus(syncing=syncing, latest_height=None, latest_block_time=None, block_age_seconds=None,
                          note=note, missing=missing)
    block = _block(latest)
    made = _rfc3339(block.time)
    age = max(0.0, (datetime.now(timezone.utc) - made).total_seconds())
    if syncing:
        note = "The node is catching up: its answers may be out of date."
    elif age > 60 and not ctx.network.simulated:
        note = f"The latest block is {age:.0f} s old (blocks come every ~6 s): the node or chain may be stalled."
    else:
        note = "The node is in sync."
    return SyncStatus(syncing=syncing, latest_height=block.height, latest_block_time=block.time,
                      block_age_seconds=round(age, 1), note=note)
