"""The hooks a secret-mcp plugin can implement. One line each; docs/plugin-hooks.md has an example per hook."""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("secret_mcp")


@hookspec
def secret_mcp_register(registry):
    """Add tools, resources and prompts by calling registry.tool/resource/prompt."""


@hookspec
def secret_mcp_networks():
    """Return a list of Network presets this plugin provides."""


@hookspec
def secret_mcp_register_commands(cli):
    """Add subcommands to the `secret-mcp` click group."""


@hookspec
def secret_mcp_session_started(session):
    """Called when a server session starts (the ToolContext's session is ready)."""


@hookspec
def secret_mcp_session_ended(session):
    """Called when a server session ends."""


@hookspec
def secret_mcp_network_changed(session, network):
    """Called after the session switched to another network."""


@hookspec
def secret_mcp_authorize(request):
    """Return a reason string to refuse a transaction request, or None to allow it."""


@hookspec
def secret_mcp_tx_completed(result):
    """Called after a transaction was broadcast and its outcome is known."""


@hookspec
def secret_mcp_client_pool_created(pool, network):
    """Called when a chain client pool was created for a network."""


@hookspec
def secret_mcp_requires(config):
    """Return {pack: why} for the packs this plugin needs; the core warns about each one not loaded."""
