"""The glossary matcher: leftmost-longest matches on word boundaries, whatever the forms.

FormMatcher finds matches one of two ways (see builder/text/matcher.py): the
occurrences its Aho-Corasick automaton reports, or, when forms nest so that
those are too many, TokenAutomaton. Every rule is checked on both.
MATCHER_EXAMPLES=20000 runs the property tests longer than the default.
"""

from __future__ import annotations

import os
import pickle
import unicodedata
from collections.abc import Callable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from builder.text.matcher import FormMatcher, Match, TokenAutomaton

EXAMPLES = int(os.environ.get("MATCHER_EXAMPLES", "300"))

# Letters, a digit, an underscore, a combining acute accent, a non-ASCII letter,
# spaces and punctuation: enough for forms to overlap, nest and touch words.
ALPHABET = "abAB1_\u0301é -’'."

Find = Callable[[list[str], str], list[Match]]


def with_form_matcher(forms: list[str], text: str) -> list[Match]:
    return FormMatcher(forms).find(text)


def with_token_automaton(forms: list[str], text: str) -> list[Match]:
    return TokenAutomaton(forms).find(text)


BOTH_WAYS = pytest.mark.parametrize(
    "find", [with_form_matcher, with_token_automaton], ids=["form matcher", "token automaton"]
)


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


# Cases the random ones may miss: a longer form that fails must not hide a
# shorter one, nor a leftmost one lose to a longer one further on; forms that
# nest, begin or end with punctuation, are empty or hold combining marks.
# The last two are where pyahocorasick's iter_long, tried first, goes wrong.
TARGETED = [
    (["a b c", "b"], "a b x"),
    (["a b c", "b"], "a b c"),
    (["a b", "b c d e"], "a b c d e"),
    (["xx", "xx xx", "xx xx xx"], "xx xx xx xx xx"),
    (["U.S."], "the U.S. and U.S.A."),
    (["’s", "Putin"], "Putin’s ’s"),
    (["-il", "Jong"], "Kim Jong-il -il"),
    (["", "a"], "a"),
    (["e\u0301", "cafe"], "cafe\u0301 e\u0301 cafe"),
    (["b a b", "a"], "b a"),
    (["'"], "''."),
]


def with_targeted_examples(test: Callable[[list[str], str], None]) -> Callable[..., None]:
    for forms, text in TARGETED:
        test = example(forms=forms, text=text)(test)
    return test


forms_and_texts = given(
    forms=st.lists(st.text(ALPHABET, min_size=0, max_size=4), max_size=6),
    text=st.text(ALPHABET, max_size=30),
)


@settings(max_examples=EXAMPLES)
@forms_and_texts
@with_targeted_examples
def test_matches_are_those_of_the_plain_definition(forms: list[str], text: str) -> None:
    assert FormMatcher(forms).find(text) == reference_find(forms, text)


@settings(max_examples=EXAMPLES)
@forms_and_texts
@with_targeted_examples
def test_the_token_automaton_finds_the_same(forms: list[str], text: str) -> None:
    assert TokenAutomaton(forms).find(text) == reference_find(forms, text)


@st.composite
def nested_forms_and_text(draw: st.DrawFn) -> tuple[list[str], str]:
    """Forms "xx", "xx-xx", "xx-xx-xx"... (some separator) and a text mostly of
    them, where they occur many times over: enough, most often, for
    FormMatcher to leave the occurrences to its token automaton."""
    separator = draw(st.sampled_from([" ", "-", ". ", "’"]))
    deepest = draw(st.integers(3, 16))
    forms = [separator.join(["xx"] * count) for count in range(1, deepest + 1)]
    forms += draw(st.lists(st.text("xy .-", min_size=1, max_size=6), max_size=3))
    noise = ["x", "y", " ", ".", "\u0301", "é", "xx\u0301"]
    pieces = st.sampled_from(["xx", separator] * 6 + noise)
    text = "".join(draw(st.lists(pieces, min_size=200, max_size=600)))
    return forms, text


