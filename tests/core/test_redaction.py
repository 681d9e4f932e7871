"""Redacting third parties' names: every whole-word occurrence goes, in any case; nothing else changes."""

from __future__ import annotations

import re

from hypothesis import assume, given
from hypothesis import strategies as st

from dsl_desk.core.subject_access import REDACTED, redact

# Letters whose upper and lower case are one character each, so the oracle below can compare slices.
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéÉöÖñÑçÇøØ"
words = st.text(alphabet=LETTERS, min_size=2, max_size=8)
terms = st.lists(words, min_size=1, max_size=3).map(" ".join)
filler = st.text(alphabet=LETTERS + " .,;:'’()-\n0123456789", max_size=40)


def occurrences(text: str, term: str) -> int:
    """An independent count of whole-word, case-insensitive occurrences (no regular expressions)."""
    text_l, term_l, n = text.lower(), term.lower(), 0
    for i in range(len(text) - len(term) + 1):
        if text_l[i : i + len(term)] != term_l:
            continue
        before = text[i - 1] if i else " "
        after = text[i + len(term)] if i + len(term) < len(text) else " "
        if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
            n += 1
    return n


@given(
    term=terms,
    fillers=st.lists(filler, min_size=1, max_size=6),
    case=st.sampled_from(["lower", "upper", "title", "same"]),
)
def test_no_occurrence_survives_and_the_rest_is_unchanged(term, fillers, case):
    cased = {"lower": term.lower(), "upper": term.upper(), "title": term.title(), "same": term}[case]
    for part in fillers:
        assume(term.lower() not in part.lower())
    # "|" around each inserted name: a name cannot run across it into the neighbouring text.
    text = f"| {cased} |".join(fillers)
    result = redact(text, [term])
    assert result.replacements == len(fillers) - 1
    assert result.by_term == {term: len(fillers) - 1}
    assert result.text == f"| {REDACTED} |".join(fillers)
    # The replacement's own words are not names: count what survives outside it.
    assert occurrences(result.text.replace(REDACTED, "\0"), term) == 0


@given(text=filler, chosen=st.lists(terms, min_size=1, max_size=4))
def test_any_text_keeps_no_whole_word_occurrence_of_any_term(text, chosen):
    result = redact(text, chosen)
    left = result.text.replace(REDACTED, "\0")
    for term in chosen:
        assert occurrences(left, term) == 0
    assert result.replacements == sum(result.by_term.values())


@given(text=filler, term=terms)
def test_text_without_the_term_is_returned_unchanged(text, term):
    assume(term.lower() not in text.lower())
    result = redact(text, [term])
    assert result.text == text
    assert result.replacements == 0


def test_possessives_part_words_and_line_breaks():
    text = "Mr Smith's view; SMITH agreed. Smithson did not. Smith\nJones came, then smith-jones."
    result = redact(text, ["Smith", "smith jones"])
    assert result.text == (
        f"Mr {REDACTED}'s view; {REDACTED} agreed. Smithson did not. {REDACTED} came, then {REDACTED}-jones."
    )
    assert result.by_term == {"Smith": 3, "smith jones": 1}


def test_the_longest_term_wins_and_the_replacement_is_never_redacted_again():
    result = redact("Ann Smith met Ann. The party agreed.", ["Ann", "Ann Smith", "party", "third"])
    assert result.text == f"{REDACTED} met {REDACTED}. The {REDACTED} agreed."
    assert result.by_term == {"Ann Smith": 1, "Ann": 1, "party": 1, "third": 0}
    assert re.search(r"\bAnn\b", result.text) is None


def test_curly_apostrophes_and_accents():
    result = redact("Siân’s mother and SIÂN spoke.", ["Siân"])
    assert result.text == f"{REDACTED}’s mother and {REDACTED} spoke."


def test_blank_terms_are_ignored():
    assert redact("Nothing here", ["", "  "]).text == "Nothing here"
