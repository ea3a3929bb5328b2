"""`make bench`: cold and incremental builds against the bare loop (and Hugo, if installed).

Writes a deterministic corpus, then times whole processes, several runs each,
and prints medians and ratios measured in the same run:

    python bench/run.py --articles 5000 --entries 1000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import entry_name, write_corpus

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable


@dataclass
class Timing:
    seconds: list[float]
    peak_mb: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> float:
        return max(self.peak_mb)


def run_once(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident MB of the largest process of the command's tree."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


def measure(command: list[str], runs: int, before: object = None) -> Timing:
    timing = Timing([], [])
    for _ in range(runs):
        if callable(before):
            before()
        seconds, peak = run_once(command)
        timing.seconds.append(seconds)
        timing.peak_mb.append(peak)
    return timing


def build_command(site: Path, out: Path, *extra: str) -> list[str]:
    return [PYTHON, "-m", "builder", "build", "--site", str(site), "--out", str(out), "-q", *extra]


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
    """The same article bodies as a Hugo site with a minimal template, if Hugo is installed."""
    if shutil.which("hugo") is None:
        return None
    shutil.rmtree(target, ignore_errors=True)
    (target / "layouts" / "_default").mkdir(parents=True)
    (target / "hugo.toml").write_text('baseURL = "https://example.org/"\ntitle = "Bench"\n')
    single = "<!doctype html><title>{{ .Title }}</title><h1>{{ .Title }}</h1>{{ .Content }}\n"
    (target / "layouts" / "_default" / "single.html").write_text(single)
    (target / "layouts" / "_default" / "list.html").write_text("<!doctype html><title>x</title>\n")
    for article in (site / "content").glob("*/*/article.md"):
        relative = article.parent.relative_to(site / "content")
        destination = target / "content" / relative.parent / f"{relative.name}.md"
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(article, destination)
    return target


def linking_cost(sizes: tuple[int, ...]) -> dict[int, float]:
    """Median ms to render one article body, by glossary size, measured in this process."""
    sys.path.insert(0, str(HERE.parent))
    import datetime

    from builder.index import GlossaryIndex
    from builder.markdown import body_parser, render_body
    from builder.model import Bundle, FrontMatter

    front = FrontMatter("t", None, "s", datetime.date(2024, 1, 1), None, None, (), False)
    words = " ".join(["the talks went on for another week before officials said"] * 6)
    text = "\n\n".join(f"{words} {entry_name(i)} and {words}." for i in range(10))
    bundle = Bundle("a/b", "content/a/b/article.md", front, text, 6, (), (), None, ())
    costs = {}
    for size in sizes:
        claims = {entry_name(i): (f"entry-{i}",) for i in range(size)}
        claims.update({f"Zeta{i}": (f"entry-{i}",) for i in range(size)})
        md = body_parser(GlossaryIndex({}, dict(sorted(claims.items()))))
        samples = []
        for _ in range(7):
            start = time.perf_counter()
            for _ in range(50):
                render_body(md, bundle, "../../glossary/")
            samples.append((time.perf_counter() - start) / 50 * 1000)
        costs[size] = statistics.median(samples)
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=HERE / "corpus")
    arguments = parser.parse_args()
    work: Path = arguments.work
    site = work / f"site-{arguments.articles}-{arguments.entries}"
    if not site.exists():
        print(f"writing corpus {site} ...", flush=True)
        write_corpus(site, arguments.articles, arguments.entries)
    out = work / "out"
    runs = arguments.runs
    results: dict[str, Timing] = {}

    results["bare loop"] = measure(
        [PYTHON, str(HERE / "bare_loop.py"), str(site), str(work / "bare-out")],
        runs,
        lambda: shutil.rmtree(work / "bare-out", ignore_errors=True),
    )
    results["cold build"] = measure(build_command(site, out, "--clean"), runs)
    run_once(build_command(site, out))
    results["no-change rebuild"] = measure(build_command(site, out), runs)
    article = next(iter(sorted((site / "content" / "world").glob("*/article.md"))))
    edit_article = Toggle(article, "title: Synthetic", "title: Edited synthetic")
    results["one article edited"] = measure(build_command(site, out), runs, edit_article)
    glossary = site / "content" / "glossary" / "part-0000.yaml"
    edit_entry = Toggle(glossary, "Synthetic entry number 7,", "Edited entry number 7,")
    results["one entry edited"] = measure(build_command(site, out), runs, edit_entry)
    hugo = hugo_site(site, work / "hugo-site")
    if hugo is not None:
        results["hugo cold"] = measure(
            ["hugo", "--quiet", "-s", str(hugo), "-d", str(work / "hugo-out")],
            runs,
            lambda: shutil.rmtree(work / "hugo-out", ignore_errors=True),
        )
    report(results, arguments.articles)
    costs = linking_cost((10, 10_000))
    print(
        f"\nlinking, ms per article body: 10 entries {costs[10]:.3f}, "
        f"10,000 entries {costs[10_000]:.3f}, ratio {costs[10_000] / costs[10]:.2f}"
    )


def report(results: dict[str, Timing], articles: int) -> None:
    cold = results["cold build"].median
    bare = results["bare loop"].median
    print(
        f"\n{'scenario':<22}{'median s':>10}{'ms/article':>12}{'peak MB':>10}"
        f"{'÷ cold':>9}{'÷ bare':>9}"
    )
    for name, timing in results.items():
        print(
            f"{name:<22}{timing.median:>10.2f}{timing.median / articles * 1000:>12.2f}"
            f"{timing.peak:>10.0f}{timing.median / cold:>9.2f}{timing.median / bare:>9.2f}"
        )


if __name__ == "__main__":
    main()
