"""`make bench`: cold and incremental builds against the bare loop (and Hugo, if installed).

Writes a deterministic corpus per size, then times whole processes, several runs
each, and prints medians, peak memory of the process tree and ratios measured in
the same run; then the nested-alias case (bench/nested.py) and the linking cost
per body:

    python bench/run.py --sizes 5000,50000 --runs 3
    python bench/run.py --sizes 1000 --images     # also a corpus with a lead image per story
    python bench/run.py --only nested             # the nested-alias case alone
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nested
from corpus import CORPUS_VERSION, HOT_ENTRY, entry_name, write_corpus
from hugo_site import write_hugo_site

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
# Python as users run it: with its bytecode cache. Some sandboxes set
# PYTHONDONTWRITEBYTECODE, which would make every process compile every module.
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Timing:
    seconds: list[float]
    peak_mb: list[float]  # of the whole process tree
    pages: int | None  # written by a cold build
    largest_mb: list[float] = field(default_factory=list)  # of its largest process

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> float:
        return max(self.peak_mb)

    @property
    def largest(self) -> float:
        return max(self.largest_mb, default=0.0)


PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20
SAMPLE_SECONDS = 0.02


def tree_rss_mb(pid: int) -> tuple[float, float]:
    """Resident MB of a process and all its descendants, now, and of the largest
    of them (0 once they are gone).

    Forked workers share pages with their parent until either writes them, so
    the sum counts those pages once per process: an upper bound of what the
    tree holds, and what a reader of `top` would add up.
    """
    total, largest, pending = 0.0, 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            statm = Path(f"/proc/{current}/statm").read_text().split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        resident = int(statm[1]) * PAGE_MB
        total, largest = total + resident, max(largest, resident)
        pending.extend(int(child) for child in children)
    return total, largest


class TreePeak:
    """Samples a process tree's resident memory in a thread until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.largest = pid, 0.0, 0.0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()

    def sample(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            total, largest = tree_rss_mb(self.pid)
            self.peak, self.largest = max(self.peak, total), max(self.largest, largest)

    def stop(self) -> tuple[float, float]:
        """The tree's peak, and its largest process's."""
        self.done.set()
        self.thread.join()
        return self.peak, self.largest


def run_once(command: list[str], cwd: Path | None = None) -> tuple[float, float, float]:
    """Wall seconds, peak resident MB of the command's process tree, and of its
    largest process.

    The tree is sampled every 20 ms. The largest process's peak is the kernel's
    high-water mark, reported when the command is waited for (its workers were
    waited for by it), so a run too short for a sample still counts it.
    """
    os.sync()  # what the last run wrote is on disk before this one starts
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, env=ENVIRONMENT)
    sampler = TreePeak(process.pid)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    tree_peak, sampled_largest = sampler.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}")
    largest = max(sampled_largest, usage.ru_maxrss / 1024)
    return elapsed, max(tree_peak, largest), largest


@dataclass
class Scenario:
    command: list[str]
    before: Callable[[], None] | None = None  # run, untimed, before each timed run
    output: Path | None = None  # of a cold build: its pages are counted, for pages/s


# Rebuilds take a second where a cold build takes a minute: each round times each
# rebuild this many times, for a median that one slow second moves less.
REBUILDS_A_ROUND = 3


def gathered(results: dict[str, Timing], more: dict[str, Timing]) -> None:
    """Add a round's timings to those of the rounds before."""
    for name, timing in more.items():
        found = results.setdefault(name, Timing([], [], None))
        found.seconds.extend(timing.seconds)
        found.peak_mb.extend(timing.peak_mb)
        found.largest_mb.extend(timing.largest_mb)
        found.pages = timing.pages if timing.pages is not None else found.pages


def measure_in_turn(scenarios: dict[str, Scenario], runs: int) -> dict[str, Timing]:
    """Each scenario once per round, round after round, so that a machine that speeds
    up or slows down during the benchmark moves them all alike."""
    timings = {name: Timing([], [], None) for name in scenarios}
    for _ in range(runs):
        for name, scenario in scenarios.items():
            if scenario.before is not None:
                scenario.before()
            seconds, peak, largest = run_once(scenario.command)
            timings[name].seconds.append(seconds)
            timings[name].peak_mb.append(peak)
            timings[name].largest_mb.append(largest)
    for name, scenario in scenarios.items():
        if scenario.output is not None:
            timings[name].pages = count_pages(scenario.output)
    return timings


