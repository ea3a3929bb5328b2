"""Pictures in article bodies, as a markdown-it-py core rule and a render rule.

`![alt](file.jpg)` names a picture file next to article.md. The rule checks
each image token (alt text, the marks it carries, the file it names, through a
lookup the caller puts in the env) and the render rule writes a `<picture>`
with every published width and format, its intrinsic width and height, so that
nothing moves as it loads, and lazy loading, as a body picture is never the
first thing on screen. A paragraph holding nothing but a picture becomes a
`<figure>`; the image's title, `![alt](file.jpg "Title")`, its caption.
`![](rule.png){.decorative}` marks a picture that adds nothing to the text:
its alt text is empty, so screen readers pass over it.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from typing import Any, NamedTuple

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict

from builder.text.url_policy import url_scheme

DECORATIVE = "decorative"
# The body column is 40rem wide at most, the page's gutters aside.
BODY_SIZES = "(min-width: 44rem) 40rem, calc(100vw - 2rem)"


class Picture(NamedTuple):
    """A published picture, its URLs relative to the page that shows it."""

    src: str  # the fallback every browser loads
    width: int  # of the widest published width: the aspect ratio, reserved before it loads
    height: int
    sources: tuple[tuple[str, str], ...]  # (MIME type, srcset): formats browsers may prefer
    srcset: str  # the fallback's format at every width


class BodyImage(NamedTuple):
    """What a body image's src names: a published picture, or what is wrong with it."""

    picture: Picture | None
    problem: str | None = None
    warning: str | None = None


PictureLookup = Callable[[str], BodyImage]


def picture_html(picture: Picture, alt: str, sizes: str, lazy: bool, caption: str = "") -> str:
    """A `<picture>` element, escaped; within a figure, with its caption."""
    sources = "".join(
        f'<source type="{kind}" srcset="{escapeHtml(srcset)}" sizes="{sizes}">'
        for kind, srcset in picture.sources
    )
    loading = ' loading="lazy" decoding="async"' if lazy else ""
    img = (
        f'<img src="{escapeHtml(picture.src)}" srcset="{escapeHtml(picture.srcset)}" '
        f'sizes="{sizes}" width="{picture.width}" height="{picture.height}" '
        f'alt="{escapeHtml(alt)}"{loading}>'
    )
    figcaption = f"<figcaption>{escapeHtml(caption)}</figcaption>" if caption else ""
    return f"<picture>{sources}{img}</picture>{figcaption}"


class PictureProblem(NamedTuple):
    line: int  # 0-based, in the body
    col: int
    message: str
    warning: bool


def pictures_plugin(md: MarkdownIt) -> None:
    """Check and render body pictures. The env's `pictures` is a PictureLookup (none:
    pictures are left as markdown-it renders them); what was found goes into
    its `pictures_used` and `picture_problems` lists."""

    def rule(state: StateCore) -> None:
        lookup = state.env.get("pictures") if isinstance(state.env, dict) else None
        if lookup is None:
            return
        tokens = state.tokens
        for number, block in enumerate(tokens):
            if block.type != "inline" or not block.children:
                continue
            images = [child for child in block.children if child.type == "image"]
            for image in images:
                _check(image, block, lookup, state.env)
            if len(images) == 1 and _alone(block.children) and number > 0:
                _make_figure(tokens[number - 1], tokens[number + 1], images[0])

    # Right after parsing: before builder.text.url_policy turns a refused src into "#".
    md.core.ruler.after("inline", "body_pictures", rule)
    md.add_render_rule("image", _render_image)


def _check(
    image: Token, block: Token, lookup: PictureLookup, env: MutableMapping[str, Any]
) -> None:
    src = str(image.attrGet("src") or "")
    attrs = {key: value for key, value in image.attrs.items() if key not in ("src", "alt", "title")}
    decorative = attrs.get("class") == DECORATIVE
    if decorative:
        del attrs["class"]
    image.attrs = {k: v for k, v in image.attrs.items() if k in ("src", "alt", "title")}
    problems = env["picture_problems"]
    where = _place(block, src)
    if attrs:
        marks = ", ".join(f".{v}" if k == "class" else k for k, v in sorted(attrs.items()))
        message = f"a picture takes only the mark {{.{DECORATIVE}}}; remove {marks}"
        problems.append(PictureProblem(*where, message, False))
    alt = image.content.strip()
    if decorative and alt:
        message = f"a decorative picture has no alt text: write ![]({src}){{.{DECORATIVE}}}"
        problems.append(PictureProblem(*where, message, False))
    elif not decorative and not alt:
        message = (
            f"the picture needs alt text saying what it shows: ![what it shows]({src}); "
            f"only one that adds nothing is marked ![]({src}){{.{DECORATIVE}}}"
        )
        problems.append(PictureProblem(*where, message, False))
    scheme = url_scheme(src)
    if scheme is not None:
        if scheme in ("http", "https"):
            message = (
                "a picture must be a file next to article.md; one from another site is "
                "neither checked nor published with the story"
            )
            problems.append(PictureProblem(*where, message, False))
        return  # any other scheme is refused by builder.text.url_policy
    found = lookup(src)
    if found.problem is not None:
        problems.append(PictureProblem(*where, found.problem, False))
    if found.warning is not None:
        problems.append(PictureProblem(*where, found.warning, True))
    if found.picture is not None:
        image.meta["picture"] = found.picture
        env["pictures_used"].append(src)


def _alone(children: Sequence[Token]) -> bool:
    """True when the only thing in an inline run is one image, white space aside."""
    return all(
        child.type == "image" or (child.type in ("text", "softbreak") and not child.content.strip())
        for child in children
    )


def _make_figure(opening: Token, closing: Token, image: Token) -> None:
    if opening.type != "paragraph_open" or opening.hidden or "picture" not in image.meta:
        return
    opening.tag = closing.tag = "figure"
    image.meta["figure"] = True


def _place(block: Token, src: str) -> tuple[int, int]:
    """The body line (0-based) and column where the image naming src stands."""
    first = block.map[0] if block.map else 0
    for number, line in enumerate(block.content.split("\n")):
        column = line.find(f"]({src}")
        if column >= 0:
            start = line.rfind("![", 0, column + 1)
            return first + number, (start if start >= 0 else column) + 1
    return first, 1


def _render_image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: Any
) -> str:
    image = tokens[idx]
    picture = image.meta.get("picture")
    if not isinstance(picture, Picture):
        return self.image(tokens, idx, options, env)
    alt = self.renderInlineAsText(image.children or [], options, env)
    caption = str(image.attrGet("title") or "") if image.meta.get("figure") else ""
    return picture_html(picture, alt, BODY_SIZES, lazy=True, caption=caption)
