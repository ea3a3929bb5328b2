"""What a name in an article refers to: the newsroom's rules for glossary links.

The matcher finds where surface forms stand in the text a reader sees. These
rules then decide, in reading order, what each place is: the first mention of
an entry (linked), a later mention, or no mention at all, and say why. The
decisions are kept, so that an editor can ask why a name was linked or not.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from builder.text.matcher import is_word_character


@dataclass(frozen=True)
class Claim:
    """One entry's claim on a surface form."""

    entry_id: str
    short: bool  # a short form of this person: some, not all, of the words of the name


@dataclass(frozen=True)
class LinkTable:
    """What linking knows of the glossary."""

    claims: dict[str, tuple[Claim, ...]]  # surface form -> the entries that claim it
    never: frozenset[str] = frozenset()  # phrases never linked (glossary/never_link.yaml)
    ids: frozenset[str] = frozenset()  # every entry's id, for editors' term marks

    def forms(self) -> list[str]:
        """Every form to look for: the claimed ones, each lowercase one capitalised
        too (for the start of a sentence), and the phrases never linked."""
        return [*self.claims, *self.capitalised, *self.never]

    @cached_property
    def capitalised(self) -> dict[str, str]:
        """The capitalised form of each lowercase form nothing else claims -> that form."""
        found = {}
        for form in self.claims:
            if form[:1].islower():
                upper = form[0].upper() + form[1:]
                if upper not in self.claims:
                    found[upper] = form
        return found

    @cached_property
    def short_forms(self) -> dict[str, tuple[str, ...]]:
        """Entry id -> the short forms of that person."""
        found: dict[str, list[str]] = {}
        for form, claims in self.claims.items():
            for claim in claims:
                if claim.short:
                    found.setdefault(claim.entry_id, []).append(form)
        return {entry_id: tuple(forms) for entry_id, forms in found.items()}


class Place(NamedTuple):
    """Where a form stands: the text a reader sees of one paragraph (or list item,
    table cell, heading), and the match in it. A tuple: one is made for every
    match in every body, 100,000 in a cold build of 5,000 stories."""

    text: str
    start: int
    end: int
    form: str
    blocked: str  # "" where a link may go; else why not ("inside a heading", …)
    next_match: bool  # another glossary match starts at the next word


class Decision(NamedTuple):
    """What a place in the text was taken to be, and by which rule; one for every place."""

    start: int
    end: int
    text: str
    entry_id: str | None
    linked: bool
    reason: str
    warning: str = ""  # for `check`: what the editor may want to do about it


@dataclass
class Reader:
    """Reads an article's names in order, as a reader would, deciding each.

    It remembers which person each short form last stood for (the person whose
    full name came most recently), and which entries are linked already.
    """

    table: LinkTable
    listed: frozenset[str]  # ids the story's sidecars list
    marked: frozenset[str] = frozenset()  # ids an editor's term mark links explicitly
    linked: set[str] = field(default_factory=set)
    recent: dict[str, str] = field(default_factory=dict)  # short form -> person id

    def decide(self, place: Place) -> Decision:
        """The decision for one place, in reading order."""
        entry_id, rule = self._refers_to(place)
        if entry_id is None:
            return self._skip(place, None, place.blocked or rule)
        self._remember(entry_id, place.form)
        if place.blocked:
            return self._skip(place, entry_id, place.blocked)
        if entry_id in self.marked:
            return self._skip(place, entry_id, "the editor marked which mention to link")
        if entry_id in self.linked:
            return self._skip(place, entry_id, "not the first mention")
        self.linked.add(entry_id)
        return Decision(place.start, place.end, _seen(place), entry_id, True, rule)

    def _refers_to(self, place: Place) -> tuple[str | None, str]:
        """The entry a place refers to, with the rule that says so; or None and why not."""
        form, text = place.form, place.text
        if form in self.table.never:
            return None, "a phrase never linked (never_link.yaml)"
        claims = self.table.claims.get(form)
        rule = "its name or alias"
        if claims is None:
            if not at_sentence_start(text, place.start):
                return None, "a lowercase name capitalised, not at the start of a sentence"
            claims = self.table.claims[self.table.capitalised[form]]
            rule = "a lowercase name capitalised at the start of a sentence"
        if _followed_by_amount(text, place.end):
            return None, "followed by a currency sign or a digit"
        if all(claim.short for claim in claims):
            return self._short_form(place, claims)
        if _inside_longer_name(place):
            return None, "part of a longer name"
        if len(claims) == 1:
            return claims[0].entry_id, rule
        listed = [c.entry_id for c in claims if c.entry_id in self.listed]
        if len(listed) == 1:
            return listed[0], "the one of its entries the sidecars list"
        return None, "ambiguous"

    def _short_form(self, place: Place, claims: tuple[Claim, ...]) -> tuple[str | None, str]:
        """A surname or given name: the person last named in full, else the one listed."""
        form = place.form
        if _continues_into_name(place, another_match_ends_it=False) or _hyphenated(place):
            return None, "continues into another name"
        if _after_the(place):
            return None, "not a person here: it follows 'the'"
        person = self.recent.get(form)
        if person is not None:
            return person, "a short form of the person last named in full"
        listed = [c.entry_id for c in claims if c.entry_id in self.listed]
        if len(listed) == 1:
            return listed[0], "a short form of the person the sidecars list"
        if listed:
            return None, "a short form of several people the sidecars list"
        return None, "a short form with no full name before it"

    def _remember(self, entry_id: str, form: str) -> None:
        """After a person's full name (or a longer alias), their short forms stand for them."""
        for short in self.table.short_forms.get(entry_id, ()):
            if short != form:
                self.recent[short] = entry_id

    def _skip(self, place: Place, entry_id: str | None, reason: str) -> Decision:
        warning = ""
        if not place.blocked and reason in WARNINGS:
            warning = WARNINGS[reason].format(form=place.form)
        return Decision(place.start, place.end, _seen(place), entry_id, False, reason, warning)


