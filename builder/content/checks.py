"""Checks that need more than one file: quotations against the article text,
and the editorial warnings (unused entries, stale facts, missing summaries)."""

from __future__ import annotations

import difflib
import re
from datetime import date, timedelta

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
