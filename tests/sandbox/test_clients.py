"""A client nobody here wrote (secret-sdk-python 1.8.3) works against the sandbox end to end.

Run in a subprocess: secret-sdk's sync LCDClient applies nest_asyncio, which must not leak into this process.
"""

from __future__ import annotations

import json
import subprocess
import sys

from secret_sandbox_chain import launch

SCRIPT = r"""
import json, sys, time
from secret_sdk.client.lcd import LCDClient
from secret_sdk.core import Coins
from secret_sdk.key.mnemonic import MnemonicKey
from secret_sandbox_chain import GENESIS_ADDRESSES, GENESIS_MNEMONICS

url, chain_id = sys.argv[1], sys.argv[2]
client = LCDClient(url=url, chain_id=chain_id)  # fetches tx-key three times
wallet = client.wallet(MnemonicKey(GENESIS_MNEMONICS["c"]))
sent = wallet.send_tokens(GENESIS_ADDRESSES["d"], transfer_amount=Coins("4321uscrt"))
info = client.tx.tx_info(sent.txhash)
balance, _ = client.bank.balance(GENESIS_ADDRESSES["d"])
account = client.auth.account_info(GENESIS_ADDRESSES["c"])
print(json.dumps({"code": sent.code, "txhash": sent.txhash, "committed_code": info.code,
                  "height": info.height, "d_uscrt": int(balance["uscrt"].amount), "sequence": account.sequence}))
"""


def test_secret_sdk_python_send_tokens():
    with launch() as server:
        from secret_sandbox_chain import testing

        d0 = testing.balance(server.url, testing.genesis_key("d").acc_address)
        out = subprocess.run([sys.executable, "-c", SCRIPT, server.url, server.chain.chain_id],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr[-2000:]
        result = json.loads(out.stdout.strip().splitlines()[-1])
        assert result["code"] == 0 and result["committed_code"] == 0
        assert result["height"] == server.chain.height
        assert result["d_uscrt"] == d0 + 4321
        assert result["sequence"] == 1
