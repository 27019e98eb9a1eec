"""Issue 17, server side: a wallet whose key stays with the person, signing requests and the loopback server.

The signing is done by secretjs's Wallet (tests/secretjs/sign_requests.mjs, a client nobody here wrote) exactly as
the page or an offline tool would: it signs the request's direct SignDoc or amino StdSignDoc, the test POSTs the
answer to the loopback server (or submits a TxRaw with secret_submit_signed_transaction), and the sandbox chain
verifies the signature for real. No browser here (tests/signing/ browser tests are the page's).
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp.types import ElicitResult

from tests.contracts.sandbox_addresses import COUNTER
from tests.helpers import call_err, call_ok, connect
from tests.tx.fixtures import B, accept, balance, home, sandbox, sequence, server_on  # noqa: F401 (fixtures)

pytestmark = pytest.mark.anyio
SECRETJS = Path(__file__).resolve().parents[1] / "secretjs"
VALIDATOR = None  # read from the chain once


class JsWallet:
    """secretjs's Wallet in one node process, one mnemonic per wallet."""

    def __init__(self, mnemonic: str) -> None:
        from secret_mcp.security import keys

        self.mnemonic = mnemonic
        self.address = keys.derive(mnemonic).address
        self.proc = subprocess.Popen(["node", "sign_requests.mjs", mnemonic], cwd=SECRETJS, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def _ask(self, command: dict) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        assert "error" not in answer, answer
        return answer

    async def ask(self, **command: Any) -> dict:
        return await anyio.to_thread.run_sync(self._ask, command)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(10)


@pytest.fixture
def js_wallet(sandbox):
    from secret_mcp.security import keys

    if shutil.which("node") is None or not (SECRETJS / "node_modules" / "secretjs").is_dir():
        from tests.proof._proofkit import in_ci

        if in_ci():
            pytest.fail("wallet signing tests cannot run under CI without node and tests/secretjs/node_modules")
        pytest.skip("node or tests/secretjs/node_modules missing (nox installs them)")
    wallet = JsWallet(keys.generate_mnemonic())
    sandbox.faucet(wallet.address, 100_000_000)
    yield wallet
    wallet.close()


async def add_wallet(client: Any, wallet: JsWallet, name: str = "mine") -> None:
    out = await call_ok(client, "secret_import_wallet", {"name": name, "address": wallet.address, "signer": "wallet"})
    assert out["wallet"]["derivation_path"] is None and "no key here" in out["wallet"]["storage"]
    await call_ok(client, "secret_set_active_wallet", {"name": name})


async def awaiting(client: Any, tool: str, args: dict) -> dict:
    result = await client.call_tool(tool, args)
    assert result.is_error, result.structured_content
    body = result.structured_content
    assert body["error"]["code"] == "AWAITING_SIGNATURE" and body["status"] == "awaiting_signature"
    assert body["signing_url"].startswith("http://127.0.0.1:") and f"/sign/{body['request_id']}?t=" in body["signing_url"]
    return body


def split(url: str) -> tuple[str, str]:
    base, _, query = url.partition("?")
    return base, query


async def get_request(url: str) -> dict:
    base, query = split(url)
    async with httpx.AsyncClient(timeout=60) as http:
        reply = await http.get(f"{base}/request?{query}")
    assert reply.status_code == 200, reply.text
    return reply.json()


async def post(url: str, route: str, body: dict | None = None) -> httpx.Response:
    base, query = split(url)
    async with httpx.AsyncClient(timeout=60) as http:
        return await http.post(f"{base}/{route}?{query}", json=body or {})


async def sign_and_post(wallet: JsWallet, url: str, mode: str) -> httpx.Response:
    request = await get_request(url)
    if mode == "direct" and request["signer"]["pub_key"] is None:
        learned = await post(url, "pubkey", await wallet.ask(op="pubkey"))
        assert learned.status_code == 200, learned.text
        request = learned.json()
    signed = await wallet.ask(op=mode, doc=request["sign_doc"][mode])
    return await post(url, "signed", {"mode": mode, **signed})


async def validator(client: Any) -> str:
    out = await call_ok(client, "secret_get_validators", {})
    return out["validators"][0]["operator_address"]


async def test_send_amino_then_delegate_direct_land_on_chain(mode, sandbox, home, js_wallet):
    async with connect(server_on(sandbox), mode) as client:
        await add_wallet(client, js_wallet)
        before = balance(sandbox, B)
        body = await awaiting(client, "secret_send_tokens", {"recipient": B, "amount": "1.5 SCRT"})
        assert body["sign_doc"]["amino"]["msgs"][0] == {"type": "cosmos-sdk/MsgSend", "value": {
            "from_address": js_wallet.address, "to_address": B, "amount": [{"amount": "1500000", "denom": "uscrt"}]}}
        assert base64.b64decode(body["sign_doc"]["direct"])  # the SignDoc bytes
        assert body["unsigned_tx"]["body"]["messages"][0]["@type"] == "/cosmos.bank.v1beta1.MsgSend"
        request = await get_request(body["signing_url"])
        assert request["mode"] == "wallet" and request["status"] == "awaiting_signature"
        assert request["chain"]["chain_id"] == sandbox.chain.chain_id and request["chain"]["simulated"] is True
        assert request["signer"] == {"address": js_wallet.address, "pub_key": None}  # never signed on chain yet
        review = request["review"]  # the same review every preview surface shows (CONTRACTS.md section 1)
        assert review["signer"] == "wallet" and review["from"]["address"] == js_wallet.address
        assert review["amounts"][0]["amount"] == "1500000" and review["network"]["simulated"] is True

        reply = await sign_and_post(js_wallet, body["signing_url"], "amino")
        assert reply.status_code == 200, reply.text
        answer = reply.json()
        assert answer["status"] == "included" and answer["height"] > 0
        assert answer["result"]["status"] == "success" and answer["result"]["sender"] == js_wallet.address
        assert balance(sandbox, B) == before + 1_500_000
        status = await call_ok(client, "secret_get_transaction_status", {"hash": body["request_id"]})
        assert status["status"] == "success" and status["txhash"] == answer["txhash"]

        val = await validator(client)
        body = await awaiting(client, "secret_delegate", {"validator": val, "amount": "2 SCRT"})
        assert (await get_request(body["signing_url"]))["signer"]["pub_key"]  # the chain knows the key now
        reply = await sign_and_post(js_wallet, body["signing_url"], "direct")
        assert reply.status_code == 200 and reply.json()["status"] == "included", reply.text
        delegations = await call_ok(client, "secret_get_delegations", {"address": js_wallet.address})
    assert any(d["validator_address"] == val and d["amount"]["amount"] == "2000000"
               for d in delegations["delegations"]), delegations


async def test_direct_first_takes_the_wallet_key_then_lands(sandbox, home, js_wallet):
    async with connect(server_on(sandbox), "auto") as client:
        await add_wallet(client, js_wallet)
        before = balance(sandbox, B)
        body = await awaiting(client, "secret_send_tokens", {"recipient": B, "amount": "0.25 SCRT"})
        # Signing the doc as it is (no key in its auth info) is refused: the chain would have no key to check.
        request = await get_request(body["signing_url"])
        bare = await js_wallet.ask(op="direct", doc=request["sign_doc"]["direct"])
        refused = await post(body["signing_url"], "signed", {"mode": "direct", **bare})
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "SIGNED_TX_MISMATCH"
        reply = await sign_and_post(js_wallet, body["signing_url"], "direct")
        assert reply.status_code == 200 and reply.json()["status"] == "included", reply.text
    assert balance(sandbox, B) == before + 250_000


def tamper_amino(doc: dict, what: str, other: str) -> dict:
    doc = json.loads(json.dumps(doc))
    value = doc["msgs"][0]["value"]
    match what:
        case "recipient":
            value["to_address"] = other
        case "amount":
            value["amount"][0]["amount"] = "9900000"
        case "fee":
            doc["fee"]["amount"][0]["amount"] = "1"
        case "gas":
            doc["fee"]["gas"] = str(int(doc["fee"]["gas"]) * 2)
        case "memo":
            doc["memo"] = "pay to secret1attacker"
        case "sequence":
            doc["sequence"] = str(int(doc["sequence"]) + 1)
        case "chain_id":
            doc["chain_id"] = "secret-4"
        case "account_number":
            doc["account_number"] = str(int(doc["account_number"]) + 1)
    return doc


def tamper_direct(doc: dict, what: str, other_body: str) -> dict:
    from secret_sdk.protobuf.cosmos.tx.v1beta1 import AuthInfo

    doc = dict(doc)
    auth = AuthInfo().parse(base64.b64decode(doc["auth_info_bytes"]))
    match what:
        case "recipient" | "amount" | "memo":
            doc["body_bytes"] = other_body
        case "fee":
            auth.fee.amount[0].amount = "1"
        case "gas":
            auth.fee.gas_limit *= 2
        case "sequence":
            auth.signer_infos[0].sequence += 1
        case "chain_id":
            doc["chain_id"] = "secret-4"
        case "account_number":
            doc["account_number"] = str(int(doc["account_number"]) + 1)
    doc["auth_info_bytes"] = base64.b64encode(bytes(auth)).decode()
    return doc


TAMPERED = ["recipient", "amount", "fee", "gas", "memo", "sequence", "chain_id", "account_number"]


async def test_every_tampered_answer_is_refused_and_nothing_is_broadcast(sandbox, home, js_wallet):
    from secret_mcp.security import keys

    intruder = JsWallet(keys.generate_mnemonic())
    try:
        async with connect(server_on(sandbox), "auto") as client:
            await add_wallet(client, js_wallet)
            # A first transaction puts the wallet's key on chain, so direct docs carry it from the start.
            first = await awaiting(client, "secret_send_tokens", {"recipient": B, "amount": "0.1 SCRT"})
            assert (await sign_and_post(js_wallet, first["signing_url"], "amino")).status_code == 200
            body = await awaiting(client, "secret_send_tokens", {"recipient": B, "amount": "1 SCRT"})
            other = await awaiting(client, "secret_send_tokens", {"recipient": js_wallet.address, "amount": "5 SCRT",
                                                                   "memo": "other"})
            other_body = (await get_request(other["signing_url"]))["sign_doc"]["direct"]["body_bytes"]
            request = await get_request(body["signing_url"])
            seq, held = sequence(sandbox, js_wallet.address), balance(sandbox, B)
            for what in TAMPERED:
                for mode in ("amino", "direct"):
                    doc = request["sign_doc"][mode]
                    bad = tamper_amino(doc, what, intruder.address) if mode == "amino" else tamper_direct(doc, what, other_body)
                    signed = await js_wallet.ask(op=mode, doc=bad)
                    reply = await post(body["signing_url"], "signed", {"mode": mode, **signed})
                    assert reply.status_code == 400, (what, mode, reply.text)
                    assert reply.json()["error"]["code"] == "SIGNED_TX_MISMATCH", (what, mode, reply.text)
            # Another key signing the exact doc: refused as the wrong signer; a signature of something else: invalid.
            for mode in ("amino", "direct"):
                signed = await intruder.ask(op=mode, doc=request["sign_doc"][mode])
                reply = await post(body["signing_url"], "signed", {"mode": mode, **signed})
                assert reply.status_code == 400 and "signer" in reply.json()["error"]["message"], reply.text
                mine = await js_wallet.ask(op=mode, doc=request["sign_doc"][mode])
                forged = {**mine, "signature": {**mine["signature"], "signature": signed["signature"]["signature"]}}
                reply = await post(body["signing_url"], "signed", {"mode": mode, **forged})
                assert reply.status_code == 400 and reply.json()["error"]["code"] == "SIGNATURE_INVALID", reply.text
            assert (sequence(sandbox, js_wallet.address), balance(sandbox, B)) == (seq, held)  # nothing broadcast

            reply = await sign_and_post(js_wallet, body["signing_url"], "amino")  # the honest answer still works
            assert reply.status_code == 200 and reply.json()["status"] == "included", reply.text
            replay = await sign_and_post(js_wallet, body["signing_url"], "direct")
            assert replay.status_code == 409 and replay.json()["error"]["code"] == "SIGNING_REQUEST_USED"
            assert balance(sandbox, B) == held + 1_000_000 and sequence(sandbox, js_wallet.address) == seq + 1
    finally:
        intruder.close()


async def test_submit_signed_transaction_direct_and_amino(mode, sandbox, home, js_wallet):
    async with connect(server_on(sandbox), mode) as client:
        await add_wallet(client, js_wallet)
        before = balance(sandbox, B)
        body = await awaiting(client, "secret_send_tokens", {"recipient": B, "amount": "0.3 SCRT"})
        tx = await js_wallet.ask(op="txraw", mode="amino", doc=body["sign_doc"]["amino"],
                                 body_bytes=(await get_request(body["signing_url"]))["sign_doc"]["direct"]["body_bytes"])
        out = await call_ok(client, "secret_submit_signed_transaction", {"request_id": body["request_id"], **tx})
        assert out["status"] == "included" and out["result"]["status"] == "success"
        again = await call_err(client, "secret_submit_signed_transaction", {"request_id": body["request_id"], **tx})
        assert again["code"] == "SIGNING_REQUEST_USED"

        body = await awaiting(client, "secret_send_tokens", {"recipient": B, "amount": "0.4 SCRT"})
        other = await awaiting(client, "secret_send_tokens", {"recipient": js_wallet.address, "amount": "0.4 SCRT"})
        direct = (await get_request(body["signing_url"]))["sign_doc"]["direct"]
        # A TxRaw signed for another request (other recipient) is refused for this one, nothing broadcast.
        wrong = await js_wallet.ask(op="txraw", mode="direct", doc=(await get_request(other["signing_url"]))["sign_doc"]["direct"])
        seq = sequence(sandbox, js_wallet.address)
        refused = await call_err(client, "secret_submit_signed_transaction", {"request_id": body["request_id"], **wrong})
        assert refused["code"] == "SIGNED_TX_MISMATCH" and sequence(sandbox, js_wallet.address) == seq
        other_body = (await get_request(other["signing_url"]))["sign_doc"]["direct"]["body_bytes"]
        for what in ("fee", "gas", "sequence", "memo"):  # body and auth info are the TxRaw's own: checked as bytes
            bad = await js_wallet.ask(op="txraw", mode="direct", doc=tamper_direct(direct, what, other_body))
            err = await call_err(client, "secret_submit_signed_transaction", {"request_id": body["request_id"], **bad})
            assert err["code"] == "SIGNED_TX_MISMATCH", (what, err)
        for what in ("chain_id", "account_number"):  # not in a TxRaw: the signature over them does not verify
            bad = await js_wallet.ask(op="txraw", mode="direct", doc=tamper_direct(direct, what, other_body))
            err = await call_err(client, "secret_submit_signed_transaction", {"request_id": body["request_id"], **bad})
            assert err["code"] == "SIGNATURE_INVALID", (what, err)
        assert sequence(sandbox, js_wallet.address) == seq
        tx = await js_wallet.ask(op="txraw", mode="direct", doc=direct)
        out = await call_ok(client, "secret_submit_signed_transaction", {"request_id": body["request_id"], **tx})
        assert out["status"] == "included"
        unknown = await call_err(client, "secret_submit_signed_transaction", {"request_id": "nope", **tx})
        assert unknown["code"] == "SIGNING_REQUEST_UNKNOWN"
    assert balance(sandbox, B) == before + 700_000


async def test_contract_execute_signed_in_the_wallet_answer_decrypted(sandbox, home, js_wallet):
    async with connect(server_on(sandbox), "auto") as client:
        await add_wallet(client, js_wallet)
        count = (await call_ok(client, "secret_query_contract", {"address": COUNTER, "query_msg": {"get_count": {}}}))
        before = count["answer"]["count"]
        body = await awaiting(client, "secret_execute_contract", {"contract": COUNTER, "msg": {"increment": {}}})
        msg = body["sign_doc"]["amino"]["msgs"][0]
        assert msg["type"] == "wasm/MsgExecuteContract" and msg["value"]["sent_funds"] == []
        reply = await sign_and_post(js_wallet, body["signing_url"], "amino")
        assert reply.status_code == 200, reply.text
        result = reply.json()["result"]
        # The ciphertext the wallet signed is the server's own: it decrypts the contract's answer.
        assert result["responses"][0]["data"] == {"increment": {"count": before + 1}}
        after = await call_ok(client, "secret_query_contract", {"address": COUNTER, "query_msg": {"get_count": {}}})
    assert after["answer"]["count"] == before + 1


async def test_expired_request_is_refused(sandbox, home, js_wallet):
    from secret_mcp.tx import signing

    async with connect(server_on(sandbox), "auto") as client:
        await add_wallet(client, js_wallet)
        body = await awaiting(client, "secret_send_tokens", {"recipient": B, "amount": "0.2 SCRT"})
        request = await get_request(body["signing_url"])
        signed = await js_wallet.ask(op="amino", doc=request["sign_doc"]["amino"])
        waiting = await call_ok(client, "secret_get_transaction_status", {"hash": body["request_id"]})
        assert waiting["status"] == "awaiting_signature" and waiting["txhash"] == ""
        signing._REQUESTS[body["request_id"]].expires = time.time() - 1  # ten minutes passed
        assert (await get_request(body["signing_url"]))["status"] == "expired"
        gone = await call_ok(client, "secret_get_transaction_status", {"hash": body["request_id"]})
        assert gone["status"] == "expired" and "nothing was sent" in gone["explanation"]
        seq = sequence(sandbox, js_wallet.address)
        reply = await post(body["signing_url"], "signed", {"mode": "amino", **signed})
        assert reply.status_code == 410 and reply.json()["error"]["code"] == "SIGNING_REQUEST_EXPIRED"
        tx = await js_wallet.ask(op="txraw", mode="amino", doc=request["sign_doc"]["amino"],
                                 body_bytes=request["sign_doc"]["direct"]["body_bytes"])
        err = await call_err(client, "secret_submit_signed_transaction", {"request_id": body["request_id"], **tx})
        assert err["code"] == "SIGNING_REQUEST_EXPIRED" and sequence(sandbox, js_wallet.address) == seq


async def test_loopback_only_and_wrong_token_is_404(sandbox, home, js_wallet):
    from secret_mcp import signweb

    async with connect(server_on(sandbox), "auto") as client:
        await add_wallet(client, js_wallet)
        body = await awaiting(client, "secret_send_tokens", {"recipient": B, "amount": "0.2 SCRT"})
        assert signweb._SERVER.sock.getsockname()[0] == "127.0.0.1"
        base, _query = split(body["signing_url"])
        port = int(base.split(":")[2].split("/")[0])
        async with httpx.AsyncClient(timeout=60) as http:
            for url in (base, f"{base}/request", f"{base}?t=wrong", f"{base}/request?t=wrong",
                        base.replace(body["request_id"], "unknown") + "/request?" + _query):
                assert (await http.get(url)).status_code == 404, url
            for route in ("signed", "approve", "decline", "pubkey"):
                assert (await http.post(f"{base}/{route}?t=wrong", json={})).status_code == 404
            rebound = await http.get(f"{base}/request?{_query}", headers={"Host": f"evil.example:{port}"})
            assert rebound.status_code == 400  # DNS rebinding: only 127.0.0.1 / localhost as Host
            page = await http.get(body["signing_url"])
            assert page.status_code in (200, 500)  # 500 only while the page's file is not on this branch
            assert "default-src 'none'" in page.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        # Not reachable on any other address of this machine.
        import socket

        outward = socket.gethostbyname(socket.gethostname())
        if not outward.startswith("127."):
            with pytest.raises(OSError):
                socket.create_connection((outward, port), timeout=2).close()


async def test_url_elicitation_completes_the_call(sandbox, home, js_wallet):
    """Handshake-era clients with URL elicitation: the call itself ends with the transaction's result."""
    tasks: list[Any] = []

    async def open_page(_ctx: Any, params: Any) -> ElicitResult:
        assert params.mode == "url" and params.url.startswith("http://127.0.0.1:")
        import asyncio

        tasks.append(asyncio.get_running_loop().create_task(sign_and_post(js_wallet, params.url, "amino")))
        return ElicitResult(action="accept")

    async with connect(server_on(sandbox), "legacy", elicitation_callback=open_page) as client:
        await add_wallet(client, js_wallet)
        before = balance(sandbox, B)
        out = await call_ok(client, "secret_send_tokens", {"recipient": B, "amount": "0.7 SCRT"})
    assert out["status"] == "success" and out["sender"] == js_wallet.address
    assert (await tasks[0]).json()["txhash"] == out["txhash"]
    assert balance(sandbox, B) == before + 700_000


async def test_modern_era_answers_awaiting_signature_even_with_url_elicitation(sandbox, home, js_wallet):
    async def never(_ctx: Any, _params: Any) -> ElicitResult:
        raise AssertionError("the 2026 era cannot ask mid-call: the URL comes in the result")

    async with connect(server_on(sandbox), "auto", elicitation_callback=never) as client:
        await add_wallet(client, js_wallet)
        body = await awaiting(client, "secret_send_tokens", {"recipient": B, "amount": "0.1 SCRT"})
        reply = await sign_and_post(js_wallet, body["signing_url"], "amino")
    assert reply.status_code == 200 and reply.json()["status"] == "included"


async def browser_awaiting(client: Any, opened: list[str]) -> tuple[dict, str]:
    """An approval request: what the model got, and the URL the person's browser got."""
    result = await client.call_tool("secret_send_tokens", {"recipient": B, "amount": "1 SCRT"})
    body = result.structured_content
    assert result.is_error and body["status"] == "awaiting_signature", body
    page = opened[-1]
    assert page.startswith(body["signing_url"] + "?t=")
    token = page.partition("?t=")[2]
    seen = json.dumps(body) + "".join(c.text for c in result.content)
    assert token not in seen and "confirmation_code" not in seen and "sign_doc" not in body  # nothing to approve with
    return body, page


async def test_browser_approval_replaces_the_code(mode, sandbox, home, monkeypatch):
    from secret_mcp import signweb

    opened: list[str] = []
    monkeypatch.setattr(signweb, "OPEN", lambda url: opened.append(url) or True)  # the person's browser
    async with connect(server_on(sandbox, approval="browser"), mode) as client:
        made = await call_ok(client, "secret_create_wallet", {"name": "server_key"})
        sandbox.faucet(made["wallet"]["address"], 20_000_000)
        before = balance(sandbox, B)
        body, page = await browser_awaiting(client, opened)
        async with httpx.AsyncClient(timeout=60) as http:  # the model's URL alone opens nothing
            assert (await http.post(body["signing_url"] + "/approve")).status_code == 404
        assert (await get_request(page))["mode"] == "approve"
        assert (await post(page, "signed", {"mode": "amino"})).status_code == 400
        reply = await post(page, "approve")
        assert reply.status_code == 200 and reply.json()["status"] == "included", reply.text
        assert (await post(page, "approve")).status_code == 409
        declined, page = await browser_awaiting(client, opened)
        assert (await post(page, "decline")).json() == {"status": "declined"}
        assert (await post(page, "approve")).status_code == 409
        status = await call_ok(client, "secret_get_transaction_status", {"hash": declined["request_id"]})
        # Without a browser to open, nothing is asked and nothing is sent.
        monkeypatch.setattr(signweb, "OPEN", lambda url: False)
        err = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "1 SCRT"})
    assert status["status"] == "declined" and err["code"] == "APPROVAL_PAGE_UNAVAILABLE"
    assert balance(sandbox, B) == before + 1_000_000


