"""examples/secret-mcp-swap as a third party ships it: pip-installed into a temp dir, found through its entry point
alone, driven over stdio against the sandbox's genesis SCRT/SUSD pair (real contract encryption end to end).

Expected amounts are computed here from the pool's reserves with x*y=k, never taken from the pack.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import call_err, call_ok
from tests.tx.fixtures import B, accept, balance, decline, funded_wallet, recording, sandbox  # noqa: F401

pytestmark = pytest.mark.anyio
PACK = Path(__file__).resolve().parents[2] / "examples" / "secret-mcp-swap"
C = "/compute/v1beta1"
PAIRS_ENV = "SECRET_MCP_SWAP_PAIRS"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("swap")
    source = shutil.copytree(PACK, root / "src", ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    # --no-deps: the core is already installed, and the pack needs nothing else. Built from a copy, so the
    # example folder stays clean; first without build isolation (nothing to download when setuptools and wheel
    # are here, see tests/requirements.txt), else the way any user's pip would do it.
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(root / "site")]
    if subprocess.run([*command, "--no-build-isolation", str(source)], capture_output=True).returncode != 0:
        subprocess.run([*command, str(source)], check=True)
    return root / "site"


@asynccontextmanager
async def stdio(site: Path, sandbox: Any, home: Path, mode: str = "auto", env: dict | None = None, **kwargs: Any):
    from mcp import Client, StdioServerParameters

    outer = {k: v for k, v in os.environ.items() if k != PAIRS_ENV}  # only what a test sets
    env = {**outer, "PYTHONPATH": str(site), "SECRET_MCP_HOME": str(home), "SECRET_MCP_NETWORK": "sandbox",
           "SECRET_MCP_LCD_URL": sandbox.url, "SECRET_MCP_SANDBOX_URLS": sandbox.url, "SECRET_MCP_CHAIN_ID": sandbox.chain.chain_id, **(env or {})}
    params = StdioServerParameters(command=sys.executable, args=["-m", "secret_mcp.cli", "serve"], env=env)
    async with Client(params, mode=mode, **kwargs) as client:
        yield client


def contract_query(sandbox: Any, address: str, msg: dict) -> Any:
    """An encrypted smart query straight to the sandbox LCD, as a wallet would make it."""
    from secret_sandbox_chain.enclave import ClientCrypto

    wallet = ClientCrypto(bytes(range(7, 39)))
    hash_ = httpx.get(f"{sandbox.url}{C}/code_hash/by_contract_address/{address}").json()["code_hash"]
    wire = wallet.encrypt(hash_, msg)
    body = httpx.get(f"{sandbox.url}{C}/query/{address}", params={"query": base64.b64encode(wire).decode()}).json()
    return json.loads(base64.b64decode(wallet.session(wire).decrypt(base64.b64decode(body["data"]))))


def addresses(sandbox: Any) -> tuple[str, str]:
    get = lambda label: httpx.get(f"{sandbox.url}{C}/contract_address/{label}").json()["contract_address"]  # noqa: E731
    return get("sandbox-scrt-susd"), get("sandbox-susd")


def reserves(sandbox: Any) -> tuple[int, int]:
    pair, _ = addresses(sandbox)
    assets = contract_query(sandbox, pair, {"pool": {}})["assets"]
    return int(assets[0]["amount"]), int(assets[1]["amount"])


def xyk(offer_pool: int, ask_pool: int, offer: int) -> tuple[int, int, int]:
    """(return after commission, commission, spread) of a constant-product pool with a 0.3 % fee."""
    gross = ask_pool * offer // (offer_pool + offer)
    return gross - gross * 3 // 1000, gross * 3 // 1000, offer * ask_pool // offer_pool - gross


def units(amount: int) -> str:
    """Base units as whole units (6 decimals), the way the pack displays them."""
    text = format(Decimal(amount).scaleb(-6), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def susd_of(sandbox: Any, address: str) -> int:
    # The token's own ledger (the wallet holds no viewing key; reading the chain's state needs none).
    _, susd = addresses(sandbox)
    return int(sandbox.chain.store.get(f"compute/state/{susd}/bal/{address}", "0"))


async def test_pools_and_quotes_match_constant_product_math(site, sandbox, tmp_path):
    pair, susd = addresses(sandbox)
    counter = httpx.get(f"{sandbox.url}{C}/contract_address/sandbox-counter").json()["contract_address"]
    async with stdio(site, sandbox, tmp_path) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        listed = await call_ok(client, "secret_swap_pools")
        again = await call_ok(client, "secret_swap_pools", {"add_pair": pair})
        not_pair = await call_err(client, "secret_swap_pools", {"add_pair": counter})
        native, tokens = reserves(sandbox)
        scrt = await call_ok(client, "secret_swap_quote", {"offer": "SCRT", "amount": "123.456789"})
        by_token = await call_ok(client, "secret_swap_quote", {"offer": "susd", "amount": "2500",
                                                               "slippage_percent": "0.5"})
        bad = await call_err(client, "secret_swap_quote", {"offer": "SCRT", "amount": "0.0000001"})
        unknown = await call_err(client, "secret_swap_quote", {"offer": "ATOM", "amount": "1"})
    assert {"secret_swap_pools", "secret_swap_quote", "secret_swap"} <= names
    (p,) = listed["pools"]
    assert p["address"] == pair and again["pools"] == listed["pools"]  # a known pair is not listed twice
    assert [(a["kind"], a["id"], a["symbol"], a["reserve"]) for a in p["assets"]] == [
        ("native", "uscrt", "SCRT", str(native)), ("token", susd, "SUSD", str(tokens))]
    assert p["price"].startswith("1 SCRT = 0.") and not_pair["code"] == "NOT_A_PAIR"
    ret, commission, spread = xyk(native, tokens, 123_456_789)
    assert (scrt["offer_amount"], scrt["return_amount"]) == ("123456789", str(ret))
    assert (scrt["commission_amount"], scrt["spread_amount"]) == (str(commission), str(spread))
    assert scrt["ask_asset"] == "SUSD" and scrt["reserves"] == {"SCRT": str(native), "SUSD": str(tokens)}
    # default 1 % tolerance: the least gross the pair accepts is ceil(0.99 * gross), minus its commission
    least = -(-(ret + commission) * 99 // 100)
    assert scrt["min_receive"] == str(least - least * 3 // 1000) and scrt["max_spread"] == "0.01"
    ret, commission, spread = xyk(tokens, native, 2_500_000_000)
    assert (by_token["return_amount"], by_token["commission_amount"], by_token["spread_amount"]) == (
        str(ret), str(commission), str(spread))
    assert by_token["ask_id"] == "uscrt" and by_token["return_display"] == f"{units(ret)} SCRT"
    assert bad["code"] == "INVALID_AMOUNT" and unknown["code"] == "POOL_NOT_FOUND"


async def test_swaps_land_to_the_unit_and_the_slippage_guard_holds(site, sandbox, tmp_path):
    pair, _ = addresses(sandbox)
    async with stdio(site, sandbox, tmp_path, elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox, "swapper", 50_000_000)
        native, tokens = reserves(sandbox)
        expect, commission, _ = xyk(native, tokens, 10_000_000)
        out = await call_ok(client, "secret_swap", {"offer": "SCRT", "amount": "10"})
        fee = int(out["fee"]["amount"])
        assert balance(sandbox, me) == 50_000_000 - 10_000_000 - fee
        assert susd_of(sandbox, me) == expect
        assert out["swap"]["received"] == str(expect) and out["swap"]["commission_amount"] == str(commission)
        assert reserves(sandbox) == (native + 10_000_000, tokens - expect)
        # back again: the token's send calls the pair's receive, which pays out native SCRT
        native, tokens = reserves(sandbox)
        back, _, _ = xyk(tokens, native, 1_000_000)
        scrt_before = balance(sandbox, me)
        out = await call_ok(client, "secret_swap", {"offer": "SUSD", "amount": "1", "pool": pair})
        assert balance(sandbox, me) == scrt_before - int(out["fee"]["amount"]) + back
        assert susd_of(sandbox, me) == expect - 1_000_000
        # a quote, then the price moves against us: the pair refuses, as a structured error, and nothing moves
        quote = await call_ok(client, "secret_swap_quote", {"offer": "SCRT", "amount": "5"})
        await call_ok(client, "secret_swap", {"offer": "SCRT", "amount": "20"})
        after = balance(sandbox, me), susd_of(sandbox, me), reserves(sandbox)
        err = await call_err(client, "secret_swap", {"offer": "SCRT", "amount": "5", "slippage_percent": "0.01",
                                                     "belief_price": quote["belief_price"]})
        still = balance(sandbox, me), susd_of(sandbox, me), reserves(sandbox)
    assert err["code"] == "CONTRACT_ERROR" and "Operation exceeds max spread limit" in err["message"]
    assert still == after  # not even a fee: the refusal happened in simulation
    assert out["swap"]["received"] == str(back) and out["responses"][0]["data"] == {"send": {"status": "success"}}
    assert [e["contract_address"] for e in out["wasm_events"]] == [addresses(sandbox)[1], pair]


async def test_declined_confirmation_sends_nothing(site, sandbox, tmp_path, mode):
    refuse, shown = recording(decline)
    async with stdio(site, sandbox, tmp_path, mode, elicitation_callback=refuse) as client:
        me = await funded_wallet(client, sandbox, f"decline-{mode}", 20_000_000)
        pool = reserves(sandbox)
        err = await call_err(client, "secret_swap", {"offer": "SCRT", "amount": "3", "slippage_percent": "2"})
    assert err["code"] == "CONFIRMATION_DECLINED"
    assert balance(sandbox, me) == 20_000_000 and susd_of(sandbox, me) == 0 and reserves(sandbox) == pool
    (text,) = shown
    expect, _, _ = xyk(pool[0], pool[1], 3_000_000)
    # The token's symbol is the token's own text: quoted in the preview; SCRT is the chain's own denom.
    assert "You offer: 3 SCRT" in text and f'Expected return: {units(expect)} "SUSD"' in text
    assert "Minimum received:" in text and "slippage tolerance 2 %" in text
    assert "Amount: 3 SCRT (3000000uscrt)" in text and f"To: {addresses(sandbox)[0]}" in text
    assert "Estimated fee:" in text and "Sign doc: " in text


async def test_the_pair_a_swap_pays_must_be_on_the_allow_list(site, sandbox, tmp_path):
    # The plan names the pair as the receiver of the SCRT sent with `swap`, and of the tokens a `send` moves.
    pair, _ = addresses(sandbox)
    async with stdio(site, sandbox, tmp_path / "outside", env={"SECRET_MCP_ALLOWED_RECIPIENTS": B},
                     elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox, "not-listed", 20_000_000)
        pool = reserves(sandbox)
        refused = await call_err(client, "secret_swap", {"offer": "SCRT", "amount": "2"})
    assert refused["code"] == "POLICY_REFUSED" and f"recipient {pair} is not on the allow-list" in refused["message"]
    assert balance(sandbox, me) == 20_000_000 and susd_of(sandbox, me) == 0 and reserves(sandbox) == pool
    async with stdio(site, sandbox, tmp_path / "listed", env={"SECRET_MCP_ALLOWED_RECIPIENTS": f"{B},{pair}"},
                     elicitation_callback=accept) as client:
        me = await funded_wallet(client, sandbox, "listed", 20_000_000)
        there = await call_ok(client, "secret_swap", {"offer": "SCRT", "amount": "2"})
        back = await call_ok(client, "secret_swap", {"offer": "SUSD", "amount": "0.1"})
    assert there["swap"]["received"] and back["swap"]["received"]
    assert susd_of(sandbox, me) == int(there["swap"]["received"]) - 100_000


@pytest.fixture(scope="module")
def sscrt_pair(sandbox: Any) -> str:
    """A second pair, SCRT/SSCRT (30 SCRT : 10 SSCRT), made and funded by genesis account d with signed txs."""
    from secret_sdk.protobuf.cosmos.base.v1beta1 import Coin
    from secret_sdk.protobuf.secret.compute import v1beta1 as pb

    from secret_sandbox_chain import testing
    from secret_sandbox_chain.chain import GENESIS_ADDRESSES
    from secret_sandbox_chain.crypto import address_bytes
    from tests.sandbox.test_compute import WALLET, code_hash, execute, response_data

    genesis_pair, _ = addresses(sandbox)
    sscrt = httpx.get(f"{sandbox.url}{C}/contract_address/sandbox-sscrt").json()["contract_address"]
    token = {"token": {"contract_addr": sscrt, "token_code_hash": code_hash(sandbox, sscrt)}}
    init = {"asset_infos": [{"native_token": {"denom": "uscrt"}}, token]}
    m = pb.MsgInstantiateContract(sender=address_bytes(GENESIS_ADDRESSES["d"]), code_id=3, label="env-scrt-sscrt",
                                  init_msg=WALLET.encrypt(code_hash(sandbox, genesis_pair), init))
    res = testing.send_tx(sandbox, "d", [m], gas=600_000)["tx_response"]
    assert res["code"] == 0, res["raw_log"]
    pair = response_data(res, pb.MsgInstantiateContractResponse).address
    for to, msg, funds in [
        (sscrt, {"deposit": {}}, 10_000_000),
        (sscrt, {"increase_allowance": {"spender": pair, "amount": "10000000"}}, 0),
        (pair, {"provide_liquidity": {"assets": [{"info": init["asset_infos"][0], "amount": "30000000"},
                                                 {"info": token, "amount": "10000000"}]}}, 30_000_000),
    ]:
        coins = [Coin(denom="uscrt", amount=str(funds))] if funds else None
        assert execute(sandbox, "d", to, msg, funds=coins)[0]["code"] == 0
    return pair


async def test_pairs_from_the_environment_are_listed_and_quoted_per_chain(site, sandbox, tmp_path, sscrt_pair):
    genesis_pair, _ = addresses(sandbox)
    counter = httpx.get(f"{sandbox.url}{C}/contract_address/sandbox-counter").json()["contract_address"]
    chain_id = sandbox.chain.chain_id
    # Its own chain id as prefix: listed. Another chain's entry (here not even a pair) is left alone.
    scoped = {PAIRS_ENV: f" {chain_id}:{sscrt_pair} ,, other-chain-9:{counter}"}
    async with stdio(site, sandbox, tmp_path, env=scoped) as client:
        listed = await call_ok(client, "secret_swap_pools")
        quote = await call_ok(client, "secret_swap_quote", {"offer": "SSCRT", "amount": "1"})
        two = await call_err(client, "secret_swap_quote", {"offer": "SCRT", "amount": "1"})
    assert [p["address"] for p in listed["pools"]] == [genesis_pair, sscrt_pair]
    assert [a["symbol"] for a in listed["pools"][1]["assets"]] == ["SCRT", "SSCRT"]
    assert [a["reserve"] for a in listed["pools"][1]["assets"]] == ["30000000", "10000000"]
    ret, commission, spread = xyk(10_000_000, 30_000_000, 1_000_000)
    assert quote["pool"] == sscrt_pair and quote["ask_id"] == "uscrt"
    assert (quote["return_amount"], quote["commission_amount"], quote["spread_amount"]) == (
        str(ret), str(commission), str(spread))
    assert two["code"] == "POOL_NOT_FOUND" and set(two["details"]["pools"]) == {genesis_pair, sscrt_pair}

    # The pair for another chain id only: not listed, not used.
    elsewhere = {PAIRS_ENV: f"other-chain-9:{sscrt_pair}"}
    async with stdio(site, sandbox, tmp_path, env=elsewhere) as client:
        listed = await call_ok(client, "secret_swap_pools")
        none = await call_err(client, "secret_swap_quote", {"offer": "SSCRT", "amount": "1"})
    assert [p["address"] for p in listed["pools"]] == [genesis_pair] and none["code"] == "POOL_NOT_FOUND"


async def test_a_malformed_pairs_entry_is_a_config_error(site, sandbox, tmp_path, sscrt_pair):
    broken = {PAIRS_ENV: f"{sscrt_pair},other-chain-9:secret1notanaddress"}
    async with stdio(site, sandbox, tmp_path, env=broken) as client:
        listing = await call_err(client, "secret_swap_pools")
        choosing = await call_err(client, "secret_swap_quote", {"offer": "SSCRT", "amount": "1"})
        direct = await call_ok(client, "secret_swap_quote", {"offer": "SSCRT", "amount": "1", "pool": sscrt_pair})
    for err in (listing, choosing):
        assert err["code"] == "INVALID_CONFIG" and err["details"]["key"] == PAIRS_ENV
        assert "other-chain-9:secret1notanaddress" in err["message"] and err["suggestions"]
    assert direct["pool"] == sscrt_pair  # a pool given directly does not depend on the variable
