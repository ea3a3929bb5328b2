"""Is the output the same as an earlier commit's? For refactors that must not change a byte.

Builds the example site and a synthetic corpus twice, once with the builder of
an earlier commit (checked out into a temporary git worktree) and once with
this working tree, with the same SOURCE_DATE_EPOCH, then compares the two
output folders file by file:

    python bench/same_output.py --base HEAD~3 --articles 1000 --entries 300

Exits 1 and lists the files that differ (or exist on one side only), 0 when
both outputs are byte-identical. `--ignore` leaves out paths that are meant to
differ (a glob, relative to the output folder; may be repeated).
"""

from __future__ import annotations

import argparse
import filecmp
import fnmatch
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_corpus

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
EPOCH = "1700000000"  # any fixed day: both builds must see the same one


def build(code: Path, site: Path, out: Path) -> None:
    """Build SITE into OUT with the builder package found in CODE."""
    environment = dict(os.environ, PYTHONPATH=str(code), SOURCE_DATE_EPOCH=EPOCH)
    command = [sys.executable, "-m", "builder", "build", "--site", str(site), "--out", str(out)]
    # `python -m` puts the working folder first on sys.path: it must be CODE too.
    completed = subprocess.run(command, cwd=code, env=environment, capture_output=True, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"build with {code} failed:\n{completed.stderr}")


def differences(left: Path, right: Path, ignored: list[str]) -> list[str]:
    """Paths, relative to the output folders, whose bytes differ or exist on one side only."""
    found = []
    names = {p.relative_to(left).as_posix() for p in left.rglob("*") if p.is_file()}
    names |= {p.relative_to(right).as_posix() for p in right.rglob("*") if p.is_file()}
    for name in sorted(names):
        if any(fnmatch.fnmatch(name, pattern) for pattern in ignored):
            continue
        a, b = left / name, right / name
        if not (a.is_file() and b.is_file()):
            found.append(f"{name}: only in {'the base' if a.is_file() else 'this tree'}")
        elif not filecmp.cmp(a, b, shallow=False):
            found.append(f"{name}: differs")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="HEAD", help="the commit to compare against")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--ignore", action="append", default=[], metavar="GLOB")
    arguments = parser.parse_args()
    git = ["git", "-C", str(REPOSITORY), "worktree"]
    with tempfile.TemporaryDirectory(prefix="same-output-") as scratch:
        work = Path(scratch)
        base = work / "base"
        subprocess.run(
            [
                "git",
                "-C",
                str(REPOSITORY),
                "worktree",
                "add",
                "--detach",
                str(base),
                arguments.base,
            ],
            check=True,
            capture_output=True,
        )
        try:
            corpus = work / "corpus"
            write_corpus(corpus, arguments.articles, arguments.entries)
            failed = []
            # The example site is each side's own (its templates/ may differ too).
            sites = (("example site", base, REPOSITORY), ("corpus", corpus, corpus))
            for name, base_site, tree_site in sites:
                build(base, base_site, work / f"{name}-base")
                build(REPOSITORY, tree_site, work / f"{name}-tree")
                found = differences(work / f"{name}-base", work / f"{name}-tree", arguments.ignore)
                print(f"{name}: {len(found)} files differ")
                failed.extend(f"  {name}: {line}" for line in found)
        finally:
            subprocess.run([*git, "remove", "--force", str(base)], check=False)
    print("\n".join(failed[:200]))
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
