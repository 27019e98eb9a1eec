"""Viewing keys the token contract generates (api_key_<b64 of 32 bytes>) must never reach logs in clear."""

from __future__ import annotations

import base64
import logging
import os

from secret_mcp.security.redact import RedactingFilter, redact_text


def test_generated_viewing_key_is_masked_in_text_and_log_records():
    key = "api_key_" + base64.b64encode(os.urandom(32)).decode()
    assert key[8:] not in redact_text(f"balance query with key {key}")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "vk=%s", (key,), None)
    RedactingFilter().filter(record)
    assert key[8:] not in record.getMessage()
