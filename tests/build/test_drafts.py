"""Drafts are checked in every build, and never stop the rest of the site: without
--drafts their problems are warnings marked (draft); with it, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import MINIMAL_SITE, PEOPLE, Run

DRAFT = "content/world/plans/article.md"
DRAFT_WHO = "content/world/plans/who.yaml"
BROKEN_DRAFT = (
    "---\ntitle: Plans\nsection: World\ndate: 2023-09-31\ndraft: true\n---\n"
    "Kim Jong Un and [the leader]{term=kim-jong-uun} made [plans](../story-2/).\n"
)
DRAFT_PROBLEMS = [
    "error: 'date': 2023-09-31 is not a real date",
    "error: no glossary entry has the id 'kim-jong-uun' of this term mark; "
    "did you mean 'kim-jong-un'?",
    "error: link to '../story-2/' leads to no page of the site; did you mean '../story/'?",
    "error: no glossary entry has the id 'vladimir-putn'; did you mean 'vladimir-putin'?",
]
WHERE = [f"{DRAFT}:4:7", f"{DRAFT}:7:35", f"{DRAFT}:7:62", f"{DRAFT_WHO}:1:8"]


def as_draft_warning(problem: str) -> str:
    return "warning: (draft) " + problem.removeprefix("error: ")


def test_a_broken_draft_is_warned_about_and_the_site_publishes(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site({DRAFT: BROKEN_DRAFT, DRAFT_WHO: "- ref: vladimir-putn\n"})
    out = tmp_path / "out"
    result = cli("build", "--site", site, "--out", out)
    warnings = [f"{w}: {as_draft_warning(p)}" for w, p in zip(WHERE, DRAFT_PROBLEMS, strict=True)]
    assert result.code == 0
    assert result.lines == [*warnings, "0 errors, 4 warnings in 2 files"]
    assert (out / "world/story/index.html").is_file()
    assert not (out / "world/plans").exists()


def test_with_drafts_a_broken_draft_is_an_error(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site({DRAFT: BROKEN_DRAFT, DRAFT_WHO: "- ref: vladimir-putn\n"})
    result = cli("build", "--drafts", "--site", site, "--out", tmp_path / "out")
    errors = [f"{w}: {p}" for w, p in zip(WHERE, DRAFT_PROBLEMS, strict=True)]
    assert (result.code, result.problems) == (1, errors)
    assert not (tmp_path / "out").exists()


def test_a_draft_whose_front_matter_cannot_be_read_is_no_draft(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    site = make_site({DRAFT: "---\ntitle: [Plans\ndraft: true\n---\nText.\n"})
    result = cli("check", "--site", site)
    assert result.code == 1
    assert result.problems[0].startswith(f"{DRAFT}:2:8: error: invalid YAML: this [ is never")


def test_a_draft_flag_that_cannot_be_read_makes_no_draft(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    front = "---\ntitle: Plans\nsection: World\ndate: 2023-09-31\ndraft: yes\n---\nText.\n"
    result = cli("check", "--site", make_site({DRAFT: front}))
    assert result.code == 1
    assert [line.split(": ", 2)[1] for line in result.problems] == ["error", "error"]


def test_a_drafts_entry_clashing_with_the_glossary_is_the_drafts_warning(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    draft = "---\ntitle: Plans\nsection: World\ndate: 2023-09-15\ndraft: true\n---\nKim.\n"
    who = "- id: kim-jong-un\n  name: Kim Jong Un\n  summary: Someone else.\n"
    site = make_site({DRAFT: draft, DRAFT_WHO: who})
    clash = (
        f"{DRAFT_WHO}:1:3: {{}}id 'kim-jong-un' is already defined with different content at "
        f"{PEOPLE}:6:3; give one of them another id or make the two definitions the same"
    )
    checked = cli("check", "--site", site)
    assert (checked.code, checked.problems) == (0, [clash.format("warning: (draft) ")])
    with_drafts = cli("check", "--drafts", "--site", site)
    assert (with_drafts.code, with_drafts.problems) == (1, [clash.format("error: ")])


def test_a_clean_draft_draws_nothing(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    draft = MINIMAL_SITE["content/world/story/article.md"].replace("---\nV", "draft: true\n---\nV")
    assert "draft: true" in draft
    assert cli("check", "--site", make_site({DRAFT: draft})).err == ""