def test_no_key_is_kept_for_a_wallet_signer(tmp_path, monkeypatch):
    """Neither the keystore files nor the keyring hold anything but its name, address and kind."""
    from click.testing import CliRunner

    from secret_mcp_wallet.cli import wallet
    from secret_mcp.security.keystore import Keystore
    from secret_mcp.security.storage import KeyringStore
    from secret_mcp.errors import SecretMCPError

    monkeypatch.setenv("SECRET_MCP_HOME", str(tmp_path))
    address = "secret1ap26qrlp8mcq2pg6r47w43l0y8zkqm8a450s03"
    run = CliRunner().invoke(wallet, ["import", "keplr", "--address", address, "--signer", "wallet"])
    assert run.exit_code == 0, run.output
    assert "no key stored" in run.output
    files = {p.relative_to(tmp_path): p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()}
    assert files, "the index was written"
    for text in files.values():
        assert "keplr" not in text or json.loads(text)["keplr"] == {
            "name": "keplr", "address": address, "kind": "wallet", "backend": "file", "account": 0, "index": 0,
            "coin_type": 529}
    store = Keystore()
    store.load_persisted()
    assert store.get("keplr").signs_elsewhere
    with pytest.raises(SecretMCPError) as exc:
        store.sign("keplr", b"anything")
    assert exc.value.code == "WALLET_SIGNS_ELSEWHERE"
    try:
        assert not KeyringStore().exists("keplr")
    except SecretMCPError:
        pass  # no keyring on this machine: nothing can be in it either


