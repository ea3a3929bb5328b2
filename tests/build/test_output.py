"""The output folder: swapped in whole, never half-written, and never a folder
whose replacement would destroy sources."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.build import publish
from builder.build.output import Staging, files_seen_below, files_seen_in_parts
from builder.core.diagnostics import Position, Report
from tests.conftest import ARTICLE, MINIMAL_SITE, SEED_SITE, WHO, Run, snapshot, write_files


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """The seed site's sources, copied so that they can be broken."""
    site = tmp_path / "site"
    shutil.copytree(SEED_SITE / "content", site / "content")
    shutil.copy(SEED_SITE / "site.yaml", site / "site.yaml")
    return site


@pytest.fixture
def built(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> tuple[Path, Path]:
    """A small site and its output folder, built once."""
    site = make_site()
    out = tmp_path / "public"
    assert cli("build", "--site", site, "--out", out).code == 0
    return site, out


def test_a_build_that_fails_leaves_the_previous_output_as_it_was(
    seed_copy: Path, cli: Callable[..., Run], tmp_path: Path
) -> None:
    out = tmp_path / "public"
    assert cli("build", "--site", seed_copy, "--out", out).code == 0
    before = snapshot(out)
    assert "world/putin-kim-rifles/index.html" in before
    who = seed_copy / "content/world/putin-kim-rifles/who.yaml"
    who.write_text(who.read_text(encoding="utf-8") + "- ref: nobody-at-all\n", encoding="utf-8")
    result = cli("build", "--site", seed_copy, "--out", out)
    assert result.code == 1
    assert "no glossary entry has the id 'nobody-at-all'" in result.err
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_a_build_that_fails_while_rendering_leaves_the_previous_output(
    built: tuple[Path, Path], cli: Callable[..., Run]
) -> None:
    site, out = built
    before = snapshot(out)
    broken = "{% extends 'base.html' %}{% block main %}{{ page.no_such_thing }}{% endblock %}\n"
    write_files(site, {"templates/entry.html": broken, WHO: "- ref: kim-jong-un\n"})
    result = cli("build", "--site", site, "--out", out)
    assert result.code == 1
    assert result.errors == [
        "templates/entry.html:1:1: error: template error: "
        "'builder.site.views.EntryPage object' has no attribute 'no_such_thing'"
    ]
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_a_template_call_that_fails_is_reported_with_the_other_problems(
    built: tuple[Path, Path], cli: Callable[..., Run]
) -> None:
    site, out = built
    before = snapshot(out)
    broken = "{% extends 'base.html' %}{% block main %}\n{{ once(('x', 1)) }}{% endblock %}\n"
    write_files(site, {"templates/entry.html": broken, WHO: "- ref: kim-jong-un\n  said: [oops\n"})
    result = cli("build", "--site", site, "--out", out)
    assert result.code == 1
    assert "internal error" not in result.err
    assert [e for e in result.errors if e.startswith("templates/")] == [
        "templates/entry.html:2:1: error: template error: "
        "_Once.__call__() missing 1 required positional argument: 'render'"
    ]
    assert any(e.startswith(f"{WHO}:") for e in result.errors), result.errors
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_a_build_replaces_the_whole_folder(
    built: tuple[Path, Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site, out = built
    (out / "stray.txt").write_text("left by hand", encoding="utf-8")
    killed = tmp_path / ".public.tmp-killed"
    killed.mkdir()
    (killed / "index.html").write_text("half a build", encoding="utf-8")
    write_files(site, {WHO: "- ref: kim-jong-un\n"})
    assert cli("build", "--site", site, "--out", out).code == 0
    assert not (out / "stray.txt").exists()
    assert (out / "index.html").is_file()
    assert (out / ".explainer-output").is_file()
    assert leftovers(out) == []


def test_a_clean_build_swaps_in_a_new_folder_and_deletes_the_old_one(
    built: tuple[Path, Path], cli: Callable[..., Run]
) -> None:
    site, out = built
    before = snapshot(out)
    (out / "stray.txt").write_text("left by hand", encoding="utf-8")
    old_page = (out / "index.html").stat().st_ino
    assert cli("build", "--site", site, "--out", out, "--clean").code == 0
    assert snapshot(out) == before  # the same site, not one file more
    assert (out / "index.html").stat().st_ino != old_page, "a new folder, not the old one"
    assert leftovers(out) == [], "the replaced site is deleted before the build returns"


def test_a_build_with_nothing_to_do_restores_pages_removed_by_hand(
    built: tuple[Path, Path], cli: Callable[..., Run]
) -> None:
    site, out = built
    before = snapshot(out)
    (out / "glossary/kim-jong-un/index.html").unlink()
    (out / "index.html").write_text("edited by hand", encoding="utf-8")
    assert cli("build", "--site", site, "--out", out).code == 0
    assert snapshot(out) == before


def test_the_output_folder_defaults_to_site_yaml_output(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    site = make_site({"site.yaml": "title: T\nbase_url: https://example.org/\noutput: _site\n"})
    assert cli("build", "--site", site).code == 0
    assert (site / "_site/world/story/index.html").is_file()
    assert not (site / "public").exists()


@pytest.mark.parametrize(
    ("out", "problem"),
    [
        pytest.param(".", "is the site folder or contains it", id="the site folder"),
        pytest.param("..", "is the site folder or contains it", id="a parent of the site"),
        pytest.param("content", "is inside content/", id="content/"),
        pytest.param("content/world", "is inside content/", id="a folder inside content/"),
        pytest.param("templates", "is inside templates/", id="templates/"),
        pytest.param(".cache", "is inside .cache/", id="the cache"),
        pytest.param(".cache/site", "is inside .cache/", id="a folder inside the cache"),
    ],
)
def test_out_that_would_destroy_sources_is_refused(
    make_site: Callable[..., Path], cli: Callable[..., Run], out: str, problem: str
) -> None:
    site = make_site({"templates/.keep": "", ".cache/.keep": ""})
    before = snapshot(site.parent)
    result = cli("build", "--site", site, "--out", site / out)
    assert result.code == 2
    assert result.err == f"error: output folder {(site / out).resolve()} {problem}\n"
    assert snapshot(site.parent) == before


def test_out_holding_files_the_builder_did_not_make_is_refused(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site()
    out = write_files(tmp_path / "documents", {"thesis.txt": "years of work"})
    result = cli("build", "--site", site, "--out", out)
    assert result.code == 2
    assert result.err == (
        f"error: output folder {out.resolve()} already holds files the builder did not make; "
        "remove it or choose another --out\n"
    )
    assert snapshot(out) == {"thesis.txt": b"years of work"}


def test_check_writes_nothing(seed_copy: Path, cli: Callable[..., Run], tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    result = cli("check", "--site", seed_copy)
    assert (result.code, result.err) == (0, "")
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in seed_copy.iterdir()) == ["content", "site.yaml"]


def _second_story(site: Path, text: str) -> None:
    write_files(
        site,
        {
            "content/world/second/article.md": (
                f"---\ntitle: Second\nsection: World\ndate: 2023-09-16\n---\n{text}\n"
            )
        },
    )


def test_a_warm_build_whose_search_step_fails_leaves_the_previous_output(
    make_site: Callable[..., Path],
    cli: Callable[..., Run],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = make_site({"site.yaml": "title: T\nbase_url: https://example.org/\nsearch: true\n"})
    out = tmp_path / "public"
    assert cli("build", "--site", site, "--out", out).code == 0
    before = snapshot(out)
    assert any(name.startswith("pagefind/") for name in before)
    _second_story(site, "Vladimir Putin again.")

    def failing_index(folder: Path, language: str, report: Report, into: Path | None) -> None:
        assert (folder / "world/second/index.html").is_file(), "the view holds the new page"
        assert not (out / "world/second").exists(), "nothing is published before the index"
        report.error(Position("site.yaml"), "search: Pagefind failed: injected")

    monkeypatch.setattr(publish, "index_site", failing_index)
    result = cli("build", "--site", site, "--out", out)
    assert result.code == 1
    assert "injected" in result.err
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_a_warm_build_with_search_indexes_the_new_site(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site({"site.yaml": "title: T\nbase_url: https://example.org/\nsearch: true\n"})
    out = tmp_path / "public"
    assert cli("build", "--site", site, "--out", out).code == 0
    _second_story(site, "Kim Jong Un again.")
    assert cli("build", "--site", site, "--out", out).code == 0
    warm = snapshot(out)
    clean_out = tmp_path / "clean"
    assert cli("build", "--site", site, "--out", clean_out, "--clean").code == 0
    assert warm.keys() == snapshot(clean_out).keys()
    assert leftovers(out) == []


KILL_DURING_COMMIT = """
import os, signal, sys
from pathlib import Path
from builder.build import output

moved = []
real_replace = Path.replace

def replace_then_die(self, target):
    result = real_replace(self, target)
    moved.append(target)
    if len(moved) == int(os.environ["MOVES_BEFORE_KILL"]):
        os.kill(os.getpid(), signal.SIGKILL)
    return result

real_apply = output.Journal.apply
real_write = output.Journal.write

def write_or_die(self, out):
    if os.environ["MOVES_BEFORE_KILL"] == "0":
        os.kill(os.getpid(), signal.SIGKILL)
    real_write(self, out)

def apply_with_kill(self, out):
    Path.replace = replace_then_die
    real_apply(self, out)

output.Journal.apply = apply_with_kill
output.Journal.write = write_or_die
from builder.commands.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _build_killed(site: Path, out: Path, moves: int) -> int:
    completed = subprocess.run(
        [sys.executable, "-c", KILL_DURING_COMMIT, "build", "--site", str(site), "--out", str(out)],
        capture_output=True,
        env={**os.environ, "MOVES_BEFORE_KILL": str(moves)},
        check=False,
    )
    return completed.returncode


@pytest.mark.parametrize("moves", [0, 1, 3])
def test_a_build_killed_while_committing_is_finished_by_the_next_one(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path, moves: int
) -> None:
    """Killed before the journal (0 moves: the output is the old site, untouched) or
    partway through it: the next build's first step finishes the commit, so
    nothing ever reads a mix of the two sites once a build has started."""
    site = make_site()
    out = tmp_path / "public"
    assert cli("build", "--site", site, "--out", out).code == 0
    old = snapshot(out)
    _second_story(site, "Vladimir Putin again.")
    write_files(site, {ARTICLE: MINIMAL_SITE[ARTICLE] + "More.\n"})
    assert _build_killed(site, out, moves) == -signal.SIGKILL
    journal = out.parent / ".public.journal"
    if moves == 0:
        assert not journal.exists()
        assert snapshot(out) == old
    else:
        assert journal.exists()
        assert snapshot(out) != old
    Staging(out, in_place=True).discard()  # what every build does first
    assert not journal.exists()
    clean_out = tmp_path / "clean"
    assert cli("build", "--site", site, "--out", clean_out).code == 0
    assert cli("build", "--site", site, "--out", out).code == 0
    assert snapshot(out) == snapshot(clean_out)
    assert leftovers(out) == []


def test_two_shares_of_a_folder_s_listing_are_the_whole_listing(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "index.html": "front",
            "world/a/index.html": "a",
            "world/b/index.html": "b",
            "world/b/map.svg": "map",
            "tags/x/page/2/index.html": "x2",
            "static/style.css": "css",
        },
    )
    (tmp_path / "empty").mkdir()
    left = iter(range(0, 5, 2)), iter(range(1, 5, 2))  # two processes, parts in turn
    first, taken_first = files_seen_in_parts(tmp_path, lambda: next(left[0], None), 5)
    second, taken_second = files_seen_in_parts(tmp_path, lambda: next(left[1], None), 5)
    assert (taken_first, taken_second) == (3, 2)
    assert not first.keys() & second.keys()
    assert first | second == files_seen_below(tmp_path)
    assert files_seen_in_parts(tmp_path, lambda: None, 5) == ({}, 0)
