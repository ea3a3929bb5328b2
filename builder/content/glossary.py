"""The site-wide glossary: every entry by id, and the surface forms to match.

Entries defined inline in an article's who.yaml or where.yaml join the
glossary here; refs and mentions are resolved against it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from builder.content.model import BundleDetails, BundleSummary, Entry
from builder.core.diagnostics import Report, did_you_mean
from builder.text.references import Claim, LinkTable


@dataclass(frozen=True)
class GlossaryIndex:
    entries: dict[str, Entry]  # by id, in id order
    claims: dict[str, tuple[str, ...]]  # surface form -> ids of the entries that claim it
    never_link: tuple[str, ...] = ()  # phrases never linked, from glossary/never_link.yaml

    def entry(self, entry_id: str) -> Entry:
        return self.entries[entry_id]

    def link_table(self) -> LinkTable:
        """What linking needs to know of the glossary; made once per index, as a
        build asks for it twice (its claims' digest, then the body parser)."""
        return self._link_table

    @cached_property
    def _link_table(self) -> LinkTable:
        short = {
            (form, entry.id)
            for entry in self.entries.values()
            for form in entry.aliases
            if is_short_form(entry, form)
        }
        claims = {
            form: tuple(Claim(i, (form, i) in short) for i in ids)
            for form, ids in self.claims.items()
        }
        return LinkTable(claims, frozenset(self.never_link), frozenset(self.entries))

    def __getstate__(self) -> dict[str, object]:
        # Sent to workers without the table, which each makes when it needs it:
        # it would double what is pickled.
        return {name: value for name, value in self.__dict__.items() if name != "_link_table"}

    def only(self, ids: Iterable[str]) -> GlossaryIndex:
        """This index with only these entries, and no claims: all that a page made
        from them can show, for a key that digests exactly them."""
        return GlossaryIndex({i: self.entries[i] for i in sorted(ids) if i in self.entries}, {})


def is_short_form(entry: Entry, alias: str) -> bool:
    """A person's alias made of some, not all, of the words of the name: a surname,
    a given name. Newsroom style links it only once the person is known."""
    words = entry.name.split()
    used = alias.split()
    return entry.kind == "person" and 0 < len(used) < len(words) and set(used) <= set(words)


def build_index(
    glossary: list[Entry],
    bundles: list[BundleSummary],
    report: Report,
    never_link: tuple[str, ...] = (),
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
        never_link=tuple(sorted(set(never_link))),
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
