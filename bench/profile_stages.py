"""Where a build's time goes, stage by stage: cProfile of one build in one process.

Builds a corpus once cold (no output, no cache) and then again after one edited
story, each under cProfile and pinned to one core, so that the builder runs
every stage in its own process (it forks workers only when it has two cores)
and the profile sees all of it. Prints each stage's cumulative seconds:

    python bench/profile_stages.py --articles 5000
"""

from __future__ import annotations

import argparse
import pstats
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ENVIRONMENT, PYTHON, Toggle, corpus

HERE = Path(__file__).resolve().parent
# (file under builder/, function): the stages of builder/build/pipeline.py and run.py, in order.
STAGES = (
    # A cold build looks in a child process while this one imports: not profiled.
    ("build/run.py", "look", "file signatures, theme digest"),
    ("content/load.py", "load_config", "site.yaml"),
    ("incremental/plan.py", "load_previous", "the last build's store"),
    ("site/templates.py", "compile_all", "compile templates"),
    ("build/articles.py", "parse_bundles", "parse and validate bundles"),
    ("build/assemble.py", "assemble", "glossary, backlinks, keys"),
    ("build/pipeline.py", "_link_and_render_articles", "link, render, write articles"),
    ("build/produce.py", "render_entry_and_site_pages", "entry, list, feed, sitemap pages"),
    ("build/links.py", "check_site_links", "check internal links"),
    ("build/drafts.py", "check_drafts", "check drafts"),
    ("build/pipeline.py", "_publish_pictures", "encode and publish pictures"),
    ("build/publish.py", "publish", "publish the staged pages"),
    ("build/remember.py", "write_store", "write the store"),
    ("build/pipeline.py", "make", "all of the above, and staging"),
)


# The command's main() under cProfile, the statistics written once it returns:
# `python -m builder` ends its process at once (builder.commands.cli.run), before
# `python -m cProfile` could write them.
PROFILED = (
    "import cProfile, sys\n"
    "from builder.commands.cli import main\n"
    "stats = sys.argv.pop(1)\n"
    "cProfile.runctx('main(sys.argv[1:])', globals(), locals(), stats)\n"
)


def profile(site: Path, out: Path, stats: Path, *extra: str) -> pstats.Stats:
    command = ["taskset", "-c", "0", PYTHON, "-c", PROFILED, str(stats)]
    command += ["build", "--site", str(site), "--out", str(out), "-q", *extra]
    subprocess.run(command, check=True, env=ENVIRONMENT, stdout=subprocess.DEVNULL)
    return pstats.Stats(str(stats))


def stage_seconds(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Cumulative seconds of each stage's function, and of the whole process."""
    table = stats.stats  # type: ignore[attr-defined]
    found = []
    for path, function, label in STAGES:
        seconds = sum(
            row[3]
            for (file, _, name), row in table.items()
            if name == function and file.endswith(path)
        )
        found.append((label, seconds))
    found.append(("whole process (profiled calls)", stats.total_tt))  # type: ignore[attr-defined]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--work", type=Path, default=HERE / "corpus")
    arguments = parser.parse_args()
    site = corpus(arguments.work, arguments.articles, max(10, arguments.articles // 5))
    with tempfile.TemporaryDirectory(dir=arguments.work) as scratch:
        out = Path(scratch) / "out"
        shutil.rmtree(site / ".cache", ignore_errors=True)
        cold = stage_seconds(profile(site, out, Path(scratch) / "cold.prof", "--clean"))
        story = next(iter(sorted((site / "content" / "world").glob("*/article.md"))))
        edit = Toggle(story, "title: Synthetic", "title: Edited synthetic")
        edit()
        try:
            edited = stage_seconds(profile(site, out, Path(scratch) / "edit.prof"))
        finally:
            edit()
    print(f"\n{'stage (one process, cProfile)':<36}{'cold s':>9}{'ms/story':>10}{'edit s':>9}")
    for (label, seconds), (_, after_edit) in zip(cold, edited, strict=True):
        per_story = seconds / arguments.articles * 1000
        print(f"{label:<36}{seconds:>9.2f}{per_story:>10.2f}{after_edit:>9.3f}")


if __name__ == "__main__":
    main()
