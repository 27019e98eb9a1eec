"""Every tool fuzzed from its own JSON input schema (tests/reliability/schema_strategies.py), through the
in-process MCP client, with a funded wallet whose recovery phrase we know and every confirmation declined:

- each result is a structured success or a structured error with a code and a message, never a traceback,
  never INTERNAL_ERROR (an unexpected exception in a tool), never a hang;
- neither the phrase nor the private key (hex or base64) appears in any result or confirmation preview;
- nothing is signed: every moves-funds tool stops at the confirmation, so the wallet's sequence does not
  move.

CI draws ~10 examples per tool; SECRET_MCP_FULL=1 draws 200 per tool (and runs the handshake era too).
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from mnemonic import Mnemonic
from secret_sdk.key.mnemonic import MnemonicKey

from tests.contracts.sandbox_addresses import COUNTER, TOKEN
from secret_mcp.testing import call_ok, connect, decline, plugin_host, recording, sequence
from tests.reliability.common import COSMOS, FULL, SSCRT_TRACE, build, fill, outcome, size
from tests.reliability.schema_strategies import arguments
from tests.helpers import A, B

pytestmark = pytest.mark.anyio

EXAMPLES = size(10, 200)
CALL_LIMIT = 60.0  # seconds: a call that takes longer counts as a hang
PHRASE = Mnemonic("english").to_mnemonic(hashlib.sha256(b"secret-mcp reliability fuzz wallet").digest())
KEY = MnemonicKey(PHRASE)
SECRETS = {
    "recovery phrase": PHRASE,
    "private key hex": KEY.private_key.hex(),
    "private key HEX": KEY.private_key.hex().upper(),
    "private key base64": base64.b64encode(KEY.private_key).decode(),
}
WALLET_TOOLS = {"secret_create_wallet", "secret_import_wallet", "secret_set_active_wallet", "secret_remove_wallet"}

# A valid call of every moves-funds tool: it must reach the confirmation, be declined, and move nothing.
# A moves-funds tool missing here fails the test: add a valid call when you add the tool.
CONFIRMED: dict[str, tuple[dict[str, Any], str]] = {
    "secret_send_tokens": ({"recipient": B, "amount": "1 SCRT"}, "CONFIRMATION_DECLINED"),
    "secret_multi_send": ({"recipients": [{"address": B, "amount": "1 SCRT"}]}, "CONFIRMATION_DECLINED"),
    "secret_delegate": ({"validator": "{validator}", "amount": "1 SCRT"}, "CONFIRMATION_DECLINED"),
    "secret_undelegate": ({"validator": "{validator}", "amount": "1 SCRT"}, "CONFIRMATION_DECLINED"),
    "secret_deposit_proposal": ({"proposal_id": 4, "amount": "1 SCRT"}, "CONFIRMATION_DECLINED"),
    "secret_submit_proposal": ({"title": "Fuzz", "summary": "A fuzzed proposal", "initial_deposit": "1 SCRT"},
                               "CONFIRMATION_DECLINED"),
    "secret_execute_contract": ({"contract": COUNTER, "msg": {"increment": {}}}, "CONFIRMATION_DECLINED"),
    "secret_batch_execute": ({"messages": [{"contract": COUNTER, "msg": {"increment": {}}}]}, "CONFIRMATION_DECLINED"),
    "secret_instantiate_contract": ({"code_id": 2, "init_msg": {"count": 1}, "label": "fuzz-counter"},
                                    "CONFIRMATION_DECLINED"),
    "secret_ibc_transfer": ({"channel": "channel-0", "receiver": COSMOS, "amount": "1 SCRT"}, "CONFIRMATION_DECLINED"),
    "secret_token_transfer": ({"token": TOKEN, "recipient": B, "amount": "1"}, "CONFIRMATION_DECLINED"),
    "secret_token_send": ({"token": TOKEN, "recipient": COUNTER, "amount": "1"}, "CONFIRMATION_DECLINED"),
    "secret_token_create_viewing_key": ({"token": TOKEN}, "CONFIRMATION_DECLINED"),
    "secret_token_set_viewing_key": ({"token": TOKEN, "key": "a fuzz key"}, "CONFIRMATION_DECLINED"),
    "secret_batch": ({"calls": [{"tool": "secret_send_tokens", "arguments": {"recipient": B, "amount": "1 SCRT"}}]},
                     "CONFIRMATION_DECLINED"),
    "secret_grant_agent": ({"send_limit": "1 SCRT", "fee_limit": "0.5 SCRT"}, "CONFIRMATION_DECLINED"),
    # Takes a tx signed elsewhere for an open signing request: one this server never opened is refused.
    "secret_submit_signed_transaction": ({"request_id": "nope", "tx_bytes": "AAAA"}, "SIGNING_REQUEST_UNKNOWN"),
    # Redeems a code instead of asking; an unknown code is refused.
    "secret_confirm_transaction": ({"code": "NOSUCHCODE"}, "CONFIRMATION_UNKNOWN"),
}

# Inputs that once crashed a tool (INTERNAL_ERROR), with the structured error they give now.
REGRESSIONS = [
    ("secret_get_denom_metadata", {"denom": "\x11bad"}, "INVALID_DENOM"),  # httpx.InvalidURL escaped the pool
]


def _delegate_outside(sandbox: Any, validator: str) -> None:
    """Delegate 1 SCRT from the fuzz wallet by signing outside the server (the server must never sign)."""
    from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
    from secret_sdk.protobuf.cosmos.staking.v1beta1 import MsgDelegate

    from secret_sandbox_chain import testing

    msg = MsgDelegate(delegator_address=KEY.acc_address, validator_address=validator,
                      amount=Coin(denom="uscrt", amount="1000000"))
    testing.send_tx(sandbox, KEY, [msg], gas=300_000, fee_uscrt=4000)


def _deposit_outside(sandbox: Any) -> None:
    """Wrap 5 SCRT into the sandbox token from the fuzz wallet, signed outside the server: a token transfer's
    simulation then passes and the call reaches the confirmation (a failing simulation refuses before asking)."""
    import httpx
    from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
    from secret_sdk.protobuf.secret.compute import v1beta1 as pb

    from secret_sandbox_chain import testing
    from secret_sandbox_chain.crypto import address_bytes
    from secret_sandbox_chain.enclave import ClientCrypto

    hash_ = httpx.get(f"{sandbox.url}/compute/v1beta1/code_hash/by_contract_address/{TOKEN}").json()["code_hash"]
    wire = ClientCrypto(bytes(range(1, 33))).encrypt(hash_, {"deposit": {}})
    msg = pb.MsgExecuteContract(sender=address_bytes(KEY.acc_address), contract=address_bytes(TOKEN), msg=wire,
                                sent_funds=[Coin(denom="uscrt", amount="5000000")])
    testing.send_tx(sandbox, KEY, [msg], gas=300_000, fee_uscrt=4000)


def hints(world: dict[str, Any]) -> dict[str, list[Any]]:
    """Values that get past validation into a tool's real work, by (part of) field name."""
    addresses = [A, B, world["me"], TOKEN, COUNTER, world["validator"], "secret1qqqqqqqqqqqq", COSMOS]
    return {
        "address": addresses, "recipient": addresses, "voter": addresses, "admin": addresses, "new_active": ["fuzz"],
        "receiver": [COSMOS, B, "osmo1xyz"], "validator": [world["validator"], A, "secretvaloper1abc"],
        "contract": [TOKEN, COUNTER, A], "token": [TOKEN, "SSCRT", "sscrt", COUNTER, "NOPE"],
        "tokens": [TOKEN, "SSCRT"],
        "amount": ["1 SCRT", "0.000001 SCRT", "1uscrt", "1000000000000 SCRT", "-1 SCRT", "0", "1.0000001 SCRT",
                   "1e9999", "all", "1", "0.5", "1 FOO"],
        "deposit": ["1 SCRT", "10 SCRT", "0uscrt"], "funds": ["1uscrt", "1 SCRT", "-5uscrt"],
        "weight": ["0.5", "1", "2", "-1"],
        "denom": ["uscrt", "SCRT", SSCRT_TRACE, "ibc/XYZ", "scrt"], "hash": [world["txhash"], "0x" + "0" * 64, "Z" * 64],
        "code_hash": [world["code_hash"], "00" * 32], "channel": ["channel-0", "channel-99"], "port": ["transfer"],
        "name": ["fuzz", "other", "x" * 65, "../etc"], "label": ["fuzz-label", ""],
        "mnemonic": [PHRASE, " ".join(PHRASE.split()[:12]), "abandon " * 23 + "art"],
        "network": ["sandbox", "testnet", "mainnet", "localsecret", "custom"], "chain_id": ["secret-4", "pulsar-3"],
        "lcd_url": ["http://127.0.0.1:9"], "path": ["/nonexistent.wasm", "/etc/hostname"],
        "query": ["tx.height>=1", f"message.sender='{A}'", "'", "tx.height>=x"],
        "msg": [{"get_count": {}}, {"increment": {}}, {"token_info": {}}, '{"get_count":{}}', "not json"],
        "messages": [{"@type": "/cosmos.bank.v1beta1.MsgSend", "from_address": world["me"], "to_address": B,
                      "amount": [{"denom": "uscrt", "amount": "1"}]}, {"@type": "/nope"}],
        "key": ["api_key_fuzz", ""], "permit": ["fuzz-permit"], "code": ["ABCDEF"], "option": ["yes", "no"],
        "page_key": ["AAAA", "!!"], "sort_by": ["voting_power"],
        "height": [1, 2, 10**12], "proposal_id": [1, 3, 4, 999], "code_id": [1, 2, 99], "sequence": [1, 10**9],
    }


