"""Hostile sites for property-based tests, and the invariants every run must keep.

The strategies draw whole sites, as the files an editor would write: random and
hostile text in every field (markup, quotes, YAML's special values, scripts that
are not Latin), random Markdown with links, images, code and headings, glossaries
whose names and aliases overlap, and references that may name nothing. A "tame"
site keeps the structure valid so that most builds succeed and their output is
checked; a "wild" one breaks anything, so that the diagnostics are checked.

The checkers below say what must hold whatever the input: what reaches stderr,
and what a successful build may publish.
"""

from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from hypothesis import strategies as st

# --- hostile values ---------------------------------------------------------

XSS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(1)</script>",
    "<!--",
    "-->",
    "]]>",
    "<svg/onload=alert(1)>",
    "' onmouseover='alert(1)",
    "{{ 7 * 7 }}",
    "{% raw %}",
    "&amp;",
    "&lt;b&gt;",
    "&#x3C;script&#x3E;",
)
YAML_SPECIAL = (
    *("NO", "on", "yes", "Off", "~", "null"),
    *("1:30", "017", "0x1F", ".inf", "12", "2023-09-15"),
)
YAML_SYNTAX = ("- x", ": x", "#x", "!x", "&anchor", "*alias", "|", ">", "%", "@", "`", "[")
SCRIPTS = (
    *("Путин", "김정은", "e\u0301", "Zoë", "مرحبا", "שלום", "मोदी", "東京", "🇰🇵"),
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a family, joined by zero-width joiners
)
HOSTILE = XSS + YAML_SPECIAL + YAML_SYNTAX + SCRIPTS + ("'", '"', "\\", "&", "<", ">", "\t")

# Control characters (all of Cc but the tab), line and paragraph separators and
# non-characters: the builder refuses them with an error. The main property
# leaves them out, to explore sites that build; a second property puts them in.
CONTROL = tuple(chr(c) for c in (*range(0x09), *range(0x0A, 0x20), *range(0x7F, 0xA0)))
CONTROL += ("\u2028", "\u2029", "\ufffe", "\uffff")
_CONTROL_SET = frozenset(CONTROL)

NAMES = (
    "Kim",
    "Kim Jong Un",
    "Kim Jong-il",
    "Putin",
    "Vladimir Putin",
    "Путин",
    "김정은",
    "Zoë",
    "Café",
    "C++",
    "A&B",
    "<b>Bold</b>",
    "Moscow",
    "Mo",
    "Pyongyang",
    "Vostochny",
    "मोदी",
)
GOOD_IDS = ("kim", "kim-jong-un", "putin", "moscow", "x-1", "a", "pyongyang", "zoe", "cafe", "c")
BAD_IDS = ("Bad_Id", "../etc", "a/b", "ev\u202eil", "ze\u200bro", "", "-x", "a--b", "NO")
KINDS = ("person", "organization", "place", "term", "event")
SAFE_URLS = (
    "https://example.org/a?b=1&c=2",
    "http://example.org/",
    "HTTPS://EXAMPLE.ORG/",
    "mailto:desk@example.org",
    "./",  # the page the text is written for: a story's, or the glossary's
    "#top",
    "index.html#top",
    "//cdn.example.org/x.png",
    "?q=1",
    "https://example.org/<script>",
    'https://example.org/"onmouseover="x',
)
UNSAFE_URLS = (
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/png;base64,AAAA",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "java&#x09;script:alert(1)",
    "javascript&colon;alert(1)",
    "jav&#97;script:alert(1)",
    "java\\script:alert(1)",
)
UNSAFE_SCHEMES = ("javascript", "data", "vbscript", "file")
RAW_HTML = ('<span onclick="alert(1)">', "<script>alert(1)</script>", "<b>", "</div>")
WORDS = ("the", "talks", "met", "said", "in", "and", "rifle", "summit", "week", "officials")
BUNDLE_PATHS = ("world/story", "world/other-story", "politics/deep/nested", "x")
WILD_BUNDLE_PATHS = ("News/Upper", "world/a..b", "world/.hidden", "static/x", "tags/x", "wörld/x")
DATES = ("2023-09-15", "2020-01-01", "1999-12-31", "2024-02-29")
# Publish times: a day, or a day and a time, with or without an offset.
TIMES = (*DATES, "2023-09-15T10:00", "2023-09-15T10:00:05+10:00", "2020-01-01T23:30Z")
# Later than every one of TIMES, as `updated` must be.
UPDATED = ("2024-03-01", "2024-12-31T23:59:59-12:00")
BAD_TIMES = (
    "2023-02-30",
    "15/09/2023",
    "2023-09-15 10:00",
    "2023-09-15T24:00",
    "2023-09-15T10:00+15:00",
)
PARTIAL_DATES = ("2000", "2000-07", "2000-07-19", "1950")

