"""approval = "browser" promises the model holds nothing it can approve with: that holds for every confirmation,
not only transactions. A local action that needs the person's yes (removing a wallet, whose key goes with it)
gets no code the model could redeem itself when the client cannot ask."""

from __future__ import annotations

import pytest

from secret_mcp.testing import call_err, call_ok, connect, server_on

pytestmark = pytest.mark.anyio


async def test_no_self_redeemable_code_for_a_local_action(mode, sandbox, home):
    # Before: CONFIRMATION_REQUIRED with a confirmation_code, and secret_confirm_transaction with it deleted the key.
    async with connect(server_on(sandbox, approval="browser"), mode) as client:  # no elicitation
        await call_ok(client, "secret_create_wallet", {"name": "keep"})
        await call_ok(client, "secret_create_wallet", {"name": "other"})
        result = await client.call_tool("secret_remove_wallet", {"name": "keep", "new_active": "other"})
        body = result.structured_content
        assert result.is_error and body["error"]["code"] == "CONFIRMATION_UNAVAILABLE", body
        assert "confirmation_code" not in body and "secret_confirm_transaction" not in str(body)
        assert "Remove" in body["error"]["message"] or "remove" in body["error"]["message"]
        names = [w["name"] for w in (await call_ok(client, "secret_list_wallets"))["wallets"]]
        assert "keep" in names
    async with connect(server_on(sandbox), mode) as client:  # approval = "code" (the default) still offers one
        await call_ok(client, "secret_create_wallet", {"name": "keep"})
        await call_ok(client, "secret_create_wallet", {"name": "other"})
        err = await call_err(client, "secret_remove_wallet", {"name": "keep", "new_active": "other"})
        assert err["code"] == "CONFIRMATION_REQUIRED"
