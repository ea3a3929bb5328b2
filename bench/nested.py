"""The nested-alias case: one glossary entry with 300 nested aliases ("xx xx",
"xx xx xx", ... up to 300 words) and an article body of nothing but "xx xx xx ...".

Every alias occurs at almost every word, hundreds of times over, so this is
where glossary matching would grow with the square of the body. The matcher
is timed on the body's paragraph, as linking hands it over: every size once a
round, round after round, in one process, so that the slow spells of a shared
machine fall on all sizes alike. The peak memory of each size is that of a
child process that matches it once:

    python bench/nested.py 30000     # one size, once: what the peak is read from

bench/run.py prints the table (`python bench/run.py --only nested`).
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from builder.content.source import DEFAULT_MAX_FILE_BYTES
from builder.text.matcher import FormMatcher

# Doubling sizes, up to the largest that fits in an article.md: 240,000 words
# are 720,000 bytes, and a file may hold 1,000,000 (DEFAULT_MAX_FILE_BYTES).
SIZES = (7_500, 15_000, 30_000, 60_000, 120_000, 240_000)
DEEPEST = 300  # words in the longest alias
WORDS_PER_LINE = 20  # the body is one paragraph, wrapped as editors' text is
ROUNDS = 9


@dataclass
class NestedTiming:
    words: int
    article_bytes: int
    seconds: float  # CPU, the median of the rounds
    peak_mb: float


def aliases() -> list[str]:
    return [" ".join(["xx"] * count) for count in range(2, DEEPEST + 1)]


def article(words: int) -> str:
    """The article.md of the case, front matter and all."""
    front = "---\ntitle: Nested aliases\nsection: World\ndate: 2024-01-01\n---\n"
    lines = (
        " ".join(["xx"] * min(WORDS_PER_LINE, words - start))
        for start in range(0, words, WORDS_PER_LINE)
    )
    return front + "\n".join(lines) + "\n"


def paragraph(words: int) -> str:
    """The body as linking hands it to the matcher: a soft break reads as a space."""
    if len(article(words).encode()) > DEFAULT_MAX_FILE_BYTES:
        raise SystemExit(f"{words:,} words do not fit in an article.md")
    return " ".join(["xx"] * words)


def ready_matcher() -> FormMatcher:
    """The entry's forms, as a worker has them before its first long body."""
    matcher = FormMatcher(["Nested", *aliases()])
    matcher.find(paragraph(1_000))
    return matcher


def measure_all() -> list[NestedTiming]:
    # The peaks first: a child's peak counts what its parent held when it
    # started, and the timing makes this process hold the largest body's.
    peaks = {words: measure_peak(words) for words in SIZES}
    seconds = measure_times()
    return [
        NestedTiming(words, len(article(words).encode()), seconds[words], peaks[words])
        for words in SIZES
    ]


def measure_times() -> dict[int, float]:
    """Median CPU seconds of a match at each size, smallest first and largest
    first in turn, with the cyclic garbage collector paused as during a build."""
    matcher = ready_matcher()
    texts = {words: paragraph(words) for words in SIZES}
    samples: dict[int, list[float]] = {words: [] for words in SIZES}
    collecting = gc.isenabled()
    gc.disable()
    try:
        for number in range(ROUNDS):
            for words in SIZES if number % 2 == 0 else SIZES[::-1]:
                start = time.process_time()
                matcher.find(texts[words])
                samples[words].append(time.process_time() - start)
    finally:
        if collecting:
            gc.enable()
    return {words: statistics.median(runs) for words, runs in samples.items()}


def measure_peak(words: int) -> float:
    """Peak resident MB of a child process that matches one size once."""
    command = [sys.executable, str(Path(__file__).resolve()), str(words)]
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return usage.ru_maxrss / 1024


def report(timings: list[NestedTiming]) -> None:
    print(
        f"\nnested aliases: one entry, {DEEPEST - 1} aliases of 2 to {DEEPEST} words, "
        f"in a body of N words; matching, CPU s, medians of {ROUNDS} rounds"
    )
    print(f"{'words':>9}{'article KB':>12}{'match s':>10}{'÷ N/4':>8}{'peak MB':>9}")
    by_size = {timing.words: timing for timing in timings}
    ratios = []
    for timing in timings:
        quarter = by_size.get(timing.words // 4)
        ratio = f"{'-':>8}"
        if quarter is not None:
            ratios.append(timing.seconds / quarter.seconds)
            ratio = f"{ratios[-1]:>8.2f}"
        print(
            f"{timing.words:>9,}{timing.article_bytes / 1000:>12.0f}{timing.seconds:>10.3f}"
            f"{ratio}{timing.peak_mb:>9.0f}"
        )
    worst = f"{max(ratios):.2f}" if ratios else "-"
    print(
        f"4× the body: at most {worst}× the time (target 4.5); "
        f"peak {max(t.peak_mb for t in timings):.0f} MB (target under 300)"
    )


def main() -> None:
    gc.disable()  # as during a build (builder/build/run.py)
    ready_matcher().find(paragraph(int(sys.argv[1])))


if __name__ == "__main__":
    main()
