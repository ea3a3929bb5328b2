"""Finding glossary surface forms in text, at a cost linear in the text whatever the glossary.

A match stands on word boundaries on both sides; matches do not overlap, the
leftmost wins, and of those starting together the longest. Two ways find
them, with the same result:

- In prose, an Aho-Corasick automaton (in C) reports every occurrence of every
  form, a few a paragraph, and the rules are applied to those.
- Forms nested in one another ("xx xx", "xx xx xx", ...) occur hundreds of
  times at one place, and listing every occurrence would grow with the square
  of the text. Once they outnumber a share of the text read, the scan stops
  and TokenAutomaton takes over: it reads each word once and lists none.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import accumulate, compress, islice
from typing import NamedTuple

import ahocorasick


class Match(NamedTuple):
    start: int
    end: int
    form: str


# Prose holds an occurrence every fifty characters or so, nested forms several
# at each word. Once the occurrences outnumber one every four characters of the
# text read (and a few dozen), the scan stops and TokenAutomaton takes over: up
# to there they cost about what it would (it is the faster from one every two
# or three), and the few dozen spare a process with a name or two in a short
# text from building it.
_CHARACTERS_PER_HIT = 4
_HITS_ALLOWED = 64
_HITS_A_CHUNK = 1024  # taken from the scan at a time, past the first few dozen


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
        self._tokens: TokenAutomaton | None = None  # built on first need

    def __getstate__(self) -> tuple[object, bool]:
        # Without the token automaton, so that a pickle stays what it was: a
        # process that needs one builds its own, and most never do.
        return (self._automaton, self._empty)

    def __setstate__(self, state: tuple[object, bool]) -> None:
        self._automaton, self._empty = state
        self._tokens = None

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches, leftmost first, the longest where they start together."""
        if self._empty:
            return []
        scan = self._automaton.iter(text)
        hits = list(islice(scan, _HITS_ALLOWED))  # counted in C, as they are found
        if len(hits) == _HITS_ALLOWED and not _take_while_sparse(hits, scan):
            if self._tokens is None:
                self._tokens = TokenAutomaton(form for form, _ in self._automaton.values())
            return self._tokens.find(text)
        # (start, -length, form) of each occurrence on word boundaries. The
        # text is padded with a space at each end, so that the characters around
        # an occurrence are always there to look at: prose holds several
        # occurrences inside words for each one on a boundary (a short form
        # inside a longer name), and each look is one of the most frequent
        # steps of a build.
        padded = f" {text} "
        candidates: list[tuple[int, int, str]] = []
        for last, (form, length) in hits:
            before, after = padded[last + 1 - length], padded[last + 2]
            if before.isalnum() or after.isalnum():
                continue  # a letter or digit on one side, almost always
            if _word_or_mark(before) or _word_or_mark(after):
                continue
            candidates.append((last + 1 - length, -length, form))
        return _leftmost_longest(candidates) if candidates else []


def _take_while_sparse(hits: list[tuple[int, object]], scan: Iterator[tuple[int, object]]) -> bool:
    """Adds the rest of the scan's occurrences to hits, a chunk at a time, while
    they are no more than one every four characters up to the last (and a few
    dozen); False as soon as they are more, the scan stopped there. The scan
    stops early on a text dense from its start, and never costs more than the
    text's length allows."""
    while len(hits) <= (hits[-1][0] + 1) // _CHARACTERS_PER_HIT + _HITS_ALLOWED:
        taken = len(hits)
        hits.extend(islice(scan, _HITS_A_CHUNK))
        if len(hits) == taken:
            return True
    return False


def _leftmost_longest(candidates: list[tuple[int, int, str]]) -> list[Match]:
    """Of (start, -length, form) occurrences, those left when the leftmost, then
    the longest, is taken first and whatever overlaps it dropped."""
    candidates.sort()
    chosen: list[Match] = []
    reached = 0
    for start, negative_length, form in candidates:
        if start >= reached:
            reached = start - negative_length
            chosen.append(Match(start, reached, form))
    return chosen


