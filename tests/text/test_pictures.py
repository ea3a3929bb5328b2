"""Pictures in article bodies: checked, and rendered as pictures with their box."""

from __future__ import annotations

from builder.text.markdown import BodyText, body_parser, render_body
from builder.text.pictures import BodyImage, Picture
from builder.text.references import LinkTable

PICTURE = Picture("a-960.jpg", 1600, 900, (("image/webp", "a-480.webp 480w"),), "a-480.jpg 480w")


def lookup(src: str) -> BodyImage:
    if src == "a.jpg":
        return BodyImage(PICTURE)
    return BodyImage(None, f"no picture '{src}'")


def render(body: str) -> tuple[str, list[tuple[int, int, str]], tuple[str, ...]]:
    md = body_parser(LinkTable({}, frozenset(), frozenset()))
    rendered = render_body(md, BodyText("s", body, 7, frozenset()), "../glossary/", False, lookup)
    problems = [(p.line, p.col, p.message) for p in rendered.problems]
    return rendered.html, problems, rendered.pictures


def test_a_picture_alone_in_its_paragraph_is_a_figure_with_its_title_as_caption() -> None:
    html, problems, used = render('Text.\n\n![Two leaders](a.jpg "At the quay.")\n')
    assert problems == [] and used == ("a.jpg",)
    assert '<figure><picture><source type="image/webp"' in html
    assert 'width="1600" height="900" alt="Two leaders" loading="lazy"' in html
    assert "<figcaption>At the quay.</figcaption></figure>" in html


def test_a_picture_within_text_stays_in_its_paragraph() -> None:
    html, problems, _ = render('See ![Two leaders](a.jpg "Not a caption") here.\n')
    assert problems == []
    assert html.startswith("<p>See <picture>") and "figcaption" not in html


def test_a_decorative_picture_has_empty_alt_text() -> None:
    html, problems, _ = render("![](a.jpg){.decorative}\n")
    assert problems == [] and 'alt=""' in html


def test_problems_are_reported_at_the_image() -> None:
    _, problems, used = render("Text.\n\nSee ![](a.jpg) and ![x](b.jpg){.wide}\n")
    assert [(line, col) for line, col, _ in problems] == [(9, 5), (9, 20), (9, 20)]
    assert "needs alt text" in problems[0][2]
    assert "only the mark {.decorative}" in problems[1][2]
    assert "no picture 'b.jpg'" in problems[2][2]
    assert used == ("a.jpg",)


def test_without_a_lookup_images_render_as_markdown_does() -> None:
    md = body_parser(LinkTable({}, frozenset(), frozenset()))
    rendered = render_body(md, BodyText("s", "![x](a.jpg)\n", 1, frozenset()), "g/")
    assert rendered.html == '<p><img src="a.jpg" alt="x" /></p>\n'
