"""The site-wide glossary: every entry by id, and the surface forms to match.

Entries defined inline in an article's who.yaml or where.yaml join the
glossary here; refs and mentions are resolved against it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from builder.content.model import BundleDetails, BundleSummary, Entry
from builder.core.diagnostics import Report, did_you_mean


@dataclass(frozen=True)
class GlossaryIndex:
    entries: dict[str, Entry]  # by id, in id order
    claims: dict[str, tuple[str, ...]]  # surface form -> ids of the entries that claim it

    def entry(self, entry_id: str) -> Entry:
        return self.entries[entry_id]

    def only(self, ids: Iterable[str]) -> GlossaryIndex:
        """This index with only these entries, and no claims: all that a page made
        from them can show, for a key that digests exactly them."""
        return GlossaryIndex({i: self.entries[i] for i in sorted(ids) if i in self.entries}, {})


def build_index(
    glossary: list[Entry], bundles: list[BundleSummary], report: Report
) -> GlossaryIndex:
    definitions = list(glossary)
    for bundle in bundles:
        definitions.extend(bundle.inline_entries)
    entries = _merge_definitions(definitions, report)
    claims: dict[str, set[str]] = defaultdict(set)
    for entry in entries.values():
        for form in entry.surface_forms():
            claims[form].add(entry.id)
    return GlossaryIndex(
        entries=dict(sorted(entries.items())),
        claims={form: tuple(sorted(ids)) for form, ids in sorted(claims.items())},
    )


def _merge_definitions(definitions: list[Entry], report: Report) -> dict[str, Entry]:
    """One entry per id; the same id with other content is an error naming both places."""
    entries: dict[str, Entry] = {}
    for entry in sorted(definitions, key=lambda e: e.position):
        first = entries.get(entry.id)
        if first is None:
            entries[entry.id] = entry
        elif not first.same_content(entry):
            where = first.position
            report.error(
                entry.position,
                f"id '{entry.id}' is already defined with different content at "
                f"{where.path}:{where.line}:{where.col}; give one of them another id "
                "or make the two definitions the same",
            )
    return entries


def check_references(details: BundleDetails, index: GlossaryIndex, report: Report) -> None:
    for ref in details.references:
        if ref.id not in index.entries:
            hint = did_you_mean(ref.id, index.entries)
            report.error(
                ref.position,
                f"no glossary entry has the id '{ref.id}'"
                + (hint or "; define it in content/glossary/ or inline in who.yaml/where.yaml"),
            )
