"""Finding glossary surface forms in text, at a cost that does not grow with the glossary.

An Aho-Corasick automaton finds every occurrence of every form in one pass;
the rules of the contract are then applied to those few candidates: Unicode
word boundaries on both sides, and leftmost-longest without overlaps.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

import ahocorasick


class Match(NamedTuple):
    start: int
    end: int
    form: str


class FormMatcher:
    """Matches a fixed set of surface forms; picklable, so workers can share it."""

    def __init__(self, forms: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for form in forms:
            if form:
                self._automaton.add_word(form, (form, len(form)))
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches, leftmost first, the longest where they start together."""
        if self._empty:
            return []
        size = len(text)
        # (start, -length, form): sorting these puts the leftmost, then longest, first.
        candidates: list[tuple[int, int, str]] = []
        for last, (form, length) in self._automaton.iter(text):
            start, end = last + 1 - length, last + 1
            if start > 0 and is_word_character(text[start - 1]):
                continue
            if end < size and is_word_character(text[end]):
                continue
            candidates.append((start, -length, form))
        candidates.sort()
        chosen: list[Match] = []
        reached = 0
        for start, negative_length, form in candidates:
            if start >= reached:
                reached = start - negative_length
                chosen.append(Match(start, reached, form))
        return chosen


def is_word_character(char: str) -> bool:
    """Letters, digits, underscore and combining marks, as in Unicode's \\w."""
    if char < "\u0300":  # no combining mark comes before U+0300: skip the table lookup
        return char.isalnum() or char == "_"
    return char.isalnum() or unicodedata.category(char).startswith("M")
