"""`secret-mcp demo`: a scripted MCP session against the embedded sandbox, printed as a readable transcript.

It launches `secret-mcp serve` as a subprocess and talks to it over stdio exactly as Claude Desktop would.
Each step grows with the packs; a step whose pack is not installed is skipped and said so.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, Awaitable, Callable

import anyio
import click

Step = Callable[[Any], Awaitable[Any]]


def _show(value: Any, limit: int = 600) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "\n  …"


async def _call(client: Any, name: str, args: dict | None = None) -> dict:
    result = await client.call_tool(name, args or {})
    if result.is_error:
        raise RuntimeError(result.content[0].text)
    return result.structured_content or {}


async def run_demo(extra_args: list[str], echo: Callable[[str], None]) -> int:
    from mcp import Client, StdioServerParameters

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "secret_mcp.cli", "serve", "--network", "sandbox", "--log-level", "WARNING", *extra_args],
        env=dict(os.environ),
    )
    failures = 0
    async with Client(params) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        echo(f"Connected to secret-mcp over stdio: {len(tools)} tools.")

        async def step(title: str, needs: str, run: Step) -> None:
            nonlocal failures
            if needs not in tools:
                echo(f"\n· {title}: skipped ({needs} is not installed)")
                return
            start = time.perf_counter()
            try:
                value = await run(client)
            except Exception as exc:  # a failed step is reported and counted, the demo goes on
                failures += 1
                echo(f"\n✗ {title} ({(time.perf_counter() - start) * 1000:.0f} ms)\n{exc}")
                return
            echo(f"\n✓ {title} ({(time.perf_counter() - start) * 1000:.0f} ms)\n{_show(value)}")

        await step("Network info", "secret_get_network_info", lambda c: _call(c, "secret_get_network_info"))
        await step("Gas prices", "secret_get_gas_prices", lambda c: _call(c, "secret_get_gas_prices"))
        await step("Health check", "secret_health_check", lambda c: _call(c, "secret_health_check"))
        await step(
            "Faucet: fund a LocalSecret account",
            "secret_sandbox_faucet",
            lambda c: _call(c, "secret_sandbox_faucet", {"address": "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"}),
        )
    echo(f"\n{'All steps passed.' if not failures else f'{failures} step(s) failed.'}")
    return 1 if failures else 0


@click.command()
@click.argument("server_args", nargs=-1)
def demo(server_args: tuple[str, ...]) -> None:
    """Run a scripted session against the embedded sandbox chain and print the transcript."""
    code = anyio.run(run_demo, list(server_args), click.echo)
    sys.exit(code)
