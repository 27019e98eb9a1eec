"""`secret-mcp demo`: a scripted MCP session against the embedded sandbox, printed as a readable transcript.

It launches `secret-mcp serve` as a subprocess and talks to it over stdio exactly as Claude Desktop would,
except that this client can show confirmations: it prints each preview it is shown and accepts it.
A step whose pack is not installed is skipped and said so, and the last line counts the skipped steps and
names the missing packs; a failed step is counted (exit code 1).
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, Awaitable, Callable

import anyio
import click

FRIEND = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"  # any valid address: the send's recipient


class Skip(Exception):
    """A step that cannot run here (nothing to act on); not a failure."""


def _show(value: Any, limit: int = 600) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "\n  …"


class Demo:
    def __init__(self, client: Any, tools: set[str], echo: Callable[[str], None], previews: list[str]) -> None:
        self.client, self.tools, self.echo, self.previews = client, tools, echo, previews
        self.network_kind: str | None = None  # from the session resource: a sandbox-only tool is not "missing"
        self.failures = self.passed = 0
        self.skipped: list[list[str]] = []  # per skipped step: the missing packs ([] for another reason)
        self.state: dict[str, Any] = {}

    async def call(self, name: str, args: dict | None = None) -> dict:
        result = await self.client.call_tool(name, args or {})
        if result.is_error:
            raise RuntimeError(result.content[0].text)
        return result.structured_content or {}

    async def step(self, title: str, needs: tuple[str, ...], run: Callable[[], Awaitable[Any]]) -> None:
        missing = [n for n in needs if n not in self.tools]
        if "secret_sandbox_faucet" in missing and self.network_kind not in (None, "sandbox"):
            self.skipped.append([])
            self.echo(f"\n· {title}: skipped (secret_sandbox_faucet exists on the sandbox network only)")
            return
        if missing:
            from .offered import PACK_OF

            packs = list(dict.fromkeys(PACK_OF[n] for n in missing if n in PACK_OF))
            self.skipped.append(packs or ["?"])
            names = ", ".join(packs[:-1]) + " and " + packs[-1] if len(packs) > 1 else "".join(packs)
            which = f"{names} pack{'s' if len(packs) > 1 else ''}" if packs else "its pack"
            self.echo(f"\n· {title}: skipped (needs {', '.join(missing)}: {which} not installed)")
            return
        start = time.perf_counter()
        shown = len(self.previews)
        try:
            value = await run()
        except Skip as why:
            self.skipped.append([])
            self.echo(f"\n· {title}: skipped ({why})")
            return
        except Exception as exc:  # a failed step is reported and counted, the demo goes on
            self.failures += 1
            self.echo(f"\n✗ {title} ({(time.perf_counter() - start) * 1000:.0f} ms)\n{exc}")
            return
        ms = (time.perf_counter() - start) * 1000
        self.passed += 1
        for preview in self.previews[shown:]:
            shown_text = preview.replace("\n", "\n    ")
            self.echo(f"\n  ? confirmation shown to the person (answered: accept):\n    {shown_text}")
        self.echo(f"\n✓ {title} ({ms:.0f} ms)\n{_show(value)}")


async def _script(d: Demo) -> None:
    d.echo("Tools: " + ", ".join(sorted(d.tools)))
    await d.step("Network info", ("secret_get_network_info",), lambda: d.call("secret_get_network_info"))

    async def create() -> Any:
        out = await d.call("secret_create_wallet", {"name": "demo"})
        d.state["address"] = out["wallet"]["address"]
        return out["wallet"]

    async def fund() -> Any:
        return await d.call("secret_sandbox_faucet", {"amount_uscrt": 100_000_000})

    async def delegate() -> Any:
        vals = await d.call("secret_get_validators", {"status": "bonded", "jailed": False, "limit": 1})
        if not vals.get("validators"):
            raise Skip("no bonded validator")
        validator = vals["validators"][0]
        d.echo(f"  delegating to {validator.get('moniker')} ({validator['operator_address']})")
        return await d.call("secret_delegate", {"validator": validator["operator_address"], "amount": "5 SCRT"})

    async def vote() -> Any:
        open_ = await d.call("secret_get_proposals", {"status": "voting_period", "limit": 1})
        if not open_.get("proposals"):
            raise Skip("no proposal is in its voting period")
        proposal = open_["proposals"][0]
        pid = proposal.get("id", proposal.get("proposal_id"))
        d.echo(f"  voting yes on proposal {pid}: {proposal.get('title', '')}")
        return await d.call("secret_vote_proposal", {"proposal_id": pid, "option": "yes"})

    me = "secret_create_wallet"  # every step that acts as the demo's wallet needs it (the wallet pack)
    await d.step("Create a wallet", (me,), create)
    await d.step("Fund it from the sandbox faucet (100 SCRT)", ("secret_sandbox_faucet", me), fund)
    await d.step("Balances", ("secret_get_balance", me), lambda: d.call("secret_get_balance"))
    await d.step("Send 1.5 SCRT (with confirmation)", ("secret_send_tokens", me),
                 lambda: d.call("secret_send_tokens", {"recipient": FRIEND, "amount": "1.5 SCRT", "memo": "demo"}))
    await d.step("Delegate 5 SCRT", ("secret_get_validators", "secret_delegate", me), delegate)
    await d.step("Vote on the open proposal", ("secret_get_proposals", "secret_vote_proposal", me), vote)

    async def wrap() -> Any:
        # The sandbox's SNIP-20 ("SSCRT") is backed 1:1 by uscrt: deposit SCRT into the contract to hold some.
        token = (await d.call("secret_token_info", {"token": "SSCRT"}))
        d.state["token"] = token.get("address") or token.get("contract") or "SSCRT"
        return await d.call("secret_execute_contract",
                            {"contract": d.state["token"], "msg": {"deposit": {}}, "funds": "3 SCRT"})

    async def token_balance() -> Any:
        await d.call("secret_token_create_viewing_key", {"token": "SSCRT"})
        return await d.call("secret_token_balance", {"token": "SSCRT"})

    await d.step("SNIP-20: wrap 3 SCRT into SSCRT", ("secret_token_info", "secret_execute_contract", me), wrap)
    await d.step("SNIP-20: viewing key + private balance",
                 ("secret_token_create_viewing_key", "secret_token_balance", me), token_balance)
    await d.step("SNIP-20: transfer 1 SSCRT (with confirmation)", ("secret_token_transfer", me),
                 lambda: d.call("secret_token_transfer", {"token": "SSCRT", "recipient": FRIEND, "amount": "1"}))
    await d.step("Balances after", ("secret_get_balance", me), lambda: d.call("secret_get_balance"))


async def run_demo(extra_args: list[str], echo: Callable[[str], None]) -> int:
    from mcp import Client, StdioServerParameters
    from mcp.types import ElicitResult

    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "secret_mcp.cli", "serve", "--network", "sandbox", "--log-level", "WARNING", *extra_args],
        env=dict(os.environ),
    )
    previews: list[str] = []

    async def answer(_ctx: Any, request: Any) -> ElicitResult:
        previews.append(request.message)  # printed by the step that triggered it
        return ElicitResult(action="accept", content={"confirm": True})

    start = time.perf_counter()
    async with Client(params, elicitation_callback=answer) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        echo(f"Connected to secret-mcp over stdio ({(time.perf_counter() - start) * 1000:.0f} ms): {len(tools)} tools.")
        demo = Demo(client, tools, echo, previews)
        demo.network_kind = await _network_kind(client)
        await _script(demo)
    echo(f"\n{summary(demo)} ({time.perf_counter() - start:.1f} s)")
    return 1 if demo.failures else 0


async def _network_kind(client: Any) -> str | None:
    from .resources import SESSION_STATE

    try:
        state = json.loads((await client.read_resource(SESSION_STATE)).contents[0].text)
        return (state.get("network") or {}).get("kind")
    except Exception:  # no answer is no reason to stop the demo: missing tools then count as missing packs
        return None


def summary(d: Demo) -> str:
    """The last line: "All steps passed." only when every step ran; otherwise what passed, failed, was skipped."""
    if not d.failures and not d.skipped:
        return "All steps passed."
    parts = [f"{d.failures} step(s) failed" if d.failures else "", f"{d.passed} step(s) passed"]
    if d.skipped:
        packs = sorted({pack for step in d.skipped for pack in step if pack != "?"})
        why = [f"packs not installed: {', '.join(packs) or 'unknown'}"] if any(d.skipped) else []
        others = d.skipped.count([])
        why += [f"{others} for another reason"] if others else []
        parts.append(f"{len(d.skipped)} skipped ({'; '.join(why)})")
    return ", ".join(p for p in parts if p) + "."


@click.command()
@click.argument("server_args", nargs=-1)
def demo(server_args: tuple[str, ...]) -> None:
    """Run a scripted session against the embedded sandbox chain and print the transcript."""
    code = anyio.run(run_demo, list(server_args), click.echo)
    sys.exit(code)
