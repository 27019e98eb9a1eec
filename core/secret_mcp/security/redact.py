"""One redaction filter for everything that leaves the process: tool results, errors, logs, the audit log.

Removed:
- a run of 12 or more BIP39 English words in a row (a 12/15/18/21/24-word phrase, or part of a longer run);
- 64 hex characters (a raw secp256k1 private key) and base64 of exactly 32 bytes, except where a label says
  it is a hash or a public key (`txhash`, `code_hash`, `consensus_pubkey`, ...): those have the same shapes
  and must survive (JSON: the key's whole subtree; text: a label just before the value), and except a
  transaction hash as the last segment of a URL path: the LCD's `/cosmos/tx/v1beta1/txs/<hash>`, an explorer's
  `/tx/<hash>` or `/transactions/<hash>`, the `secret://tx/<hash>` resource (it names the transaction a failed
  lookup was about; a private key has no business in such a path);
- anything registered as a known secret (by SHA-256 fingerprint, so this module holds no plaintext), even
  under a hash label: hex keys, whole string values, and quoted strings in text (a viewing key set by hand);
- viewing keys: `api_key_...` (what contracts generate), any value labelled `viewing_key`, and the `key` of a
  `set_viewing_key` call (tool arguments, audit summaries, request logs), whatever its shape.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
from functools import lru_cache
from typing import Any

from mnemonic import Mnemonic

REDACTED = "[REDACTED]"
MIN_PHRASE = 12

_WORD = re.compile(r"[A-Za-z]+")
_GAP = re.compile(r'^[\s,;"\'\[\]]+$')  # what may sit between words of a phrase (text, JSON arrays)
_HEX = re.compile(r"(?<![0-9A-Fa-f])(?<!ibc/)(?:0x)?([0-9A-Fa-f]{64})(?![0-9A-Fa-f])")  # ibc/<hash> is a denom
_VIEWING_KEY = re.compile(r"api_key_[A-Za-z0-9+/=_-]+")
# The value after a viewing-key label: `viewing_key: "x"`, and the "key" argument of a set_viewing_key call
# (its name comes first in tool calls, audit summaries and request logs). Quotes: JSON or Python repr.
_Q = r"\\?[\"']"  # a quote, maybe escaped (JSON inside a JSON string)
_VALUE = _Q + r"([^\"'\\]*)" + _Q
_LABELLED_KEY = re.compile(
    r"(viewing_key" + _Q + r"?\s*[:=]\s*)" + _VALUE
    + r"|(set_viewing_key(?:(?!set_viewing_key).){0,300}?" + _Q + r"key" + _Q + r"\s*:\s*)" + _VALUE,
    re.DOTALL,
)
_QUOTED = re.compile(r"([\"'])((?:(?!\1)[^\\\n]){1,256})\1")
_VK_LABEL = re.compile(r"^viewing_key$", re.IGNORECASE)
_B64 = re.compile(r"(?<![A-Za-z0-9+/])([A-Za-z0-9+/]{43}=)(?![A-Za-z0-9+/=])")
_LABEL = r"(?:hash|pub_?key|public_?key)"
_HASH_LABEL = re.compile(_LABEL + r"[\"']?\s*[:=]?\s*[\"']?\s*$", re.IGNORECASE)
_LABEL_KEY = re.compile(_LABEL, re.IGNORECASE)
_TX_PATH = re.compile(r"/(?:txs?|transactions)/$", re.IGNORECASE)  # a URL path segment naming a transaction

# Each scan below runs only when its pattern could match: a phrase needs 47 characters (12 words of 3+ letters
# and 11 gaps) with a gap character, a hex key 64 characters, base64 of 32 bytes an "=" and 44. Most values of a
# result (addresses, amounts, names) then cost a few substring tests. `_SHORTCUTS = False` (tests) runs them all.
_SHORTCUTS = True
_GAP_CHAR = re.compile(r'[\s,;"\'\[\]]')

_known: set[bytes] = set()


@lru_cache(maxsize=1)
def wordlist() -> frozenset[str]:
    return frozenset(Mnemonic("english").wordlist)


def register_secret(secret: str | bytes) -> None:
    """Always redact this exact value (hex key or phrase), wherever it appears."""
    raw = secret.encode() if isinstance(secret, str) else secret
    _known.add(hashlib.sha256(raw.lower()).digest())


def _is_known(token: str) -> bool:
    return hashlib.sha256(token.lower().encode()).digest() in _known


def _phrases(text: str) -> list[tuple[int, int]]:
    """Spans of runs of >= 12 wordlist words separated only by spaces/commas/quotes."""
    words, spans, run = wordlist(), [], []
    prev_end = None
    for m in _WORD.finditer(text):
        joined = prev_end is not None and _GAP.match(text[prev_end:m.start()]) is not None
        if m.group().lower() in words and (joined or not run):
            run.append(m)
        else:
            if len(run) >= MIN_PHRASE:
                spans.append((run[0].start(), run[-1].end()))
            run = [m] if m.group().lower() in words else []
        prev_end = m.end()
    if len(run) >= MIN_PHRASE:
        spans.append((run[0].start(), run[-1].end()))
    return spans


def _hash_labelled(text: str, start: int) -> bool:
    return _HASH_LABEL.search(text[max(0, start - 40):start]) is not None


def _in_tx_path(text: str, start: int) -> bool:
    """Hex right after `/txs/`, `/tx/` or `/transactions/` (a tx hash is hex, so base64 gets no such pass)."""
    return _TX_PATH.search(text[max(0, start - 14):start]) is not None


def _is_key_b64(token: str) -> bool:
    try:
        return len(base64.b64decode(token, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


def redact_text(text: str, *, hash_label: bool = False) -> str:
    """`text` with secrets replaced; `hash_label` says the whole value sits under a hash-named key."""
    if not text:
        return text
    every = not _SHORTCUTS
    if every or (len(text) >= 47 and _GAP_CHAR.search(text)):
        for start, end in reversed(_phrases(text)):
            text = text[:start] + REDACTED + text[end:]

    def hex_sub(m: re.Match[str]) -> str:
        token = m.group(1)
        allowed = hash_label or _hash_labelled(m.string, m.start()) or _in_tx_path(m.string, m.start())
        if _is_known(token) or not allowed:
            return REDACTED
        return m.group(0)

    def b64_sub(m: re.Match[str]) -> str:
        token = m.group(1)
        if not _is_key_b64(token):
            return token
        if _is_known(base64.b64decode(token).hex()) or not (hash_label or _hash_labelled(m.string, m.start())):
            return REDACTED
        return token

    if every or "api_key_" in text:
        text = _VIEWING_KEY.sub("api_key_" + REDACTED, text)  # SNIP-20 viewing keys, generated or set by hand
    if every or "viewing_key" in text:
        text = _LABELLED_KEY.sub(_labelled_sub, text)
    text = _redact_known(text)
    if every or len(text) >= 64:
        text = _HEX.sub(hex_sub, text)
    if every or (len(text) >= 44 and "=" in text):
        text = _B64.sub(b64_sub, text)
    return text


def _redact_known(text: str) -> str:
    """Registered secrets: the whole text, or a quoted string in it."""
    if not _known:
        return text
    if _is_known(text):
        return REDACTED
    return _QUOTED.sub(lambda m: m.group(1) + REDACTED + m.group(1) if _is_known(m.group(2)) else m.group(0), text)


def _labelled_sub(m: re.Match[str]) -> str:
    group = 2 if m.group(1) is not None else 4
    if not m.group(group) or REDACTED in m.group(group):  # empty, or already masked as api_key_[REDACTED]
        return m.group(0)
    start, end = m.start(group) - m.start(), m.end(group) - m.start()
    return m.group(0)[:start] + REDACTED + m.group(0)[end:]


def redact(value: Any, *, _hash_label: bool = False) -> Any:
    """A copy of a JSON-like value (dict/list/str/...) with every secret-shaped string redacted."""
    if isinstance(value, str):
        return redact_text(value, hash_label=_hash_label)
    if isinstance(value, dict):
        inner = value.get("set_viewing_key")  # the contract message, e.g. in a decrypted transaction
        if isinstance(inner, dict) and isinstance(inner.get("key"), str):
            value = {**value, "set_viewing_key": {**inner, "key": REDACTED}}
        out = {}
        for k, v in value.items():
            viewing_key, hash_label = _key_labels(str(k))
            out[k] = REDACTED if viewing_key and isinstance(v, str) and v else redact(v, _hash_label=_hash_label or hash_label)
        return out
    if isinstance(value, (list, tuple)):
        return type(value)(_redact_word_runs([redact(v, _hash_label=_hash_label) for v in value]))
    return value


@lru_cache(maxsize=4096)
def _key_labels(key: str) -> tuple[bool, bool]:
    """Is this JSON key a viewing-key label; does it name a hash or public key? (Keys repeat: cached.)"""
    return _VK_LABEL.match(key) is not None, _LABEL_KEY.search(key) is not None


def _redact_word_runs(items: list[Any]) -> list[Any]:
    """A phrase split into a list of single words (["island", "relax", ...]) is a phrase too."""
    words = wordlist()
    is_word = [isinstance(v, str) and v.strip().lower() in words for v in items]
    out, i = list(items), 0
    while i < len(items):
        j = i
        while j < len(items) and is_word[j]:
            j += 1
        if j - i >= MIN_PHRASE:
            out[i:j] = [REDACTED] * (j - i)
        i = max(j, i + 1)
    return out


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (with its arguments merged in) before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw template, still redacted
            message = str(record.msg)
        record.msg, record.args = redact_text(message), None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks print exception messages; format now, redact, and drop the live exception.
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text, record.exc_info = redact_text(formatted), None
        return True


_FILTER = RedactingFilter()
_factory_installed = False


def install_log_filter() -> None:
    """Redact every log record in this process, whichever logger or handler it goes through.

    Logger filters see only records logged on that very logger (not ones propagated from children), and
    handlers added later (pytest's caplog, a user's file handler) would miss a handler filter; wrapping the
    record factory reaches them all. The filter also sits on the root and `secret_mcp` loggers (idempotent).
    """
    global _factory_installed
    if not _factory_installed:
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _FILTER.filter(record)
            return record

        logging.setLogRecordFactory(factory)
        _factory_installed = True
    for logger in (logging.getLogger(), logging.getLogger("secret_mcp")):
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