def draw(strategy: Any, n: int) -> list[dict]:
    """n argument objects for one tool. Hypothesis drives the generation, one run per tool (one run for every
    tool would overflow its buffer and degrade to trivial values); the calls happen afterwards, async."""
    found: list[dict] = []

    @settings(max_examples=n, database=None, deadline=None, derandomize=not FULL, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(args: dict) -> None:
        found.append(args)

    collect()
    return found


def leaks(text: str) -> list[str]:
    return [what for what, secret in SECRETS.items() if secret in text]


def tool_specs() -> dict[str, Any]:
    from secret_mcp.app import App
    from secret_mcp.config import Config

    return {spec.name: spec for _plugin, spec in App(Config(network="localsecret"), plugin_host()).tool_specs()}


@pytest.fixture(scope="module")
def sandbox():
    # Long deposit and voting periods: genesis proposal 4 must still take deposits however long the full run is.
    from secret_mcp.testing import running_sandbox

    with running_sandbox(voting_period_seconds=86_400, max_deposit_period_seconds=86_400) as server:
        yield server


@pytest.fixture
def no_os_keyring():
    # persist=true must never reach the developer's real keyring: it gets the "no keyring" error instead.
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


async def _restore(client: Any, sandbox: Any, name: str) -> None:
    """Undo what a fuzzed local tool may have changed: the network, or the active wallet."""
    if name == "secret_configure_network":
        await call_ok(client, "secret_configure_network",
                      {"network": "sandbox", "lcd_url": [sandbox.url], "chain_id": sandbox.chain.chain_id})
    elif name in WALLET_TOOLS:
        await call_ok(client, "secret_set_active_wallet", {"name": "fuzz"})


@pytest.mark.parametrize("mode", ["auto", "legacy"] if FULL else ["auto"])
async def test_every_tool_survives_its_fuzzed_inputs(mode, sandbox, home, no_os_keyring):
    specs = tool_specs()
    moves = {name for name, spec in specs.items() if spec.effect == "moves_funds"}
    assert moves - set(CONFIRMED) == set(), "moves-funds tools without a valid call in CONFIRMED"
    refuse, shown = recording(decline)
    server = build((sandbox.url,), sandbox.chain.chain_id, request_timeout=2.0, retries=1)
    problems: list[str] = []
    async with connect(server, mode, elicitation_callback=refuse) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        me = (await call_ok(client, "secret_import_wallet", {"name": "fuzz", "mnemonic": PHRASE}))["wallet"]["address"]
        assert me == KEY.acc_address
        txhash = sandbox.faucet(me, 50_000_000)["txhash"]
        validator = (await call_ok(client, "secret_get_validators", {}))["validators"][0]["operator_address"]
        _delegate_outside(sandbox, validator)  # so undelegate / withdraw_rewards have something to ask about
        _deposit_outside(sandbox)  # so a token transfer or send has something to ask about
        code_hash = (await call_ok(client, "secret_get_contract_info", {"address": TOKEN}))["code_hash"]
        world = {"me": me, "txhash": txhash, "validator": validator, "code_hash": code_hash}
        field_hints = hints(world)
        funds = await call_ok(client, "secret_get_balance", {})

        async def call(name: str, args: dict) -> str | None:
            before = len(shown)
            try:
                with anyio.fail_after(CALL_LIMIT):
                    result = await client.call_tool(name, args)
            except Exception as exc:  # noqa: BLE001 - the client itself failing is a finding, not a crash of the test
                problems.append(f"{name} {_show(args)}: the call raised {type(exc).__name__}: {exc}")
                return "RAISED"
            text = "\n".join(getattr(c, "text", "") for c in result.content)
            seen = text + json.dumps(result.structured_content, default=str) + "".join(shown[before:])
            for what in leaks(seen):
                problems.append(f"{name} {_show(args)}: the {what} appears in the output")
            try:
                ok, code = outcome(result)
            except AssertionError as exc:
                problems.append(f"{name} {_show(args)}: malformed result: {exc}")
                return "MALFORMED"
            if code == "INTERNAL_ERROR":
                problems.append(f"{name} {_show(args)}: INTERNAL_ERROR")
            if ok and name in moves:
                problems.append(f"{name} {_show(args)}: succeeded although every confirmation was declined")
            return code

        for name, args, expected in REGRESSIONS:
            code = await call(name, args)
            if code != expected:
                problems.append(f"{name} {_show(args)}: ended in {code}, expected {expected}")
        for name in sorted(listed):
            signed = sequence(sandbox, me)
            if name in CONFIRMED:
                args, expected = CONFIRMED[name]
                asked = len(shown)
                code = await call(name, fill(args, world))
                if code != expected or (expected == "CONFIRMATION_DECLINED" and len(shown) != asked + 1):
                    problems.append(f"{name}: a valid call ended in {code}, not a declined confirmation")
            for args in draw(arguments(listed[name].input_schema, field_hints), EXAMPLES):
                await call(name, args)
                await _restore(client, sandbox, name)
            if sequence(sandbox, me) != signed:
                problems.append(f"{name}: signed a transaction with the wallet although every confirmation was declined")
        after = await call_ok(client, "secret_get_balance", {})  # and the session still serves
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])
    # Nothing signed, so no fee was paid (the fuzzed faucet may only have added funds).
    assert int(after["uscrt"]) >= int(funds["uscrt"])


def test_every_chain_write_is_a_plan_the_core_confirms():
    """Every chain-writing tool returns a Plan, which the core alone previews, confirms and signs; none has a
    confirm function of its own (two copies drift). secret_confirm_transaction is the confirmation itself, and
    secret_submit_signed_transaction carries a tx the person signed for a request the core prepared (the signature
    is the approval; it must match that request exactly)."""
    from secret_mcp.server import returns_plan

    specs = tool_specs()
    writes = {name for name, spec in specs.items() if spec.writes_chain}
    assert {name for name in writes if not returns_plan(specs[name])} == {"secret_confirm_transaction",
                                                                          "secret_submit_signed_transaction"}
    assert not [name for name in writes if specs[name].confirm is not None], "a write tool with its own confirm="
    assert len(writes) >= 20


def _show(args: dict) -> str:
    text = json.dumps(args, default=str)
    return text if len(text) <= 300 else text[:300] + f"... ({len(text)} chars)"
