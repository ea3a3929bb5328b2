"""Finding glossary surface forms in text, at a cost that does not grow with the glossary.

An Aho-Corasick automaton finds every occurrence of every form in one pass;
the rules of the contract are then applied to those few candidates: Unicode
word boundaries on both sides, and leftmost-longest without overlaps.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    form: str


class FormMatcher:
    """Matches a fixed set of surface forms; picklable, so workers can share it."""

    def __init__(self, forms: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for form in forms:
            if form:
                self._automaton.add_word(form, form)
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches, leftmost first, the longest where they start together."""
        if self._empty:
            return []
        candidates = [
            Match(end + 1 - len(form), end + 1, form)
            for end, form in self._automaton.iter(text)
            if _on_boundaries(text, end + 1 - len(form), end + 1)
        ]
        candidates.sort(key=lambda m: (m.start, -(m.end - m.start)))
        chosen: list[Match] = []
        reached = 0
        for match in candidates:
            if match.start >= reached:
                chosen.append(match)
                reached = match.end
        return chosen


def is_word_character(char: str) -> bool:
    """Letters, digits, underscore and combining marks, as in Unicode's \\w."""
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


def _on_boundaries(text: str, start: int, end: int) -> bool:
    if start > 0 and is_word_character(text[start - 1]):
        return False
    return end == len(text) or not is_word_character(text[end])
