"""What a network is comes from what it is, not from the name the model picks; URLs and path arguments are checked.

The "outside" sandbox runs in another process: to this server it is just some LCD endpoint, so calling it
"sandbox" must not make it a worthless simulated chain without limits or confirmations.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.helpers import call_err, call_ok, connect, make_server
from tests.tx.fixtures import B, MNEMONIC_A, accept, decline, home, recording  # noqa: F401

pytestmark = pytest.mark.anyio
SCRT = 1_000_000


@pytest.fixture(scope="module")
def outside_sandbox():
    """A sandbox chain in a child process on a free loopback port: its URL."""
    proc = subprocess.Popen([sys.executable, "-m", "secret_mcp_sandbox", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        found = re.search(r"(http://127\.0\.0\.1:\d+)", line)
        assert found, f"the sandbox did not say where it listens: {line!r}"
        yield found.group(1)
    finally:
        proc.terminate()
        proc.wait(10)


def _limited(**config):
    # confirm="never" and a 1 SCRT per-transaction limit on every kind that counts as real funds
    return make_server(confirm="never", spend_limit_per_tx=f"uscrt={SCRT}", **config)


@pytest.mark.parametrize("name", ["sandbox", "localsecret", "testnet"])
async def test_a_preset_name_on_another_endpoint_is_custom(mode, home, outside_sandbox, name):
    answer, asked = recording(accept)
    async with connect(_limited(), mode, elicitation_callback=answer) as client:
        info = await call_ok(client, "secret_configure_network",
                             {"network": name, "lcd_url": [outside_sandbox], "chain_id": "secret-sandbox-1"})
        tools = {t.name for t in (await client.list_tools()).tools}
        await call_ok(client, "secret_import_wallet", {"name": "a", "mnemonic": MNEMONIC_A})
        err = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "20 SCRT"})
    assert info["kind"] == "custom" and info["simulated"] is False and info["name"] == "custom"
    assert not any("SIMULATED" in w for w in info["warnings"])
    assert "secret_sandbox_faucet" not in tools
    # The person was asked before the switch, and shown the endpoint; the send was refused by the limit before
    # any question (policy runs when the plan is prepared), as real funds.
    assert outside_sandbox in asked[0] and "custom" in asked[0].lower()
    assert len(asked) == 1
    assert err["code"] == "POLICY_REFUSED" and "per-transaction limit" in err["message"]


async def test_the_switch_can_be_declined(mode, home, outside_sandbox):
    answer, asked = recording(decline)
    async with connect(make_server(), mode, elicitation_callback=answer) as client:
        err = await call_err(client, "secret_configure_network",
                             {"network": "sandbox", "lcd_url": [outside_sandbox]})
        info = await call_ok(client, "secret_get_network_info")
    assert err["code"] == "CONFIRMATION_DECLINED" and len(asked) == 1
    assert info["kind"] == "sandbox" and info["lcd_endpoints"] != [outside_sandbox]


@pytest.mark.parametrize("args", [{"network": "mainnet"}, {"network": "custom", "lcd_url": ["https://lcd.example.com"]},
                                  {"network": "sandbox", "lcd_url": ["http://127.0.0.1:9"]}])
@pytest.mark.parametrize("read_only", [False, True])
async def test_without_elicitation_the_switch_is_refused_without_a_code(mode, home, args, read_only):
    async with connect(make_server(read_only=read_only), mode) as client:
        result = await client.call_tool("secret_configure_network", args)
        info = await call_ok(client, "secret_get_network_info")
    body = result.structured_content
    assert result.is_error and body["error"]["code"] == "PERSON_MUST_CONFIGURE"
    assert "confirmation_code" not in body and "confirmation_code" not in str(body["error"])
    assert any("--lcd-url" in s or "config" in s for s in body["error"]["suggestions"])
    assert info["kind"] == "sandbox"


async def test_an_in_process_sandbox_stays_the_sandbox(mode, home):
    from secret_sandbox_chain import launch

    answer, asked = recording(decline)
    with launch(port=0) as ours:
        async with connect(make_server(), mode, elicitation_callback=answer) as client:
            info = await call_ok(client, "secret_configure_network", {"network": "sandbox", "lcd_url": [ours.url]})
    assert asked == [] and info["kind"] == "sandbox" and info["lcd_endpoints"] == [ours.url]


BAD_URLS = [
    ("ftp://lcd.example.com", "lcd_url[0]"),
    ("https://alice:hunter2secret@lcd.example.com", "lcd_url[0]"),
    ("https://lcd.example.com/?token=hunter2secret", "lcd_url[0]"),
    ("https://", "lcd_url[0]"),
    ("javascript:alert(1)", "lcd_url[0]"),
]


@pytest.mark.parametrize("url,field", BAD_URLS)
async def test_bad_lcd_urls_are_refused_without_echo(mode, home, url, field):
    async with connect(make_server(), mode, elicitation_callback=accept) as client:
        err = await call_err(client, "secret_configure_network", {"network": "custom", "lcd_url": [url]})
    assert err["code"] == "INVALID_INPUT" and field in err["message"]
    assert "hunter2secret" not in str(err) and "alice" not in str(err)


def test_bad_lcd_urls_in_config_are_refused_without_echo():
    from secret_mcp.config import Config, ConfigError

    for url, _ in BAD_URLS:
        with pytest.raises(ConfigError) as info:
            Config(network="custom", lcd_urls=(url,))
        assert "lcd_urls" in str(info.value) and "hunter2secret" not in str(info.value)


TRAVERSALS = ["../../../cosmos/auth/v1beta1/accounts/secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03",
              "uscrt/../../supply", "ibc/../../x", "a%2F..%2F..", "uscrt?x=1", "uscrt#x", "u", "factory/../x"]


@pytest.mark.parametrize("denom", TRAVERSALS)
async def test_denom_metadata_path_cannot_traverse(mode, home, denom):
    async with connect(make_server(), mode) as client:
        err = await call_err(client, "secret_get_denom_metadata", {"denom": denom})
    assert err["code"] in ("INVALID_DENOM", "INVALID_INPUT"), err


async def test_denom_metadata_of_good_denoms(mode, home):
    async with connect(make_server(), mode) as client:
        ok = await call_ok(client, "secret_get_denom_metadata", {"denom": "uscrt"})
        ibc = await call_err(client, "secret_get_denom_metadata", {"denom": "ibc/" + "A" * 64})
    assert ok["metadatas"][0]["base"] == "uscrt" and ibc["code"] == "UNKNOWN_DENOM"


async def test_the_pool_refuses_dot_segments_whatever_the_tool(home):
    from secret_mcp.context import ToolContext
    from secret_mcp.errors import SecretMCPError

    server = make_server()
    app = server.secret_app
    ctx = ToolContext(app)
    for path in ("/cosmos/bank/v1beta1/denoms_metadata/../../x", "/cosmos/./bank", "/a/%2e%2e/b", "/a//b", "/a\\b"):
        with pytest.raises(SecretMCPError) as info:
            await ctx.query(path, cached=False)
        assert info.value.code == "INVALID_INPUT", path
    await app.session.disconnect()


async def test_a_sandbox_the_person_names_in_the_config_is_the_sandbox(mode, home, outside_sandbox):
    # sandbox_urls is the person's own setting (config file or environment); no tool can change it.
    answer, asked = recording(decline)
    server = make_server(network="sandbox", lcd_urls=(outside_sandbox,), sandbox_urls=(outside_sandbox,))
    async with connect(server, mode, elicitation_callback=answer) as client:
        first = await call_ok(client, "secret_get_network_info")
        await call_ok(client, "secret_configure_network", {"network": "testnet"})
        back = await call_ok(client, "secret_configure_network", {"network": "sandbox", "lcd_url": [outside_sandbox]})
    assert first["kind"] == back["kind"] == "sandbox" and back["simulated"] is True and asked == []
