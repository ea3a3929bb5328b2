"""The newsroom's authors: content/authors.yaml by id, and the stories that name them.

Stories name their authors by id in the front matter; an id that names no
author is an error where it is written, with the nearest ids as suggestions.
"""

from __future__ import annotations

from collections.abc import Iterable

from builder.content.discover import AUTHORS_FILE
from builder.content.model import Author, BundleSummary, FrontMatter
from builder.content.validate import index_by_id
from builder.core.diagnostics import Report, did_you_mean


def index_authors(authors: Iterable[Author], report: Report) -> dict[str, Author]:
    """Every author by id, in id order; an id given twice is an error naming both places."""
    return index_by_id(authors, "author", "give one of them another id", report)


def check_author_references(
    bundles: Iterable[BundleSummary], authors: dict[str, Author] | None, report: Report
) -> None:
    """Every id a story's `authors` names must be in authors.yaml."""
    for bundle in bundles:
        for ref in bundle.front.authors:
            if authors is not None and ref.id in authors:
                continue
            if authors is None:
                hint = f"; the site has no content/{AUTHORS_FILE}: add it, listing the author"
            else:
                add = f"; add the author to content/{AUTHORS_FILE}"
                hint = did_you_mean(ref.id, authors) or add
            report.error(ref.position, f"no author has the id '{ref.id}'{hint}")


def authors_of(front: FrontMatter, authors: dict[str, Author]) -> tuple[Author, ...]:
    """The story's authors that authors.yaml holds, in the order the story names them."""
    return tuple(authors[ref.id] for ref in front.authors if ref.id in authors)


__all__ = ["authors_of", "check_author_references", "index_authors"]
