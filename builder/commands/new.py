"""`new SECTION/SLUG`: a bundle with front matter filled in and commented sidecars."""

from __future__ import annotations

from pathlib import Path

from builder.build.options import build_date
from builder.content.discover import RESERVED_TOP_FOLDERS
from builder.core.diagnostics import UsageError
from builder.core.patterns import ID_PATTERN

_ARTICLE = """\
---
title: {title}
dek: One sentence that says what the story is about.
section: {section}
date: {today}  # or with a time: {today}T09:00, or {today}T09:00+09:00; later ones are scheduled
# updated: {today}
# authors: [your-id]  # ids from content/authors.yaml
# byline: Your Name  # free text, such as a news agency
tags: []
draft: true  # set to false when the explainer is ready to publish
# corrections:  # oldest first; kind: correction, clarification or update
#   - date: {today}T18:30
#     kind: correction
#     text: An earlier version of this story said ...
---
Write the story here in Markdown. The first mention of every person, place and
term in the glossary is linked to its entry.
"""

_WHO = """\
# yaml-language-server: $schema={schemas}/who.schema.json
# People and organizations in the story: point at a glossary entry with ref,
# or define a new entry here (it joins the site-wide glossary).
#
# - ref: vladimir-putin
#   in_this_story: Met Kim Jong Un at the Vostochny Cosmodrome.
#   said:
#     - "a quotation that appears verbatim in article.md"
#
# - name: Dmitry Peskov
#   aliases: [Peskov]
#   summary: Spokesman of the Kremlin.
#   facts:
#     - label: Office
#       value: Kremlin press secretary
#       as_of: {today}
#       source: https://en.wikipedia.org/wiki/Dmitry_Peskov
[]
"""

_WHERE = """\
# yaml-language-server: $schema={schemas}/where.schema.json
# Places in the story, by ref to the glossary or defined here.
#
# - ref: pyongyang
#   in_this_story: Where Putin is invited to visit.
#
# - name: Vostochny Cosmodrome
#   summary: Russia's newest spaceport, in the Amur region.
#   coordinates: [51.88, 128.33]
[]
"""

_WHAT = """\
# yaml-language-server: $schema={schemas}/what.schema.json
# The event in one paragraph, and its key facts.
summary: What happened, in one paragraph.
# when: {today}
# key_facts:
#   - label: Venue
#     value: Vostochny Cosmodrome
#     source: Kremlin statement
# why_it_matters: Why readers should care.
"""

_BACKGROUND = """\
# yaml-language-server: $schema={schemas}/background.schema.json
# Earlier events, shown as a timeline. Dates: YYYY, YYYY-MM or YYYY-MM-DD.
#
# - date: 2000-07
#   title: Putin's first visit to North Korea
#   summary: Months after his election, Putin met Kim Jong-il in Pyongyang.
#   mentions: [vladimir-putin, kim-jong-il, pyongyang]
[]
"""


def create_bundle(site: Path, bundle: str) -> list[str]:
    """Write the bundle's files and return one line per file written."""
    parts = bundle.strip("/").split("/")
    if len(parts) < 2 or not all(ID_PATTERN.fullmatch(part) for part in parts):
        raise UsageError(
            f"'{bundle}' is not SECTION/SLUG made of lower-case letters, digits and hyphens, "
            "like world/putin-kim-summit"
        )
    if parts[0] in (*RESERVED_TOP_FOLDERS,):
        raise UsageError(f"'{parts[0]}' is reserved for pages the builder makes")
    folder = site / "content" / Path(*parts)
    if folder.exists():
        raise UsageError(f"{folder} already exists; nothing was overwritten")
    folder.mkdir(parents=True)
    values = {
        "title": parts[-1].replace("-", " ").capitalize(),
        "section": parts[0].replace("-", " ").title(),
        "today": build_date().isoformat(),
        "schemas": "/".join([".."] * (len(parts) + 1)) + "/schemas",
    }
    files = {
        "article.md": _ARTICLE,
        "who.yaml": _WHO,
        "what.yaml": _WHAT,
        "where.yaml": _WHERE,
        "background.yaml": _BACKGROUND,
    }
    written = []
    for name, template in files.items():
        (folder / name).write_text(template.format(**values), encoding="utf-8")
        written.append(f"created {(folder / name).relative_to(site).as_posix()}")
    return written