def count_pages(folder: Path) -> int:
    """The HTML pages a build wrote."""
    return sum(1 for _ in folder.rglob("*.html"))


def build_command(site: Path, out: Path, *extra: str) -> list[str]:
    return [PYTHON, "-m", "builder", "build", "--site", str(site), "--out", str(out), "-q", *extra]


class SetAside:
    """Moves a folder out of the way before a run, and deletes them all at the end.

    Deleting a whole site just before a timed run would slow the run itself:
    on this kind of disk, creating files right after freeing thousands waits
    on the journal. Every scenario is treated alike.
    """

    def __init__(self, trash: Path) -> None:
        self.trash = trash
        self.count = 0

    def __call__(self, folder: Path) -> Callable[[], None]:
        def move() -> None:
            if folder.exists():
                self.trash.mkdir(parents=True, exist_ok=True)
                self.count += 1
                folder.rename(self.trash / f"{folder.name}-{self.count}")

        return move

    def empty(self) -> None:
        shutil.rmtree(self.trash, ignore_errors=True)


def both(first: Callable[[], None], second: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        first()
        second()

    return run


class Toggle:
    """Alternates a file between two texts, so every rebuild sees one real edit."""

    def __init__(self, file: Path, old: str, new: str) -> None:
        self.file, self.old, self.new = file, old, new

    def __call__(self) -> None:
        text = self.file.read_text(encoding="utf-8")
        swapped = (
            text.replace(self.old, self.new)
            if self.old in text
            else text.replace(self.new, self.old)
        )
        self.file.write_text(swapped, encoding="utf-8")


def hugo_site(site: Path, target: Path) -> Path | None:
    """The corpus as a Hugo site (bench/hugo_site.py), if Hugo is installed."""
    if shutil.which("hugo") is None:
        return None
    return write_hugo_site(site, target)


def linking_cost(sizes: tuple[int, ...]) -> dict[int, float]:
    """Median ms to render one article body, by glossary size, measured in this process."""
    sys.path.insert(0, str(HERE.parent))
    import datetime

    from builder.content.model import Bundle, FrontMatter, Moment
    from builder.text.markdown import body_parser, render_body
    from builder.text.references import Claim, LinkTable

    published = Moment(datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC), False)
    front = FrontMatter("t", None, "s", published, None, None, (), False)
    words = " ".join(["the talks went on for another week before officials said"] * 6)
    text = "\n\n".join(f"{words} {entry_name(i)} and {words}." for i in range(10))
    bundle = Bundle("a/b", "content/a/b/article.md", front, text, 6, (), (), None, ())
    costs = {}
    for size in sizes:
        claims = {entry_name(i): (f"entry-{i}",) for i in range(size)}
        claims.update({f"Zeta{i}": (f"entry-{i}",) for i in range(size)})
        table = LinkTable(
            {form: tuple(Claim(i, False) for i in ids) for form, ids in sorted(claims.items())},
            ids=frozenset(i for ids in claims.values() for i in ids),
        )
        md = body_parser(table)
        samples = []
        for _ in range(7):
            start = time.perf_counter()
            for _ in range(50):
                render_body(md, bundle.body_text(), "../../glossary/")
            samples.append((time.perf_counter() - start) / 50 * 1000)
        costs[size] = statistics.median(samples)
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="5000", help="stories, comma-separated: 5000,50000")
    parser.add_argument("--entries", type=int, help="glossary entries; default: stories / 5")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmups", type=int, default=1, help="untimed rounds of cold builds")
    parser.add_argument("--images", action="store_true", help="also a lead image per story")
    parser.add_argument("--image-stories", type=int, default=500, help="size of that corpus")
    parser.add_argument("--work", type=Path, default=HERE / "corpus")
    parser.add_argument("--only", choices=["nested"], help="run only this part")
    parser.add_argument("--no-extras", action="store_true", help="skip nested and linking cost")
    arguments = parser.parse_args()
    if arguments.only == "nested":
        nested.report(nested.measure_all())
        return
    for articles in (int(size) for size in arguments.sizes.split(",")):
        entries = arguments.entries or max(10, articles // 5)
        results = measure_size(arguments.work, articles, entries, arguments.runs, arguments.warmups)
        report(results, articles, entries)
    if arguments.images:
        articles = arguments.image_stories
        entries = arguments.entries or max(10, articles // 5)
        report_images(measure_images(arguments.work, articles, entries, arguments.runs), articles)
    if arguments.no_extras:
        return
    nested.report(nested.measure_all())  # before linking_cost makes this process large
    costs = linking_cost((10, 10_000))
    print(
        f"\nlinking, ms per article body: 10 entries {costs[10]:.3f}, "
        f"10,000 entries {costs[10_000]:.3f}, ratio {costs[10_000] / costs[10]:.2f}"
    )


def corpus(work: Path, articles: int, entries: int, images: bool = False) -> Path:
    """The corpus of this size, written once and kept under work/ for later runs."""
    kind = "-images" if images else ""
    site = work / f"site-v{CORPUS_VERSION}-{articles}-{entries}{kind}"
    if not site.exists():
        print(f"writing corpus {site} ...", flush=True)
        partial = site.with_name(site.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        write_corpus(partial, articles, entries, images=images)
        partial.rename(site)
    return site


def measure_size(
    work: Path, articles: int, entries: int, runs: int, warmups: int = 1
) -> dict[str, Timing]:
    """Cold builds against the yardsticks, then the three rebuilds, on one corpus."""
    site = corpus(work, articles, entries)
    out = work / "out"
    # Every cold build starts from no output and ours from no cache at all (not even
    # the encoded pictures or compiled templates that --clean keeps), as is
    # fair to the bare loop and Hugo, which replace nothing.
    aside = SetAside(work / "trash")
    aside.empty()
    cold = {
        "bare loop": Scenario(
            [PYTHON, str(HERE / "bare_loop.py"), str(site), str(work / "bare-out")],
            aside(work / "bare-out"),
            work / "bare-out",
        ),
        "cold build": Scenario(
            build_command(site, out, "--clean"), both(aside(out), aside(site / ".cache")), out
        ),
    }
    hugo = hugo_site(site, work / "hugo-site")
    if hugo is not None:
        cold["hugo cold"] = Scenario(
            ["hugo", "--quiet", "-s", str(hugo), "-d", str(work / "hugo-out")],
            aside(work / "hugo-out"),
            work / "hugo-out",
        )
    measure_in_turn(cold, warmups)  # not reported: bytecode caches, the disk's cache
    article = next(iter(sorted((site / "content" / "world").glob("*/article.md"))))
    glossary = site / "content" / "glossary" / "part-0000.yaml"
    hot = f"Synthetic entry number {HOT_ENTRY},"
    warm = {
        "no-change rebuild": Scenario(build_command(site, out)),
        "one article edited": Scenario(
            build_command(site, out),
            Toggle(article, "title: Synthetic", "title: Edited synthetic"),
        ),
        "one entry edited": Scenario(
            build_command(site, out),
            Toggle(glossary, hot, f"Edited entry number {HOT_ENTRY},"),
        ),
    }
    # Each round times the cold builds, then the rebuilds of that very output, several
    # times each: a rebuild's ratio to the cold build compares runs made minutes apart,
    # not a spell of the machine's with another.
    results: dict[str, Timing] = {}
    for _ in range(runs):
        gathered(results, measure_in_turn(cold, 1))
        run_once(build_command(site, out))  # the store and the summary, as a rebuild finds them
        gathered(results, measure_in_turn(warm, REBUILDS_A_ROUND))
    edits = {name: scenario.before for name, scenario in warm.items() if scenario.before}
    results.update(measure_watch(site, out, edits, runs))
    aside.empty()
    return results


PAUSE_BETWEEN_SAVES = 2.0  # seconds


def measure_watch(
    site: Path, out: Path, edits: dict[str, Callable[[], None]], runs: int
) -> dict[str, Timing]:
    """The same edits inside `build --watch`, in turn, round after round: the
    seconds each build took, as the builder prints them (from the end of the
    tenth of a second it waits for a save's events to stop, to the output in
    place), and the peak memory of the watching process over all of them."""
    command = [PYTHON, "-m", "builder", "build", "--watch", "--site", str(site), "--out", str(out)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=ENVIRONMENT)
    assert process.stdout is not None
    sampler = TreePeak(process.pid)
    timings = {f"watch: {name}": Timing([], [], None) for name in edits}
    try:
        _built_line(process.stdout)  # the first build, from the store
        for _ in range(runs):
            for name, edit in edits.items():
                # An editor reads the page before the next save: the builder's
                # bookkeeping for later processes is done by then, as at the desk.
                time.sleep(PAUSE_BETWEEN_SAVES)
                edit()
                line = _built_line(process.stdout)
                seconds = float(line.rsplit(" in ", 1)[1].removesuffix(" s"))
                timings[f"watch: {name}"].seconds.append(seconds)
    finally:
        process.terminate()
        process.wait()
        peak, largest = sampler.stop()
    for timing in timings.values():
        timing.peak_mb.append(peak)
        timing.largest_mb.append(largest)
    return timings


def _built_line(stdout: IO[str]) -> str:
    """The next line a build prints when it is done; the watcher's other lines are skipped."""
    for line in stdout:
        if line.startswith(("built ", "up to date")):
            return line.rstrip("\n")
    raise SystemExit("build --watch stopped")


def measure_images(work: Path, articles: int, entries: int, runs: int) -> dict[str, Timing]:
    """Cold builds with and without a lead image per story, and the no-change rebuild."""
    plain, pictured = corpus(work, articles, entries), corpus(work, articles, entries, True)
    aside = SetAside(work / "trash")
    aside.empty()
    out, pictured_out = work / "out", work / "out-images"
    cold = {
        "cold build": Scenario(
            build_command(plain, out, "--clean"), both(aside(out), aside(plain / ".cache")), out
        ),
        "cold build, images": Scenario(
            build_command(pictured, pictured_out, "--clean"),
            both(aside(pictured_out), aside(pictured / ".cache")),
            pictured_out,
        ),
        # --clean over a cache that holds the encoded pictures, as after a template change
        "--clean, pictures kept": Scenario(
            build_command(pictured, pictured_out, "--clean"), aside(pictured_out), pictured_out
        ),
    }
    measure_in_turn(cold, 1)
    results = measure_in_turn(cold, runs)
    run_once(build_command(pictured, pictured_out))
    warm = {"no-change rebuild, images": Scenario(build_command(pictured, pictured_out))}
    results.update(measure_in_turn(warm, runs))
    aside.empty()
    return results


def report(results: dict[str, Timing], articles: int, entries: int) -> None:
    cold = results["cold build"].median
    bare = results["bare loop"].median
    hugo = results["hugo cold"].median if "hugo cold" in results else None
    print(f"\n{articles:,} stories, {entries:,} glossary entries")
    print(
        f"{'scenario':<28}{'median s':>10}{'ms/article':>12}{'pages/s':>9}{'peak MB':>10}"
        f"{'largest':>9}{'÷ cold':>9}{'÷ bare':>9}{'÷ hugo':>9}"
    )
    for name, timing in results.items():
        versus_hugo = f"{timing.median / hugo:>9.2f}" if hugo else f"{'-':>9}"
        rate = f"{timing.pages / timing.median:>9.0f}" if timing.pages else f"{'-':>9}"
        print(
            f"{name:<28}{timing.median:>10.2f}{timing.median / articles * 1000:>12.2f}{rate}"
            f"{timing.peak:>10.0f}{timing.largest:>9.0f}"
            f"{timing.median / cold:>9.2f}{timing.median / bare:>9.2f}" + versus_hugo
        )
    written = ", ".join(f"{name} {t.pages:,}" for name, t in results.items() if t.pages)
    print(f"pages written by the cold builds: {written}", flush=True)


def report_images(results: dict[str, Timing], articles: int) -> None:
    plain = results["cold build"].median
    pictured = results["cold build, images"].median
    unchanged = results["no-change rebuild, images"].median
    print(f"\n{articles:,} stories with a lead image each (medians, peak MB of the tree)")
    for name, timing in results.items():
        print(f"{name:<28}{timing.median:>10.2f} s{timing.peak:>10.0f} MB")
    print(
        f"cold build's added cost per image: {(pictured - plain) / articles * 1000:.1f} ms; "
        f"no-change rebuild ÷ cold build with images: {unchanged / pictured:.3f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
