"""Phrases in disguise: typos, other separators, numbering, JSON escapes, fullwidth letters, known fragments.

And the other side: real English prose full of BIP39 words ("about", "access", "change", "proposal" ...) survives.
"""

from __future__ import annotations

import json

import pytest

from secret_mcp.security.redact import REDACTED, redact, redact_text, register_phrase

from tests.security.test_keys import MNEMONIC

WORDS = MNEMONIC.split()
TWELVE = WORDS[:12]


def gone(text: str, words: list[str] = TWELVE) -> bool:
    """No word of the phrase (or its disguise) is left that could rebuild it: at most two survive."""
    low = text.casefold()
    return REDACTED in text and sum(w in low for w in words) <= 2


@pytest.mark.parametrize("text", [
    "-".join(TWELVE),
    "_".join(TWELVE),  # longer than any identifier
    "/".join(TWELVE),
    " ".join(f"{i}. {w}" for i, w in enumerate(TWELVE, 1)),
    " ".join(f"{i}) {w}" for i, w in enumerate(TWELVE, 1)),
    "\n".join(f"{i}: {w}" for i, w in enumerate(TWELVE, 1)),
    "|".join(f"({i}){w}" for i, w in enumerate(TWELVE, 1)),
    "\\n".join(TWELVE),  # JSON-escaped newlines, as in a JSON string inside a log line
    "\\u0020".join(TWELVE),
    json.dumps({"m": "\n".join(TWELVE)}),
    json.dumps({"m": json.dumps(" ".join(TWELVE))}),  # twice encoded
    " ".join(TWELVE).upper(),
    "".join(chr(ord(c) + 0xFEE0) if c.isalpha() else c for c in " ".join(TWELVE)),  # fullwidth letters
    "\u3000".join("".join(chr(ord(c) + 0xFEE0) for c in w) for w in TWELVE),  # and ideographic spaces
    " ".join(w[0] + "\u200b" + w[1:] for w in TWELVE),  # zero-width spaces inside words
])
def test_disguised_separators_and_forms_are_caught(text):
    assert gone(redact_text(text)), redact_text(text)


@pytest.mark.parametrize("n", [12, 15, 18, 21, 24])
def test_one_or_two_typos_are_caught(n):
    words = list(WORDS[:n])
    words[3] = words[3] + "x"  # "suchx": not in the list
    one = " ".join(words)
    words[n - 3] = words[n - 3][:-1]  # a dropped letter
    two = ", ".join(words)
    assert gone(redact_text(one), WORDS[:n]) and gone(redact_text(two), WORDS[:n])


def test_three_unknown_words_in_twelve_are_not_a_phrase():
    # The line drawn: a phrase may carry two misspelt words; three in twelve is not treated as one.
    words = list(TWELVE)
    for i in (2, 6, 10):
        words[i] = words[i] + "x"  # each one letter off a list word
    text = " ".join(words)
    assert redact_text(text) == text


def test_a_phrase_as_a_list_with_a_typo_or_numbering_goes():
    words = list(TWELVE)
    words[4] = "yelow"
    out = redact({"words": ["x", *words, "y"]})
    assert out["words"][0] == "x" and out["words"][-1] == "y" and set(out["words"][1:-1]) == {REDACTED}
    numbered = [f"{i}. {w}" for i, w in enumerate(TWELVE, 1)]
    assert set(redact({"w": numbered})["w"]) == {REDACTED}


def test_fragments_of_a_registered_phrase_go():
    phrase = " ".join(WORDS[12:24])
    register_phrase(phrase)
    six = " ".join(WORDS[14:20])
    out = redact_text(f"the end of it was: {six}.")
    assert out == f"the end of it was: {REDACTED}.", out
    assert redact_text("-".join(WORDS[13:20]).upper()) == REDACTED
    five = " ".join(WORDS[14:19])
    assert redact_text(five) == five  # five words are not enough (prose repeats five list words often)


def test_unregistered_fragments_stay():
    six = "abandon ability able about above absent"
    assert redact_text(six) == six


PROSE = [
    # A governance proposal, the kind of text secret_get_proposal returns.
    "This proposal seeks to increase the maximum validator commission change rate. Over the past year, "
    "several validators have asked the community for more flexibility to adjust their fees when market "
    "conditions change quickly. If this proposal passes, the parameter will be updated at the next upgrade "
    "height, and every validator will be able to adjust their rate once per day. Please vote yes to support "
    "this change, or no if you believe the current limit protects delegators from sudden fee increases.",
    "Community pool spend: fund a security audit of the bridge contract, a public report, and a bug bounty "
    "program for one year. The team has delivered two previous grants on time and within budget.",
    "Warning: do not share your recovery phrase with anyone. Write it down on paper, keep it in a safe "
    "place, and never type it into a website or a chat window. Anyone with the phrase can move your funds.",
    "The market opened lower after the report, then rallied as traders bought the dip; volume was above "
    "average and the price closed near its daily high, a sign that demand remains strong for now.",
    # Field names of a governance proposal in a logged LCD answer: list words joined by underscores.
    '{"final_tally_result": {"yes_count": "0"}, "submit_time": "t", "deposit_end_time": "t", "total_deposit": [], '
    '"voting_start_time": "t", "voting_end_time": "t", "metadata": "", "title": "Raise the limit"}',
    # A file tree in a contributor guide: "for" and "py" are not slips on list words.
    "session.py   state for one process; session machine, lazy connect, network switch\n   pool.py   async "
    "client pool: failover, retries, circuit breakers",
    "Please review the attached document, add your comments, and return it before the deadline so the "
    "board can approve the final version at the next meeting.",
]


@pytest.mark.parametrize("text", PROSE)
def test_english_prose_survives(text):
    assert redact_text(text) == text
    assert redact({"description": text}) == {"description": text}
    assert redact_text(json.dumps({"description": text})) == json.dumps({"description": text})


def test_the_keystore_registers_every_phrase_it_holds():
    from secret_mcp.security.keystore import Keystore

    keystore = Keystore()
    keystore.create("fresh")
    words = keystore.export_mnemonic("fresh").split()
    keystore.import_mnemonic("pasted", MNEMONIC)
    for fragment in (words[3:9], WORDS[2:8]):
        text = "part of it: " + " ".join(fragment)
        assert redact_text(text) == f"part of it: {REDACTED}", text
