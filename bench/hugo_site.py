"""The Hugo yardstick: a benchmark corpus as a Hugo site, with bench/hugo/'s layouts.

Each story becomes a page bundle whose front matter carries its four sidecars
(read by the layouts as fact boxes) and an `entries` taxonomy of the glossary
entries its text names; each glossary entry becomes that taxonomy's term page,
which lists every story using it. bench/README.md says what this leaves out.

    python bench/hugo_site.py SITE TARGET
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
LAYOUTS = HERE / "hugo"
SIDECARS = ("who", "what", "where", "background")
# The corpus's entry names all end in "Zeta<number>" (and that is an alias), so this
# finds the entries a story's text names without a matcher of its own.
MENTION = re.compile(r"\bZeta(\d+)\b")


def load(path: Path) -> object:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def story_page(bundle: Path) -> str:
    """article.md with the sidecars and the entries it mentions added to its front matter."""
    text = bundle.joinpath("article.md").read_text(encoding="utf-8")
    _, front_text, body = text.split("---\n", 2)
    front = load_text(front_text)
    front["description"] = front.pop("dek", "")
    front.pop("image", None)
    front["date"] = str(front["date"])
    for name in SIDECARS:
        sidecar = bundle / f"{name}.yaml"
        if sidecar.exists():
            front[name] = load(sidecar)
    if "what" in front and "when" in front["what"]:
        front["what"]["when"] = str(front["what"]["when"])
    mentioned = dict.fromkeys(f"entry-{n}" for n in MENTION.findall(body))
    front["entries"] = list(mentioned)
    return "---\n" + yaml.safe_dump(front, sort_keys=True, allow_unicode=True) + "---\n" + body


def load_text(text: str) -> dict[str, object]:
    value = yaml.load(text, Loader=yaml.CSafeLoader)
    assert isinstance(value, dict)
    return value


def term_page(entry: dict[str, object]) -> str:
    front = {
        "title": entry["name"],
        "summary": entry.get("summary", ""),
        "facts": entry.get("facts", []),
        "kind": entry.get("kind", "term"),
    }
    return "---\n" + yaml.safe_dump(front, sort_keys=True, allow_unicode=True) + "---\n"


def write_hugo_site(site: Path, target: Path) -> Path:
    """Writes target afresh from the corpus in site; returns target."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copyfile(LAYOUTS / "hugo.toml", target / "hugo.toml")
    shutil.copytree(LAYOUTS / "layouts", target / "layouts")
    content = site / "content"
    for article in sorted(content.glob("*/*/article.md")):
        relative = article.parent.relative_to(content)
        destination = target / "content" / relative / "index.md"
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(story_page(article.parent), encoding="utf-8")
    for part in sorted((content / "glossary").glob("*.yaml")):
        entries = load(part)
        assert isinstance(entries, list)
        for entry in entries:
            folder = target / "content" / "entries" / str(entry["id"])
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "_index.md").write_text(term_page(entry), encoding="utf-8")
    return target


def main() -> None:
    write_hugo_site(Path(sys.argv[1]), Path(sys.argv[2]))


if __name__ == "__main__":
    main()
