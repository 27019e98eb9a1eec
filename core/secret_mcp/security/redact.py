"""One redaction filter for everything that leaves the process: tool results, errors, logs, the audit log.

Removed:
- a recovery phrase: 12 or more BIP39 English words in a row, of which at most two may be misspelt or not in
  the list (a 12/15/18/21/24-word phrase with a typo, or part of a longer run). Matching runs on the text
  normalised (Unicode NFKD, casefolded, zero-width and combining marks dropped: fullwidth or capitalised
  letters are letters), with any separator between words of up to MAX_GAP characters: spaces, commas, hyphens,
  numbering ("1. word", "2) word"), newlines and JSON escapes ("\\n", "\\u0020");
- six or more consecutive words of a phrase this process knows (`register_phrase`: the keystore registers
  every phrase it imports or creates), by fingerprint of each six-word window;
- 64 hex characters (a raw secp256k1 private key) and base64 of exactly 32 bytes, except where a label says
  it is a hash, a digest or a public key (`txhash`, `code_hash`, `digest`, `consensus_pubkey`, ...): those have
  the same shapes and must survive (JSON: the key's whole subtree; text: a label just before the value), and except a
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
import unicodedata
from functools import lru_cache
from typing import Any

from mnemonic import Mnemonic

REDACTED = "[REDACTED]"
MIN_PHRASE = 12
MAX_TYPOS = 2  # misspelt words (one letter off a list word) a 12-word window may hold and still be a phrase
MIN_FRAGMENT = 6  # consecutive words of a known phrase that are redacted on their own
MAX_GAP = 16  # characters between two words of one phrase: separators, numbering, JSON escapes

# On normalised (lower-case) text, JSON escapes ("\\n", "\\u0020") first become spaces. Then a token is an
# identifier of two to five parts (`voting_end_time`: field names in logged JSON must not read as phrase words;
# a longer underscore chain is split like any other separator), a word (a run of letters), or a run mixing
# letters and digits (an address, a hash). Words make phrases; the other two end one. Numbers and single letters
# ("1.", "a)") match nothing: like punctuation they only separate words.
_ESCAPE = re.compile(r"\\(?:u[0-9a-f]{4}|[a-z])")
_TOKEN = re.compile(
    r"(?<![_a-z0-9])(?P<id>[a-z]{2,}(?:_[a-z]{2,}){1,4})(?![_a-z0-9])"
    r"|(?<![a-z0-9])(?P<w>[a-z]{2,})(?![a-z0-9])"
    r"|(?<![a-z0-9])(?P<x>[a-z0-9]*(?:[a-z][0-9]|[0-9][a-z])[a-z0-9]*)"
)
_LETTERS = re.compile(r"[a-z]{2,}")
_DROPPED = frozenset({"Mn", "Cf"})  # combining marks (after NFKD) and invisible format characters (U+200B ...)

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
_LABEL = r"(?:hash|digest|pub_?key|public_?key)"  # a digest: the SHA-256 of a sign doc (tx/review.py)
_HASH_LABEL = re.compile(_LABEL + r"[\"']?\s*[:=]?\s*[\"']?\s*$", re.IGNORECASE)
_LABEL_KEY = re.compile(_LABEL, re.IGNORECASE)
_TX_PATH = re.compile(r"/(?:txs?|transactions)/$", re.IGNORECASE)  # a URL path segment naming a transaction

# Each scan below runs only when its pattern could match: a phrase needs 49 characters of ASCII text (ten list
# words of 3+ letters, two misspelt ones of 4+, 11 separators) and a character that is not a letter or digit, a
# known fragment 23 (six words, five separators), and non-ASCII text 11 (NFKD may turn one character into
# several letters: "ﬁ" is "fi"; a word and a separator take at least one character each); a hex key 64 characters,
# base64 of 32 bytes an "=" and 44. Most values of a result (addresses, amounts, names) then cost a few tests.
# `_SHORTCUTS = False` (tests) runs them all.
_SHORTCUTS = True
_MIN_PHRASE_ASCII, _MIN_FRAGMENT_ASCII, _MIN_ANY = 49, 23, 11

_known: set[bytes] = set()
_fragments: set[bytes] = set()  # fingerprints of MIN_FRAGMENT-word windows of known phrases


@lru_cache(maxsize=1)
def wordlist() -> frozenset[str]:
    return frozenset(Mnemonic("english").wordlist)


def register_secret(secret: str | bytes) -> None:
    """Always redact this exact value (hex key or phrase), wherever it appears."""
    raw = secret.encode() if isinstance(secret, str) else secret
    _known.add(hashlib.sha256(raw.lower()).digest())


def register_phrase(phrase: str) -> None:
    """Redact this phrase whole, and any MIN_FRAGMENT consecutive words of it, however they are separated."""
    register_secret(phrase)
    words = [w for w in _words(_normalise(phrase)[0]) if w]
    for i in range(len(words) - MIN_FRAGMENT + 1):
        _fragments.add(_fingerprint(words[i:i + MIN_FRAGMENT]))


def _fingerprint(words: list[str]) -> bytes:
    return hashlib.sha256(" ".join(words).encode()).digest()


def _is_known(token: str) -> bool:
    return hashlib.sha256(token.lower().encode()).digest() in _known


def _normalise(text: str) -> tuple[str, list[int] | None]:
    """NFKD + casefold, invisible and combining characters dropped; with each character's index in `text`
    (None: the same as in the result, the common ASCII case, which costs one `lower()`)."""
    if text.isascii():
        return text.lower(), None
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            out.append(ch.lower())
            where.append(i)
            continue
        for d in unicodedata.normalize("NFKD", ch).casefold():
            if unicodedata.category(d) not in _DROPPED:
                out.append(d)
                where.append(i)
    return "".join(out), where


def _words(norm: str) -> list[str | None]:
    """The words of normalised text in order; None for a token that ends a phrase (see _TOKEN)."""
    return [m.group("w") for m in _TOKEN.finditer(_unescape(norm))]


def _unescape(norm: str) -> str:
    return _ESCAPE.sub(lambda m: " " * len(m.group()), norm) if "\\" in norm else norm  # same length: spans hold


def _phrase_members(words: list[str | None]) -> set[int]:
    """Indices (into `words`, a run of adjacent words; None: not a word at all) that belong to a phrase: any
    MIN_PHRASE window with at most MAX_TYPOS words outside the list, or MIN_FRAGMENT words of a known phrase."""
    listed = wordlist()
    ok = [w in listed for w in words]
    out: set[int] = set()
    if len(words) >= MIN_PHRASE:
        # A word outside the list may stand in a phrase only if it looks like a slip on a list word; any other
        # ("for", "py", a name) ends it: prose dense in list words must not become a phrase through small words.
        slip: dict[int, bool] = {}
        misses = sum(not k for k in ok[:MIN_PHRASE])
        for i in range(len(words) - MIN_PHRASE + 1):
            if i:
                misses += (not ok[i + MIN_PHRASE - 1]) - (not ok[i - 1])
            if misses > MAX_TYPOS:
                continue
            window = range(i, i + MIN_PHRASE)
            odd = [j for j in window if not ok[j]]
            for j in odd:
                if j not in slip:
                    slip[j] = words[j] is not None and _misspelt(words[j])  # type: ignore[arg-type]
            if all(slip[j] for j in odd):
                # From the window's first list word to its last: an odd word at its edge is more likely the
                # text around a phrase ("my words: ...") than a misspelt first word.
                first = next(j for j in window if ok[j])
                last = next(j for j in reversed(window) if ok[j])
                out.update(range(first, last + 1))
    if _fragments and len(words) >= MIN_FRAGMENT:
        streak = 0
        for j, k in enumerate(ok):
            streak = streak + 1 if k else 0
            first = j - MIN_FRAGMENT + 1
            if streak >= MIN_FRAGMENT and _fingerprint(words[first:j + 1]) in _fragments:  # type: ignore[arg-type]
                out.update(range(first, j + 1))
    return out


@lru_cache(maxsize=1)
def _one_letter_less() -> frozenset[str]:
    """Every list word with one letter removed (a symmetric-delete index for edit distance 1)."""
    return frozenset(w[:i] + w[i + 1:] for w in wordlist() for i in range(len(w)))


def _misspelt(token: str) -> bool:
    """One letter missing, extra or wrong in a list word (4 to 9 letters: shorter ones match too much)."""
    if not 4 <= len(token) <= 9:
        return False
    listed, less = wordlist(), _one_letter_less()
    if token in less:
        return True
    return any(d in listed or d in less for d in (token[:i] + token[i + 1:] for i in range(len(token))))


def _phrases(text: str) -> list[tuple[int, int]]:
    """Spans (in `text`) of phrases and known fragments: runs of words at most MAX_GAP characters apart."""
    norm, where = _normalise(text)
    # Most text has too few list words for any phrase: one C-level pass over the words decides that.
    listed = wordlist()
    norm = _unescape(norm)
    count = sum(1 for w in _LETTERS.findall(norm) if w in listed)
    if count < (MIN_FRAGMENT if _fragments else MIN_PHRASE - MAX_TYPOS):
        return []
    spans: list[tuple[int, int]] = []
    run: list[re.Match[str]] = []

    shortest = MIN_FRAGMENT if _fragments else MIN_PHRASE

    def close() -> None:
        if len(run) >= shortest:
            last = -2
            for i in sorted(_phrase_members([m.group() for m in run])):
                start, end = run[i].start(), run[i].end()
                if where is not None:
                    start, end = where[start], where[end - 1] + 1
                if i == last + 1:
                    spans[-1] = (spans[-1][0], end)  # one [REDACTED] for the phrase, separators included
                else:
                    spans.append((start, end))
                last = i
        run.clear()

    prev_end = -1
    for m in _TOKEN.finditer(norm):
        if m.lastgroup != "w":
            close()
            continue
        if run and m.start() - prev_end > MAX_GAP:
            close()
        run.append(m)
        prev_end = m.end()
    close()
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
    if every or (not text.isascii() and len(text) >= _MIN_ANY) or (
            len(text) >= (_MIN_FRAGMENT_ASCII if _fragments else _MIN_PHRASE_ASCII) and not text.isalnum()):
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
    """A phrase split into a list of single words (["island", "relax", ...], ["1. island", ...]) is one too."""
    if len(items) < MIN_FRAGMENT:
        return items
    words = [_list_word(v) for v in items]
    out = list(items)
    for i in _phrase_members(words):
        out[i] = REDACTED
    return out


def _list_word(value: Any) -> str | None:
    """The one word a list item holds (numbering and separators aside), else None (it breaks a phrase)."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    words = _words(_normalise(value)[0])
    return words[0] if len(words) == 1 else None  # None also when that one token is an address or a hash


# A signing page's token is a capability (whoever holds it can decline, or approve in approval="browser" mode):
# the person gets it through the result, never through a log line.
_PAGE_TOKEN = re.compile(r"(/sign/[A-Za-z0-9_-]+\?t=)[A-Za-z0-9_-]+")


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (with its arguments merged in) before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw template, still redacted
            message = str(record.msg)
        record.msg, record.args = _PAGE_TOKEN.sub(r"\1[REDACTED]", redact_text(message)), None
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