WARNINGS = {
    "a short form with no full name before it": (
        "'{form}' is not linked: no person's full name comes before it and the sidecars "
        "list none of the people it may stand for; name the person in full first, or list "
        "them in who.yaml"
    ),
    "a short form of several people the sidecars list": (
        "'{form}' is not linked: the sidecars list more than one person it may stand for, "
        "and none of them is named in full before it; name the person in full first"
    ),
    "continues into another name": (
        "'{form}' is not linked: it runs on into another name; add that name to the "
        "glossary, or mark it [{form} …]{{.nolink}}"
    ),
}


def _seen(place: Place) -> str:
    return place.text[place.start : place.end]


# Capitalised words that may follow a name without making a longer name of it.
# (A string to split: a list of 42 words would run to 42 lines.)
_NOT_A_NAME = frozenset(
    (  # noqa: SIM905
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
        "January February March April May June July August September October November December "
        "President Prime Minister Secretary Chairman Chairwoman Leader General Ambassador "
        "Foreign Defense Defence Vice Supreme Chief Premier Senator Governor Mayor Commander "
        "Spokesman Spokeswoman I"
    ).split()
)


def _next_word(text: str, end: int) -> str:
    """The word after a single space following `end`; "" if something else follows."""
    if text[end : end + 1] != " ":
        return ""
    return text[end + 1 : _word_end(text, end + 1)]


# Python's \w is is_word_character without the combining marks: a run of it
# ends the word, unless a mark follows it. Matched in C: it is asked of the
# word after most names in every story.
_WORD_RUN = re.compile(r"\w*")


def _word_end(text: str, start: int) -> int:
    stop = start
    while True:
        run = _WORD_RUN.match(text, stop)
        stop = run.end() if run is not None else stop
        if stop == len(text) or not is_word_character(text[stop]):
            return stop
        stop += 1  # a combining mark, inside the word


def _continues_into_name(place: Place, another_match_ends_it: bool = True) -> bool:
    """Followed straight on by a capitalised word that no title or day explains.

    Another glossary name there ends a longer name ("the North Korea South Korea
    talks") but not a short form: "Kim Moon-soo" is a third person.
    """
    word = _next_word(place.text, place.end)
    if not word or not word[0].isupper() or word in _NOT_A_NAME:
        return False
    return not (another_match_ends_it and place.next_match)


# After "the", a surname still means the person when what follows is theirs:
# "the Trump administration", "the Kim regime"; not in "the Moon landing".
_THEIRS = frozenset(
    (  # noqa: SIM905
        "administration government regime family dynasty era presidency camp campaign "
        "cabinet team years government's administration's regime's family's"
    ).split()
)


def _after_the(place: Place) -> bool:
    """A surname after "the" is a thing named after it, unless what follows is theirs."""
    if not place.text.endswith(("the ", "The "), 0, place.start):
        return False
    return _next_word(place.text, place.end).lower() not in _THEIRS


def _hyphenated(place: Place) -> bool:
    """The first part of a hyphenated given name: "Moon" in "Moon-soo"."""
    after = place.text[place.end : place.end + 2]
    return len(after) == 2 and after[0] == "-" and after[1].islower()


def _inside_longer_name(place: Place) -> bool:
    """Part of a proper name that is longer than the match: "Singapore Airlines",
    "The Moscow Times" (but not "Russian President Vladimir Putin")."""
    if _continues_into_name(place):
        return True
    return place.text.endswith("The ", 0, place.start) and not at_sentence_start(
        place.text, place.start - 4
    )


def _followed_by_amount(text: str, end: int) -> bool:
    """ "US$20", "HK$": a currency, not a mention of the place."""
    following = text[end : end + 1]
    return bool(following) and (following.isdigit() or unicodedata.category(following) == "Sc")


_OPENING = "\"'“‘«([{"
_CLOSING = "\"'”’»)]}"


def at_sentence_start(text: str, start: int) -> bool:
    """True at the start of the text (a paragraph, list item or table cell) or after
    the end of a sentence, opening quotes and brackets aside."""
    position = start
    while position > 0 and text[position - 1] in _OPENING:
        position -= 1
    if position == 0:
        return True
    spaced = position
    while position > 0 and text[position - 1].isspace():
        position -= 1
    if position == spaced:
        return False
    while position > 0 and text[position - 1] in _CLOSING:
        position -= 1
    return position > 0 and text[position - 1] in ".!?…"
