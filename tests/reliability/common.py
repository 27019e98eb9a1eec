"""Shared by the reliability suites: sizes (CI vs SECRET_MCP_FULL=1), pool tuning, and what an acceptable result is."""

from __future__ import annotations

import os
from typing import Any

from secret_mcp import hookimpl
from secret_mcp.config import Config
from secret_mcp.plugins import PluginHost
from secret_mcp.server import build_server

# SECRET_MCP_FULL=1 runs every suite at its full size (every tool x every fault, 200 fuzz examples per tool,
# 5,000 soak calls); the default is a CI size that still covers every fault kind and every tool once.
FULL = os.environ.get("SECRET_MCP_FULL", "").strip().lower() in {"1", "true", "yes", "on"}


def size(ci: int, full: int) -> int:
    return full if FULL else ci


COSMOS = "cosmos1ap26qrlp8mcq2pg6r47w43l0y8zkqm8ah3mejd"  # genesis account a's key on the cosmos hub prefix
SSCRT_TRACE = "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2"  # a genesis IBC voucher

# What a read may answer when its chain endpoint misbehaves: the pool's own codes, each a structured error.
CHAIN_FAILURE_CODES = {"CHAIN_TIMEOUT", "CHAIN_UNREACHABLE", "CHAIN_BAD_RESPONSE"}


class PoolTuning:
    """Short breaker cool-downs and back-off, set on every pool the server creates (the public pool hook),
    so breaker recovery takes a fraction of a second instead of the default 30 s."""

    def __init__(self, *, cooldown: float = 0.3, threshold: int | None = None, backoff: float = 0.05) -> None:
        self.cooldown, self.threshold, self.backoff = cooldown, threshold, backoff
        self.pools: list[Any] = []

    @hookimpl
    def secret_mcp_client_pool_created(self, pool: Any, network: Any) -> None:
        pool.backoff = self.backoff
        for endpoint in pool.endpoints:
            endpoint.breaker.cooldown = self.cooldown
            if self.threshold is not None:
                endpoint.breaker.threshold = self.threshold
        self.pools.append(pool)


def build(urls: tuple[str, ...], chain_id: str, *plugins: tuple[str, Any], **config: Any) -> Any:
    """A full server (every installed pack) on these sandbox LCD URLs, plus in-process test plugins."""
    host = PluginHost()
    for name, plugin in plugins:
        host.register(plugin, name)
    config.setdefault("network", "sandbox")
    return build_server(Config(lcd_urls=urls, chain_id=chain_id, **config), host=host)


def outcome(result: Any) -> tuple[bool, str | None]:
    """(ok, error code) of a tool result, asserting it is well formed: a structured success, or an isError result
    whose structuredContent.error has a code and a message, and never a traceback."""
    text = "\n".join(getattr(c, "text", "") for c in result.content)
    assert "Traceback" not in text, text
    if not result.is_error:
        assert result.structured_content is not None, text
        return True, None
    assert result.structured_content is not None, f"unstructured error: {text}"
    error = result.structured_content.get("error") or {}
    assert isinstance(error.get("code"), str) and error["code"], result.structured_content
    assert isinstance(error.get("message"), str) and error["message"], result.structured_content
    return False, error["code"]


def fill(value: Any, world: dict[str, Any]) -> Any:
    """An argument template with "{name}" placeholders replaced by values from the running chain."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in world:
        return world[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, world) for v in value]
    return value


def sequence(sandbox: Any, address: str) -> int:
    """The account's sequence as the chain has it (0 for an account the chain does not know)."""
    from secret_sandbox_chain.testing import account

    return int((account(sandbox.url, address) or {}).get("sequence", 0))
