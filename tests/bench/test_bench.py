"""The benchmark's own code, at tiny sizes only: CI must stay fast.

The corpus must hold an entry used by HOT_STORIES stories at any size (the
one-entry rebuild measures it), the Hugo yardstick must build the pages it
claims to, and the memory sampler must see a process tree's children.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _module(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _stories_naming(site: Path, entry: str) -> int:
    who = site.glob("content/*/*/who.yaml")
    return sum(1 for f in who if re.search(rf"ref: {entry}\n", f.read_text(encoding="utf-8")))


@pytest.mark.parametrize("articles", [250, 430])
def test_the_hot_entry_is_used_by_a_hundred_stories_at_any_size(
    tmp_path: Path, articles: int
) -> None:
    corpus = _module("corpus")
    corpus.write_corpus(tmp_path, articles, 40)
    assert _stories_naming(tmp_path, f"entry-{corpus.HOT_ENTRY}") == corpus.HOT_STORIES
    assert _stories_naming(tmp_path, "entry-1") not in (0, corpus.HOT_STORIES)


def test_every_story_of_the_image_corpus_has_its_own_lead_image(tmp_path: Path) -> None:
    corpus = _module("corpus")
    corpus.write_corpus(tmp_path, 12, 10, images=True)
    pictures = sorted(tmp_path.glob("content/*/*/lead.jpg"))
    assert len(pictures) == 12
    assert len({p.read_bytes() for p in pictures}) == 12
    assert "image: {src: lead.jpg" in (tmp_path / "content/world/story-0/article.md").read_text()


# Skipped only outside CI: .ci/run installs Debian's hugo, and CI skips nothing.
IN_CI = os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


@pytest.mark.skipif(
    shutil.which("hugo") is None and not IN_CI, reason="Hugo is not installed (make bench needs it)"
)
def test_the_hugo_yardstick_builds_fact_boxes_entry_pages_a_feed_and_a_sitemap(
    tmp_path: Path,
) -> None:
    _module("corpus").write_corpus(tmp_path / "site", 120, 20)
    hugo = _module("hugo_site").write_hugo_site(tmp_path / "site", tmp_path / "hugo")
    out = tmp_path / "out"
    subprocess.run(["hugo", "--quiet", "-s", str(hugo), "-d", str(out)], check=True)
    story = (out / "world/story-0/index.html").read_text(encoding="utf-8")
    for box in ("What", "Who", "Where", "Background"):
        assert f"<h2>{box}</h2>" in story
    assert 'href="../../entries/entry-0/"' in story
    entry = (out / "entries/entry-0/index.html").read_text(encoding="utf-8")
    assert entry.count("<li>") == 100
    assert (out / "index.xml").exists() and (out / "sitemap.xml").exists()


def test_the_memory_sampler_counts_the_children_of_a_process() -> None:
    run = _module("run")
    child = "import time; time.sleep(3)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"
    process = subprocess.Popen([sys.executable, "-c", parent])
    statm = Path(f"/proc/{process.pid}/statm")
    try:
        for _ in range(250):
            alone = int(statm.read_text().split()[1]) * run.PAGE_MB
            total, largest = run.tree_rss_mb(process.pid)
            if total > alone + 2:
                assert largest < total  # two processes, each counted on its own
                break
            time.sleep(0.01)
        else:
            pytest.fail("the child's memory was never counted")
    finally:
        process.kill()
        process.wait()


def test_the_watch_scenario_times_each_edit_inside_build_watch(tmp_path: Path) -> None:
    corpus, run = _module("corpus"), _module("run")
    site, out = tmp_path / "site", tmp_path / "out"
    corpus.write_corpus(site, 12, 10)
    run.run_once(run.build_command(site, out))
    article = next(iter(sorted((site / "content" / "world").glob("*/article.md"))))
    edit = run.Toggle(article, "title: Synthetic", "title: Edited synthetic")
    timings = run.measure_watch(site, out, {"one article edited": edit}, 2)
    timing = timings["watch: one article edited"]
    assert len(timing.seconds) == 2 and all(0 < s < 60 for s in timing.seconds)
    assert timing.peak >= timing.largest > 0
    page = out / article.parent.relative_to(site / "content") / "index.html"
    assert "Edited synthetic" not in page.read_text(encoding="utf-8")  # toggled back


def test_each_round_times_the_cold_builds_then_the_rebuilds_of_their_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild's ratio to the cold build compares runs of the same minutes: each
    round is the cold builds, then each rebuild three times, on that round's output."""
    run = _module("run")
    timed: list[str] = []

    def run_once(command: list[str], cwd: Path | None = None) -> tuple[float, float, float]:
        named = {"--clean": "cold", "bare_loop.py": "bare", "hugo": "hugo"}
        found = [name for word, name in named.items() if any(word in c for c in command)]
        timed.append(found[0] if found else "rebuild")
        return 1.0, 2.0, 2.0

    monkeypatch.setattr(run, "run_once", run_once)
    monkeypatch.setattr(run, "hugo_site", lambda site, target: None)
    monkeypatch.setattr(run, "measure_watch", lambda *args: {})
    results = run.measure_size(tmp_path, 12, 10, runs=2, warmups=1)
    warmup, rounds = timed[:2], timed[2:]
    assert warmup == ["bare", "cold"]
    one_round = ["bare", "cold", "rebuild"] + ["rebuild"] * 3 * 3  # the settling build first
    assert rounds == one_round * 2
    assert [len(results[name].seconds) for name in results] == [2, 2, 6, 6, 6]
    assert list(results)[2:] == ["no-change rebuild", "one article edited", "one entry edited"]