SITE_YAML = "site.yaml"


def _without_controls(text: str) -> str:
    return "".join(ch for ch in text if ch not in _CONTROL_SET)


def _without_format_characters(text: str) -> str:
    # Zero-width and bidi controls are refused in names (as they should be); a
    # tame site leaves them out so that most of its builds succeed.
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


@cache
def texts(*, controls: bool, max_pieces: int = 4) -> st.SearchStrategy[str]:
    """Random and hostile text: known-bad pieces, names, and any Unicode at all."""
    piece = st.one_of(
        st.sampled_from(HOSTILE),
        st.sampled_from(NAMES),
        st.sampled_from(WORDS),
        st.text(max_size=10),
        st.text(alphabet=st.characters(codec="ascii"), max_size=10),
    )
    if controls:
        piece = st.one_of(piece, st.sampled_from(CONTROL))
    joined = st.lists(piece, max_size=max_pieces).map(" ".join)
    return joined if controls else joined.map(_without_controls)


@cache
def tame_texts(*, controls: bool) -> st.SearchStrategy[str]:
    """Hostile text that still passes validation: not empty, no invisible characters."""
    return texts(controls=controls).map(lambda t: _without_format_characters(t).strip() + " z")


# --- a small YAML writer that can also write broken YAML ----------------------


@dataclass(frozen=True)
class Scalar:
    text: str
    style: str = "double"  # double | single | plain


@dataclass(frozen=True)
class Seq:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Map:
    pairs: tuple[tuple[str, Node], ...]  # a list, so that a key may repeat


Node = Scalar | Seq | Map

# What must be escaped inside double quotes for YAML to read the text back as is.
_ESCAPE = re.compile('[\\x00-\\x1f\\x7f-\\x9f\u2028\u2029\ufeff\ufffe\uffff"\\\\]')


