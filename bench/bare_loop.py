"""The yardstick: the least a Python builder must do per article.

Split front matter, render the body with markdown-it-py, fill a minimal
Jinja2 template, write the page; two processes, like the builder on two cores.

    python bench/bare_loop.py SITE OUT
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import jinja2
import yaml
from markdown_it import MarkdownIt

TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    "<!doctype html><title>{{ title }}</title><h1>{{ title }}</h1>{{ body }}"
)


def render(job: tuple[Path, Path]) -> None:
    source, target = job
    text = source.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.load(front, Loader=yaml.CSafeLoader)
    html = MarkdownIt("commonmark").render(body)
    target.parent.mkdir(parents=True, exist_ok=True)
    page = TEMPLATE.render(title=meta["title"], body=jinja2.utils.markupsafe.Markup(html))
    target.write_text(page, encoding="utf-8")


def main() -> None:
    site, out = Path(sys.argv[1]), Path(sys.argv[2])
    articles = sorted((site / "content").glob("*/*/article.md"))
    jobs = [(a, out / a.parent.relative_to(site / "content") / "index.html") for a in articles]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(render, jobs, chunksize=64)


if __name__ == "__main__":
    main()
