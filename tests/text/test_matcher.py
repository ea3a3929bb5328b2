"""The glossary matcher: leftmost-longest matches on word boundaries, whatever the forms."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.text.matcher import FormMatcher, Match

# Letters, a digit, an underscore, a combining acute accent, a non-ASCII letter,
# spaces and punctuation: enough for forms to overlap, nest and touch words.
ALPHABET = "abAB1_\u0301é -’'."


def reference_find(forms: list[str], text: str) -> list[Match]:
    """Every occurrence of every form, boundaries checked one by one, then leftmost-longest."""

    def word(char: str) -> bool:
        return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")

    found = []
    for form in {f for f in forms if f}:
        start = text.find(form)
        while start >= 0:
            end = start + len(form)
            before_ok = start == 0 or not word(text[start - 1])
            after_ok = end == len(text) or not word(text[end])
            if before_ok and after_ok:
                found.append(Match(start, end, form))
            start = text.find(form, start + 1)
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    chosen: list[Match] = []
    for match in found:
        if not chosen or match.start >= chosen[-1].end:
            chosen.append(match)
    return chosen


@settings(max_examples=300)
@given(
    forms=st.lists(st.text(ALPHABET, min_size=1, max_size=4), max_size=6),
    text=st.text(ALPHABET, max_size=30),
)
def test_matches_are_those_of_the_plain_definition(forms: list[str], text: str) -> None:
    assert FormMatcher(forms).find(text) == reference_find(forms, text)


def test_longest_match_wins_where_two_start_together() -> None:
    matcher = FormMatcher(["Kim", "Kim Jong-il", "Jong"])
    assert matcher.find("Kim Jong-il met Kim.") == [
        Match(0, 11, "Kim Jong-il"),
        Match(16, 19, "Kim"),
    ]


def test_a_form_inside_a_longer_word_is_not_a_match() -> None:
    matcher = FormMatcher(["Putin", "Putin Jr"])
    # "Putin Jr" fails its right boundary in "Jrs"; "Putin" still stands on its own.
    assert matcher.find("Putin Jrs") == [Match(0, 5, "Putin")]
    assert FormMatcher(["Kim"]).find("Kimchi, Akim, Kim\u0301") == []


def test_no_forms_match_nothing() -> None:
    assert FormMatcher([]).find("anything") == []
