"""The site-wide glossary: one entry per id, wherever it is defined, and every
ref and mention naming an entry that exists."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import BACKGROUND, MINIMAL_SITE, PEOPLE, TERMS, WHERE, WHO, Run, read_page

PUTIN_AGAIN = (
    "- id: vladimir-putin\n"
    "  name: Vladimir Putin\n"
    "  kind: person\n"
    "  aliases: [Putin]\n"
    "  summary: President of Russia.\n"
)


def defined_twice(path: str, line: int, entry_id: str, first: str) -> str:
    return (
        f"{path}:{line}:3: error: id '{entry_id}' is already defined with different content at "
        f"{first}; give one of them another id or make the two definitions the same"
    )


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {TERMS: PUTIN_AGAIN.replace("President of Russia.", "Someone else.")},
            [defined_twice(TERMS, 1, "vladimir-putin", f"{PEOPLE}:1:3")],
            id="id defined twice in the glossary names both places",
        ),
        pytest.param(
            {WHO: "- id: kim-jong-un\n  name: Kim Jong Un\n  summary: Other.\n"},
            [defined_twice(WHO, 1, "kim-jong-un", f"{PEOPLE}:6:3")],
            id="inline entry that redefines a glossary id names both places",
        ),
        pytest.param(
            {TERMS: "- name: Kim Jong Un\n  summary: A namesake.\n"},
            [defined_twice(TERMS, 1, "kim-jong-un", f"{PEOPLE}:6:3")],
            id="an id taken from the slug of the name clashes too",
        ),
        pytest.param(
            {
                WHO: "- ref: vladimir-puttin\n",
                BACKGROUND: "- date: 2000\n  title: Visit\n  mentions: [kim-jong-um, zzz-qqq]\n",
            },
            [
                f"{BACKGROUND}:3:14: error: no glossary entry has the id 'kim-jong-um'; "
                "did you mean 'kim-jong-un'?",
                f"{BACKGROUND}:3:27: error: no glossary entry has the id 'zzz-qqq'; "
                "define it in content/glossary/ or inline in who.yaml/where.yaml",
                f"{WHO}:1:8: error: no glossary entry has the id 'vladimir-puttin'; "
                "did you mean 'vladimir-putin'?",
            ],
            id="ref and mentions to unknown ids suggest the nearest id",
        ),
        pytest.param(
            {WHERE: "- ref: moscow\n"},
            [
                f"{WHERE}:1:8: error: no glossary entry has the id 'moscow'; "
                "define it in content/glossary/ or inline in who.yaml/where.yaml",
            ],
            id="ref in where.yaml to an unknown id",
        ),
    ],
)
def test_glossary_errors(
    make_site: Callable[..., Path],
    check: Callable[[Path], Run],
    files: dict[str, str],
    expected: list[str],
) -> None:
    assert check(make_site(files)).problems == expected


def test_the_same_definition_twice_is_one_entry(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site({TERMS: PUTIN_AGAIN, WHO: PUTIN_AGAIN.replace("  kind: person\n", "")})
    result = cli("build", "--site", site, "--out", tmp_path / "out")
    assert (result.code, result.err) == (0, "")
    glossary = read_page(tmp_path / "out/glossary/index.html")
    names = [a.text for a in glossary.anchors if a.attrs.get("class") == "glossary-name"]
    assert names.count("Vladimir Putin") == 1
    assert "Kim Jong Un" in names


def test_an_inline_entry_can_be_referenced_from_another_article(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    front = "---\ntitle: Later\nsection: World\ndate: 2023-09-20\n---\n"
    site = make_site(
        {
            WHO: "- ref: vladimir-putin\n- name: Dmitry Peskov\n  summary: Spokesman.\n",
            "content/world/story/article.md": MINIMAL_SITE["content/world/story/article.md"]
            + "\nDmitry Peskov spoke.\n",
            "content/world/later/article.md": front + "Dmitry Peskov spoke again.\n",
            "content/world/later/who.yaml": "- ref: dmitry-peskov\n",
        }
    )
    assert cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    entry = (tmp_path / "out/glossary/dmitry-peskov/index.html").read_text(encoding="utf-8")
    assert "../../world/story/index.html" in entry
    assert "../../world/later/index.html" in entry
