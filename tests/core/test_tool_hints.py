"""Truthful hints for effect="local" tools: creating a wallet is not idempotent, removing one is destructive.

Every local tool, as decided (the rest keep the local defaults: not destructive, idempotent, closed world):
- secret_configure_network, secret_set_active_wallet, secret_import_wallet (same phrase + name = same wallet; a
  repeat is refused and changes nothing), secret_token_add, secret_token_create_permit (same name: replaced by
  the same permit), secret_token_forget_key (the key stays valid on chain; a new one can be set): idempotent,
  not destructive.
- secret_create_wallet: NOT idempotent (a fresh random key every call; a retry cannot give the same wallet back).
- secret_remove_wallet: destructive (deletes the stored key; without the written phrase the funds are lost).
secret_get_active_wallet, secret_list_wallets and secret_export_wallet (always refused) change nothing: they
are reads (readOnlyHint).
"""

from __future__ import annotations

import pytest

from secret_mcp.testing import connect, make_server, plugin_host

pytestmark = pytest.mark.anyio

LOCAL = {"secret_configure_network", "secret_create_wallet", "secret_import_wallet", "secret_set_active_wallet",
         "secret_remove_wallet", "secret_token_add", "secret_token_create_permit", "secret_token_forget_key",
         "secret_sandbox_faucet"}  # the sandbox pays from its own faucet: no key of the person's signs
LOCAL_READS = {"secret_get_active_wallet", "secret_list_wallets", "secret_export_wallet"}
NOT_IDEMPOTENT = {"secret_create_wallet", "secret_sandbox_faucet"}
DESTRUCTIVE = {"secret_remove_wallet"}


def local_tools() -> set[str]:
    from secret_mcp.app import collect_registry

    registry = collect_registry(plugin_host())
    return {name for name, reg in registry.tools.items() if reg.spec.effect == "local"}


def test_the_list_of_local_tools_is_the_one_decided():
    # A new local tool must be judged too: add it above with its true hints.
    assert local_tools() == LOCAL


@pytest.mark.parametrize("full", [False, True])
async def test_local_tool_annotations_via_tools_list(mode, home, full):
    async with connect(make_server(full_schemas=full), mode) as client:
        listed = (await client.list_tools()).tools
    hints = {t.name: t.annotations for t in listed if t.name in LOCAL}
    assert set(hints) == LOCAL
    assert {t.name for t in listed if t.annotations and t.annotations.read_only_hint} >= LOCAL_READS
    for name, a in hints.items():
        # Absent means the spec default (destructive=true, idempotent=false, openWorld=true), as the client reads it.
        destructive = True if a.destructive_hint is None else a.destructive_hint
        idempotent = False if a.idempotent_hint is None else a.idempotent_hint
        assert destructive is (name in DESTRUCTIVE), (name, a)
        assert idempotent is (name not in NOT_IDEMPOTENT), (name, a)
        assert a.open_world_hint is False and not a.read_only_hint, (name, a)
    if full:  # full schemas state every hint explicitly
        assert hints["secret_create_wallet"].idempotent_hint is False
        assert hints["secret_remove_wallet"].destructive_hint is True
        assert hints["secret_import_wallet"].idempotent_hint is True
        assert hints["secret_configure_network"].destructive_hint is False


def test_hint_overrides_are_refused_on_reads():
    from secret_mcp import tool

    with pytest.raises(ValueError, match="read is idempotent"):
        @tool(idempotent=False)
        async def secret_some_read(ctx) -> dict:
            """A read."""
