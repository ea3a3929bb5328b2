"""`each` and the fragments a running builder keeps between builds."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pytest

from builder.site.templates import Fragments, template_environment
from builder.site.theme import Theme

MACROS = """{% macro item(story) %}<li>{{ count(story.title) }}{{ story.title }}</li>{% endmacro %}
"""
PAGE = """{% from "macros.html" import item %}<ul>{{ each("item", item, stories) }}</ul>"""


class Story(NamedTuple):
    title: str
    href: str


class Counter:
    """A template global that counts the items rendered, and adds nothing."""

    def __init__(self) -> None:
        self.titles: list[str] = []

    def __call__(self, title: str) -> str:
        self.titles.append(title)
        return ""


@pytest.fixture
def theme(tmp_path: Path) -> Theme:
    (tmp_path / "macros.html").write_text(MACROS)
    (tmp_path / "page.html").write_text(PAGE)
    return Theme((tmp_path,))


def render(
    theme: Theme, fragments: Fragments | None, stories: list[Story]
) -> tuple[str, list[str]]:
    """The page, and the titles its items were rendered for, in an environment
    made anew, as each build makes one."""
    environment = template_environment(theme, None, fragments)
    counter = Counter()
    environment.globals["count"] = counter
    return environment.get_template("page.html").render(stories=stories), counter.titles


A, B, C = Story("A & B", "/a/"), Story("Bee", "/b/"), Story("Sea", "/c/")


def test_each_joins_the_items_escaped(theme: Theme) -> None:
    page, rendered = render(theme, None, [A, B])
    assert page == "<ul><li>A &amp; B</li><li>Bee</li></ul>"
    assert rendered == ["A & B", "Bee"]


def test_without_fragments_every_build_renders_every_item(theme: Theme) -> None:
    render(theme, None, [A, B])
    _, rendered = render(theme, None, [A, B])
    assert rendered == ["A & B", "Bee"]


def test_kept_fragments_render_only_new_items_in_the_next_build(theme: Theme) -> None:
    fragments = Fragments().made_from("one")
    first, _ = render(theme, fragments, [A, B])
    edited = B._replace(title="Bee, edited")
    page, rendered = render(theme, fragments.made_from("one"), [A, edited, C])
    assert rendered == ["Bee, edited", "Sea"]
    assert page == "<ul><li>A &amp; B</li><li>Bee, edited</li><li>Sea</li></ul>"
    again, rendered = render(theme, fragments, [A, B])
    assert (again, rendered) == (first, [])


def test_the_same_text_of_another_field_is_another_item(theme: Theme) -> None:
    fragments = Fragments().made_from("one")
    render(theme, fragments, [A])
    _, rendered = render(theme, fragments, [A._replace(href="/elsewhere/")])
    assert rendered == ["A & B"]


def test_another_theme_empties_the_fragments(theme: Theme) -> None:
    fragments = Fragments().made_from("one")
    render(theme, fragments, [A, B])
    _, rendered = render(theme, fragments.made_from("two"), [A, B])
    assert rendered == ["A & B", "Bee"]


def test_past_the_limit_the_least_recently_used_go_first(theme: Theme) -> None:
    fragments = Fragments(limit=2).made_from("one")
    render(theme, fragments, [A, B])
    render(theme, fragments, [A])  # A used since B
    render(theme, fragments, [C])  # three items: B goes
    _, rendered = render(theme, fragments, [A, C])
    assert rendered == []
    _, rendered = render(theme, fragments, [B])
    assert rendered == ["Bee"]
    assert len(fragments.kept) == 2