def double_quoted(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return "\\" + char if char in '"\\' else f"\\u{ord(char):04x}"

    return '"' + _ESCAPE.sub(escape, text) + '"'


def format_scalar(scalar: Scalar) -> str:
    if scalar.style == "double":
        return double_quoted(scalar.text)
    if scalar.style == "single":
        return "'" + scalar.text.replace("'", "''") + "'"
    return scalar.text


def emit(node: Node, indent: int = 0) -> list[str]:
    """Block-style YAML lines for a node that is a mapping or a list."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(node, Map):
        for key, value in node.pairs:
            if isinstance(value, Scalar):
                lines.append(f"{pad}{key}: {format_scalar(value)}")
            elif (isinstance(value, Seq) and not value.items) or (
                isinstance(value, Map) and not value.pairs
            ):
                lines.append(f"{pad}{key}: {'[]' if isinstance(value, Seq) else '{}'}")
            else:
                lines.append(f"{pad}{key}:")
                lines.extend(emit(value, indent + 2))
    elif isinstance(node, Seq):
        for item in node.items:
            if isinstance(item, Scalar):
                lines.append(f"{pad}- {format_scalar(item)}")
            elif isinstance(item, Map) and item.pairs:
                inner = emit(item, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {'{}' if isinstance(item, Map) else '[]'}")
    else:
        lines.append(pad + format_scalar(node))
    return lines


def yaml_text(node: Node) -> str:
    return "\n".join(emit(node)) + "\n"


# --- site strategies ------------------------------------------------------------


@dataclass(frozen=True)
class Mode:
    """How hostile a drawn site is."""

    wild: bool  # break structure, quoting, ids, URLs, encodings
    controls: bool  # let control characters into text fields


@st.composite
def quoted(draw: st.DrawFn, mode: Mode, text: str) -> Scalar:
    """A text as a YAML scalar: double-quoted in a tame site, any style in a wild one."""
    if not mode.wild:
        return Scalar(text, "double")
    return Scalar(text, draw(st.sampled_from(("double", "double", "single", "plain"))))


@st.composite
def text_scalars(draw: st.DrawFn, mode: Mode) -> Scalar:
    strategy = texts(controls=mode.controls) if mode.wild else tame_texts(controls=mode.controls)
    return draw(quoted(mode, draw(strategy)))


@cache
def urls(mode: Mode) -> st.SearchStrategy[str]:
    """Link targets: known safe and unsafe ones, and random text without a scheme."""
    if not mode.wild:
        return st.sampled_from(SAFE_URLS).map(lambda u: u.replace(" ", "%20"))
    random = texts(controls=False, max_pieces=2).map(_no_scheme)
    return st.one_of(st.sampled_from(SAFE_URLS + UNSAFE_URLS), random)


def _no_scheme(text: str) -> str:
    # Random text as a URL: a colon would make it an (unknown) scheme.
    return text.replace(":", "")


@cache
def inline_markdown(mode: Mode, forms: tuple[str, ...]) -> st.SearchStrategy[str]:
    """A line of inline Markdown: words, glossary names, links, code, hostile text."""
    label = st.sampled_from(WORDS + NAMES + XSS)
    names = st.sampled_from(forms or NAMES)
    url = urls(mode)
    piece = st.one_of(
        st.sampled_from(WORDS),
        names,
        st.builds(lambda f, s: f + s, names, st.sampled_from(("'s", "’s", "s", "-"))),
        texts(controls=False, max_pieces=2),
        st.builds("[{}]({})".format, label, url),
        st.builds("![{}]({})".format, label, url),
        url.map(lambda u: f"<{u}>"),
        label.map(lambda t: f"`{t}`"),
        label.map(lambda t: f"*{t}*"),
        st.integers(0, 2).map(lambda n: f"[ref {n}][r{n}]"),
        st.sampled_from(RAW_HTML),
    )
    return st.lists(piece, min_size=1, max_size=8).map(" ".join)


@cache
def markdown_bodies(mode: Mode, forms: tuple[str, ...]) -> st.SearchStrategy[str]:
    """A Markdown body: paragraphs, headings, code, raw HTML, lists, quotes, tables."""
    line = inline_markdown(mode, forms)
    block = st.one_of(
        line,
        line,
        st.builds(lambda n, t: "#" * n + " " + t, st.integers(1, 6), line),
        line.map(lambda t: f"```\n{t}\n```"),
        line.map(lambda t: f"    {t}"),
        line.map(lambda t: f"<div onclick=alert(1)>\n{t}\n</div>"),
        st.builds(lambda n, u: f"[r{n}]: {u}", st.integers(0, 2), urls(mode)),
        line.map(lambda t: f"- {t}\n- {t}"),
        line.map(lambda t: f"> {t}"),
        line.map(lambda t: f"| a | b |\n|---|---|\n| {t} | x |"),
    )
    return st.lists(block, min_size=1, max_size=6).map(lambda blocks: "\n\n".join(blocks) + "\n")


@st.composite
def facts(draw: st.DrawFn, mode: Mode, forms: tuple[str, ...]) -> Map:
    pairs: list[tuple[str, Node]] = [
        ("label", draw(text_scalars(mode))),
        ("value", draw(quoted(mode, draw(inline_markdown(mode, forms))))),
    ]
    if draw(st.booleans()):
        pairs.append(("as_of", Scalar(draw(st.sampled_from(DATES)), "plain")))
    if draw(st.booleans()):
        pool = SAFE_URLS + (UNSAFE_URLS if mode.wild else ())
        source = draw(st.one_of(st.sampled_from(pool), texts(controls=False, max_pieces=2)))
        if not mode.wild:
            source = _without_format_characters(source).strip() + " z"
        pairs.append(("source", draw(quoted(mode, source))))
    return Map(tuple(pairs))


@st.composite
def entries(
    draw: st.DrawFn, mode: Mode, entry_id: str | None, name: str, aliases: tuple[str, ...]
) -> Map:
    pairs: list[tuple[str, Node]] = []
    if entry_id is not None:
        pairs.append(("id", Scalar(entry_id, "plain" if mode.wild else "double")))
    pairs.append(("name", draw(quoted(mode, name))))
    if draw(st.booleans()):
        pairs.append(("kind", Scalar(draw(st.sampled_from(KINDS)), "plain")))
    if aliases:
        pairs.append(("aliases", Seq(tuple(draw(quoted(mode, a)) for a in aliases))))
    if draw(st.integers(0, 3)):
        pairs.append(("summary", draw(quoted(mode, draw(inline_markdown(mode, NAMES))))))
    found = draw(st.lists(facts(mode, NAMES), max_size=2))
    if found:
        pairs.append(("facts", Seq(tuple(found))))
    if draw(st.integers(0, 4)) == 0:
        pairs.append(("wikidata", Scalar(draw(st.sampled_from(("Q7747", "Q1", "q12", "Q0"))))))
    if mode.wild and draw(st.integers(0, 5)) == 0:
        key = draw(st.sampled_from(("nmae", "bogus", "<script>", "name")))
        pairs.append((key, draw(text_scalars(mode))))
    return Map(tuple(pairs))


@dataclass(frozen=True)
class Glossary:
    entries: tuple[Map, ...]
    ids: tuple[str, ...]
    forms: tuple[str, ...]


@st.composite
def glossaries(draw: st.DrawFn, mode: Mode) -> Glossary:
    count = draw(st.integers(0, 5))
    if mode.wild:
        ids = [draw(st.sampled_from((*GOOD_IDS, *BAD_IDS, None))) for _ in range(count)]
        any_name = st.one_of(st.sampled_from(NAMES), texts(controls=mode.controls))
        names = [draw(any_name) for _ in ids]
        aliases = [tuple(draw(st.lists(st.sampled_from(NAMES), max_size=2))) for _ in ids]
    else:
        ids = draw(st.lists(st.sampled_from(GOOD_IDS), min_size=count, max_size=count, unique=True))
        forms = draw(st.permutations(NAMES))
        names = list(forms[:count])
        spare = list(forms[count:])
        aliases = [tuple(spare[i : i + 1]) if draw(st.booleans()) else () for i in range(count)]
    made = tuple(draw(entries(mode, i, n, a)) for i, n, a in zip(ids, names, aliases, strict=True))
    forms_used = tuple(n for n in names if n) + tuple(a for group in aliases for a in group)
    return Glossary(made, tuple(i for i in ids if i), forms_used)


@st.composite
def front_matters(draw: st.DrawFn, mode: Mode) -> str:
    dates = TIMES + (BAD_TIMES if mode.wild else ())
    pairs: list[tuple[str, Node]] = [
        ("title", draw(text_scalars(mode))),
        ("section", draw(text_scalars(mode))),
        ("date", Scalar(draw(st.sampled_from(dates)), "plain")),
    ]
    if draw(st.booleans()):
        pairs.append(("dek", draw(text_scalars(mode))))
    if draw(st.booleans()):
        pairs.append(("byline", draw(text_scalars(mode))))
    if draw(st.booleans()):
        pairs.append(("tags", Seq(tuple(draw(st.lists(text_scalars(mode), max_size=3))))))
    if draw(st.booleans()):
        pairs.append(("updated", Scalar(draw(st.sampled_from(UPDATED)), "plain")))
    if mode.wild and draw(st.integers(0, 4)) == 0:
        draft = draw(st.sampled_from(("true", "false", "yes", '"false"')))
        pairs.append(("draft", Scalar(draft, "plain")))
    order = draw(st.permutations(pairs))
    return "---\n" + yaml_text(Map(tuple(order))) + "---\n"


@st.composite
def who_files(draw: st.DrawFn, mode: Mode, glossary: Glossary, forms: tuple[str, ...]) -> str:
    items: list[Node] = []
    ids = glossary.ids + (GOOD_IDS + BAD_IDS if mode.wild else ())
    for _ in range(draw(st.integers(0, 3))):
        as_ref: bool = draw(st.booleans())
        if ids and as_ref:
            pairs: list[tuple[str, Node]] = [("ref", Scalar(draw(st.sampled_from(ids)), "plain"))]
            if draw(st.booleans()):
                story = draw(inline_markdown(mode, forms))
                pairs.append(("in_this_story", draw(quoted(mode, story))))
            if mode.wild and draw(st.booleans()):
                pairs.append(("said", Seq((draw(text_scalars(mode)),))))
            items.append(Map(tuple(pairs)))
        elif mode.wild:
            items.append(draw(entries(mode, None, draw(st.sampled_from(NAMES)), ())))
    return yaml_text(Seq(tuple(items))) if items else ""


@st.composite
def what_files(draw: st.DrawFn, mode: Mode, forms: tuple[str, ...]) -> str:
    pairs: list[tuple[str, Node]] = [
        ("summary", draw(quoted(mode, draw(inline_markdown(mode, forms)))))
    ]
    if draw(st.booleans()):
        pairs.append(("when", Scalar(draw(st.sampled_from(DATES)), "plain")))
    if draw(st.booleans()):
        found = draw(st.lists(facts(mode, forms), min_size=1, max_size=2))
        pairs.append(("key_facts", Seq(tuple(found))))
    if draw(st.booleans()):
        why = draw(inline_markdown(mode, forms))
        pairs.append(("why_it_matters", draw(quoted(mode, why))))
    return yaml_text(Map(tuple(pairs)))


@st.composite
def background_files(
    draw: st.DrawFn, mode: Mode, glossary: Glossary, forms: tuple[str, ...]
) -> str:
    events: list[Node] = []
    for _ in range(draw(st.integers(1, 3))):
        pairs: list[tuple[str, Node]] = [
            ("date", Scalar(draw(st.sampled_from(PARTIAL_DATES)), "plain")),
            ("title", draw(text_scalars(mode))),
        ]
        if draw(st.booleans()):
            pairs.append(("summary", draw(quoted(mode, draw(inline_markdown(mode, forms))))))
        ids = glossary.ids + (BAD_IDS if mode.wild else ())
        with_mentions: bool = draw(st.booleans())
        if ids and with_mentions:
            mentions = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True))
            pairs.append(("mentions", Seq(tuple(Scalar(i, "plain") for i in mentions))))
        if draw(st.booleans()):
            pool = SAFE_URLS + (UNSAFE_URLS if mode.wild else ())
            pairs.append(("source", draw(quoted(mode, draw(st.sampled_from(pool))))))
        events.append(Map(tuple(pairs)))
    return yaml_text(Seq(tuple(events)))


@st.composite
def mangled(draw: st.DrawFn, data: str) -> str | bytes:
    """What an editor's tools may do to a file: CRLF, a byte-order mark, bad bytes."""
    choice = draw(st.sampled_from(("none", "none", "none", "crlf", "bom", "latin1", "nul")))
    if choice == "crlf":
        return data.replace("\n", "\r\n")
    if choice == "bom":
        return b"\xef\xbb\xbf" + data.encode("utf-8")
    if choice == "latin1":
        return data.encode("utf-8") + b"\xe9t\xe9\n"
    if choice == "nul":
        return data.encode("utf-8") + b"\x00\n"
    return data


@st.composite
def sites(draw: st.DrawFn, *, controls: bool = False) -> dict[str, str | bytes]:
    """A whole site as {relative path: text or bytes}."""
    mode = Mode(wild=draw(st.booleans()), controls=controls)
    config: list[tuple[str, Node]] = [
        ("title", Scalar(draw(tame_texts(controls=controls)))),
        ("base_url", Scalar("https://example.org/news/")),
        ("output", Scalar("public")),
        ("stale_after_days", Scalar("100000", "plain")),
    ]
    if draw(st.booleans()):
        config.append(("description", draw(text_scalars(mode))))
    if draw(st.booleans()):
        config.append(("language", Scalar(draw(st.sampled_from(("en", "ru", "ko", "de-CH"))))))
    files: dict[str, str | bytes] = {SITE_YAML: yaml_text(Map(tuple(config)))}
    glossary = draw(glossaries(mode))
    if glossary.entries:
        files["content/glossary/entries.yaml"] = yaml_text(Seq(glossary.entries))
    forms = glossary.forms
    paths = BUNDLE_PATHS + (WILD_BUNDLE_PATHS if mode.wild else ())
    for path in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3, unique=True)):
        folder = f"content/{path}"
        body = draw(markdown_bodies(mode, forms))
        files[f"{folder}/article.md"] = draw(front_matters(mode)) + body
        who = draw(who_files(mode, glossary, forms))
        if who:
            files[f"{folder}/who.yaml"] = who
        if draw(st.booleans()):
            files[f"{folder}/what.yaml"] = draw(what_files(mode, forms))
        if draw(st.booleans()):
            files[f"{folder}/background.yaml"] = draw(background_files(mode, glossary, forms))
    if mode.wild:
        victim = draw(st.sampled_from(sorted(files)))
        text = files[victim]
        assert isinstance(text, str)
        files[victim] = draw(mangled(text))
    return files


