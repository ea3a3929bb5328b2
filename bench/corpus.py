"""Write a deterministic synthetic site for benchmarks.

Articles of about 600 words with all four sidecars, and a glossary whose
names the articles mention, so linking does real work. The same arguments
always give the same bytes.

Whatever the size, one entry (HOT_ENTRY) is mentioned by exactly HOT_STORIES
stories, first in the text and in who.yaml, so that editing it measures the
same amount of work at 5,000 stories as at 50,000. `--images` gives every
story a lead image of its own.

    python bench/corpus.py OUT --articles 5000 --entries 1000 [--images]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent))

from draw_pictures import scene

WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "by",
    "at",
    "from",
    "said",
    "it",
    "its",
    "an",
    "be",
    "has",
    "have",
    "are",
    "were",
    "will",
    "would",
    "officials",
    "government",
    "minister",
    "talks",
    "summit",
    "agreement",
    "week",
    "year",
    "month",
    "country",
    "region",
    "city",
    "leaders",
    "meeting",
    "report",
    "statement",
    "military",
    "economic",
    "trade",
    "security",
    "border",
    "foreign",
    "policy",
    "state",
    "media",
    "agency",
    "visit",
    "plans",
    "spokesman",
    "president",
    "parliament",
    "election",
    "vote",
    "capital",
    "state-run",
    "television",
    "cooperation",
    "concern",
    "sanctions",
    "analysts",
    "according",
    "expected",
    "earlier",
    "later",
]
KINDS = ("person", "organization", "place", "term")
# Bump when the corpus changes, so that corpora cached under bench/corpus/ are written anew.
CORPUS_VERSION = 2
HOT_ENTRY = 0
HOT_STORIES = 100
LEAD_IMAGE = "lead.jpg"
SECTIONS = ("world", "politics", "business", "science")


def entry_name(number: int) -> str:
    syllables = ("ka", "lo", "mi", "ren", "tos", "vi", "dar", "sul", "ne", "bor")
    first = "".join(syllables[(number // 10**k) % 10] for k in range(3)).capitalize()
    return f"{first} Zeta{number}"


def glossary_yaml(numbers: range) -> str:
    lines = []
    for n in numbers:
        kind = KINDS[n % len(KINDS)]
        lines += [
            f"- id: entry-{n}",
            f"  name: {entry_name(n)}",
            f"  kind: {kind}",
            f"  aliases: [Zeta{n}]",
            f"  summary: Synthetic entry number {n}, a {kind} used by the benchmark.",
            "  facts:",
            "    - label: Number",
            f'      value: "{n}"',
            "      source: https://example.org/facts",
        ]
    return "\n".join(lines) + "\n"


def article_text(rng: random.Random, number: int, mentioned: list[int], image: bool = False) -> str:
    paragraphs = []
    for p in range(10):
        words = [rng.choice(WORDS) for _ in range(58)]
        for slot, entry in enumerate(mentioned[p * 2 : p * 2 + 2]):
            words.insert(10 + slot * 20, entry_name(entry))
        sentence = " ".join(words)
        paragraphs.append(sentence[0].upper() + sentence[1:] + ".")
    front = (
        f"---\ntitle: Synthetic explainer {number}\n"
        f"dek: A generated story for measuring the builder, number {number}.\n"
        f"section: {SECTIONS[number % len(SECTIONS)].capitalize()}\n"
        f"date: {2020 + number % 5}-{1 + number % 12:02d}-{1 + number % 28:02d}\n"
        f"tags: [bench, tag-{number % 20}]\n"
        + (
            f"image: {{src: {LEAD_IMAGE}, alt: A launch pad at dusk (story {number}), "
            "credit: Bench}\n"
            if image
            else ""
        )
        + "---\n"
    )
    return front + "\n\n".join(paragraphs) + "\n"


def sidecars(rng: random.Random, mentioned: list[int]) -> dict[str, str]:
    who = "".join(
        f"- ref: entry-{n}\n  in_this_story: Appears in this story.\n" for n in mentioned[:5]
    )
    where = "".join(
        f"- ref: entry-{n}\n  in_this_story: Where it happened.\n" for n in mentioned[5:8]
    )
    what = (
        "summary: Something happened, and this paragraph says what in a few words.\n"
        'when: 2023-09-13\nkey_facts:\n  - label: Count\n    value: "3"\n'
        "    source: https://example.org/\nwhy_it_matters: It matters to readers.\n"
    )
    background = "".join(
        f"- date: {2000 + i}-0{1 + i}\n  title: Earlier event {i}\n"
        f"  summary: What happened then.\n  mentions: [entry-{mentioned[i]}]\n"
        for i in range(3)
    )
    return {"who.yaml": who, "where.yaml": where, "what.yaml": what, "background.yaml": background}


def hot_story(number: int, articles: int) -> bool:
    """Whether story `number` mentions HOT_ENTRY: every n-th story, HOT_STORIES in all."""
    step = max(1, articles // HOT_STORIES)
    return number % step == 0 and number // step < HOT_STORIES


def mentions(rng: random.Random, number: int, articles: int, entries: int) -> list[int]:
    """The twenty entries a story names, HOT_ENTRY first in the stories that use it."""
    others = rng.sample(range(1, entries), min(20, entries - 1))
    if hot_story(number, articles):
        return [HOT_ENTRY, *others[:19]]
    return others


def lead_images(count: int = 5) -> list[bytes]:
    """A few distinct scenes, as raw RGB, that lead_image() makes each story's own."""
    return [scene(960, 540, seed).tobytes() for seed in range(count)]


def lead_image(scenes: list[bytes], number: int) -> bytes:
    """A JPEG of its own for story `number`: a scene with the number drawn in its corner."""
    picture = Image.frombytes("RGB", (960, 540), scenes[number % len(scenes)])
    ImageDraw.Draw(picture).text((12, 12), f"{number}", fill=(255, 255, 255))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def write_corpus(
    out: Path, articles: int, entries: int, seed: int = 1, images: bool = False
) -> None:
    rng = random.Random(seed)
    scenes = lead_images() if images else []
    (out / "content" / "glossary").mkdir(parents=True, exist_ok=True)
    (out / "site.yaml").write_text(
        "title: Bench\nbase_url: https://example.org/\nlanguage: en\noutput: public\n"
        "stale_after_days: 36500\n",
        encoding="utf-8",
    )
    for start in range(0, entries, 100):
        chunk = range(start, min(start + 100, entries))
        glossary = out / "content" / "glossary" / f"part-{start // 100:04d}.yaml"
        glossary.write_text(glossary_yaml(chunk), encoding="utf-8")
    for number in range(articles):
        mentioned = mentions(rng, number, articles, entries)
        folder = out / "content" / SECTIONS[number % len(SECTIONS)] / f"story-{number}"
        folder.mkdir(parents=True, exist_ok=True)
        text = article_text(rng, number, mentioned, image=images)
        (folder / "article.md").write_text(text, encoding="utf-8")
        if images:
            (folder / LEAD_IMAGE).write_bytes(lead_image(scenes, number))
        for name, text in sidecars(rng, mentioned).items():
            (folder / name).write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=500)
    parser.add_argument("--images", action="store_true", help="a lead image per story")
    arguments = parser.parse_args()
    write_corpus(arguments.out, arguments.articles, arguments.entries, images=arguments.images)


if __name__ == "__main__":
    main()
