"""MkDocs hooks: fill in the handbook's generated parts from the field declarations.

The work is done by builder.commands.handbook; this file only tells it which site the
examples run on (the folder holding mkdocs.yml) and where the reference page is.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from builder.commands.handbook import expand_markers

REFERENCE_PAGE = "reference.md"


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    site = Path(config.config_file_path).parent
    here = page.file.src_uri
    if here == REFERENCE_PAGE:
        link = ""
    else:
        link = posixpath.relpath(REFERENCE_PAGE, posixpath.dirname(here) or ".")
    return expand_markers(markdown, site, link)
