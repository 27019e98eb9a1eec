"""The `secret-mcp` command. Packs add subcommands through `secret_mcp_register_commands(cli)`."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from typing import Any, Callable

import attrs
import click

from .config import Config, load_config
from .errors import SecretMCPError
from .plugins import PluginHost, UnknownHookError


def _split(values: tuple[str, ...]) -> tuple[str, ...] | None:
    items = tuple(v.strip() for value in values for v in value.split(",") if v.strip())
    return items or None


def common_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options every command that builds a server accepts (they override env and the config file)."""
    options = [
        click.option("--config", "config_path", type=click.Path(dir_okay=False), help="TOML config file."),
        click.option("--network", help="sandbox (default), testnet, mainnet, localsecret or custom."),
        click.option("--lcd-url", multiple=True, help="LCD endpoint URL (repeat for failover)."),
        click.option("--chain-id", help="Chain id for a custom endpoint."),
        click.option("--plugins", multiple=True, help="Load only these packs (comma separated)."),
        click.option("--exclude", multiple=True, help="Do not load these packs (comma separated)."),
        click.option("--read-only", is_flag=True, default=None, help="Drop every tool that writes to the chain."),
        click.option("--no-cache", is_flag=True, default=None, help="Always ask the chain."),
        click.option("--log-level", help="DEBUG, INFO, WARNING or ERROR (logs go to stderr)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def load(opts: dict[str, Any]) -> tuple[Config, PluginHost]:
    cli = {
        "network": opts.get("network"),
        "lcd_urls": _split(opts.get("lcd_url") or ()),
        "chain_id": opts.get("chain_id"),
        "plugins": _split(opts.get("plugins") or ()),
        "exclude": _split(opts.get("exclude") or ()),
        "read_only": True if opts.get("read_only") else None,
        "cache": False if opts.get("no_cache") else None,
        "log_level": opts.get("log_level"),
        "log_format": opts.get("log_format"),  # a `serve` option: logging is set up here, before packs load
    }
    if cli["lcd_urls"] and not cli["network"]:
        cli["network"] = "custom"
    path = opts.get("config_path")
    try:
        config = load_config(cli, path=path if path else None)
    except SecretMCPError as exc:
        raise click.UsageError(exc.message) from exc
    from . import logs

    logs.configure(config.log_format, config.log_level)
    try:
        return config, PluginHost(include=config.plugins, exclude=config.exclude)
    except UnknownHookError as exc:
        raise click.ClickException(str(exc)) from None


def with_config(fn: Callable[..., Any]) -> Callable[..., Any]:
    @common_options
    @functools.wraps(fn)
    def run(**opts: Any) -> Any:
        keys = ("config_path", "network", "lcd_url", "chain_id", "plugins", "exclude", "read_only", "no_cache", "log_level")
        common = {k: opts.pop(k) for k in keys}
        common["log_format"] = opts.get("log_format")
        config, host = load(common)
        try:
            return fn(config, host, **opts)
        except SecretMCPError as exc:  # e.g. an unreachable cache_url at start-up: a message, no traceback
            raise click.UsageError(" ".join([exc.message, *exc.suggestions])) from exc

    return run


@click.group()
@click.version_option(package_name="secret-mcp-core")
def cli() -> None:
    """secret-mcp: an MCP server for the Secret Network."""


@cli.command()
@click.option("--http", "use_http", is_flag=True, help="Serve streamable HTTP instead of stdio (bearer token required).")
@click.option("--host", "bind", default="127.0.0.1", show_default=True, help="With --http: address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="With --http: port.")
@click.option("--token-file", type=click.Path(dir_okay=False), help="With --http: read the bearer token from this file.")
@click.option("--allowed-host", multiple=True, help="With --http: another Host name clients use (repeatable).")
@click.option("--log-format", type=click.Choice(["text", "json"], case_sensitive=False),
              help="stderr log lines: text (default) or json, one object per line.")
@with_config
def serve(config: Config, host: PluginHost, use_http: bool, bind: str, port: int, token_file: str | None,
          allowed_host: tuple[str, ...], log_format: str | None) -> None:
    """Run the MCP server over stdio (what Claude Desktop launches), or over streamable HTTP with --http."""
    del log_format  # applied with the rest of the config by `load`, before any pack logs a line
    from .server import build_server

    for info in host.errors():
        logging.getLogger("secret_mcp").error("plugin %s failed to load: %s", info.name, info.error)
    from .needs import warn

    warn(host, config)  # a pack whose need is not loaded still starts: a warning, not an error
    server = build_server(config, host=host)
    if not use_http:
        server.run("stdio")
        return
    from .http import serve_http

    try:
        serve_http(server, config, host=bind, port=port, token_file=token_file, extra_hosts=_split(allowed_host) or ())
    except SecretMCPError as exc:
        raise click.UsageError(" ".join([exc.message, *exc.suggestions])) from exc


def describe_plugins(host: PluginHost, config: Config) -> list[dict[str, Any]]:
    from .app import App
    from .needs import unmet

    app = App(config, host)
    missing = unmet(host, config)
    return [
        {
            "name": info.name,
            "version": info.version,
            "distribution": info.distribution,
            "hooks": host.hooks_of(info.name),
            "tools": app.registry.tools_of(info.name),
            "error": info.error,
            "unmet": [{"pack": n.pack, "why": n.why, "warning": n.warning()} for n in missing if n.plugin == info.name],
        }
        for info in host.infos.values()
    ]


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@with_config
def plugins(config: Config, host: PluginHost, as_json: bool) -> None:
    """List loaded packs (and packs that failed to load)."""
    rows = describe_plugins(host, config)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        status = f"FAILED: {row['error']}" if row["error"] else f"{len(row['tools'])} tools"
        click.echo(f"{row['name']:<14} {row['version'] or '-':<10} {row['distribution'] or '-':<24} {status}")
    for row in rows:
        for need in row["unmet"]:
            click.echo(f"warning: {need['warning']}")


def describe_tools(host: PluginHost, config: Config, *, full: bool | None = None) -> list[dict[str, Any]]:
    """Every tool the config offers, as tools/list advertises it, plus where it comes from and what it does.

    Each row is the tool exactly as the server sends it (compact unless `full`, which defaults to the config's
    `full_schemas`), built by the server's own registration code, with `plugin`, `effect`, `needs_wallet` and
    `networks` added. Network-specific tools are included whatever the current network. Call it outside an event
    loop (it runs one to list the scratch server's tools).
    """
    import asyncio

    from .app import App
    from .server import SecretMCPServer, wrap_tool

    if full is not None and full != config.full_schemas:
        config = attrs.evolve(config, full_schemas=full)
    app = App(config, host)
    server = SecretMCPServer(name="secret-mcp")  # a scratch server: registration only, nothing is served
    app.server, app._wrap = server, wrap_tool
    specs = app.tool_specs()
    for _plugin, spec in specs:
        app._add_tool(spec)
    listed = {t.name: t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in asyncio.run(server.list_tools())}
    return [
        {**listed[spec.name], "plugin": plugin, "effect": spec.effect, "needs_wallet": spec.needs_wallet,
         "networks": sorted(spec.network_kinds) if spec.network_kinds else None}
        for plugin, spec in specs
    ]


TABLE_START, TABLE_END = "<!-- tools:start -->", "<!-- tools:end -->"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def tools_markdown(rows: list[dict[str, Any]]) -> str:
    """A Markdown table of the tools, by pack: name, title, effect with its hints, the description's first paragraph.

    `rows` are `describe_tools(..., full=True)`: the compact form has no titles and leaves default hints out."""
    lines = ["| Pack | Tool | Title | Effect | Description |", "| --- | --- | --- | --- | --- |"]
    for row in sorted(rows, key=lambda r: (r["plugin"], r["name"])):
        hints = row["annotations"]
        notes = [word for word, on in (
            ("read-only", hints.get("readOnlyHint")), ("destructive", hints.get("destructiveHint")),
            ("idempotent", hints.get("idempotentHint") and not hints.get("readOnlyHint")),
            ("this server only", hints.get("openWorldHint") is False), ("needs a wallet", row["needs_wallet"]),
        ) if on]
        if row["networks"]:
            notes.append(f"{', '.join(row['networks'])} only")
        effect = f"`{row['effect']}` ({', '.join(notes)})" if notes else f"`{row['effect']}`"
        summary = _cell((row["description"] or "").split("\n\n")[0])
        lines.append(f"| {row['plugin']} | `{row['name']}` | {_cell(row['title'] or '')} | {effect} | {summary} |")
    return "\n".join(lines) + "\n"


def _update_between_markers(path: str, table: str) -> None:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    start, end = text.find(TABLE_START), text.find(TABLE_END)
    if start < 0 or end < start:
        raise click.UsageError(f"{path} needs the lines {TABLE_START} and {TABLE_END} (in that order).")
    text = f"{text[:start]}{TABLE_START}\n{table}{text[end:]}"
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


@cli.command()
@click.option("--json", "as_json", is_flag=True,
              help="Each tool as tools/list advertises it (compact unless full_schemas), plus plugin and effect.")
@click.option("--full", is_flag=True,
              help="With --json: the full form (as with full_schemas = true): titles, output schemas, every hint.")
@click.option("--markdown", is_flag=True, help="A Markdown table: pack, tool, title, effect, description.")
@click.option("--update", "update_path", type=click.Path(exists=True, dir_okay=False),
              help=f"With --markdown: write the table into this file between {TABLE_START} and {TABLE_END}.")
@with_config
def tools(config: Config, host: PluginHost, as_json: bool, full: bool, markdown: bool, update_path: str | None) -> None:
    """List every tool; --json shows what tools/list sends."""
    if as_json:
        click.echo(json.dumps(describe_tools(host, config, full=True if full else None), indent=2))
        return
    rows = describe_tools(host, config, full=True)  # titles and every hint, for people
    if markdown:
        if update_path:
            _update_between_markers(update_path, tools_markdown(rows))
        else:
            click.echo(tools_markdown(rows), nl=False)
        return
    for row in rows:
        click.echo(f"{row['name']:<36} {row['plugin']:<12} {row['effect']:<12} {row['title']}")


def _add_demo() -> None:
    from .demo import demo

    cli.add_command(demo)


_add_demo()


def _register_pack_commands() -> None:
    # Pack commands come from the packs the environment selects (flags are parsed later, by click).
    try:
        config = load_config({})
    except SecretMCPError:
        config = Config()
    host = PluginHost(include=config.plugins, exclude=config.exclude)
    for _plugin, impl in host.impls("secret_mcp_register_commands"):
        impl(cli=cli)


def main() -> None:
    try:
        if os.environ.get("SECRET_MCP_NO_PACK_COMMANDS") != "1":
            _register_pack_commands()
        cli(prog_name="secret-mcp")
    except UnknownHookError as exc:  # a pack's misspelled hook: stop, naming the pack, without a traceback
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
