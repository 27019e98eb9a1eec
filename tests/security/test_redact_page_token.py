"""A signing page's token reaches the person through the tool's result, never through a log line."""

from __future__ import annotations

import logging

from secret_mcp.security.redact import install_log_filter


def test_signing_page_token_never_reaches_a_log_line(caplog):
    install_log_filter()
    token = "Zk3_q-8sLwNn2vXoP4rT6yUe1aBcDdEf"
    url = f"http://127.0.0.1:40431/sign/AbC-12_xyz?t={token}"
    with caplog.at_level(logging.INFO, logger="secret_mcp.server"):
        logging.getLogger("secret_mcp.server").info("tool %s failed: %s", "secret_send_tokens",
                                                    f"AWAITING_SIGNATURE Ask the person to open {url} and sign it")
    text = caplog.text
    assert token not in text
    assert "/sign/AbC-12_xyz?t=[REDACTED]" in text  # the request id stays: it is how the line is found again
