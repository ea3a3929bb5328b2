"""The text a reader sees of one inline token, mapped back onto its children.

Names are found, and word boundaries judged, on what the reader sees: the
text of a paragraph across emphasis, strong, code and link edges, with line
breaks as spaces. Each child keeps the stretch of that text it shows, so a
link can then be put around any stretch that formatting does not cut.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import NamedTuple

from markdown_it.token import Token

# Tokens that show no text and may be wrapped, whole, in a link with the text around them.
_FORMATTING = frozenset({"em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close"})
_OPENING_FORMATTING = frozenset(kind for kind in _FORMATTING if kind.endswith("_open"))
_CLOSING_FORMATTING = _FORMATTING - _OPENING_FORMATTING
_BREAKS = frozenset({"softbreak", "hardbreak"})
_OBJECT = "\ufffc"  # what an image, or anything else that shows no text, stands as


class Piece(NamedTuple):
    """The stretch of the visible text one child shows."""

    child: int  # its index
    start: int
    end: int
    blocked: str  # "" where a link may go; else why not


class Mark(NamedTuple):
    """An editor's `[text]{term=ID}` mark: the stretch it covers, and the id."""

    start: int
    end: int
    entry_id: str
    opening: int  # the indexes of its span_open and span_close children
    closing: int


class OddSpan(NamedTuple):
    """A `[text]{…}` span that is neither mark: where it starts, and what it says."""

    start: int
    says: str


class VisibleText:
    """The visible text of an inline's children, and where each child stands in it."""

    def __init__(self, children: list[Token], blocked: str) -> None:
        self.children = children
        self.pieces: list[Piece] = []
        self.marks: list[Mark] = []
        self.odd_spans: list[OddSpan] = []
        self.spans = False  # any span the attrs plugin made: they render as nothing
        self._breaks: list[int] = []  # offsets of line breaks
        # _span's answers: asked when a match is judged, and again when it is linked.
        self._spans: dict[tuple[int, int], tuple[int, int] | None] = {}
        parts: list[str] = []
        self._read(blocked, parts)
        self.text = "".join(parts)
        self._starts = [piece.start for piece in self.pieces]

    def _read(self, blocked: str, parts: list[str]) -> None:
        position, links = 0, 0
        spans: list[tuple[str, int, int]] = []  # open spans: (why blocked, start, index)
        for index, child in enumerate(self.children):
            kind = child.type
            why = blocked or ("inside a link" if links else "") or _span_reason(spans)
            text = _shown(child)
            if kind == "link_open":
                links += 1
            elif kind == "link_close":
                links -= 1
            elif kind == "span_open":
                self.spans = True
                spans.append((_mark_reason(child), position, index))
                if not _is_mark(child):
                    self.odd_spans.append(OddSpan(position, _describe(child)))
            elif kind == "span_close" and spans:
                reason, start, opening = spans.pop()
                if reason == "marked as a term" and not blocked and not links:
                    entry_id = str(self.children[opening].attrs["term"])
                    self.marks.append(Mark(start, position, entry_id, opening, index))
            if kind in _BREAKS:
                self._breaks.append(position)
            if text:
                if kind == "code_inline":
                    why = blocked or "inside code"
                elif kind not in ("text", *_BREAKS):
                    why = blocked or "inside an image"
                self.pieces.append(Piece(index, position, position + len(text), why))
                parts.append(text)
                position += len(text)

    def blocked(self, start: int, end: int) -> str:
        """Why no link may go on this stretch; "" where one may."""
        first = bisect_right(self._starts, start) - 1
        last = bisect_left(self._starts, end) - 1
        for piece in self.pieces[first : last + 1]:
            if piece.blocked:
                return piece.blocked
        if self._span(start, end) is None:
            return "crosses the edge of emphasis, a link or a mark"
        return ""

    def _ends(self, start: int, end: int) -> tuple[Piece, Piece]:
        """The pieces in which a stretch starts and ends."""
        first = self.pieces[bisect_right(self._starts, start) - 1]
        last = self.pieces[bisect_left(self._starts, end) - 1]
        return first, last

    def _span(self, start: int, end: int) -> tuple[int, int] | None:
        """The children a link around this stretch encloses, first and last; None where
        formatting would cut the link. Formatting that opens right where the stretch
        starts, or closes right where it ends, goes inside: *Vladimir Putin*."""
        stretch = (start, end)
        if stretch not in self._spans:
            self._spans[stretch] = self._enclosed(start, end)
        return self._spans[stretch]

    def _enclosed(self, start: int, end: int) -> tuple[int, int] | None:
        first, last = self._ends(start, end)
        earliest, latest = first.child, last.child
        if start == first.start:
            while earliest > 0 and self.children[earliest - 1].type in _OPENING_FORMATTING:
                earliest -= 1
        if end == last.end:
            while latest + 1 < len(self.children) and (
                self.children[latest + 1].type in _CLOSING_FORMATTING
            ):
                latest += 1
        for low in range(first.child, earliest - 1, -1):
            for high in range(last.child, latest + 1):
                if self._wrappable(low, high):
                    return low, high
        return None

    def _wrappable(self, first: int, last: int) -> bool:
        """A link can go around these children: only text, breaks and whole formatting."""
        depth = 0
        for child in self.children[first : last + 1]:
            if child.type in _OPENING_FORMATTING:
                depth += 1
            elif child.type in _CLOSING_FORMATTING:
                depth -= 1
                if depth < 0:
                    return False
            elif child.type not in ("text", *_BREAKS):
                return False
        return depth == 0

    def breaks_before(self, offset: int) -> int:
        """How many line breaks come before an offset: lines below the inline's first."""
        return bisect_left(self._breaks, offset)

    def line_text_before(self, offset: int) -> str:
        """The visible text from the start of the offset's line up to it."""
        before = bisect_left(self._breaks, offset)
        return self.text[(self._breaks[before - 1] + 1 if before else 0) : offset]

    def with_links(
        self, links: list[tuple[int, int, str]], href: str, href_end: str
    ) -> list[Token]:
        """The children with each (start, end, entry id) stretch linked to
        `href` + id + `href_end`, and the editors' spans gone: a linked term mark's
        span becomes its link."""
        marks = {(mark.start, mark.end, mark.entry_id): mark for mark in self.marks}
        as_links: dict[int, Token] = {}  # span child -> the link token it becomes
        cuts: dict[int, list[tuple[int, str, str]]] = {}  # child -> (offset, open/close, id)
        before: dict[int, Token] = {}  # child -> a link opening before it
        after: dict[int, Token] = {}  # child -> a link closing after it
        for start, end, entry_id in links:
            mark = marks.get((start, end, entry_id))
            if mark is not None:
                opening = self.children[mark.opening]
                as_links[mark.opening] = _link_open(entry_id, href, href_end, opening)
                as_links[mark.closing] = _link_close(self.children[mark.closing])
                continue
            first, last = self._ends(start, end)
            low, high = self._span(start, end) or (first.child, last.child)
            if low < first.child:
                before[low] = _link_open(entry_id, href, href_end, self.children[low])
            else:
                cuts.setdefault(first.child, []).append((start - first.start, "open", entry_id))
            if high > last.child:
                after[high] = _link_close(self.children[high])
            else:
                cuts.setdefault(last.child, []).append((end - last.start, "close", entry_id))
        result: list[Token] = []
        for index, child in enumerate(self.children):
            if index in before:
                result.append(before[index])
            if child.type in ("span_open", "span_close"):
                if index in as_links:
                    result.append(as_links[index])
            elif index in cuts:
                result.extend(_cut(child, sorted(cuts[index]), href, href_end))
            else:
                result.append(child)
            if index in after:
                result.append(after[index])
        return result


