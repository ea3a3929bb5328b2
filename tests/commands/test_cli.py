"""The command line: exit statuses, every problem of a run at once on stderr,
never a traceback, and `new`."""

from __future__ import annotations

import errno
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.commands import cli as cli_module
from builder.site import templates
from tests.conftest import (
    ARTICLE,
    BACKGROUND,
    MINIMAL_SITE,
    PEOPLE,
    SITE_YAML,
    SUMMARY,
    TERMS,
    WHO,
    Run,
    run_subprocess,
    snapshot,
    write_files,
)

OTHER_ARTICLE = "content/world/other/article.md"
BROKEN_FILES = {
    TERMS: "- name: NO\n  summary: Norway.\n- nmae: Treaty\n  summary: A pact.\n",
    WHO: "- ref: vladimir-puttin\n",
    BACKGROUND: "- date: 2000-13\n  title: Visit\n",
    OTHER_ARTICLE: MINIMAL_SITE[ARTICLE].replace("2023-09-15", "15.09.2023"),
    "content/world/story/wh0.yaml": "[]\n",
}
BROKEN_LINES = [
    f"{TERMS}:1:9: error: 'name' must be text, but YAML reads NO as a yes/no value; "
    'put it in quotes: "NO"',
    f"{TERMS}:3:3: error: glossary entry is missing required field 'name'",
    f"{TERMS}:3:3: error: unknown field 'nmae' in glossary entry; did you mean 'name' or 'image'?",
    f"{OTHER_ARTICLE}:4:7: error: 'date' must be a date written YYYY-MM-DD, or "
    "YYYY-MM-DDTHH:MM[:SS][±HH:MM] with a time, like 2023-09-15T10:00+09:00; found '15.09.2023'",
    f"{BACKGROUND}:1:9: error: 'date': 2000-13 is not a real date",
    "content/world/story/wh0.yaml:1:1: error: 'wh0.yaml' is not a sidecar name; sidecars are "
    "who.yaml, what.yaml, where.yaml, background.yaml; did you mean 'who.yaml' or 'what.yaml' "
    "or 'where.yaml'?",
    f"{WHO}:1:8: error: no glossary entry has the id 'vladimir-puttin'; "
    "did you mean 'vladimir-putin'?",
]


