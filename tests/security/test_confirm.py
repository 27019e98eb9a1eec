"""Confirmation in both protocol eras: elicitation (accept, decline, cancel) and single-use codes."""

from __future__ import annotations

import pytest
from mcp.types import ElicitResult

from tests.helpers import call_err, call_ok, connect
from tests.security.packs import PayPack, security_server

pytestmark = pytest.mark.anyio
ARGS = {"amount": 5, "recipient": "secret1friend"}


@pytest.fixture
def pay():
    pack = PayPack()
    server, plugin = security_server(("pay", pack))
    return pack, server, plugin


async def redeem(client, code, ok=True, **extra):
    args = {"code": code, **extra}
    return await (call_ok if ok else call_err)(client, "secret_confirm_transaction", args)


def answer(action, confirm=True):
    seen = []

    async def callback(_ctx, params):
        seen.append(params.message)
        return ElicitResult(action=action, content={"confirm": confirm} if action == "accept" else None)

    return callback, seen


@pytest.mark.parametrize(
    ("action", "confirm", "code"),
    [("decline", True, "CONFIRMATION_DECLINED"), ("cancel", True, "CONFIRMATION_CANCELLED"),
     ("accept", False, "CONFIRMATION_DECLINED")],
)
async def test_elicitation_refusals_run_nothing(mode, pay, action, confirm, code):
    pack, server, _ = pay
    callback, seen = answer(action, confirm)
    async with connect(server, mode, elicitation_callback=callback) as client:
        err = await call_err(client, "secret_test_pay", ARGS)
    assert err["code"] == code and pack.runs == 0
    assert seen == ["Send 5uscrt to secret1friend on localsecret?"]


async def test_elicitation_accept_runs_once(mode, pay):
    pack, server, _ = pay
    callback, seen = answer("accept")
    async with connect(server, mode, elicitation_callback=callback) as client:
        out = await call_ok(client, "secret_test_pay", ARGS)
    assert out == {"amount": 5, "recipient": "secret1friend", "runs": 1} and len(seen) == 1


async def issue_code(client) -> dict:
    result = await client.call_tool("secret_test_pay", ARGS)
    assert result.is_error  # nothing happened yet: an error for the model, and no fake success shape
    body = result.structured_content
    assert body["error"]["code"] == "CONFIRMATION_REQUIRED"
    assert body["status"] == "confirmation_required"
    assert body["preview"] == "Send 5uscrt to secret1friend on localsecret?"
    assert body["error"]["details"]["confirmation_code"] == body["confirmation_code"]
    return body


async def test_code_redeems_exactly_once(mode, pay):
    pack, server, _ = pay
    async with connect(server, mode) as client:  # no elicitation_callback: the client cannot ask
        body = await issue_code(client)
        assert pack.runs == 0
        done = await redeem(client, body["confirmation_code"])
        replay = await redeem(client, body["confirmation_code"], ok=False)
    assert done == {"status": "done", "tool": "secret_test_pay",
                    "result": {"amount": 5, "recipient": "secret1friend", "runs": 1}}
    assert replay["code"] == "CONFIRMATION_USED" and pack.runs == 1


async def test_tampered_arguments_are_refused_and_burn_the_code(mode, pay):
    pack, server, _ = pay
    async with connect(server, mode) as client:
        code = (await issue_code(client))["confirmation_code"]
        tampered = await redeem(client, code, False, arguments={"amount": 5000, "recipient": "secret1friend"})
        after = await redeem(client, code, ok=False)
        unknown = await redeem(client, "AAAA-BBBB-CCCC-DDDD", ok=False)
    assert tampered["code"] == "CONFIRMATION_MISMATCH" and after["code"] == "CONFIRMATION_USED"
    assert unknown["code"] == "CONFIRMATION_UNKNOWN" and pack.runs == 0


async def test_matching_arguments_are_accepted(mode, pay):
    pack, server, _ = pay
    async with connect(server, mode) as client:
        code = (await issue_code(client))["confirmation_code"]
        out = await redeem(client, code, tool="secret_test_pay", arguments=ARGS)
    assert out["result"]["runs"] == 1


