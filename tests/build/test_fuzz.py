"""Properties of every build, whatever editors write: random and hostile whole sites.

Each example writes a site into a fresh folder and runs `build` in this process.
Whatever the input, the run ends with exit 0 or 1, never a traceback, and says
every problem on one `PATH:LINE:COL: error|warning: MESSAGE` line; when it
succeeds, what it published carries no script, no unsafe URL, no broken glossary
link and no broken markup.

The budget is small by default so that `make test` stays fast; FUZZ_EXAMPLES=2000
(as `make fuzz` sets it) runs a longer search.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from builder.commands.cli import main
from tests.strategies import (
    SAFE_URLS,
    UNSAFE_SCHEMES,
    Mode,
    check_output,
    check_stderr,
    double_quoted,
    file_bytes,
    inline_markdown,
    read_html,
    sites,
    tame_texts,
    write_site,
)

FRONT = "---\ntitle: T\nsection: World\ndate: 2023-09-15\n---\n"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))

RANDOM = bool(os.environ.get("FUZZ_RANDOM"))  # a new search each run, remembered in .hypothesis/

fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not RANDOM,
    database=settings().database if RANDOM else None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)


def run(*args: str | Path) -> tuple[int, str]:
    """`python -m builder ARGS` in this process: the exit code and stderr."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main([str(arg) for arg in args])
    return code, err.getvalue()


def build(files: dict[str, str | bytes]) -> tuple[Path, int, str, tempfile.TemporaryDirectory[str]]:
    folder = tempfile.TemporaryDirectory(prefix="fuzz-")
    site = Path(folder.name) / "site"
    write_site(site, files)
    code, err = run("build", "--quiet", "--site", site)
    return site, code, err, folder


@fuzz
@given(sites())
def test_any_site_builds_or_reports_every_problem_on_its_own_line(
    files: dict[str, str | bytes],
) -> None:
    site, code, err, folder = build(files)
    with folder:
        event(f"exit {code}")
        check_stderr(site, code, err)
        out = site / "public"
        if code == 0:
            check_output(out)
        else:
            assert not out.exists(), "a failed first build left an output folder"
            assert not list(site.glob(".public.*")), "a failed build left its staging folder"


@fuzz
@given(sites())
def test_check_reports_exactly_what_build_reports_and_writes_nothing(
    files: dict[str, str | bytes],
) -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        site = Path(folder) / "site"
        write_site(site, files)
        before = file_bytes(Path(folder))
        checked = run("check", "--quiet", "--site", site)
        assert file_bytes(Path(folder)) == before, "check wrote something"
        check_stderr(site, *checked)
        built = run("build", "--quiet", "--site", site)
        assert built == checked


