"""Hostile input, one class per test: what the builder refuses, escapes and never loses.

Each test writes a tiny hostile site into tmp_path (the shape of the repository's
site.yaml: title, base_url, output) and runs the command line on it, in this
process or, where a process must die, in a child. The classes follow SECURITY.md:
markup in text, JSON-LD, URL schemes, the Content-Security-Policy, YAML, paths,
Unicode, and nothing lost.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import pickle
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import unicodedata
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import pytest

from builder.commands.cli import main
from tests.conftest import write_files
from tests.strategies import (
    DIAGNOSTIC_LINE,
    SUMMARY_LINE,
    StrictPage,
    check_csp,
    check_output,
    check_scripts,
    check_stderr,
    double_quoted,
    file_bytes,
    html_files,
    read_html,
    tree_state,
)

REPOSITORY = Path(__file__).resolve().parents[2]
SITE_YAML = "title: Hostile test site\nbase_url: https://example.org/news/\noutput: public\n"
GLOSSARY = "content/glossary/terms.yaml"
ARTICLE = "content/world/story/article.md"
WHO = "content/world/story/who.yaml"
WHAT = "content/world/story/what.yaml"
WHERE = "content/world/story/where.yaml"
BACKGROUND = "content/world/story/background.yaml"
FRONT = "---\ntitle: A story\nsection: World\ndate: 2023-09-15\n---\n"
BASE: dict[str, str | bytes] = {
    "site.yaml": SITE_YAML,
    GLOSSARY: "- id: kim\n  name: Kim Jong Un\n  aliases: [Kim]\n  summary: Leader.\n",
    ARTICLE: FRONT + "Kim met officials.\n",
}

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{SCRIPT} {IMG}"
RAW_MARKUP = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")


# --- running the builder -------------------------------------------------------


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.err.splitlines()

    @property
    def errors(self) -> list[str]:
        return [line for line in self.lines if ": error: " in line]


Runner = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Runner:
    """`python -m builder ARGS` in this process."""

    def go(*args: str | Path) -> Result:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return go


@pytest.fixture
def site(tmp_path: Path) -> Callable[..., Path]:
    """The base site with some files replaced (None removes one); its folder."""

    def make(files: dict[str, str | bytes | None] | None = None) -> Path:
        return write_files(tmp_path / "site", {**BASE, **(files or {})})

    return make


def subprocess_build(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    finished = subprocess.run(
        [sys.executable, "-m", "builder", "build", "--quiet", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
        check=False,
    )
    return Result(finished.returncode, finished.stdout, finished.stderr)


def refused(result: Result, *prefixes: str) -> None:
    """Exit 1, and exactly one error line starting with each prefix, in that order."""
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    assert len(result.errors) == len(prefixes), result.err
    for prefix, line in zip(prefixes, result.errors, strict=True):
        assert line.startswith(prefix), result.err
    assert SUMMARY_LINE.fullmatch(result.lines[-1]), result.err


def written(root: Path) -> dict[str, object]:
    """What is below a folder, by content: a folder's time changes with a staging folder."""
    return tree_state(root, times=False)


def page_text(page: StrictPage) -> str:
    return "".join(page.text)


# --- (a) markup in every text field is escaped, never passed through -------------


def hostile_site() -> dict[str, str | bytes | None]:
    """Every text field of every file holds PAYLOAD, after a label naming the field."""

    def q(label: str) -> str:
        return double_quoted(f"{label} {PAYLOAD}")

    quote = f"Quote {PAYLOAD}"
    return {
        "site.yaml": SITE_YAML.replace("title: Hostile test site", f"title: {q('Site')}")
        + f"description: {q('Description')}\n",
        GLOSSARY: (
            f"- id: evil\n  name: {q('Evil')}\n  aliases: [{q('Alias')}]\n"
            f"  summary: {q('Summary')}\n  facts:\n"
            f"    - label: {q('Label')}\n      value: {q('Value')}\n"
            f"      source: {q('Source')}\n"
        ),
        ARTICLE: (
            f"---\ntitle: {q('Title')}\ndek: {q('Dek')}\nsection: {q('Section')}\n"
            f"byline: {q('Byline')}\ntags: [{q('Tag')}]\ndate: 2023-09-15\n"
            "authors: [evil-writer]\n---\n"
            f"Evil {PAYLOAD} met Place {PAYLOAD} and said: {quote}\n\n"
            f'{SCRIPT}\n\n<div onclick="alert(1)">Raw {PAYLOAD}</div>\n\n'
            f'Inline <img src=x onerror=alert(1)> and <a href="javascript:alert(1)">a</a>.\n'
        ),
        WHO: (
            f"- ref: evil\n  in_this_story: {q('Story')}\n  said:\n    - {double_quoted(quote)}\n"
        ),
        WHERE: f"- id: place\n  name: {q('Place')}\n  summary: {q('Where')}\n",
        "content/authors.yaml": (
            f"- id: evil-writer\n  name: {q('Writer')}\n  role: {q('Role')}\n"
            # A URL cannot hold markup at all: its characters are refused (tested with URLs)
            f"  bio: {q('Bio')}\n  url: https://example.org/writer\n"
        ),
        WHAT: (
            f"summary: {q('What')}\nwhy_it_matters: {q('Why')}\nkey_facts:\n"
            f"  - label: {q('Key')}\n    value: {q('Keyvalue')}\n    source: {q('Keysource')}\n"
        ),
        BACKGROUND: (
            f"- date: 2000-07\n  title: {q('Background')}\n  summary: {q('Then')}\n"
            f"  mentions: [evil]\n  source: {q('Bgsource')}\n"
        ),
    }


