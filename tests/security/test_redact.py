"""The redaction filter: phrases, raw keys and base64 keys go; hashes and public keys stay."""

from __future__ import annotations

import base64
import logging

from secret_mcp.security.redact import REDACTED, install_log_filter, redact, redact_text, register_secret

from tests.security.test_keys import MNEMONIC, PRIVKEY

TWELVE = "abandon ability able about above absent absorb abstract absurd abuse access accident"
TXHASH = "3F2A" * 16
KEY_B64 = base64.b64encode(bytes.fromhex(PRIVKEY)).decode()


def test_phrases_of_every_length_go():
    words = MNEMONIC.split()
    for n in (12, 15, 18, 21, 24):
        text = "my words: " + " ".join(words[:n]) + ". thanks"
        assert redact_text(text) == f"my words: {REDACTED}. thanks"
    assert redact_text(TWELVE.title()) == REDACTED  # capitalised words still count


def test_short_runs_and_prose_stay():
    eleven = " ".join(TWELVE.split()[:11])  # not MNEMONIC: once a keystore holds it, its fragments go too
    assert redact_text(eleven) == eleven
    prose = "Send 5 SCRT to my friend at the usual address when the price is right"
    assert redact_text(prose) == prose


def test_phrase_as_json_list_goes():
    words = TWELVE.split() + MNEMONIC.split()[12:]  # 11 words of no known phrase must stay
    assert redact({"words": ["x", *words[:12], "y"]}) == {"words": ["x", *[REDACTED] * 12, "y"]}
    assert redact({"words": words[:11]}) == {"words": words[:11]}
    assert redact({"text": str(words)}) == {"text": f"['{REDACTED}']"}


def test_raw_keys_go_hashes_stay():
    assert redact_text(f"key={PRIVKEY}") == f"key={REDACTED}"
    assert redact_text(f"0x{PRIVKEY.upper()} end") == f"{REDACTED} end"
    assert redact_text(f"txhash: {TXHASH}") == f"txhash: {TXHASH}"
    assert redact({"txhash": TXHASH, "code_hash": PRIVKEY[::-1], "other": PRIVKEY}) == {
        "txhash": TXHASH, "code_hash": PRIVKEY[::-1], "other": REDACTED,
    }
    assert redact_text(f"secret {KEY_B64} here") == f"secret {REDACTED} here"
    pubkey = {"consensus_pubkey": {"@type": "ed25519", "key": KEY_B64[::-1].replace("=", "A")[:43] + "="}}
    assert redact(pubkey) == pubkey


def test_known_secret_goes_even_under_a_hash_label():
    secret = "ab" * 32
    assert redact({"txhash": secret}) == {"txhash": secret}
    register_secret(secret)
    assert redact({"txhash": secret, "nested": [f"hash {secret}"]}) == {"txhash": REDACTED, "nested": [f"hash {REDACTED}"]}


def test_log_records_are_redacted_for_every_handler(caplog):
    install_log_filter()
    caplog.set_level(logging.DEBUG)
    logging.getLogger("secret_mcp.somewhere.deep").debug("got %s and %s", MNEMONIC, PRIVKEY)
    logging.getLogger("thirdparty").warning("phrase=" + MNEMONIC)
    try:
        raise ValueError(f"bad key {PRIVKEY}")
    except ValueError:
        logging.getLogger("secret_mcp.x").exception("failed")
    text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert "island" not in text and PRIVKEY not in text
    assert text.count(REDACTED) >= 4


def test_viewing_keys_set_by_hand_are_masked():
    from secret_mcp.security.redact import redact_text

    out = redact_text('set_viewing_key {"key": "api_key_not_it"} and api_key_MyOwn-Key_2')
    assert "not_it" not in out and "MyOwn" not in out and out.count("api_key_[REDACTED]") == 2
