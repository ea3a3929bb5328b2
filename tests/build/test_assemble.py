"""Assembling the site: every id a sidecar names is checked against the glossary,
in the stories parsed now and, when the glossary's ids change, in every story."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from builder.build.options import BuildOptions
from builder.build.run import build
from builder.core.diagnostics import ContentError
from tests.conftest import ARTICLE, MINIMAL_SITE, PEOPLE, WHO, write_files

OTHER = "content/world/other"


def problems(raised: pytest.ExceptionInfo[ContentError]) -> list[str]:
    return [d.format() for d in raised.value.report.sorted()]


def test_an_entry_removed_is_reported_where_a_story_not_parsed_again_names_it(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    site = make_site(
        {
            WHO: "- ref: kim-jong-un\n",
            f"{OTHER}/article.md": MINIMAL_SITE[ARTICLE].replace("A story", "Another"),
            f"{OTHER}/who.yaml": "- ref: kim-jong-un\n- ref: vladimir-putin\n",
        }
    )
    build(BuildOptions(site=site, out=tmp_path / "out"))
    write_files(site, {PEOPLE: MINIMAL_SITE[PEOPLE].split("- id: kim-jong-un")[0]})
    with pytest.raises(ContentError) as raised:
        build(BuildOptions(site=site, out=tmp_path / "out"))
    unknown = "error: no glossary entry has the id 'kim-jong-un'"
    assert [p for p in problems(raised) if unknown in p] == [
        f"{OTHER}/who.yaml:1:8: {unknown}; define it in content/glossary/ "
        "or inline in who.yaml/where.yaml",
        f"{WHO}:1:8: {unknown}; define it in content/glossary/ or inline in who.yaml/where.yaml",
    ]


def test_a_story_that_names_only_known_ids_draws_no_problem(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    site = make_site({WHO: "- ref: kim-jong-un\n- ref: vladimir-putin\n"})
    result = build(BuildOptions(site=site, out=tmp_path / "out", clean=True))
    assert result.report.sorted() == []
