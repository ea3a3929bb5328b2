"""Fields against the schema: each error class, with the exact line an editor reads.

Every case replaces one or two files of the minimal site and runs `check`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from builder.content.validate import slugify
from builder.core.patterns import CONTROL, INVISIBLE
from tests.conftest import (
    ARTICLE,
    BACKGROUND,
    MINIMAL_SITE,
    SITE_YAML,
    TERMS,
    WHAT,
    WHO,
    Run,
)

T, A = TERMS, ARTICLE
FRONT = MINIMAL_SITE[ARTICLE]


def front(extra: str = "", *, replace: tuple[str, str] = ("", "")) -> str:
    """The minimal article with front matter lines added before the closing '---'."""
    text = FRONT.replace(*replace) if replace[0] else FRONT
    return text.replace("---\nVladimir", f"{extra}---\nVladimir")


def quote_please(field: str, value: str, reads_as: str) -> str:
    return (
        f"'{field}' must be text, but YAML reads {value} as {reads_as}; "
        f'put it in quotes: "{value}"'
    )


ERROR_CASES = [
    # Unknown and missing fields.
    pytest.param(
        {T: "- nmae: Treaty\n  summary: A pact.\n"},
        [
            f"{T}:1:3: error: glossary entry is missing required field 'name'",
            f"{T}:1:3: error: unknown field 'nmae' in glossary entry; "
            "did you mean 'name' or 'image'?",
        ],
        id="unknown field suggests the nearest known field",
    ),
    pytest.param(
        {T: "- name: Treaty\n  summary: A pact.\n  colour: red\n"},
        [
            f"{T}:3:3: error: unknown field 'colour' in glossary entry; known fields: id, name, "
            "kind, aliases, sort_as, summary, facts, wikidata, coordinates, image"
        ],
        id="unknown field with nothing near lists the known fields",
    ),
    pytest.param(
        {A: front(replace=("title:", "titel:"))},
        [
            f"{A}:2:1: error: front matter is missing required field 'title'",
            f"{A}:2:1: error: unknown field 'titel' in front matter; did you mean 'title'?",
        ],
        id="unknown front matter field suggests the nearest",
    ),
    pytest.param(
        {SITE_YAML: "title: T\nbase_url: https://example.org/\nlanguag: en\n"},
        [f"{SITE_YAML}:3:1: error: unknown field 'languag' in site.yaml; did you mean 'language'?"],
        id="unknown site.yaml field suggests the nearest",
    ),
    pytest.param(
        {T: "- summary: A pact.\n"},
        [f"{T}:1:3: error: glossary entry is missing required field 'name'"],
        id="missing required field",
    ),
    pytest.param(
        {A: front(replace=("date: 2023-09-15\n", ""))},
        [f"{A}:2:1: error: front matter is missing required field 'date'"],
        id="missing required front matter field",
    ),
    pytest.param(
        {WHAT: "when: 2023-09-13\n"},
        [f"{WHAT}:1:1: error: what.yaml is missing required field 'summary'"],
        id="missing summary in what.yaml",
    ),
    pytest.param(
        {T: "- name:\n  summary: A pact.\n"},
        [f"{T}:1:8: error: 'name' is empty; give it a value"],
        id="empty required field",
    ),
    # YAML 1.1 surprises in text fields.
    pytest.param(
        {T: "- name: NO\n  summary: Norway.\n"},
        [f"{T}:1:9: error: " + quote_please("name", "NO", "a yes/no value")],
        id="NO as a name asks for quotes",
    ),
    pytest.param(
        {T: "- name: Switch\n  aliases: [on]\n  summary: A switch.\n"},
        [f"{T}:2:13: error: " + quote_please("aliases item", "on", "a yes/no value")],
        id="on as an alias asks for quotes",
    ),
    pytest.param(
        {T: "- name: Treaty\n  summary: 1:30\n"},
        [
            f"{T}:1:3: warning: 'Treaty' has no summary; readers of its page and pop-ups will "
            "see only the name",
            f"{T}:2:12: error: " + quote_please("summary", "1:30", "a number"),
        ],
        id="1:30 as a summary asks for quotes",
    ),
    pytest.param(
        {T: "- name: 017\n  summary: A code.\n"},
        [f"{T}:1:9: error: " + quote_please("name", "017", "a number")],
        id="017 as a name asks for quotes",
    ),
    pytest.param(
        {T: "- name: 42\n  summary: A number.\n"},
        [f"{T}:1:9: error: " + quote_please("name", "42", "a number")],
        id="a bare number as a name asks for quotes",
    ),
    pytest.param(
        {T: "- name: 2023-09-15\n  summary: A day.\n"},
        [f"{T}:1:9: error: " + quote_please("name", "2023-09-15", "a date")],
        id="a bare date as a name asks for quotes",
    ),
    pytest.param(
        {A: front(replace=("section: World", "section: NO"))},
        [f"{A}:3:10: error: " + quote_please("section", "NO", "a yes/no value")],
        id="NO as a front matter section asks for quotes",
    ),
    pytest.param(
        {A: front("tags: [on, russia]\n")},
        [f"{A}:5:8: error: " + quote_please("tags item", "on", "a yes/no value")],
        id="on as a tag asks for quotes",
    ),
    pytest.param(
        {WHAT: "summary: They met.\nkey_facts:\n  - label: Handshake\n    value: 40\n"},
        [f"{WHAT}:4:12: error: " + quote_please("value", "40", "a number")],
        id="a bare number as a key fact value asks for quotes",
    ),
    # Dates.
    pytest.param(
        {A: front(replace=("2023-09-15", "2023-9-15"))},
        [
            f"{A}:4:7: error: 'date' must be a date written YYYY-MM-DD, or "
            "YYYY-MM-DDTHH:MM[:SS][±HH:MM] with a time, like 2023-09-15T10:00+09:00; "
            "found '2023-9-15'"
        ],
        id="bad date",
    ),
    pytest.param(
        {A: front(replace=("2023-09-15", "2023-09-15 10:00"))},
        [f"{A}:4:7: error: 'date' needs a T between the day and the time: 2023-09-15T10:00"],
        id="a time after a space",
    ),
    pytest.param(
        {A: front(replace=("2023-09-15", "2023-09-15T25:00"))},
        [
            f"{A}:4:7: error: 'date': 25:00 is not a time of day; hours run 00-23, "
            "minutes and seconds 00-59"
        ],
        id="hour 25",
    ),
    pytest.param(
        {A: front(replace=("2023-09-15", "2023-09-15T10:00+25:00"))},
        [
            f"{A}:4:7: error: 'date': the offset +25:00 does not exist; "
            "offsets run from -12:00 to +14:00"
        ],
        id="offset beyond any clock",
    ),
    pytest.param(
        {A: front(replace=("2023-09-15", "2023-02-30"))},
        [f"{A}:4:7: error: 'date': 2023-02-30 is not a real date"],
        id="date that does not exist",
    ),
    pytest.param(
        {WHAT: "summary: They met.\nwhen: 13 September 2023\n"},
        [
            f"{WHAT}:2:7: error: 'when' must be a date written YYYY-MM-DD, like 2023-09-15; "
            "found '13 September 2023'"
        ],
        id="date written out in words",
    ),
    pytest.param(
        {BACKGROUND: "- date: 07-2000\n  title: Putin in Pyongyang\n"},
        [
            f"{BACKGROUND}:1:9: error: 'date' must be a date written YYYY, YYYY-MM or "
            "YYYY-MM-DD, like 2000-07; found '07-2000'"
        ],
        id="bad partial date",
    ),
    pytest.param(
        {BACKGROUND: "- date: 2000-13\n  title: Putin in Pyongyang\n"},
        [f"{BACKGROUND}:1:9: error: 'date': 2000-13 is not a real date"],
        id="partial date with month 13",
    ),
    # Ids, Wikidata, coordinates, kinds, flags, sources.
    pytest.param(
        {T: "- id: Vladimir_Putin2\n  name: Treaty\n  summary: A pact.\n"},
        [
            f"{T}:1:7: error: 'Vladimir_Putin2' is not a valid id: use lower-case ASCII letters "
            "and digits joined by single hyphens, like 'vladimir-putin2'"
        ],
        id="bad id suggests its slug",
    ),
    pytest.param(
        {T: "- name: Treaty\n  summary: A pact.\n  wikidata: q7747\n"},
        [f"{T}:3:13: error: 'wikidata' must be Q followed by digits, like Q7747; found 'q7747'"],
        id="bad wikidata",
    ),
    pytest.param(
        {T: "- name: Treaty\n  summary: A pact.\n  wikidata: 7747\n"},
        [f"{T}:3:13: error: 'wikidata' must be Q followed by digits: write Q7747"],
        id="bare number as wikidata",
    ),
    pytest.param(
        {T: "- name: Here\n  kind: place\n  summary: A place.\n  coordinates: [91, 0]\n"},
        [
            f"{T}:4:16: error: 'coordinates': the latitude (the first number), 91, is not "
            "within ±90; are the two swapped? latitude comes first: [0, 91]"
        ],
        id="coordinates out of range",
    ),
    pytest.param(
        {T: "- name: Here\n  kind: place\n  summary: A place.\n  coordinates: [128.33, 51.88]\n"},
        [
            f"{T}:4:16: error: 'coordinates': the latitude (the first number), 128.33, is not "
            "within ±90; are the two swapped? latitude comes first: [51.88, 128.33]"
        ],
        id="coordinates swapped",
    ),
    pytest.param(
        {T: "- name: Here\n  kind: place\n  summary: A place.\n  coordinates: [51.88]\n"},
        [
            f"{T}:4:16: error: 'coordinates' must be [latitude, longitude] in degrees, "
            "like [51.88, 128.33]"
        ],
        id="coordinates with one number",
    ),
    pytest.param(
        {T: '- name: Here\n  kind: place\n  summary: A place.\n  coordinates: ["51", "128"]\n'},
        [
            f"{T}:4:16: error: 'coordinates' must be [latitude, longitude] in degrees, "
            "like [51.88, 128.33]"
        ],
        id="coordinates as text",
    ),
    pytest.param(
        {T: "- name: Treaty\n  kind: persn\n  summary: A pact.\n"},
        [
            f"{T}:2:9: error: 'persn' is not a kind; use one of person, organization, place, "
            "term, event; did you mean 'person'?"
        ],
        id="bad kind suggests the nearest",
    ),
    pytest.param(
        {A: front("draft: yes\n")},
        [f"{A}:5:8: error: 'draft' must be true or false"],
        id="draft must be true or false",
    ),
    pytest.param(
        {
            T: "- name: Treaty\n  summary: A pact.\n  facts:\n    - label: Signed\n"
            "      value: In 2001\n      source: javascript:alert(1)\n"
        },
        [
            f"{T}:6:15: error: 'source': the javascript: scheme is not allowed; use an http, "
            "https or mailto URL, or plain text"
        ],
        id="source with an unsafe URL scheme",
    ),
    pytest.param(
        {SITE_YAML: "title: T\nbase_url: example.org/news\n"},
        [
            f"{SITE_YAML}:2:11: error: 'base_url' must be an absolute http or https URL, "
            "like https://example.org/news/"
        ],
        id="base_url must be absolute",
    ),
    # Shapes.
    pytest.param(
        {BACKGROUND: "- date: 2000\n  title: Visit\n  mentions: vladimir-putin\n"},
        [
            f"{BACKGROUND}:3:13: error: 'mentions' must be a list of ids, like "
            "[vladimir-putin]; found text"
        ],
        id="mentions must be a list",
    ),
    pytest.param(
        {WHO: "- ref: vladimir-putin\n  said: Hello\n"},
        [f"{WHO}:2:9: error: 'said' must be a list, like [first, second]; found text"],
        id="said must be a list",
    ),
    # Invisible characters and names without a slug.
    pytest.param(
        {T: '- id: "treaty\u200b"\n  name: Treaty\n  summary: A pact.\n'},
        [f"{T}:1:7: error: 'id' contains the invisible control character U+200B; remove it"],
        id="zero-width space in an id",
    ),
    pytest.param(
        {T: '- name: "Tre\u200daty"\n  summary: A pact.\n'},
        [f"{T}:1:9: error: 'name' contains the invisible control character U+200D; remove it"],
        id="zero-width joiner in a name",
    ),
    pytest.param(
        {T: '- name: Treaty\n  aliases: ["\u202eytaerT"]\n  summary: A pact.\n'},
        [
            f"{T}:2:13: error: 'aliases item' contains the invisible control character U+202E; "
            "remove it"
        ],
        id="bidi override in an alias",
    ),
    pytest.param(
        {T: '- name: Treaty\n  aliases: ["Pact\u2066"]\n  summary: A pact.\n'},
        [
            f"{T}:2:13: error: 'aliases item' contains the invisible control character U+2066; "
            "remove it"
        ],
        id="bidi isolate in an alias",
    ),
    pytest.param(
        {WHO: '- ref: "vladimir-putin\u2060"\n'},
        [f"{WHO}:1:8: error: 'ref' contains the invisible control character U+2060; remove it"],
        id="word joiner in a ref",
    ),
    pytest.param(
        {T: "- name: 김정은\n  summary: Leader of North Korea.\n"},
        [
            f"{T}:1:9: error: '김정은' has no ASCII letters or digits to make an id from; "
            "add an explicit id"
        ],
        id="name with empty slug needs an id",
    ),
]


@pytest.mark.parametrize(("files", "expected"), ERROR_CASES)
def test_error_line(
    make_site: Callable[..., Path],
    check: Callable[[Path], Run],
    files: dict[str, str],
    expected: list[str],
) -> None:
    assert check(make_site(files)).problems == expected


ACCEPTED_CASES = [
    pytest.param(
        {T: '- name: "NO"\n  aliases: ["on", "017", "2023-09-15"]\n  summary: "1:30"\n'},
        id="quoted values are text",
    ),
    pytest.param({T: "- name: Treaty\n  summary: |\n    017\n"}, id="a block scalar is text"),
    pytest.param({A: front(replace=("2023-09-15", '"2023-09-15"'))}, id="a quoted date"),
    pytest.param(
        {
            BACKGROUND: "- date: 2000\n  title: A\n- date: 2000-07\n  title: B\n"
            '- date: "2000-07-19"\n  title: C\n- date: 2000-07-20\n  title: D\n'
        },
        id="partial dates: YYYY, YYYY-MM and YYYY-MM-DD, bare or quoted",
    ),
    pytest.param(
        {T: "- id: kim-jong-un-ko\n  name: 김정은\n  summary: Leader of North Korea.\n"},
        id="a name with empty slug and an explicit id",
    ),
    pytest.param(
        {T: "- name: Here\n  kind: place\n  summary: A place.\n  coordinates: [-51.5, 180]\n"},
        id="coordinates at the edge of the range",
    ),
    pytest.param(
        {A: front("draft: false\nupdated: 2023-09-16\nbyline: A. Writer\n")},
        id="optional front matter fields",
    ),
]


@pytest.mark.parametrize("files", ACCEPTED_CASES)
def test_accepted(
    make_site: Callable[..., Path], check_ok: Callable[[Path], Run], files: dict[str, str]
) -> None:
    check_ok(make_site(files))


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Kim Jong-il", "kim-jong-il"),
        ("José Martí", "jose-marti"),
        ("Komsomolsk-on-Amur  Aircraft Plant", "komsomolsk-on-amur-aircraft-plant"),
        ("Su-35", "su-35"),
        ("김정은", ""),
    ],
)
def test_slug_of_a_name(name: str, slug: str) -> None:
    assert slugify(name) == slug


# Every character there is, to check what the shortcuts in the field types rely on.
EVERY_CHARACTER = "".join(map(chr, range(0x110000)))


def test_control_characters_are_all_unprintable() -> None:
    # Text is searched with CONTROL only when isprintable() does not clear it.
    assert not any(char.isprintable() for char in CONTROL.findall(EVERY_CHARACTER))


def test_invisible_characters_are_all_beyond_ascii() -> None:
    # Names are searched with INVISIBLE only when they are not ASCII.
    assert not any(char.isascii() for char in INVISIBLE.findall(EVERY_CHARACTER))