class TokenAutomaton:
    """Leftmost-longest matching in one backward and one forward pass over the text's tokens.

    A token is a word (a longest run of word characters) or a single other
    character, a separator. A match on word boundaries starts and ends between
    tokens, so a form matches where its tokens do, with no word just before it
    and no word just after it.

    The automaton is Aho-Corasick over the forms' tokens, last token first,
    and reads the text from its end: at each token it stands for the longest
    run of tokens from there on that some form ends with, and each state knows
    the longest whole form among the runs it ends with (its own, or along its
    failure links). That is the longest form starting at the token: one step
    per token, however many forms nest there. Leftmost-longest is then one
    pass forwards over those.

    The boundary after a form is in the symbols: a separator is read as itself
    when a word follows it, with _NOT_BEFORE_A_WORD added when none does.
    Forms are read by the same rule, so a form's final separator ("U.S.")
    matches only where no word follows. A word is always followed by a
    separator or the end, and is read as itself.
    """

    def __init__(self, forms: Iterable[str]) -> None:
        self._next: list[dict[str, int]] = [{}]
        # At each state, the longest form it ends with; "" for none (no form is empty).
        self._longest: list[str] = [""]
        for form in forms:
            if form:
                self._add(form)
        self._fail = self._link()

    def _add(self, form: str) -> None:
        state = 0
        for _, symbol in _symbols_backwards(_split_words(form)):
            following = self._next[state].get(symbol)
            if following is None:
                following = len(self._next)
                self._next[state][symbol] = following
                self._next.append({})
                self._longest.append("")
            state = following
        self._longest[state] = form

    def _link(self) -> list[int]:
        """Failure links, breadth first; a state without a form of its own takes
        the longest of its failure link's, which is the longest of its suffixes."""
        transitions, longest = self._next, self._longest
        fail = [0] * len(transitions)
        queue = deque(transitions[0].values())
        while queue:
            state = queue.popleft()
            for symbol, child in transitions[state].items():
                queue.append(child)
                if state:  # the root's children fail to the root
                    link = fail[state]
                    while symbol not in transitions[link] and link:
                        link = fail[link]
                    fail[child] = transitions[link].get(symbol, 0)
                if not longest[child]:
                    longest[child] = longest[fail[child]]
        return fail

    def find(self, text: str) -> list[Match]:
        """The same matches as FormMatcher.find."""
        parts = _split_words(text)
        longest = self._longest_from_each_part(parts)
        starts = accumulate(map(len, parts), initial=0)  # and the text's end, unused
        chosen: list[Match] = []
        reached = 0
        # Leftmost first, over the parts a form starts at; compress skips the rest in C.
        for start, form in compress(zip(starts, longest, strict=False), longest):
            if start >= reached:
                reached = start + len(form)
                chosen.append(Match(start, reached, form))
        return chosen

    def _longest_from_each_part(self, parts: list[str]) -> list[str]:
        """For each part, the longest form starting there ("" for none) where a match
        may start: at a word, or at a separator with no word before it. Read from
        the text's end."""
        found = [""] * len(parts)
        transitions, fail, longest = self._next, self._fail, self._longest
        state = 0
        for index, symbol in _symbols_backwards(parts):
            while symbol not in transitions[state] and state:
                state = fail[state]
            state = transitions[state].get(symbol, 0)
            if not (index & 1 and parts[index - 1]):
                found[index] = longest[state]
        return found


# Added to a separator that no word follows. A separator is one character, so
# with it added it is no token, whatever the text holds.
_NOT_BEFORE_A_WORD = "\x00"


def _symbols_backwards(parts: list[str]) -> Iterator[tuple[int, str]]:
    """(index in parts, symbol) of each token, the last first, as the automaton reads them."""
    for index in range(len(parts) - 1, -1, -1):
        symbol = parts[index]
        if index & 1:  # a separator
            if not parts[index + 1]:
                symbol += _NOT_BEFORE_A_WORD
        elif not symbol:
            continue  # no word between two separators, or at an end
        yield index, symbol


# Python's \w is exactly str.isalnum() or "_"; is_word_character adds the
# combining marks, which _split_words puts back into the words around them.
_SEPARATOR = re.compile(r"(\W)")


def _split_words(text: str) -> list[str]:
    """Words and separators in turn: words (maybe empty) at even indexes, one
    separator between each two."""
    parts = _SEPARATOR.split(text)
    if text.isascii():
        return parts
    joined: list[str] = []
    word = [parts[0]]  # the pieces of the word being read
    for index in range(1, len(parts), 2):
        if is_word_character(parts[index]):  # a combining mark
            word += (parts[index], parts[index + 1])
        else:
            joined += ("".join(word), parts[index])
            word = [parts[index + 1]]
    joined.append("".join(word))
    return joined


def is_word_character(char: str) -> bool:
    """Letters, digits, underscore and combining marks, as in Unicode's \\w."""
    if char < "\u0300":  # no combining mark comes before U+0300: skip the table lookup
        return char.isalnum() or char == "_"
    return char.isalnum() or unicodedata.category(char).startswith("M")


def _word_or_mark(char: str) -> bool:
    """is_word_character for a character known not to be a letter or digit."""
    return char == "_" or (char >= "\u0300" and unicodedata.category(char).startswith("M"))