@settings(max_examples=max(EXAMPLES // 10, 30), deadline=None)
@given(nested_forms_and_text())
def test_nested_forms_over_long_texts(forms_and_text: tuple[list[str], str]) -> None:
    forms, text = forms_and_text
    assert FormMatcher(forms).find(text) == reference_find(forms, text)


def nested_aliases(deepest: int) -> list[str]:
    """The aliases "xx xx" up to `deepest` words."""
    return [" ".join(["xx"] * count) for count in range(2, deepest + 1)]


@BOTH_WAYS
def test_nested_aliases_match_the_longest_from_the_left(find: Find) -> None:
    body = " ".join(["xx"] * 1_000)
    longest, rest = " ".join(["xx"] * 300), " ".join(["xx"] * 100)
    # Each match of 300 words takes 900 characters with the space after it.
    assert find(nested_aliases(300), body) == [
        Match(0, 899, longest),
        Match(900, 1_799, longest),
        Match(1_800, 2_699, longest),
        Match(2_700, 2_999, rest),
    ]


def test_nested_aliases_in_a_body_of_thousands_of_words() -> None:
    matches = FormMatcher(nested_aliases(300)).find(" ".join(["xx"] * 6_001))
    assert len(matches) == 20
    assert all(match.end - match.start == 899 for match in matches)
    assert matches[-1].end == 3 * 6_000 - 1  # the last word is left alone: no alias has one word


def test_a_matcher_that_used_its_token_automaton_still_pickles() -> None:
    matcher = FormMatcher(nested_aliases(40))
    body = " ".join(["xx"] * 500)
    expected = matcher.find(body)
    copy = pickle.loads(pickle.dumps(matcher))
    assert copy.find(body) == expected == reference_find(nested_aliases(40), body)


@BOTH_WAYS
def test_longest_match_wins_where_two_start_together(find: Find) -> None:
    assert find(["Kim", "Kim Jong-il", "Jong"], "Kim Jong-il met Kim.") == [
        Match(0, 11, "Kim Jong-il"),
        Match(16, 19, "Kim"),
    ]


@BOTH_WAYS
def test_a_form_inside_a_longer_word_is_not_a_match(find: Find) -> None:
    # "Putin Jr" fails its right boundary in "Jrs"; "Putin" still stands on its own.
    assert find(["Putin", "Putin Jr"], "Putin Jrs") == [Match(0, 5, "Putin")]
    assert find(["Kim"], "Kimchi, Akim, Kim\u0301") == []


@BOTH_WAYS
def test_a_longer_form_that_does_not_occur_hides_nothing(find: Find) -> None:
    assert find(["a b c", "b"], "a b x") == [Match(2, 3, "b")]
    assert find(["a b c", "b"], "a b c") == [Match(0, 5, "a b c")]
    assert find(["b a b", "a"], "b a") == [Match(2, 3, "a")]


@BOTH_WAYS
def test_the_leftmost_match_wins_over_a_longer_one_it_overlaps(find: Find) -> None:
    assert find(["a b", "b c d e"], "a b c d e") == [Match(0, 3, "a b")]
    assert find(["b c", "a b c d"], "a b c x") == [Match(2, 5, "b c")]


@BOTH_WAYS
def test_forms_that_begin_or_end_with_punctuation(find: Find) -> None:
    assert find(["U.S."], "the U.S. army") == [Match(4, 8, "U.S.")]
    assert find(["U.S."], "the U.S.A.") == []  # a word follows the final dot
    assert find(["’s"], "Putin’s rifle") == []  # a word stands before the apostrophe
    assert find(["’s"], "the ’s ending") == [Match(4, 6, "’s")]
    assert find(["-il"], "Jong-il") == []
    assert find(["-il"], "Jong -il") == [Match(5, 8, "-il")]
    assert find(["'"], "''.") == [Match(0, 1, "'"), Match(1, 2, "'")]


@BOTH_WAYS
def test_combining_marks_are_part_of_words(find: Find) -> None:
    jose = "Jose\u0301"  # e and a combining acute accent
    assert find([jose], f"{jose} said") == [Match(0, 5, jose)]
    assert find(["Jose"], f"{jose} said") == []  # the accent continues the word
    assert find([jose], f"{jose}\u0301") == []
    assert find(["e\u0301"], "cafe\u0301 e\u0301") == [Match(6, 8, "e\u0301")]


@BOTH_WAYS
def test_empty_forms_are_left_out(find: Find) -> None:
    assert find(["", "Kim"], "Kim") == [Match(0, 3, "Kim")]
    assert find([""], "anything") == []


@BOTH_WAYS
def test_no_forms_match_nothing(find: Find) -> None:
    assert find([], "anything") == []
    assert find(["Kim"], "") == []