def write_site(root: Path, files: dict[str, str | bytes]) -> None:
    for relative, data in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            target.write_bytes(data)
        else:
            target.write_text(data, encoding="utf-8", newline="")


# --- what must hold for every run -------------------------------------------------

DIAGNOSTIC_LINE = re.compile(
    r"(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): (?P<message>.+)"
)
SUMMARY_LINE = re.compile(
    r"(?P<errors>\d+) errors?, (?P<warnings>\d+) warnings? in (?P<files>\d+) files?"
)
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
DEFAULT_THEME_ROOT = Path(__file__).resolve().parent.parent  # holds templates/
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def _line_count(file: Path) -> int:
    text = file.read_bytes().decode("utf-8", "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


def check_stderr(site: Path, code: int, err: str) -> list[tuple[str, int, int, str]]:
    """Every line of stderr is a diagnostic or the summary; the diagnostics, parsed."""
    assert code in (0, 1), f"exit {code}\n{err}"
    assert "Traceback" not in err, err
    assert "internal error" not in err, err
    assert not any(ch in _CONTROL_SET or ch == "\x1b" for ch in err.replace("\n", "")), repr(err)
    lines = err.split("\n")
    assert lines[-1] == "", f"stderr does not end with a newline: {err!r}"
    found: list[tuple[str, int, int, str]] = []
    summary: re.Match[str] | None = None
    for number, line in enumerate(lines[:-1]):
        match = DIAGNOSTIC_LINE.fullmatch(line)
        if match is None:
            summary = SUMMARY_LINE.fullmatch(line)
            assert summary is not None and number == len(lines) - 2, f"stray line {line!r}"
            continue
        path, row, col = match["path"], int(match["line"]), int(match["col"])
        assert not PurePosixPath(path).is_absolute() and ".." not in PurePosixPath(path).parts
        assert row >= 1 and col >= 1, line
        where = site / path
        if not (where.exists() or where.is_symlink()):
            where = DEFAULT_THEME_ROOT / path  # a problem in the builder's own theme
        assert where.exists() or where.is_symlink(), f"{line}: no such path in the site"
        if where.is_file():
            assert row <= _line_count(where) + 1, f"{line}: past the end of the file"
        found.append((path, row, col, match["severity"]))
    assert found == sorted(found, key=lambda d: d[:3]), "diagnostics are not in order"
    errors = sum(1 for d in found if d[3] == "error")
    if found:
        assert summary is not None, err
        assert int(summary["errors"]) == errors, err
        assert int(summary["warnings"]) == len(found) - errors, err
        assert int(summary["files"]) == len({d[0] for d in found}), err
    else:
        assert summary is None, err
    assert (code == 1) == (errors > 0), err
    return found


def is_safe_url(url: str) -> bool:
    """http, https, mailto or relative, as a browser would read the scheme: after
    dropping controls and tabs anywhere and white space at the ends, only a scheme
    name and a colon at the very start make a scheme (RFC 3986); the rest is relative."""
    for reading in (url, unquote(url)):
        cleaned = "".join(ch for ch in reading if unicodedata.category(ch)[0] != "C").strip()
        match = _SCHEME.match(cleaned)
        if match is not None and match.group(1).lower() not in SAFE_SCHEMES:
            return False
    return True


VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "srcset", "data"})