@settings(fuzz, max_examples=max(10, EXAMPLES // 3))
@given(sites())
def test_two_builds_of_the_same_site_are_byte_identical(files: dict[str, str | bytes]) -> None:
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        first, second = Path(folder) / "one", Path(folder) / "two"
        write_site(first, files)
        write_site(second, files)
        one = run("build", "--quiet", "--site", first)
        two = run("build", "--quiet", "--site", second, "--clean")
        event(f"exit {one[0]}")
        assert one == two
        if one[0] == 0:
            assert file_bytes(first / "public") == file_bytes(second / "public")


SCHEME_CASES = st.tuples(
    st.sampled_from(UNSAFE_SCHEMES),
    st.lists(st.booleans(), min_size=8, max_size=8),
    st.sampled_from(("[x]({}) now.", "![x]({}) now.", "<{}> now.", "[x][r] now.\n\n[r]: {}")),
)


def _scheme(case: tuple[str, list[bool], str]) -> tuple[str, str]:
    scheme, upper, shape = case
    mixed = "".join(c.upper() if up else c for c, up in zip(scheme, upper * 2, strict=False))
    return mixed, shape.format(f"{mixed}:alert(1)")


@fuzz
@given(SCHEME_CASES, st.integers(0, 3))
def test_an_unsafe_scheme_in_any_case_is_refused_in_the_body(
    case: tuple[str, list[bool], str], blank_lines: int
) -> None:
    mixed, link = _scheme(case)
    body = "Intro.\n" + "\n" * blank_lines + "\nSee " + link + "\n"
    files: dict[str, str | bytes] = {
        "site.yaml": "title: T\nbase_url: https://example.org/\n",
        "content/world/story/article.md": FRONT + body,
    }
    site, code, err, folder = build(files)
    with folder:
        problems = check_stderr(site, code, err)
        assert code == 1
        line = 6 + 1 + blank_lines + 1  # front matter, "Intro.", blank lines, then the link
        assert [p[:2] for p in problems] == [("content/world/story/article.md", line)], err
        assert mixed.lower() in err.lower()
        assert not (site / "public").exists()


@fuzz
@given(SCHEME_CASES, st.sampled_from(("summary", "in_this_story", "value", "why_it_matters")))
def test_an_unsafe_scheme_in_any_case_is_refused_in_inline_fields(
    case: tuple[str, list[bool], str], field: str
) -> None:
    mixed, link = _scheme(case)
    if "\n" in link:  # no reference definitions in a one-line field: a plain link instead
        link = f"[x]({mixed}:alert(1))"
    value = '"See ' + link.replace('"', '\\"') + '"'
    entry = "- id: kim\n  name: Kim\n  summary: {}\n"
    files: dict[str, str | bytes] = {
        "site.yaml": "title: T\nbase_url: https://example.org/\n",
        "content/world/story/article.md": FRONT + "Kim.\n",
    }
    where = {
        "summary": ("content/glossary/people.yaml", entry.format(value), 3),
        "in_this_story": (
            "content/world/story/who.yaml",
            f"- ref: kim\n  in_this_story: {value}\n",
            2,
        ),
        "value": (
            "content/world/story/what.yaml",
            f"summary: S.\nkey_facts:\n  - label: L\n    value: {value}\n",
            4,
        ),
        "why_it_matters": (
            "content/world/story/what.yaml",
            f"summary: S.\nwhy_it_matters: {value}\n",
            2,
        ),
    }
    path, text, line = where[field]
    files[path] = text
    if field != "summary":
        files["content/glossary/people.yaml"] = entry.format("K.")
    site, code, err, folder = build(files)
    with folder:
        problems = check_stderr(site, code, err)
        assert code == 1
        assert [p[:2] for p in problems if p[3] == "error"] == [(path, line)], err


@fuzz
@given(st.lists(st.sampled_from(SAFE_URLS), min_size=1, max_size=5))
def test_safe_links_are_published_as_written(urls: list[str]) -> None:
    body = " ".join(f"[x{i}]({url.replace(' ', '%20')})" for i, url in enumerate(urls))
    files: dict[str, str | bytes] = {
        "site.yaml": "title: T\nbase_url: https://example.org/\n",
        "content/world/story/article.md": (FRONT + body + "\n"),
    }
    site, code, err, folder = build(files)
    with folder:
        assert (code, err) == (0, "")
        check_output(site / "public")
        page = (site / "public/world/story/index.html").read_text(encoding="utf-8")
        assert 'href="#"' not in page


@fuzz
@given(st.data())
def test_glossary_links_point_at_published_entries(data: st.DataObject) -> None:
    """Overlapping names and aliases: every data-term link resolves, one per entry."""
    mode = Mode(wild=False, controls=False)
    names = data.draw(st.lists(tame_texts(controls=False), min_size=1, max_size=4, unique=True))
    glossary = "".join(
        f"- id: e{i}\n  name: {double_quoted(name)}\n  summary: S.\n"
        for i, name in enumerate(names)
    )
    forms = tuple(name.strip() for name in names)
    body = "\n\n".join(data.draw(st.lists(inline_markdown(mode, forms), min_size=1, max_size=4)))
    files: dict[str, str | bytes] = {
        "site.yaml": "title: T\nbase_url: https://example.org/\n",
        "content/glossary/terms.yaml": glossary,
        "content/world/story/article.md": (FRONT + body + "\n"),
    }
    site, code, err, folder = build(files)
    with folder:
        check_stderr(site, code, err)
        event(f"exit {code}")
        if code == 0:
            out = site / "public"
            check_output(out)
            page = read_html(out / "world/story/index.html")
            terms = [term for term, _ in page.terms]
            assert len(terms) == len(set(terms)), "an entry linked twice in one article"


@settings(fuzz, max_examples=max(EXAMPLES, 60), phases=[Phase.generate])  # no shrinking
@given(sites(controls=True))
def test_any_site_with_control_characters_keeps_every_invariant(
    files: dict[str, str | bytes],
) -> None:
    site, code, err, folder = build(files)
    with folder:
        check_stderr(site, code, err)
        if code == 0:
            check_output(site / "public")
