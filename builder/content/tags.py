"""The names editors give tags: content/tags.yaml by id, checked against the stories.

A story's tag is known by its slug ("North Korea" and "north-korea" are one tag,
`north-korea`); tags.yaml names some of them, and a tag it does not name reads
as its words, capitalised. Naming a tag no story has is a warning: a typo in
the id, or a tag whose stories have gone.
"""

from __future__ import annotations

from collections.abc import Iterable

from builder.content.discover import TAGS_FILE
from builder.content.model import BundleSummary, Tag
from builder.content.validate import index_by_id, slugify
from builder.core.diagnostics import Report, did_you_mean


def index_tags(tags: Iterable[Tag], report: Report) -> dict[str, Tag]:
    """Every tag by id, in id order; an id given twice is an error naming both places."""
    return index_by_id(tags, "tag", "name each tag once", report)


def used_tag_ids(bundles: Iterable[BundleSummary]) -> set[str]:
    """The ids of the tags the stories have: each tag's slug."""
    return {slug for bundle in bundles for tag in bundle.front.tags if (slug := slugify(tag))}


def check_tag_use(tags: dict[str, Tag], bundles: Iterable[BundleSummary], report: Report) -> None:
    """A tag that tags.yaml names and no published story has is a warning."""
    if not tags:
        return  # no tags.yaml: nothing to ask of every story
    used = used_tag_ids(bundles)
    for tag in tags.values():
        if tag.id in used:
            continue
        hint = did_you_mean(tag.id, sorted(used)) or (
            f"; remove it from content/{TAGS_FILE}, or tag a story with it"
        )
        report.warning(tag.position, f"no story has the tag '{tag.id}'{hint}")


def tag_ids(written: Iterable[str]) -> tuple[str, ...]:
    """The ids of the tags as a story writes them, sorted, each once."""
    return tuple(sorted({slug for tag in written if (slug := slugify(tag))}))


def shown_tags(tags: dict[str, Tag], written: Iterable[str]) -> tuple[Tag, ...]:
    """The tags tags.yaml names among the tags as stories write them, in id order."""
    ids = {slugify(tag) for tag in written}
    return tuple(tag for tag_id, tag in tags.items() if tag_id in ids)


__all__ = ["check_tag_use", "index_tags", "shown_tags", "tag_ids", "used_tag_ids"]