@dataclass
class Script:
    attrs: dict[str, str | None]
    text: str = ""


class StrictPage(HTMLParser):
    """Reads a page and records what the checks need, and every markup problem."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []
        self.scripts: list[Script] = []
        self.urls: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.terms: list[tuple[str, str]] = []  # (data-term, href)
        self.metas: list[dict[str, str | None]] = []
        self.first_script_index: int | None = None
        self.csp_index: int | None = None
        self.tags_seen = 0
        self._script: Script | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags_seen += 1
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.problems.append(f"duplicate attribute in <{tag}>: {names}")
        found = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler attribute {name} on <{tag}>")
            if name == "style":
                self.problems.append(f"inline style on <{tag}>, which the CSP blocks")
            if name in URL_ATTRIBUTES and value is not None:
                self.urls.append((tag, name, value))
        if "data-term" in found:
            self.terms.append((found["data-term"] or "", found.get("href") or ""))
        if tag == "meta":
            self.metas.append(found)
            if (found.get("http-equiv") or "").lower() == "content-security-policy":
                self.csp_index = self.tags_seen
        if tag == "script":
            self._script = Script(found)
            self.scripts.append(self._script)
            if self.first_script_index is None:
                self.first_script_index = self.tags_seen
        if tag == "style":
            self.problems.append("inline <style> element, which the CSP blocks")
        if tag not in VOID_ELEMENTS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.problems.append(f"self-closing <{tag}/>")
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS:
            self.problems.append(f"end tag for void element </{tag}>")
        elif not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1] if self.open else None}>")
        else:
            self.open.pop()
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.text += data
        else:
            self.text.append(data)

    def close(self) -> None:
        super().close()
        if self.open:
            self.problems.append(f"unclosed elements {self.open}")


def read_html(file: Path) -> StrictPage:
    page = StrictPage()
    page.feed(file.read_text(encoding="utf-8"))
    page.close()
    return page


def csp_directives(page: StrictPage) -> dict[str, list[str]]:
    metas = [
        m for m in page.metas if (m.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    assert len(metas) == 1, f"{len(metas)} CSP meta elements"
    policy = metas[0].get("content") or ""
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def check_csp(page: StrictPage, where: str) -> None:
    """A CSP that forbids inline script, stated before any script could run."""
    directives = csp_directives(page)
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src is not None, f"{where}: no script-src or default-src"
    for loose in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert loose not in script_src, f"{where}: script-src allows {loose}"
    assert directives.get("object-src") == ["'none'"], f"{where}: object-src"
    assert "base-uri" in directives, f"{where}: base-uri"
    assert page.csp_index is not None
    if page.first_script_index is not None:
        assert page.csp_index < page.first_script_index, f"{where}: CSP comes after a script"


def check_scripts(page: StrictPage, where: str) -> list[Any]:
    """Scripts load from files; the only inline one is JSON-LD, and it parses. The JSON."""
    found = []
    for script in page.scripts:
        if script.attrs.get("src"):
            assert not script.text.strip(), f"{where}: a script with src and a body"
            continue
        assert script.attrs.get("type") == "application/ld+json", f"{where}: inline {script}"
        assert "\u2028" not in script.text and "\u2029" not in script.text, where
        found.append(json.loads(script.text))
    return found


def html_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if p.is_file())


def check_output(out: Path) -> None:
    """What every successful build publishes, whatever its input."""
    files = [p for p in out.rglob("*") if p.is_file()]
    assert (out / "index.html").is_file()
    for file in files:
        data = file.read_bytes()
        text = data.decode("utf-8")  # every output file is UTF-8
        where = file.relative_to(out).as_posix()
        if file.suffix == ".xml":
            ElementTree.fromstring(data)
            assert "<script" not in text.lower(), where
    for file in html_files(out):
        where = file.relative_to(out).as_posix()
        page = read_html(file)
        assert page.problems == [], f"{where}: {page.problems}"
        check_csp(page, where)
        check_scripts(page, where)
        for tag, attribute, value in page.urls:
            if (tag, attribute, value) == ("link", "href", "data:,"):
                continue  # the theme's empty favicon, which spares a request for /favicon.ico
            assert is_safe_url(value), f"{where}: <{tag} {attribute}={value!r}>"
        for term, href in page.terms:
            target = _resolve(file, href)
            assert target is not None and target.is_relative_to(out.resolve()), (where, href)
            assert (target / "index.html").is_file() or target.is_file(), (where, href)
            assert (out / "glossary" / term / "index.html").is_file(), (where, term)


def _resolve(page: Path, href: str) -> Path | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    return (page.parent / unquote(parts.path)).resolve()


def tree_state(
    root: Path, skip: Callable[[Path], bool] = lambda _: False, *, times: bool = True
) -> dict[str, Any]:
    """Everything below a folder: bytes, links as their targets, and modification times."""
    state: dict[str, Any] = {}
    for path in sorted(root.rglob("*")):
        if skip(path):
            continue
        key = path.relative_to(root).as_posix()
        time = path.lstat().st_mtime_ns if times else None
        if path.is_symlink():
            state[key] = ("link", str(path.readlink()), time)
        elif path.is_dir():
            state[key] = ("dir", time)
        else:
            state[key] = ("file", path.read_bytes(), time)
    return state


def file_bytes(root: Path, names: Iterable[Path] | None = None) -> dict[str, bytes]:
    files = names if names is not None else (p for p in root.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(files)}