async def test_url_elicitation_declined_sends_nothing(sandbox, home, js_wallet):
    async def no(_ctx: Any, params: Any) -> ElicitResult:
        return ElicitResult(action="decline")

    async with connect(server_on(sandbox), "legacy", elicitation_callback=no) as client:
        await add_wallet(client, js_wallet)
        seq = sequence(sandbox, js_wallet.address)
        err = await call_err(client, "secret_send_tokens", {"recipient": B, "amount": "0.7 SCRT"})
    assert err["code"] == "CONFIRMATION_DECLINED" and sequence(sandbox, js_wallet.address) == seq


async def test_signing_over_stdio(mode, sandbox, home, js_wallet):
    """`secret-mcp serve` as Claude Desktop runs it: the page's server lives in that process, stdout stays MCP's."""
    import os
    import sys

    from mcp import Client, StdioServerParameters

    env = {**os.environ, "SECRET_MCP_HOME": str(home), "SECRET_MCP_NETWORK": "sandbox",
           "SECRET_MCP_LCD_URL": sandbox.url, "SECRET_MCP_CHAIN_ID": sandbox.chain.chain_id}
    params = StdioServerParameters(command=str(Path(sys.executable).parent / "secret-mcp"), args=["serve"], env=env)
    before = balance(sandbox, B)
    async with Client(params, mode=mode) as client:
        await add_wallet(client, js_wallet)
        body = await awaiting(client, "secret_send_tokens", {"recipient": B, "amount": "0.6 SCRT"})
        reply = await sign_and_post(js_wallet, body["signing_url"], "amino")
        assert reply.status_code == 200 and reply.json()["status"] == "included", reply.text
        status = await call_ok(client, "secret_get_transaction_status", {"hash": body["request_id"]})
    assert status["status"] == "success" and balance(sandbox, B) == before + 600_000
