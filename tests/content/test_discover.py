"""Finding the site's files: bundles and sidecars by name, and nothing read from
outside the site folder."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import MINIMAL_SITE, Run, write_files

FRONT = MINIMAL_SITE["content/world/story/article.md"]
OUTSIDE_LINK = (
    "error: symbolic link leads outside the site folder; copy the file into the site instead"
)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"content/world/other/who.yaml": "- ref: vladimir-putin\n"},
            [
                "content/world/other:1:1: error: sidecars without an article.md; "
                "add article.md or move the sidecars"
            ],
            id="sidecar without article.md",
        ),
        pytest.param(
            {"content/world/story/whoo.yaml": "[]\n"},
            [
                "content/world/story/whoo.yaml:1:1: error: 'whoo.yaml' is not a sidecar name; "
                "sidecars are who.yaml, what.yaml, where.yaml, background.yaml; "
                "did you mean 'who.yaml' or 'what.yaml' or 'where.yaml'?"
            ],
            id="unknown sidecar file name suggests the nearest",
        ),
        pytest.param(
            {"content/world/story/timeline.yml": "[]\n"},
            [
                "content/world/story/timeline.yml:1:1: error: 'timeline.yml' is not a sidecar "
                "name; sidecars are who.yaml, what.yaml, where.yaml, background.yaml"
            ],
            id="unknown sidecar file name with nothing near",
        ),
        pytest.param(
            {"content/article.md": FRONT},
            [
                "content/article.md:1:1: error: an article.md directly in content/ has no page "
                "of its own; move it into a folder such as content/world/my-story/"
            ],
            id="article.md directly in content/",
        ),
        pytest.param(
            {"content/World/My_Story/article.md": FRONT},
            [
                "content/World/My_Story/article.md:1:1: error: folder name 'World' is not "
                "allowed in a page path; use lower-case ASCII letters and digits joined by "
                "hyphens"
            ],
            id="folder name that cannot be a URL path",
        ),
        pytest.param(
            {"content/static/story/article.md": FRONT},
            [
                "content/static/story/article.md:1:1: error: 'static' is reserved for pages "
                "the builder makes; put the bundle in another folder"
            ],
            id="bundle in a folder the builder's own pages use",
        ),
    ],
)
def test_misplaced_files_are_errors(
    make_site: Callable[..., Path],
    check: Callable[[Path], Run],
    files: dict[str, str],
    expected: list[str],
) -> None:
    assert check(make_site(files)).problems == expected


def test_bundle_under_the_glossary_folder_is_an_error(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    result = cli("check", "--site", make_site({"content/glossary/story/article.md": FRONT}))
    assert result.code == 1
    assert result.problems == [
        "content/glossary/story/article.md:1:1: error: 'glossary' is reserved for pages the "
        "builder makes; put the bundle in another folder"
    ]


def test_a_site_without_content_is_an_error(tmp_path: Path, check: Callable[[Path], Run]) -> None:
    site = write_files(tmp_path / "site", {"site.yaml": MINIMAL_SITE["site.yaml"]})
    assert check(site).problems == ["content:1:1: error: the site has no content/ folder"]


def test_hidden_files_and_folders_are_ignored(
    make_site: Callable[..., Path], check_ok: Callable[[Path], Run]
) -> None:
    site = make_site(
        {
            "content/world/.unfinished/article.md": "not front matter",
            "content/world/story/.who.yaml.swp": b"\x00\xff",
            "content/glossary/.old.yaml": "- nmae: x\n",
        }
    )
    check_ok(site)


def test_symlinks_that_lead_outside_the_site_are_errors(
    make_site: Callable[..., Path], check: Callable[[Path], Run], tmp_path: Path
) -> None:
    outside = write_files(
        tmp_path / "outside",
        {
            "secret.yaml": "- name: Secret\n  summary: Not for publishing.\n",
            "story/article.md": FRONT,
        },
    )
    site = make_site()
    (site / "content/glossary/secret.yaml").symlink_to(outside / "secret.yaml")
    (site / "content/world/linked").symlink_to(outside / "story")
    (site / "content/world/story/who.yaml").symlink_to(outside / "secret.yaml")
    assert check(site).problems == [
        f"content/glossary/secret.yaml:1:1: {OUTSIDE_LINK}",
        f"content/world/linked:1:1: {OUTSIDE_LINK}",
        f"content/world/story/who.yaml:1:1: {OUTSIDE_LINK}",
    ]


def test_symlinks_that_stay_inside_the_site_are_followed(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site(
        {"shared/places.yaml": "- name: Russia\n  kind: place\n  summary: A country.\n"}
    )
    (site / "content/glossary/places.yaml").symlink_to(site / "shared/places.yaml")
    (site / "content/world/loop").symlink_to(site / "content")  # a cycle must not hang
    result = cli("build", "--site", site, "--out", tmp_path / "out")
    assert (result.code, result.err) == (0, "")
    assert (tmp_path / "out/glossary/russia/index.html").is_file()


def test_deeper_nesting_is_a_page_at_the_folder_path(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site({"content/world/asia/korea/story/article.md": FRONT})
    assert cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    page = tmp_path / "out/world/asia/korea/story/index.html"
    assert 'href="../../../../glossary/vladimir-putin/index.html"' in page.read_text(
        encoding="utf-8"
    )


def test_a_named_pipe_or_a_link_to_nothing_is_reported_not_skipped(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    site = make_site()
    os.mkfifo(site / "content/world/story/what.yaml")
    (site / "content/world/story/where.yaml").symlink_to(site / "content/nowhere.yaml")
    assert check(site).problems == [
        "content/world/story/what.yaml:1:1: error: 'what.yaml' is a named pipe (FIFO); "
        "content/ may hold only ordinary files and folders",
        "content/world/story/where.yaml:1:1: error: 'where.yaml' is a link to a file that "
        "does not exist; content/ may hold only ordinary files and folders",
    ]


def test_a_folder_named_like_a_file_the_builder_reads_is_reported(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    site = make_site({"content/world/other/article.md/notes.txt": "x"})
    (site / "content/world/story/who.yaml").mkdir()
    assert check(site).problems == [
        "content/world/other/article.md:1:1: error: 'article.md' is a folder; the builder "
        "reads it only as a file: move what is inside and make it a file",
        "content/world/story/who.yaml:1:1: error: 'who.yaml' is a folder; the builder "
        "reads it only as a file: move what is inside and make it a file",
    ]


@pytest.mark.parametrize("section", ["pagefind", "authors", "media", "static", "tags"])
def test_a_section_named_like_a_folder_the_builder_writes_is_refused(
    make_site: Callable[..., Path], check: Callable[[Path], Run], section: str
) -> None:
    site = make_site({f"content/{section}/story/article.md": FRONT})
    assert check(site).problems == [
        f"content/{section}/story/article.md:1:1: error: '{section}' is reserved for pages "
        "the builder makes; put the bundle in another folder"
    ]


def test_the_search_index_folder_is_reserved() -> None:
    from builder.build.search import SEARCH_FOLDER
    from builder.content.discover import RESERVED_TOP_FOLDERS

    assert SEARCH_FOLDER in RESERVED_TOP_FOLDERS


@pytest.mark.parametrize("name", ["Article.md", "artcle.md", "article.markdown"])
def test_a_misnamed_article_is_reported_with_the_right_name(
    make_site: Callable[..., Path], check: Callable[[Path], Run], name: str
) -> None:
    site = make_site({f"content/world/other/{name}": FRONT})
    assert check(site).problems == [
        f"content/world/other/{name}:1:1: error: '{name}' is not read; the story's file must "
        "be named article.md, in lower case: did you mean 'article.md'?"
    ]