def _shown(child: Token) -> str:
    """The text a child shows the reader."""
    kind = child.type
    if kind in ("text", "code_inline"):
        return child.content
    if kind in _BREAKS:
        return " "
    if kind == "image":
        return _OBJECT
    return ""


def _is_mark(span: Token) -> bool:
    """`{.nolink}` or `{term=ID}`, and nothing else."""
    attrs = span.attrs
    return attrs == {"class": "nolink"} or (set(attrs) == {"term"} and bool(attrs["term"]))


def _mark_reason(span: Token) -> str:
    if _is_mark(span) and "term" in span.attrs:
        return "marked as a term"
    return "marked nolink"


def _describe(span: Token) -> str:
    parts = [
        f"{key}={value}" if key != "class" else f".{value}" for key, value in span.attrs.items()
    ]
    return "{" + " ".join(parts) + "}"


def _span_reason(spans: list[tuple[str, int, int]]) -> str:
    return spans[-1][0] if spans else ""


def _link_open(entry_id: str, href: str, end: str, like: Token) -> Token:
    token = Token("link_open", "a", 1)
    token.attrs = {"data-term": entry_id, "href": f"{href}{entry_id}{end}"}
    token.level = like.level
    return token


def _link_close(like: Token) -> Token:
    token = Token("link_close", "a", -1)
    token.level = like.level
    return token


def _cut(child: Token, cuts: list[tuple[int, str, str]], href: str, end: str) -> list[Token]:
    """A text child cut where links open and close in it."""
    if _pairs_within(cuts):
        token = Token("glossary_text", "", 0)
        token.level = child.level
        token.content = child.content
        spans = [(cuts[n][0], cuts[n + 1][0], cuts[n][2]) for n in range(0, len(cuts), 2)]
        token.meta = {"links": spans, "href": href, "end": end}
        return [token]
    result: list[Token] = []
    done = 0
    for offset, kind, entry_id in cuts:
        if offset > done:
            result.append(_text(child, child.content[done:offset]))
        result.append(
            _link_open(entry_id, href, end, child) if kind == "open" else _link_close(child)
        )
        done = offset
    if done < len(child.content):
        result.append(_text(child, child.content[done:]))
    return result


def _pairs_within(cuts: list[tuple[int, str, str]]) -> bool:
    """Every link that opens in this child closes in it too."""
    kinds = [kind for _, kind, _ in cuts]
    return kinds == ["open", "close"] * (len(kinds) // 2)


def _text(like: Token, content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    token.level = like.level
    return token