async def test_expired_code_is_refused(mode, pay):
    pack, server, plugin = pay
    async with connect(server, mode) as client:
        codes = plugin.security.codes
        codes.clock = lambda: 1_000.0
        code = (await issue_code(client))["confirmation_code"]
        codes.clock = lambda: 1_000.0 + 300  # the TTL is 5 minutes; no sleeping
        err = await redeem(client, code, ok=False)
    assert err["code"] == "CONFIRMATION_EXPIRED" and pack.runs == 0


async def test_code_is_bound_to_the_network(mode, pay):
    pack, server, plugin = pay
    async with connect(server, mode) as client:
        code = (await issue_code(client))["confirmation_code"]
        app = server.secret_app
        app.session.network = app.networks["testnet"]
        err = await redeem(client, code, ok=False)
    assert err["code"] == "CONFIRMATION_MISMATCH" and pack.runs == 0


# confirm = "never" for chain writes (plans): tests/plans/test_binding.py::test_never_mode_skips_the_question_only_on_local_chains


async def test_limits_apply_after_confirmation(mode):
    pack = PayPack()
    server, _ = security_server(("pay", pack), network="mainnet")
    callback, _seen = answer("accept")
    async with connect(server, mode, elicitation_callback=callback) as client:
        err = await call_err(client, "secret_test_pay", {"amount": 100_000_001, "recipient": "secret1x"})
    assert err["code"] == "POLICY_REFUSED" and "per-transaction limit" in err["message"] and pack.runs == 0


async def test_never_mode_still_asks_for_local_actions(mode):
    # Removing a key is irreversible whatever the network: confirm="never" is about chain writes only.
    import secret_mcp_wallet

    server, _ = security_server(("wallet", secret_mcp_wallet), confirm="never")
    async with connect(server, mode) as client:
        await call_ok(client, "secret_create_wallet", {"name": "a"})
        await call_ok(client, "secret_create_wallet", {"name": "b"})
        result = await client.call_tool("secret_remove_wallet", {"name": "b"})
    assert result.structured_content["status"] == "confirmation_required"


def test_needs_confirmation_by_mode():
    from secret_mcp.app import App
    from secret_mcp.config import Config
    from secret_mcp.plugins import PluginHost
    def security(network, confirm, **extra):
        app = App(Config(network=network, confirm=confirm), PluginHost(load_entrypoints=False))
        sec = app.security
        if extra:
            sec.settings = type(sec.settings)(confirm=confirm, **extra)
        return sec, app.session.network

    sec, net = security("mainnet", "above_limit")
    assert sec.needs_confirmation(net, (("uscrt", 10_000_000),)) is False  # 10 SCRT: at the threshold
    assert sec.needs_confirmation(net, (("uscrt", 10_000_001),)) is True
    assert sec.needs_confirmation(net, (("ibc/X", 1),)) is True  # no threshold for a denom: always ask
    sec, net = security("mainnet", "never")
    assert sec.confirm_mode(net) == "always" and sec.needs_confirmation(net, ()) is True
    sec, net = security("mainnet", "never", never_confirm_on_real_networks=True)
    assert sec.confirm_mode(net) == "never"
    sec, net = security("localsecret", "never")
    assert sec.needs_confirmation(net, (("uscrt", 10**15),)) is False


async def test_person_is_not_asked_for_a_call_that_cannot_run(mode):
    pack = PayPack(needs_wallet=True)
    server, _ = security_server(("pay", pack))
    callback, seen = answer("accept")
    async with connect(server, mode, elicitation_callback=callback) as client:
        err = await call_err(client, "secret_test_pay", ARGS)
    assert err["code"] == "NO_ACTIVE_WALLET" and seen == [] and pack.runs == 0


async def test_confirm_tool_exists_when_the_host_does_not_register_the_plugin(mode):
    # Every PluginHost registers the core's security plugin, even one that loads no entry points.
    from secret_mcp.config import Config
    from secret_mcp.plugins import PluginHost
    from secret_mcp.server import build_server

    pack = PayPack()
    host = PluginHost(load_entrypoints=False)
    host.register(pack, "pay")
    async with connect(build_server(Config(network="localsecret"), host=host), mode) as client:
        code = (await issue_code(client))["confirmation_code"]
        out = await redeem(client, code)
    assert out["result"]["runs"] == 1 and host.infos["security"].distribution == "secret-mcp-core"
