"""Checks that need more than one file: quotations against the article text,
and the editorial warnings (unused entries, stale facts, missing summaries)."""

from __future__ import annotations

import difflib
import re
from datetime import date, timedelta
from typing import NamedTuple

from builder.content.glossary import GlossaryIndex
from builder.content.model import Bundle, Entry, Fact, Site
from builder.core.diagnostics import Report

_QUOTE_MARKS = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"'}
)
_ESCAPES = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")


def comparable(text: str) -> str:
    """Text with quote marks made straight and white space collapsed."""
    return " ".join(text.translate(_QUOTE_MARKS).split())


def check_quotes(bundle: Bundle, report: Report) -> None:
    quotes = [quote for item in (*bundle.who, *bundle.where) for quote in item.said]
    if not quotes:
        return
    body = comparable(_ESCAPES.sub(r"\1", bundle.body))
    for quote in quotes:
        wanted = comparable(quote.text)
        if wanted not in body:
            nearest = _nearest_passage(wanted, body)
            report.error(
                quote.position,
                "quotation not found verbatim in article.md; copy it exactly from the "
                "article (curly and straight quotes count as the same)"
                + (f'; the nearest passage reads: "{nearest}"' if nearest else ""),
            )


class Passage(NamedTuple):
    """A quotation in the sentence of the article that holds it, as plain text:
    the sentence's words before it, its own words as the article has them, and
    the words after it."""

    before: str
    words: str
    after: str


# Where a sentence ends: its mark, closing quotes or brackets, then a space.
_SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]* ")
# Markdown a reader never sees around the quotation: a link's or an editor's
# mark's brackets with its target or attributes ([Kim]{.nolink}), emphasis, code.
_BRACKETED = re.compile(r"!?\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")
_EMPHASIS = re.compile(r"[*_`]+")


def _as_read(markdown: str) -> str:
    return _EMPHASIS.sub("", _BRACKETED.sub(r"\1", markdown))


def quoted_passage(body: str, quote: str) -> Passage | None:
    """The sentence (or the run of sentences) of the body that holds the quotation,
    found as check_quotes finds it; None when the body does not hold it."""
    wanted = comparable(quote)
    if not wanted:
        return None
    for paragraph in body.split("\n\n"):
        plain = " ".join(_ESCAPES.sub(r"\1", paragraph).split())
        # Quote marks are straightened one for one, so offsets agree with `plain`.
        at = plain.translate(_QUOTE_MARKS).find(wanted)
        if at < 0:
            continue
        end = at + len(wanted)
        starts = [found.end() for found in _SENTENCE_END.finditer(plain, 0, at + 1)]
        start = starts[-1] if starts else 0
        stop = _SENTENCE_END.search(plain, end)
        close = stop.start() + len(stop.group().rstrip()) if stop else len(plain)
        before = _as_read(plain[start:at]).lstrip("#> ")
        return Passage(before, plain[at:end], _as_read(plain[end:close]))
    return None


def _nearest_passage(quote: str, body: str) -> str | None:
    """The run of the article's words most like the quotation, if one is close:
    a word changed or dropped in copying is then easy to find. Quotations of
    one or two words are left alone: too many passages look alike."""
    words = body.split()
    size = len(quote.split())
    if size < 3:
        return None
    # The same number of words first; then one word more or less (a word dropped or added).
    for lengths in ((size,), (size - 1, size + 1)):
        windows = {
            " ".join(words[start : start + length])
            for length in lengths
            for start in range(max(1, len(words) - length + 1))
        }
        close = difflib.get_close_matches(quote, windows, n=1, cutoff=0.7)
        if close:
            return close[0]
    return None


def check_unmentioned(
    bundle: Bundle, mentioned: set[str], index: GlossaryIndex, report: Report
) -> None:
    for item in (*bundle.who, *bundle.where):
        if item.ref.id in index.entries and item.ref.id not in mentioned:
            name = index.entry(item.ref.id).name
            report.warning(
                item.ref.position,
                f"'{name}' is listed here but never mentioned in the article; "
                "add a mention or an alias that the article uses",
            )


def check_entries(site: Site, today: date, report: Report) -> None:
    limit = timedelta(days=site.config.stale_after_days)
    for entry in site.entries:
        if not entry.summary:
            report.warning(
                entry.position,
                f"'{entry.name}' has no summary; readers of its "
                "page and pop-ups will see only the name",
            )
        _check_stale(entry, entry.facts, today, limit, site.config.stale_after_days, report)


def _check_stale(
    entry: Entry,
    facts: tuple[Fact, ...],
    today: date,
    limit: timedelta,
    days: int,
    report: Report,
) -> None:
    for fact in facts:
        if fact.as_of is not None and today - fact.as_of > limit:
            report.warning(
                fact.position,
                f"'{fact.label}' of '{entry.name}' was last checked {fact.as_of.isoformat()}, "
                f"more than {days} days ago; check it and update as_of",
            )