# Which page shows which field, by the label that starts its value.
SHOWN_ON = {
    "world/story/index.html": (
        *("Site", "Title", "Dek", "Section", "Byline", "Tag", "Story", "Quote", "What", "Why"),
        "Writer",
        *("Key", "Keyvalue", "Keysource", "Background", "Then", "Bgsource", "Evil", "Place"),
        "Raw",
    ),
    "glossary/evil/index.html": ("Evil", "Alias", "Summary", "Label", "Value", "Source"),
    "glossary/place/index.html": ("Place", "Where"),
    "authors/evil-writer/index.html": ("Writer", "Role", "Bio", "Title", "Dek"),
    "authors/index.html": ("Writer", "Role"),
    "index.html": ("Site", "Description", "Title", "Dek"),
}


def test_markup_in_every_text_field_is_escaped_on_every_page(
    site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    folder = site(hostile_site())
    out = tmp_path / "out"
    result = run("build", "--quiet", "--site", folder, "--out", out)
    assert (result.code, result.err) == (0, ""), result.err
    for file in (p for p in out.rglob("*") if p.is_file()):
        text = file.read_text(encoding="utf-8").lower()
        for raw in RAW_MARKUP:
            assert raw not in text, f"{file.relative_to(out)} holds {raw} unescaped"
    check_output(out)  # no script but files and JSON-LD, no handler, balanced markup
    for relative, labels in SHOWN_ON.items():
        text = page_text(read_html(out / relative))
        for label in labels:
            assert f"{label} {PAYLOAD}" in text, f"{relative} does not show {label} as text"
    article = read_html(out / "world/story/index.html")
    shown = page_text(article)
    assert f'<div onclick="alert(1)">Raw {PAYLOAD}</div>' in shown  # raw HTML, as text
    assert 'Inline <img src=x onerror=alert(1)> and <a href="javascript:alert(1)">a</a>.' in shown
    description = next(m for m in article.metas if m.get("name") == "description")
    assert description.get("content") == f"Dek {PAYLOAD}"
    feed = ElementTree.parse(out / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    assert [e.findtext(f"{atom}title") for e in feed.iter(f"{atom}entry")] == [f"Title {PAYLOAD}"]


# --- (b) JSON-LD stays inside its script element ------------------------------------

BREAKOUT = "Headline </script><script>alert(1)</script> <!-- a\u2028b\u2029c </SCRIPT >"


def ld_json(page: StrictPage) -> list[dict[str, Any]]:
    return [
        json.loads(s.text) for s in page.scripts if s.attrs.get("type") == "application/ld+json"
    ]


def test_json_ld_cannot_leave_its_script_element(
    site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    name = BREAKOUT.replace("Headline", "Name")
    folder = site(
        {
            ARTICLE: f"---\ntitle: {double_quoted(BREAKOUT)}\nsection: World\n"
            "date: 2023-09-15\n---\nKim met officials.\n",
            GLOSSARY: f"- id: kim\n  name: {double_quoted(name)}\n  aliases: [Kim]\n"
            f"  summary: {double_quoted('Summary ' + BREAKOUT)}\n",
            WHO: "- ref: kim\n",
        }
    )
    out = tmp_path / "out"
    result = run("build", "--quiet", "--site", folder, "--out", out)
    assert (result.code, result.err) == (0, "")
    article = read_html(out / "world/story/index.html")
    entry = read_html(out / "glossary/kim/index.html")
    for page in (article, entry):
        assert [s.attrs for s in page.scripts if not s.attrs.get("src")] == [
            {"type": "application/ld+json"}
        ]
        raw = next(s.text for s in page.scripts if not s.attrs.get("src"))
        assert "\u2028" not in raw and "\u2029" not in raw
        assert "<" not in raw, raw
        check_scripts(page, "page")
    (news,) = ld_json(article)
    assert news["headline"] == BREAKOUT
    assert [thing["name"] for thing in news["about"]] == [name]
    (thing,) = ld_json(entry)
    assert thing["name"] == name
    assert thing["description"] == " ".join(("Summary " + BREAKOUT).split())


# --- (c) only http, https, mailto and relative URLs ---------------------------------

UNSAFE = (
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
)
PLACES = {
    # place: (file, text with {url}, expected "PATH:LINE:COL" of the error)
    "link": (ARTICLE, FRONT + "Kim.\n\nSee [x]({url}) now.\n", f"{ARTICLE}:8:9"),
    "image": (ARTICLE, FRONT + "Kim.\n\nSee ![x]({url}) now.\n", f"{ARTICLE}:8:10"),
    "autolink": (ARTICLE, FRONT + "Kim.\n\nSee <{url}> now.\n", f"{ARTICLE}:8:6"),
    "reference": (ARTICLE, FRONT + "Kim.\n\nSee [x][r] now.\n\n[r]: {url}\n", f"{ARTICLE}:8:"),
    "fact source": (
        GLOSSARY,
        "- id: kim\n  name: Kim\n  summary: S.\n  facts:\n"
        "    - label: Born\n      value: '1984'\n      source: '{url}'\n",
        f"{GLOSSARY}:7:15",
    ),
    "background source": (
        BACKGROUND,
        "- date: 2000\n  title: Earlier\n  source: '{url}'\n",
        f"{BACKGROUND}:3:11",
    ),
    "summary": (
        GLOSSARY,
        "- id: kim\n  name: Kim\n  summary: 'See [x]({url}).'\n",
        f"{GLOSSARY}:3:12",
    ),
    "in_this_story": (WHO, "- ref: kim\n  in_this_story: 'See <{url}>.'\n", f"{WHO}:2:18"),
    "key fact value": (
        WHAT,
        "summary: S.\nkey_facts:\n  - label: L\n    value: '![x]({url})'\n",
        f"{WHAT}:4:12",
    ),
}


@pytest.mark.parametrize("url", UNSAFE)
@pytest.mark.parametrize("place", PLACES)
def test_an_unsafe_url_is_refused_at_its_place(
    place: str, url: str, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    path, text, where = PLACES[place]
    folder = site({path: text.format(url=url)})
    before = written(tmp_path)
    result = run("build", "--site", folder)
    refused(result, f"{where}")
    (line,) = result.errors
    scheme = url.split(":", 1)[0].lower()
    assert url.lower() in line.lower() or f"the {scheme}: scheme" in line, line
    assert result.lines[-1] == "1 error, 0 warnings in 1 file"
    assert written(tmp_path) == before, "a refused build wrote something"


def test_http_https_mailto_and_relative_urls_are_published(
    site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    body = (
        "Kim. See [a](https://example.org/a?b=1&c=2), [b](http://example.org/b), "
        "[c](mailto:desk@example.org), [d](./), [e](#top), [f](../../static/style.css), "
        "<https://example.org/auto> and [g][r].\n\n[r]: HTTPS://EXAMPLE.ORG/ref\n"
    )
    folder = site(
        {
            ARTICLE: FRONT + body,
            GLOSSARY: "- id: kim\n  name: Kim\n  summary: 'See [h](https://example.org/h).'\n"
            "  facts:\n    - label: Born\n      value: '1984'\n"
            "      source: https://example.org/source\n",
            BACKGROUND: "- date: 2000\n  title: Earlier\n  source: mailto:desk@example.org\n",
        }
    )
    out = tmp_path / "out"
    result = run("build", "--quiet", "--site", folder, "--out", out)
    assert (result.code, result.err) == (0, "")
    check_output(out)
    article = {value for _, _, value in read_html(out / "world/story/index.html").urls}
    assert {
        "https://example.org/a?b=1&c=2",
        "http://example.org/b",
        "mailto:desk@example.org",
        "./index.html",  # a link to a page's folder is published as its index.html
        "#top",
        "../../static/style.css",
        "https://example.org/auto",
        "HTTPS://EXAMPLE.ORG/ref",
    } <= article
    entry = {value for _, _, value in read_html(out / "glossary/kim/index.html").urls}
    assert {"https://example.org/h", "https://example.org/source"} <= entry


# --- (d) the Content-Security-Policy of every page ----------------------------------


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """The repository's own example site, copied."""
    folder = tmp_path / "seed"
    shutil.copytree(REPOSITORY / "content", folder / "content")
    shutil.copy(REPOSITORY / "site.yaml", folder / "site.yaml")
    return folder


@pytest.mark.parametrize("which", ["seed", "hostile"])
def test_every_page_has_a_csp_without_inline_script_and_no_inline_script(
    which: str, seed_copy: Path, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    folder = seed_copy if which == "seed" else site(hostile_site())
    out = tmp_path / "out"
    result = run("build", "--quiet", "--site", folder, "--out", out)
    assert result.code == 0, result.err
    pages = html_files(out)
    assert len(pages) >= 5
    for file in pages:
        where = file.relative_to(out).as_posix()
        page = read_html(file)
        check_csp(page, where)
        check_scripts(page, where)
        assert page.problems == [], (where, page.problems)
        inline = [s for s in page.scripts if not s.attrs.get("src")]
        assert all(s.attrs.get("type") == "application/ld+json" for s in inline), where


def test_the_csp_checks_can_fail() -> None:
    """The checkers above catch what they look for."""
    bad = StrictPage()
    bad.feed(
        "<html><head><script>alert(1)</script><meta http-equiv=Content-Security-Policy "
        "content=\"script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'\">"
        "</head><body onload=x></body></html>"
    )
    bad.close()
    with pytest.raises(AssertionError, match="unsafe-inline"):
        check_csp(bad, "bad")
    with pytest.raises(AssertionError, match="inline"):
        check_scripts(bad, "bad")
    assert any("onload" in problem for problem in bad.problems)


# --- (e) YAML: no code, no expansion, no surprise values ------------------------------

BOMB = "".join(
    f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9 if previous else ['"lol"'] * 9) + "]\n"
    for previous, name in zip([None, *"abcdefgh"], "abcdefghi", strict=True)
)


def test_an_alias_bomb_is_refused_without_expanding_it(
    site: Callable[..., Path], run: Runner
) -> None:
    folder = site({WHAT: BOMB})
    result = run("check", "--site", folder)
    assert result.code == 1
    aliases = [e for e in result.errors if "YAML aliases (*name) are not allowed" in e]
    anchors = [e for e in result.errors if "YAML anchors (&" in e]
    assert len(aliases) == BOMB.count("*") == 72  # each alias once: nothing was expanded
    assert len(anchors) == 9
    assert anchors[0] == (
        f"{WHAT}:1:4: error: YAML anchors (&a) are not allowed; write the value out"
    )
    assert aliases[0].startswith(f"{WHAT}:2:8: error: ")
    assert len(result.lines) < 200


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        "!!python/name:os.system",
        "!custom '{marker}'",
        "!!binary aGk=",
    ],
)
def test_a_yaml_tag_is_refused_and_never_constructed(
    value: str, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    folder = site({GLOSSARY: f"- id: kim\n  name: {value.format(marker=marker)}\n"})
    result = run("build", "--site", folder)
    assert result.code == 1
    assert any(
        e.startswith(f"{GLOSSARY}:2:9: error: YAML tags (") and "are not allowed" in e
        for e in result.errors
    ), result.err
    assert not marker.exists()
    assert not (folder / "public").exists()


def test_duplicate_keys_are_refused(site: Callable[..., Path], run: Runner) -> None:
    folder = site(
        {GLOSSARY: "- id: kim\n  name: Kim\n  summary: One.\n  name: Kimmy\n  summary: Two.\n"}
    )
    refused(
        run("check", "--site", folder),
        f"{GLOSSARY}:4:3: error: duplicate key 'name' (first at line 2)",
        f"{GLOSSARY}:5:3: error: duplicate key 'summary' (first at line 3)",
    )


def test_an_over_size_file_is_refused_before_it_is_parsed(
    site: Callable[..., Path], run: Runner
) -> None:
    broken = "- name: !!python/object/apply:os.system ['id']\n  summary: [unclosed\n"
    padded = broken + "# " + "x" * 300 + "\n"
    folder = site({"site.yaml": SITE_YAML + "max_file_bytes: 300\n", WHO: padded})
    result = run("check", "--site", folder)
    size = len(padded.encode())
    refused(result, f"{WHO}:1:1: error: file is {size:,} bytes, over the limit of 300")
    assert "YAML tags" not in result.err  # not parsed: neither the tag
    assert "invalid YAML" not in result.err  # nor the syntax error


@pytest.mark.parametrize("value", ["NO", "on", "1:30", "017", "yes", "Off", "0x1F", "12"])
@pytest.mark.parametrize("field", ["dek", "title", "byline"])
def test_yaml_1_1_values_in_text_fields_must_be_quoted(
    field: str, value: str, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    fields = {"title": "A story", "dek": "D", "byline": "B"}
    fields[field] = value
    front = "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items())
    front += "section: World\ndate: 2023-09-15\n---\nKim.\n"
    line = 2 + list(fields).index(field)
    col = len(field) + 3
    result = run("check", "--site", site({ARTICLE: front}))
    refused(result, f"{ARTICLE}:{line}:{col}: error: '{field}' must be text")
    assert f'put it in quotes: "{value}"' in result.errors[0]
    quoted = front.replace(f"{field}: {value}\n", f'{field}: "{value}"\n')
    out = tmp_path / "out"
    built = run("build", "--quiet", "--site", site({ARTICLE: quoted}), "--out", out)
    assert (built.code, built.err) == (0, "")
    (news,) = ld_json(read_html(out / "world/story/index.html"))
    author = news["author"][0]["name"]
    shown = {"title": news["headline"], "dek": news["description"], "byline": author}
    assert shown[field] == value


# --- (f) paths: ids, folders, symlinks and the output folder --------------------------


@pytest.mark.parametrize("bad_id", ["../../etc", "a/b", "..", "/etc/passwd", "a\\b", "x/../y"])
def test_an_id_that_is_a_path_is_refused(
    bad_id: str, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    folder = site(
        {
            GLOSSARY: f"- id: {double_quoted(bad_id)}\n  name: Kim\n  summary: S.\n",
            WHO: f"- ref: {double_quoted(bad_id)}\n",
        }
    )
    before = written(tmp_path)
    result = run("build", "--site", folder)
    refused(
        result,
        f"{GLOSSARY}:1:7: error: '{bad_id}' is not a valid id",
        f"{WHO}:1:8: error: '{bad_id}' is not a valid id",
    )
    assert written(tmp_path) == before


@pytest.mark.parametrize("folder_name", ["World", "a..b", "a.b", "has space", "x_y", "wörld"])
def test_a_bundle_folder_that_is_not_a_plain_name_is_refused(
    folder_name: str, site: Callable[..., Path], run: Runner
) -> None:
    article = f"content/world/{folder_name}/article.md"
    result = run("check", "--site", site({article: FRONT + "Kim.\n"}))
    refused(result, f"{article}:1:1: error: folder name '{folder_name}' is not allowed")


@pytest.mark.parametrize("folder_name", ["..x", ".hidden", "..."])
def test_a_dot_folder_is_never_published(
    folder_name: str, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    folder = site({f"content/world/{folder_name}/article.md": FRONT + "Kim.\n"})
    out = tmp_path / "out"
    result = run("build", "--quiet", "--site", folder, "--out", out)
    assert result.code == 0, result.err
    published = [p.relative_to(out).as_posix() for p in out.rglob("*")]
    assert not [p for p in published if "/." in "/" + p and not p.startswith(".explainer")]
    assert "world/story/index.html" in published


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the site with a secret file and a whole bundle in it."""
    folder = tmp_path / "outside"
    write_files(
        folder,
        {
            "secret.yaml": "- id: secret\n  name: Secret\n  summary: TOP-SECRET.\n",
            "bundle/article.md": FRONT + "TOP-SECRET.\n",
        },
    )
    return folder


@pytest.mark.parametrize(
    ("link", "target"),
    [
        ("content/glossary/secret.yaml", "secret.yaml"),
        ("content/world/leak", "bundle"),
        ("content/world/story/who.yaml", "secret.yaml"),
        ("content/world/dangling", "no-such-file"),
    ],
)
def test_a_symlink_under_content_leading_outside_is_refused(
    link: str,
    target: str,
    outside: Path,
    site: Callable[..., Path],
    run: Runner,
    tmp_path: Path,
) -> None:
    folder = site({WHO: None})
    (folder / link).symlink_to(outside / target)
    result = run("build", "--site", folder)
    refused(result, f"{link}:1:1: error: symbolic link leads outside the site folder")
    assert "TOP-SECRET" not in result.err
    assert not (folder / "public").exists()


def test_content_itself_as_a_symlink_leading_outside_is_refused(
    outside: Path, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    folder = write_files(tmp_path / "site", {"site.yaml": SITE_YAML})
    write_files(outside / "content", {k: v for k, v in BASE.items() if k.startswith("content/")})
    (folder / "content").symlink_to(outside / "content" / "content")
    result = run("build", "--site", folder)
    refused(result, "content:1:1: error: symbolic link leads outside the site folder")


def test_a_symlink_under_templates_static_leading_outside_is_refused(
    outside: Path, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    folder = site()
    (folder / "templates/static").mkdir(parents=True)
    (folder / "templates/static/leak.yaml").symlink_to(outside / "secret.yaml")
    out = tmp_path / "out"
    result = run("build", "--quiet", "--site", folder, "--out", out)
    assert not (out / "static/leak.yaml").exists()
    if result.code == 1:
        assert any(e.startswith("templates/static/leak.yaml:") for e in result.errors)


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (".", "is the site folder or contains it"),
        ("..", "is the site folder or contains it"),
        ("/", "is the site folder or contains it"),
        ("content", "is inside content/"),
        ("content/world", "is inside content/"),
        ("content/new", "is inside content/"),
        ("content/../content/x", "is inside content/"),
        ("templates", "is inside templates/"),
        ("site.yaml", "already holds files the builder did not make"),
    ],
)
def test_an_output_folder_that_would_destroy_sources_is_refused(
    out: str, message: str, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    folder = site()
    (folder / "templates").mkdir()
    target = out if out == "/" else folder / out
    before = tree_state(tmp_path)
    result = run("build", "--site", folder, "--out", target)
    assert result.code == 2, result.err
    assert result.lines[-1].startswith("error: output folder ") and message in result.lines[-1]
    assert tree_state(tmp_path) == before  # not a file, not a folder's time


def test_an_output_folder_reached_through_a_symlink_is_checked_where_it_leads(
    site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    folder = site()
    (tmp_path / "to-site").symlink_to(folder)
    (tmp_path / "to-content").symlink_to(folder / "content")
    before = tree_state(tmp_path)
    for link in ("to-site", "to-content"):
        result = run("build", "--site", folder, "--out", tmp_path / link)
        assert result.code == 2, result.err
    assert tree_state(tmp_path) == before


@pytest.mark.parametrize(
    "bundle", ["../../escape", "world/../../escape", "world/..", "world/.hidden", "World/Story"]
)
def test_new_refuses_a_bundle_path_that_is_not_plain_names(
    bundle: str, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    folder = site()
    before = tree_state(tmp_path)
    result = run("new", bundle, "--site", folder)
    assert result.code == 2, result.err
    assert tree_state(tmp_path) == before


@pytest.mark.parametrize(
    "base_url",
    ["javascript://example.org/%0Aalert(1)", "data:text/html,x", "file:///etc/", "//example.org/"],
)
def test_a_base_url_that_is_not_http_is_refused(
    base_url: str, site: Callable[..., Path], run: Runner
) -> None:
    config = SITE_YAML.replace("https://example.org/news/", base_url)
    result = run("check", "--site", site({"site.yaml": config}))
    refused(result, "site.yaml:2:11: error: 'base_url' must be an absolute http or https URL")


@pytest.mark.parametrize("output", ["..", ".", "content", "content/public"])
def test_site_yaml_output_that_would_destroy_sources_is_refused(
    output: str, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    folder = site({"site.yaml": SITE_YAML.replace("output: public", f"output: {output}")})
    before = tree_state(tmp_path)
    result = run("build", "--site", folder)
    assert result.code == 2, result.err
    assert tree_state(tmp_path) == before


def test_an_output_folder_the_builder_did_not_make_is_left_untouched(
    site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    folder = site()
    mine = write_files(tmp_path / "mine", {"thesis.tex": "years of work", "sub/notes.md": "more"})
    before = tree_state(tmp_path)
    result = run("build", "--site", folder, "--out", mine)
    assert result.code == 2
    assert "already holds files the builder did not make" in result.err
    assert tree_state(tmp_path) == before


def test_an_output_name_with_glob_characters_deletes_nothing_beside_it(
    site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    folder = site()
    parent = write_files(
        tmp_path / "shared", {".other.tmp-123/work.txt": "keep", ".x.old-1/f": "keep"}
    )
    result = run("build", "--quiet", "--site", folder, "--out", parent / "*")
    assert result.code == 0
    assert (parent / ".other.tmp-123/work.txt").exists(), "another program's folder was deleted"
    assert (parent / ".x.old-1/f").exists(), "another program's folder was deleted"


def test_a_build_writes_nothing_outside_the_output_folder_but_its_cache(
    site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    folder = site(hostile_site())
    out = tmp_path / "out"
    cache = folder / ".cache"

    def skip(path: Path) -> bool:
        return any(path == f or f in path.parents for f in (out, cache))

    before = tree_state(tmp_path, skip, times=False)
    for _ in range(2):
        result = run("build", "--quiet", "--site", folder, "--out", out)
        assert result.code == 0, result.err
        assert tree_state(tmp_path, skip, times=False) == before
    # The incremental cache (SECURITY.md) is the one thing written beside the sources.
    kept = {p.name if p.name == ".gitignore" else p.suffix for p in cache.rglob("*") if p.is_file()}
    assert kept <= {".sqlite", ".summary", ".template", ".pickle", ".gitignore"}
    # check writes nothing at all
    everything = tree_state(tmp_path)
    assert run("check", "--site", folder).code == 0
    assert tree_state(tmp_path) == everything


def test_a_cache_file_the_builder_did_not_write_runs_no_code(
    site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    folder = site()
    assert run("build", "--quiet", "--site", folder).code == 0
    (cache,) = (folder / ".cache").rglob("*.sqlite")
    marker = tmp_path / "code-ran"
    planted = pickle.dumps(_OpensAFile(str(marker)))
    with sqlite3.connect(cache) as connection:  # every row, and a tag-length prefix or none
        for table in (
            "meta",
            "bundle",
            "article",
            "state",
            "glossary",
            "mentions",
            "details",
            "usage",
        ):
            connection.execute(f"UPDATE {table} SET value = ?", (planted,))
            connection.execute(
                f"INSERT OR REPLACE INTO {table} VALUES ('x', ?)", (b"0" * 16 + planted,)
            )
    walk = folder / ".cache/explainer/walk.pickle"  # the last walk of content/, planted too
    walk.write_bytes(planted)
    (folder / "content/world/story/article.md").write_text(
        "---\ntitle: Another story\nsection: World\ndate: 2023-09-15\n---\n"
        "Vladimir Putin met Kim Jong Un.\n"
    )
    assert run("build", "--quiet", "--site", folder).code == 0
    assert not marker.exists(), "unpickling the planted cache ran code"
    walk.write_bytes(b"0" * 16 + planted)
    assert run("build", "--quiet", "--site", folder).code == 0
    assert not marker.exists(), "unpickling the planted walk ran code"


class _OpensAFile:
    """Unpickles to open(path, "w"): proof that unpickling ran a function of our choosing."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.path, "w"))


# --- (g) Unicode ---------------------------------------------------------------------


def term_links(page: StrictPage) -> list[str]:
    return [term for term, _ in page.terms]


@pytest.mark.parametrize("name_form", ["NFD", "NFC"])
def test_names_and_text_are_matched_after_nfc_normalisation(
    name_form: Literal["NFC", "NFD"], site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    name = "José Martí Zoë"
    other: Literal["NFC", "NFD"] = "NFC" if name_form == "NFD" else "NFD"
    written = unicodedata.normalize(name_form, name)
    mention = unicodedata.normalize(other, name)
    assert written != mention
    folder = site(
        {
            GLOSSARY: f"- id: jose\n  name: {written}\n  summary: S.\n",
            ARTICLE: FRONT + f"Then {mention} spoke.\n",
        }
    )
    out = tmp_path / "out"
    result = run("build", "--quiet", "--site", folder, "--out", out)
    assert (result.code, result.err) == (0, "")
    page = read_html(out / "world/story/index.html")
    assert term_links(page) == ["jose"]
    anchor = (out / "world/story/index.html").read_text(encoding="utf-8")
    assert f">{unicodedata.normalize('NFC', name)}</a>" in anchor
    assert unicodedata.normalize("NFD", name) not in anchor


INVISIBLE = {"U+202E": "\u202e", "U+200B": "\u200b", "U+2066": "\u2066", "U+FEFF": "\ufeff"}
PLACES_FOR_NAMES = {
    "id": ("- id: {x}\n  name: Kim\n  summary: S.\n", "1:7", "id"),
    "name": ("- id: kim\n  name: {x}\n  summary: S.\n", "2:9", "name"),
    "alias": ("- id: kim\n  name: Kim\n  aliases: [{x}]\n  summary: S.\n", "3:13", "aliases item"),
}


@pytest.mark.parametrize("code", INVISIBLE)
@pytest.mark.parametrize("place", PLACES_FOR_NAMES)
def test_bidi_and_zero_width_characters_in_ids_names_and_aliases_are_refused(
    code: str, place: str, site: Callable[..., Path], run: Runner
) -> None:
    template, where, field = PLACES_FOR_NAMES[place]
    value = double_quoted(f"ki{INVISIBLE[code]}m")
    result = run("check", "--site", site({GLOSSARY: template.format(x=value)}))
    refused(result, f"{GLOSSARY}:{where}: error: '{field}' contains the invisible")
    assert code in result.errors[0]


def test_zero_width_joiners_in_running_text_are_accepted(
    site: Callable[..., Path], run: Runner
) -> None:
    front = (
        '---\ntitle: "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"\n'
        'dek: "A family \U0001f468\u200d\U0001f469\u200d\U0001f467"\n'
        "section: World\ndate: 2023-09-15\n---\nKim.\n"
    )
    result = run("check", "--site", site({ARTICLE: front}))
    assert (result.code, result.err) == (0, "")


SCRIPTS_GLOSSARY = (
    "- id: putin-ru\n  name: Путин\n  summary: S.\n"
    "- id: kim-ko\n  name: 김정은\n  summary: S.\n"
    "- id: modi\n  name: मोदी\n  summary: S.\n"
    "- id: kim\n  name: Kim\n  summary: S.\n"
)


def test_cyrillic_hangul_and_combining_marks_link_on_word_boundaries(
    site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    near_misses = "Путинизм, Путина, 김정은의, मोदीजी, Kim\u0332 and Kimchi are not names here.\n"
    hits = "Путин встретил 김정은 и मोदी; Kim, too.\n"
    folder = site(
        {
            GLOSSARY: SCRIPTS_GLOSSARY,
            ARTICLE: FRONT + near_misses,
            "content/world/hits/article.md": FRONT + hits,
        }
    )
    out = tmp_path / "out"
    result = run("build", "--quiet", "--site", folder, "--out", out)
    assert (result.code, result.err) == (0, "")
    assert term_links(read_html(out / "world/story/index.html")) == []
    hit_page = read_html(out / "world/hits/index.html")
    assert term_links(hit_page) == ["putin-ru", "kim-ko", "modi", "kim"]
    linked = re.findall(r'data-term="[^"]+"[^>]*>([^<]*)</a>', _html(out, "hits"))
    assert linked == ["Путин", "김정은", "मोदी", "Kim"]
    check_output(out)


def _html(out: Path, slug: str) -> str:
    return (out / "world" / slug / "index.html").read_text(encoding="utf-8")


# --- (h) nothing lost ----------------------------------------------------------------


def _corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus", REPOSITORY / "bench" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def corpus_site(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    _corpus().write_corpus(folder, 240, 60)
    return folder


def _wait_for_staging(process: subprocess.Popen[bytes], parent: Path) -> Path | None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        found = next(iter(parent.glob(".public.tmp-*")), None)
        if found is not None:
            return found
        time.sleep(0.001)
    return None


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the build and the workers it started: the process group of our child."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)


def test_a_killed_build_leaves_the_last_good_output_and_the_next_build_cleans_up(
    corpus_site: Path,
) -> None:
    out = corpus_site / "public"
    assert subprocess_build("--site", corpus_site).code == 0
    good = file_bytes(out)
    assert len(good) > 300
    # A change that every page shows, so that a build that finished would differ.
    config = corpus_site / "site.yaml"
    config.write_text(config.read_text().replace("title: Bench", "title: Changed"))
    process = subprocess.Popen(
        [sys.executable, "-m", "builder", "build", "--quiet", "--clean", "--site", corpus_site],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        staging = _wait_for_staging(process, corpus_site)
    finally:
        _kill_group(process)
    assert staging is not None, "the build finished or failed before it staged anything"
    assert process.returncode == -signal.SIGKILL
    assert list(corpus_site.glob(".public.tmp-*")) == [staging], "killed before it swapped"
    assert file_bytes(out) == good
    rebuilt = subprocess_build("--site", corpus_site)
    assert (rebuilt.code, rebuilt.err) == (0, "")
    assert [p.name for p in corpus_site.glob(".public.*")] == []
    assert "Changed" in (out / "index.html").read_text(encoding="utf-8")


def test_a_failed_build_leaves_the_previous_output_byte_identical(
    site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    hostile = hostile_site()
    folder = site(hostile)
    out = tmp_path / "out"
    assert run("build", "--quiet", "--site", folder, "--out", out).code == 0
    good = tree_state(out)
    article = str(hostile[ARTICLE])
    write_files(folder, {ARTICLE: article + "\n[x](javascript:alert(1))\n"})
    line = article.count("\n") + 2
    result = run("build", "--site", folder, "--out", out)
    refused(result, f"{ARTICLE}:{line}:5: error: link to 'javascript:alert(1)'")
    assert tree_state(out) == good  # bytes and times
    assert [p.name for p in tmp_path.glob(".out.*")] == []


def test_two_builds_of_the_same_input_are_byte_identical(
    seed_copy: Path, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    for folder in (seed_copy, site(hostile_site())):
        first, second = tmp_path / f"{folder.name}-1", tmp_path / f"{folder.name}-2"
        assert run("build", "--quiet", "--site", folder, "--out", first).code == 0
        assert run("build", "--quiet", "--clean", "--site", folder, "--out", second).code == 0
        assert file_bytes(first) == file_bytes(second)
        # Another interpreter, with other hash seeds: no set or dict order leaks out.
        third = tmp_path / f"{folder.name}-3"
        again = subprocess_build("--clean", "--site", folder, "--out", third, env=_seed("12345"))
        assert again.code == 0, again.err
        assert file_bytes(third) == file_bytes(first)


def _seed(value: str) -> dict[str, str]:
    return {"PYTHONHASHSEED": value}


def test_a_build_never_modifies_anything_under_content(
    seed_copy: Path, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    for folder in (seed_copy, site(hostile_site())):
        content = folder / "content"
        before = tree_state(content)
        for command in ("check", "build", "build"):
            result = run(command, "--quiet", "--site", folder)
            assert result.code == 0, result.err
        write_files(folder, {ARTICLE: FRONT + "[x](javascript:alert(1))\n"})
        changed = tree_state(content)
        assert run("build", "--quiet", "--site", folder).code == 1
        assert tree_state(content) == changed
        assert before != changed  # the snapshot does see a change


# --- bugs in the handling of control characters and line separators -------------------


@pytest.mark.parametrize("char", ["\x01", "\x00", "\x1b", "\ufffe"])
def test_control_characters_in_text_fields_are_refused_or_kept_out_of_the_feed(
    char: str, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    title = double_quoted(f"A{char}B")
    folder = site({ARTICLE: f"---\ntitle: {title}\nsection: World\ndate: 2023-09-15\n---\nKim.\n"})
    out = tmp_path / "out"
    result = run("build", "--quiet", "--site", folder, "--out", out)
    if result.code == 0:
        ElementTree.parse(out / "feed.xml")
    else:
        refused(result, f"{ARTICLE}:2:8: error: ")


def test_a_diagnostic_stays_one_line_without_control_characters(
    site: Callable[..., Path], run: Runner
) -> None:
    kind = double_quoted("x\ny\x1b[31mRED\x1b]0;owned\x07")
    folder = site({GLOSSARY: f"- id: kim\n  name: Kim\n  summary: S.\n  kind: {kind}\n"})
    result = run("check", "--site", folder)
    assert result.code == 1
    assert "\x1b" not in result.err and "\x07" not in result.err
    for line in result.lines:
        assert DIAGNOSTIC_LINE.fullmatch(line) or SUMMARY_LINE.fullmatch(line), repr(line)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_line_separator_in_a_yaml_comment_does_not_hide_a_field(
    separator: str, site: Callable[..., Path], run: Runner, tmp_path: Path
) -> None:
    glossary = (
        "- id: kim\n  name: Kim\n"
        f"  # summary checked by the desk{separator}  summary: HIDDEN-TEXT\n"
    )
    out = tmp_path / "out"
    result = run("build", "--quiet", "--site", site({GLOSSARY: glossary}), "--out", out)
    if result.code == 0:
        assert "HIDDEN-TEXT" not in (out / "glossary/kim/index.html").read_text(encoding="utf-8")
    else:
        refused(result, f"{GLOSSARY}:3:")


def test_a_character_yaml_refuses_is_one_diagnostic_at_its_place(
    site: Callable[..., Path], run: Runner
) -> None:
    folder = site({ARTICLE: "---\ntitle: A story\nsection: 'x\x7f'\ndate: 2023-09-15\n---\nKim.\n"})
    result = run("check", "--site", folder)
    assert result.code == 1
    assert len(result.lines) == 2, result.lines
    refused(result, f"{ARTICLE}:3:")


def test_an_entry_with_an_empty_id_is_not_dropped_silently(
    site: Callable[..., Path], run: Runner
) -> None:
    glossary = "- id:\n  name: Kim\n  summary: S.\n"
    result = run("check", "--site", site({GLOSSARY: glossary}))
    refused(result, f"{GLOSSARY}:1:")


def test_the_checks_themselves_can_fail(tmp_path: Path) -> None:
    """check_stderr refuses a stray line, check_output a published script."""
    with pytest.raises(AssertionError):
        check_stderr(tmp_path, 1, "Traceback (most recent call last):\n")
    with pytest.raises(AssertionError):
        check_stderr(tmp_path, 0, "built 3 pages\n")
    out = write_files(tmp_path / "out", {"index.html": "<p>x</p><script>alert(1)</script>\n"})
    with pytest.raises(AssertionError):
        check_output(out)