def test_all_problems_of_a_run_are_reported_at_once_sorted(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    result = cli("check", "--site", make_site(BROKEN_FILES))
    assert result.code == 1
    assert result.out == ""
    assert result.lines == [*BROKEN_LINES, "7 errors, 0 warnings in 5 files"]


def test_an_error_in_the_front_matter_does_not_hide_the_sidecars_problems(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    site = make_site(
        {
            ARTICLE: MINIMAL_SITE[ARTICLE].replace("2023-09-15", "15.09.2023"),
            WHO: "- ref: vladimir-puttin\n",
        }
    )
    assert check(site).problems == [
        f"{ARTICLE}:4:7: error: 'date' must be a date written YYYY-MM-DD, or "
        "YYYY-MM-DDTHH:MM[:SS][±HH:MM] with a time, like 2023-09-15T10:00+09:00; "
        "found '15.09.2023'",
        f"{WHO}:1:8: error: no glossary entry has the id 'vladimir-puttin'; "
        "did you mean 'vladimir-putin'?",
    ]


def test_build_reports_the_same_problems_and_writes_nothing(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    result = cli("build", "--site", make_site(BROKEN_FILES), "--out", tmp_path / "out")
    assert result.code == 1
    assert result.lines == [*BROKEN_LINES, "7 errors, 0 warnings in 5 files"]
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_no_traceback_reaches_stderr(make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site(BROKEN_FILES)
    result = run_subprocess("build", "--site", site, "--out", tmp_path / "out", cwd=tmp_path)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert result.err.splitlines() == [*BROKEN_LINES, "7 errors, 0 warnings in 5 files"]


def test_a_bad_file_of_every_kind_at_once_still_gives_no_traceback(
    make_site: Callable[..., Path], tmp_path: Path
) -> None:
    site = make_site(
        {
            TERMS: b"\xff\xfe- name: x\n",
            WHO: 'a: &a ["lol"]\nb: [*a, *a]\n',
            BACKGROUND: "- date: [2000]\n  title: {a: b}\n  mentions: [Not An Id]\n",
            "content/world/story/what.yaml": "- just a list\n",
            "content/world/story/where.yaml": "!!binary aGVsbG8=\n",
            ARTICLE: "---\n- a list\n---\nbody\n",
        }
    )
    result = run_subprocess("check", "--site", site, cwd=tmp_path)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "internal error" not in result.err
    assert SUMMARY.match(result.err.splitlines()[-1])


def test_a_valid_site_builds_with_exit_zero(make_site: Callable[..., Path], tmp_path: Path) -> None:
    site = make_site()
    result = run_subprocess("build", "--out", tmp_path / "out", cwd=site)  # --site defaults to .
    assert (result.code, result.err) == (0, "")
    # one article, two entries, front, glossary, section and tag index, feed, sitemap,
    # news sitemap
    assert result.out.splitlines()[-1].startswith("built 10 pages (10 rendered)")
    assert (tmp_path / "out/world/story/index.html").is_file()


def test_quiet_prints_nothing_on_success(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    result = cli("build", "--site", make_site(), "--out", tmp_path / "out", "--quiet")
    assert (result.code, result.out, result.err) == (0, "", "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["frobnicate"],
            "error: argument command: invalid choice: 'frobnicate' (choose from 'build', ",
            id="unknown command",
        ),
        pytest.param([], "error: the following arguments are required: command", id="no command"),
        pytest.param(
            ["build", "--colour"], "error: unrecognized arguments: --colour", id="unknown option"
        ),
    ],
)
def test_misuse_exits_2(cli: Callable[..., Run], args: list[str], message: str) -> None:
    result = cli(*args)
    assert result.code == 2
    assert result.lines[0].startswith("usage: python -m builder")
    assert result.lines[-1].startswith(message)
    assert "Traceback" not in result.err


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_folder_without_site_yaml_exits_2(
    cli: Callable[..., Run], tmp_path: Path, command: str
) -> None:
    result = cli(command, "--site", tmp_path)
    assert result.code == 2
    assert result.err == (
        f"error: {tmp_path} has no site.yaml; run in a site folder or pass --site DIR\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_site_folder_that_does_not_exist_exits_2(cli: Callable[..., Run], tmp_path: Path) -> None:
    result = cli("check", "--site", tmp_path / "nowhere")
    assert (result.code, result.err) == (
        2,
        f"error: site folder {tmp_path / 'nowhere'} does not exist\n",
    )


def test_misuse_in_a_fresh_interpreter_gives_no_traceback(tmp_path: Path) -> None:
    result = run_subprocess("build", "--site", tmp_path, cwd=tmp_path)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert result.err.endswith("has no site.yaml; run in a site folder or pass --site DIR\n")


def test_check_json_lists_every_problem(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    site = make_site({WHO: "- ref: vladimir-puttin\n"})
    result = cli("check", "--site", site, "--format", "json")
    assert result.code == 1
    assert json.loads(result.out) == [
        {
            "path": WHO,
            "line": 1,
            "col": 8,
            "severity": "error",
            "message": "no glossary entry has the id 'vladimir-puttin'; "
            "did you mean 'vladimir-putin'?",
        }
    ]


def test_check_json_on_a_valid_site_is_json(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    result = cli("check", "--site", make_site(), "--format", "json")
    assert result.code == 0
    assert json.loads(result.out) == []


# `new SECTION/SLUG`

BUNDLE_FILES = ["article.md", "background.yaml", "what.yaml", "where.yaml", "who.yaml"]


def test_new_creates_a_bundle_that_passes_check(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site()
    result = cli("new", "world/some-story", "--site", site)
    assert (result.code, result.err) == (0, "")
    folder = site / "content/world/some-story"
    assert sorted(p.name for p in folder.iterdir()) == BUNDLE_FILES
    created = [f"created content/world/some-story/{name}" for name in BUNDLE_FILES]
    assert set(created) <= set(result.out.splitlines())
    assert "draft: true" in (folder / "article.md").read_text(encoding="utf-8")
    checked = cli("check", "--site", site, "--drafts")
    assert (checked.code, checked.err) == (0, "")
    built = cli("build", "--site", site, "--drafts", "--out", tmp_path / "out")
    assert (built.code, built.err) == (0, "")
    assert (tmp_path / "out/world/some-story/index.html").is_file()


def test_new_refuses_to_overwrite(make_site: Callable[..., Path], cli: Callable[..., Run]) -> None:
    site = make_site()
    assert cli("new", "world/some-story", "--site", site).code == 0
    (site / "content/world/some-story/article.md").write_text("my work", encoding="utf-8")
    before = snapshot(site)
    result = cli("new", "world/some-story", "--site", site)
    assert result.code == 2
    assert result.err == (
        f"error: {site / 'content/world/some-story'} already exists; nothing was overwritten\n"
    )
    assert snapshot(site) == before


@pytest.mark.parametrize(
    ("bundle", "message"),
    [
        pytest.param(
            "World/Some_Story",
            "error: 'World/Some_Story' is not SECTION/SLUG made of lower-case letters, digits "
            "and hyphens, like world/putin-kim-summit",
            id="not a URL path",
        ),
        pytest.param(
            "some-story",
            "error: 'some-story' is not SECTION/SLUG made of lower-case letters, digits "
            "and hyphens, like world/putin-kim-summit",
            id="no section",
        ),
        pytest.param(
            "glossary/some-story",
            "error: 'glossary' is reserved for pages the builder makes",
            id="a reserved section",
        ),
    ],
)
def test_new_refuses_a_bad_name(
    make_site: Callable[..., Path], cli: Callable[..., Run], bundle: str, message: str
) -> None:
    site = make_site()
    before = snapshot(site)
    result = cli("new", bundle, "--site", site)
    assert (result.code, result.lines) == (2, [message])
    assert snapshot(site) == before


def test_a_full_disk_is_a_plain_error_naming_the_file_not_a_bug(
    make_site: Callable[..., Path],
    cli: Callable[..., Run],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site = make_site()

    def disk_full(descriptor: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(templates, "_write_all", disk_full)
    result = cli("build", "--site", site, "--out", tmp_path / "public")
    assert result.code == 1
    assert result.err.startswith("error: ")
    assert "index.html: the disk is full; free some space and build again" in result.err
    assert "bug" not in result.err
    assert not (tmp_path / "public").exists()


def test_a_cache_folder_that_is_a_file_is_a_plain_error(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site()
    (site / ".cache").write_text("not a folder", encoding="utf-8")
    result = cli("build", "--site", site, "--out", tmp_path / "public")
    assert result.code == 1
    assert "a part of this path is a file where a folder is needed" in result.err
    assert ".cache" in result.err and "bug" not in result.err


def test_a_setting_out_of_range_is_an_error_not_a_bug(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    site = make_site({SITE_YAML: MINIMAL_SITE[SITE_YAML] + "stale_after_days: 1000000000\n"})
    result = cli("check", "--site", site)
    assert result.code == 1
    assert (
        "site.yaml:3:19: error: 'stale_after_days' must be between 1 and 36,500; "
        "it is 1,000,000,000"
    ) in result.err


def test_an_unchanged_rebuild_says_it_is_up_to_date_and_a_small_build_prints_no_stages(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site()
    first = cli("build", "--site", site, "--out", tmp_path / "public")
    assert first.out.splitlines() == [f"built 10 pages (10 rendered) into {tmp_path / 'public'}"]
    again = cli("build", "--site", site, "--out", tmp_path / "public")
    assert again.out.splitlines() == [
        f"up to date: nothing changed in the 10 pages in {tmp_path / 'public'}"
    ]


def test_a_failed_build_prints_only_its_problems(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site({WHO: "- ref: nobody-at-all\n"})
    result = cli("build", "--site", site, "--out", tmp_path / "public")
    assert result.code == 1
    assert result.out == ""


# --- --strict: every warning an error, for CI ------------------------------------------

UNSUMMARISED = MINIMAL_SITE[PEOPLE].replace("  summary: Leader of North Korea.\n", "")
NO_SUMMARY = (
    f"{PEOPLE}:6:3: {{}}: 'Kim Jong Un' has no summary; readers of its page and pop-ups "
    "will see only the name"
)


def test_check_strict_counts_warnings_as_errors(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    site = make_site({PEOPLE: UNSUMMARISED})
    assert cli("check", "--site", site).lines == [
        NO_SUMMARY.format("warning"),
        "0 errors, 1 warning in 1 file",
    ]
    strict = cli("check", "--strict", "--site", site)
    assert (strict.code, strict.lines) == (1, [NO_SUMMARY.format("error"), SUMMARY_ONE_ERROR])


SUMMARY_ONE_ERROR = "1 error, 0 warnings in 1 file"


def test_build_strict_with_a_warning_writes_nothing_and_keeps_the_last_output(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site, out = make_site(), tmp_path / "out"
    assert cli("build", "--strict", "--site", site, "--out", out).code == 0
    before = snapshot(out)
    write_files(site, {PEOPLE: UNSUMMARISED})
    strict = cli("build", "--strict", "--site", site, "--out", out)
    assert (strict.code, strict.lines) == (1, [NO_SUMMARY.format("error"), SUMMARY_ONE_ERROR])
    assert snapshot(out) == before


def test_build_strict_fails_on_the_warnings_of_an_unchanged_site(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site, out = make_site({PEOPLE: UNSUMMARISED}), tmp_path / "out"
    assert cli("build", "--site", site, "--out", out).code == 0
    before = snapshot(out)
    strict = cli("build", "--strict", "--site", site, "--out", out)  # nothing changed since
    assert (strict.code, strict.lines) == (1, [NO_SUMMARY.format("error"), SUMMARY_ONE_ERROR])
    assert snapshot(out) == before
    assert cli("build", "--site", site, "--out", out).code == 0


def test_strict_turns_a_drafts_warnings_into_errors(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    draft = MINIMAL_SITE[ARTICLE].replace("---\nV", "draft: true\n---\nV").replace("09-15", "09-31")
    site = make_site({"content/world/plans/article.md": draft})
    assert cli("check", "--site", site).code == 0
    strict = cli("check", "--strict", "--site", site)
    assert strict.code == 1
    assert strict.problems == [
        "content/world/plans/article.md:4:7: error: (draft) 'date': 2023-09-31 is not a real date"
    ]


SCHEDULED = "content/world/later/article.md"
LATER_STORY = "---\ntitle: Later\nsection: World\ndate: 2030-01-01T09:00+09:00\n---\nSoon.\n"


def test_a_scheduled_story_is_reported_on_stdout_and_left_out(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site({SCHEDULED: LATER_STORY})
    line = f"{SCHEDULED}: scheduled for 2030-01-01T09:00:00+09:00, left out until then"
    checked = cli("check", "--site", site)
    assert (checked.code, checked.err, checked.out.splitlines()[0]) == (0, "", line)
    built = cli("build", "--site", site, "--out", tmp_path / "out")
    assert (built.code, built.err) == (0, "")
    assert line in built.out.splitlines()  # among the stages' lines, as this is no terminal
    assert not (tmp_path / "out/world/later").exists()
    again = cli("build", "--site", site, "--out", tmp_path / "out")  # nothing changed
    assert line in again.out.splitlines()
    assert cli("build", "--site", site, "--out", tmp_path / "out", "--quiet").out == ""


def test_future_builds_a_scheduled_story(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site({SCHEDULED: LATER_STORY})
    built = cli("build", "--site", site, "--out", tmp_path / "out", "--future")
    line = f"{SCHEDULED}: scheduled for 2030-01-01T09:00:00+09:00, included because of --future"
    assert (built.code, line in built.out.splitlines()) == (0, True)
    assert (tmp_path / "out/world/later/index.html").is_file()
    # Without --future again, the story's page goes.
    cli("build", "--site", site, "--out", tmp_path / "out")
    assert not (tmp_path / "out/world/later").exists()


def test_json_output_stays_json_with_a_scheduled_story(
    make_site: Callable[..., Path], cli: Callable[..., Run]
) -> None:
    checked = cli("check", "--site", make_site({SCHEDULED: LATER_STORY}), "--format", "json")
    assert json.loads(checked.out) == []


def test_run_ends_the_process_at_once_with_the_commands_code(
    make_site: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ended: list[int] = []
    monkeypatch.setattr(cli_module.os, "_exit", ended.append)
    monkeypatch.setattr(sys, "argv", ["explainer", "build", "--out", str(tmp_path / "out")])
    monkeypatch.chdir(make_site())
    cli_module.run()
    assert ended == [0]
    assert (tmp_path / "out/world/story/index.html").is_file()


class _Gone:
    """A stdout whose reader went away, as `python -m builder build | head -1` leaves it."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_run_ends_with_120_when_what_it_printed_cannot_be_flushed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ended: list[int] = []
    monkeypatch.setattr(cli_module.os, "_exit", ended.append)
    monkeypatch.setattr(cli_module, "main", lambda: 0)
    monkeypatch.setattr(sys, "stdout", _Gone())
    cli_module.run()
    assert ended == [120]
