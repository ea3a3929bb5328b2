"""The JSON Schemas agree with the builder's own check, and the committed copies are current.

Each case is one small file put into an otherwise valid site: the schema (as
an editor's YAML language server applies it) and `python -m builder check`
must both accept it or both refuse it, and a refusal must be for the reason
the case names. The few cases the schema cannot judge as the builder does
(JSON keeps no trace of how a value was spelled) are marked as such, so the
handbook's list of them (docs/editor.md) stays true.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.commands.cli import main
from builder.content import schema as schema_module
from builder.content.field_types import (
    DATE,
    ID,
    MARKDOWN,
    MATCHED_TEXT,
    PARTIAL_DATE,
    SOURCE,
    TEXT,
    URL,
    WIKIDATA,
)
from builder.content.fields import Field, FieldType, Record
from builder.content.jsonschema import (
    SCHEMA_FILES,
    file_schema,
    render_schema,
    schema_documents,
    write_schemas,
)
from builder.content.validate import read_record
from builder.content.yamltree import YamlSequence, parse_yaml
from builder.core.diagnostics import Report
from tests.content.schema_probe import editor_load, judge, validator_for

REPO = Path(__file__).resolve().parents[2]
COMMITTED_SCHEMAS = REPO / "schemas"


def schema_errors(file: str, text: str) -> list[str]:
    validator = validator_for(schema_documents()[f"{file}.schema.json"])
    return [error.message for error in validator.iter_errors(editor_load(text))]


# An otherwise valid site: each case replaces or adds one file.
SITE_YAML = "title: Test\nbase_url: https://example.org/\n"
GLOSSARY = """\
- id: vladimir-putin
  name: Vladimir Putin
  kind: person
  aliases: [Putin]
- id: kim-jong-un
  name: Kim Jong Un
  kind: person
- id: pyongyang
  name: Pyongyang
  kind: place
"""
FRONT_MATTER = """\
title: Putin and Kim meet
section: World
date: 2023-09-15
"""
BODY = (
    "Vladimir Putin met Kim Jong Un. Putin said Moscow would “quickly prepare” "
    "a visit to Pyongyang. Dmitry Peskov spoke at the Vostochny Cosmodrome.\n"
)
BUNDLE = "content/world/story"


def make_site(folder: Path, file: str, text: str) -> Path:
    """A site with `text` as the file that `file` names (a schema file's name)."""
    (folder / "content/glossary").mkdir(parents=True)
    (folder / BUNDLE).mkdir(parents=True)
    (folder / "site.yaml").write_text(text if file == "site" else SITE_YAML, encoding="utf-8")
    (folder / "content/glossary/base.yaml").write_text(GLOSSARY, encoding="utf-8")
    front = text if file == "front-matter" else FRONT_MATTER
    (folder / BUNDLE / "article.md").write_text(f"---\n{front}---\n{BODY}", encoding="utf-8")
    if file == "glossary":
        (folder / "content/glossary/more.yaml").write_text(text, encoding="utf-8")
    elif file == "authors":
        (folder / "content/authors.yaml").write_text(text, encoding="utf-8")
    elif file == "tags":
        (folder / "content/tags.yaml").write_text(text, encoding="utf-8")
    elif file not in ("site", "front-matter"):
        (folder / BUNDLE / f"{file}.yaml").write_text(text, encoding="utf-8")
    return folder


def builder_errors(
    folder: Path, file: str, text: str, capsys: pytest.CaptureFixture[str]
) -> list[str]:
    site = make_site(folder, file, text)
    status = main(["check", "--site", str(site), "--drafts", "--quiet"])
    lines = capsys.readouterr().err.splitlines()
    assert status in (0, 1), lines
    assert "internal error" not in "\n".join(lines)
    return [line for line in lines if ": error: " in line] if status else []


@dataclass(frozen=True)
class Case:
    file: str  # which schema: site, front-matter, who, where, what, background, glossary
    title: str
    text: str
    schema_accepts: bool
    builder_accepts: bool
    refusal: str  # words of the builder's error, when it refuses

    @property
    def id(self) -> str:
        return f"{self.file}: {self.title}"


def read_cases(table: str) -> list[Case]:
    """Cases from `### FILE: TITLE` headings, each followed by the file's text.

    The text's first line may be a YAML comment saying who refuses it:
    `# refused: WORDS` (both, the builder with an error containing WORDS),
    `# only the builder refuses: WORDS` or `# only the schema refuses`.
    """
    cases = []
    for chunk in table.split("\n### ")[1:]:
        heading, _, text = chunk.partition("\n")
        file, _, title = heading.partition(": ")
        first = text.split("\n", 1)[0]
        verdict, _, refusal = first.removeprefix("# ").partition(": ")
        schema_accepts, builder_accepts = {
            "refused": (False, False),
            "only the builder refuses": (True, False),
            "only the schema refuses": (False, True),
        }.get(verdict, (True, True))
        cases.append(Case(file, title, text, schema_accepts, builder_accepts, refusal))
    return cases


# Each case is a whole file as an editor would write it (for front-matter,
# the lines between the two '---').
CASES = read_cases(
    """
### site: a full site.yaml
title: World Explained
base_url: https://example.org/news/
language: en
output: public
description: Explainers.
stale_after_days: 3650
max_file_bytes: 1000000

### site: a base_url without a trailing slash
title: T
base_url: https://example.org/news

### site: an unknown field
# refused: unknown field 'baseurl'
title: T
base_url: https://example.org/
baseurl: https://example.org/

### site: a missing required field
# refused: missing required field 'base_url'
title: T

### site: an empty file
# refused: site.yaml is empty

### site: a list instead of a mapping
# refused: expected a site.yaml
- title: T
  base_url: https://example.org/

### site: a relative base_url
# refused: absolute http or https URL
title: T
base_url: example.org/news/

### site: an ftp base_url
# refused: absolute http or https URL
title: T
base_url: ftp://example.org/

### site: a negative count
# refused: must be a whole number
title: T
base_url: https://example.org/
stale_after_days: -5

### site: a quoted count
# refused: must be a whole number
title: T
base_url: https://example.org/
stale_after_days: "365"

### site: NO as a language
# refused: put it in quotes
title: T
base_url: https://example.org/
language: NO

### site: NO in quotes as a language
title: T
base_url: https://example.org/
language: "NO"

### site: a number as a title
# refused: put it in quotes
title: 2023
base_url: https://example.org/

### site: a time as a title
# refused: put it in quotes
title: 1:30
base_url: https://example.org/

### front-matter: every field
title: T
dek: D
section: World
date: 2023-09-15
updated: "2023-09-16"
byline: A. Writer
tags: [russia, north-korea]
draft: false

### front-matter: an optional field left empty
title: T
section: World
date: 2023-09-15
dek:

### front-matter: a missing date
# refused: missing required field 'date'
title: T
section: World

### front-matter: a date in words
# refused: must be a date written YYYY-MM-DD
title: T
section: World
date: 15 September 2023

### front-matter: a day that does not exist
# refused: not a real date
title: T
section: World
date: 2023-02-30

### front-matter: a month that does not exist
# refused: not a real date
title: T
section: World
date: 2023-13-01

### front-matter: a boolean in quotes
# refused: must be true or false
title: T
section: World
date: 2023-09-15
draft: "no"

### front-matter: tags as one string
# refused: must be a list
title: T
section: World
date: 2023-09-15
tags: russia

### front-matter: a list as the title
# refused: must be text
title: [Putin, Kim]
section: World
date: 2023-09-15

### front-matter: an unknown field
# refused: unknown field 'author'
title: T
section: World
date: 2023-09-15
author: A. Writer

### front-matter: a required field left empty
# refused: 'title' is empty
title: ""
section: World
date: 2023-09-15

### front-matter: on as a title
# refused: put it in quotes
title: on
section: World
date: 2023-09-15

### front-matter: a number among the tags
# refused: put it in quotes
title: T
section: World
date: 2023-09-15
tags: [russia, 2023]

### who: references with quotations
- ref: vladimir-putin
  in_this_story: Met *Kim*.
  said:
    - "quickly prepare"
- ref: kim-jong-un

### who: a new entry with facts
- name: Dmitry Peskov
  id: dmitry-peskov
  kind: person
  aliases: [Peskov]
  summary: Spokesman of the Kremlin.
  wikidata: Q4161405
  in_this_story: Described the gifts.
  facts:
    - label: Office
      value: Press secretary
      as_of: 2023-09-15
      source: https://en.wikipedia.org/wiki/Dmitry_Peskov
    - label: Source given as plain text
      value: A value
      source: Kremlin biography, 2023

### who: an empty list
[]

### who: only comments
# nobody yet

### who: a reference with a name
# refused: unknown field 'name' in reference
- ref: kim-jong-un
  name: Kim

### who: a reference that is not an id
# refused: is not a valid id
- ref: Vladimir_Putin

### who: a reference left empty
# refused: 'ref' is empty
- ref:

### who: an entry without a name
# refused: missing required field 'name'
- summary: Someone.

### who: a misspelt kind
# refused: is not a kind
- name: Dmitry Peskov
  kind: persn

### who: a Wikidata id written as a number
# refused: write Q4161405
- name: Dmitry Peskov
  wikidata: 4161405

### who: a Wikidata id without its Q
# refused: must be Q followed by digits
- name: Dmitry Peskov
  wikidata: q4161405

### who: one quotation as a string
# refused: must be a list
- ref: vladimir-putin
  said: quickly prepare

### who: a fact without a value
# refused: missing required field 'value'
- name: Dmitry Peskov
  facts:
    - label: Office

### who: a fact checked on a malformed date
# refused: must be a date written YYYY-MM-DD
- name: Dmitry Peskov
  facts:
    - label: Office
      value: Press secretary
      as_of: 2023-9-15

### who: a javascript source
# refused: scheme is not allowed
- name: Dmitry Peskov
  facts:
    - label: Office
      value: Press secretary
      source: "javascript:alert(1)"

### who: a mapping instead of a list
# refused: expected a list
ref: vladimir-putin

### who: an item that is only an id
# refused: a mapping of fields
- vladimir-putin

### who: an alias with a zero-width space
# refused: invisible control character
- name: Dmitry Peskov
  aliases: ["Pes\\u200bkov"]

### who: an empty alias
# refused: is empty
- name: Dmitry Peskov
  aliases: [""]

### where: a reference and a new place
- ref: pyongyang
  in_this_story: Where Putin may go.
- name: Vostochny Cosmodrome
  coordinates: [51.884, 128.334]

### where: whole-number coordinates
- name: Vostochny Cosmodrome
  coordinates: [52, -128]

### where: one coordinate
# refused: [latitude, longitude]
- name: Vostochny Cosmodrome
  coordinates: [51.88]

### where: three coordinates
# refused: [latitude, longitude]
- name: Vostochny Cosmodrome
  coordinates: [51.88, 128.33, 5]

### where: a latitude past the pole
# refused: is not within ±90
- name: Vostochny Cosmodrome
  coordinates: [91, 128.33]

### where: a latitude below the south pole
# refused: is not within ±90
- name: Vostochny Cosmodrome
  coordinates: [-90.5, 128.33]

### where: a longitude past the date line
# refused: is not within ±180
- name: Vostochny Cosmodrome
  coordinates: [51.88, 181]

### where: coordinates in quotes
# refused: [latitude, longitude]
- name: Vostochny Cosmodrome
  coordinates: ["51.88", "128.33"]

### where: coordinates as text
# refused: [latitude, longitude]
- name: Vostochny Cosmodrome
  coordinates: 51.88 128.33

### what: every field
summary: Putin and Kim met.
when: 2023-09-13
key_facts:
  - label: Handshake
    value: 40 seconds
    source: News report
why_it_matters: It *does*.

### what: only comments
# to do

### what: a missing summary
# refused: missing required field 'summary'
when: 2023-09-13

### what: a date in words
# refused: must be a date written YYYY-MM-DD
summary: S
when: 13 September 2023

### what: a year where a whole date belongs
# refused: must be a date written YYYY-MM-DD
summary: S
when: 2023

### what: key facts as a mapping
# refused: expected a list of facts
summary: S
key_facts:
  Venue: Vostochny

### what: a key fact with an unknown field
# refused: unknown field 'note'
summary: S
key_facts:
  - label: A
    value: B
    note: C

### background: a year, a month and a day
- date: 2000
  title: One
- date: 2000-07
  title: Two
  summary: S.
  mentions: [vladimir-putin, pyongyang]
- date: "2011-12-17"
  title: Three
  source: https://example.org/

### background: a month that does not exist
# refused: not a real date
- date: 2000-13
  title: T

### background: a day that does not exist
# refused: not a real date
- date: 2001-02-29
  title: T

### background: year zero
# refused: not a real date
- date: "0000"
  title: T

### background: a date in words
# refused: must be a date written YYYY, YYYY-MM or YYYY-MM-DD
- date: July 2000
  title: T

### background: a two-digit year
# refused: must be a date written YYYY, YYYY-MM or YYYY-MM-DD
- date: 99
  title: T

### background: a name among the mentions
# refused: is not a valid id
- date: 2000
  title: T
  mentions: [Vladimir Putin]

### background: mentions as one id
# refused: must be a list of ids
- date: 2000
  title: T
  mentions: pyongyang

### background: a missing title
# refused: missing required field 'title'
- date: 2000

### glossary: entries of every kind
- name: Vostochny Cosmodrome
  kind: place
  coordinates: [51.884, 128.334]
- name: Kremlin
  kind: organization
  wikidata: Q123
- name: Su-35
- name: Summit of 2023
  kind: event

### glossary: a capitalised kind
# refused: is not a kind
- name: Kremlin
  kind: Organization

### glossary: an id with capitals
# refused: is not a valid id
- id: Kremlin
  name: Kremlin

### glossary: an empty name
# refused: 'name' is empty
- name: ""

### glossary: a name with a bidirectional control
# refused: invisible control character
- id: kremlin
  name: "Krem\\u202elin"

### glossary: story fields outside a story
# refused: unknown field 'in_this_story'
- name: Kremlin
  in_this_story: x

### front-matter: yes as a boolean
# only the builder refuses: must be true or false
title: T
section: World
date: 2023-09-15
draft: yes

### front-matter: a bare date as a title
# only the builder refuses: put it in quotes
title: 2023-09-15
section: World
date: 2023-09-15

### site: a count written 3.0
# only the builder refuses: must be a whole number
title: T
base_url: https://example.org/
stale_after_days: 3.0

### site: a count with an underscore
# only the builder refuses: must be a whole number
title: T
base_url: https://example.org/
stale_after_days: 1_000

### glossary: a kind in quotes with spaces around it
# only the schema refuses
- name: Kremlin
  kind: " organization "

### authors: a full author and one with a name only
- id: kim-min-ji
  name: Kim Min-ji
  role: Moscow correspondent
  bio: Covered the two Koreas from *Seoul*.
  url: https://example.org/people/kim-min-ji
  email: kim.min-ji@example.org
- name: Lee Jae-won

### authors: an empty file
# nothing but a comment

### authors: an author without a name
# refused: author is missing required field 'name'
- id: kim-min-ji
  role: Moscow correspondent

### authors: a url without a scheme
# refused: 'url' must be an absolute http or https URL
- name: Kim Min-ji
  url: example.org/people/kim-min-ji

### authors: an email with mailto
# refused: 'email' must be an email address
- name: Kim Min-ji
  email: mailto:kim@example.org

### authors: an image written as a bare path
# refused: expected an image
- name: Kim Min-ji
  image: media/kim.jpg

### tags: a tag named, and one with a description
- id: north-korea
  name: North Korea
- id: un-vote
  name: UN vote
  description: Votes at the United Nations, and what they changed.

### tags: a tag without a name
# refused: tag is missing required field 'name'
- id: north-korea

### tags: a tag without an id
# refused: tag is missing required field 'id'
- name: North Korea

### tags: an id written as the name
# refused: is not a valid id
- id: North Korea
  name: North Korea

### tags: a misspelt field
# refused: unknown field 'descripton'
- id: north-korea
  name: North Korea
  descripton: The country.

### front-matter: authors as one id, not a list
# refused: must be a list of ids
title: T
section: World
date: 2023-09-15
authors: kim-min-ji
"""
)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_schema_and_builder_agree(
    case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from_schema = schema_errors(case.file, case.text)
    from_builder = builder_errors(tmp_path, case.file, case.text, capsys)
    assert (from_schema == []) is case.schema_accepts, from_schema
    assert (from_builder == []) is case.builder_accepts, from_builder
    if not case.builder_accepts:
        assert any(case.refusal in line for line in from_builder), from_builder


def test_the_cases_cover_every_schema_and_both_verdicts() -> None:
    assert {case.file for case in CASES} == {file.name for file in SCHEMA_FILES}
    for file in SCHEMA_FILES:
        verdicts = {case.builder_accepts for case in CASES if case.file == file.name}
        assert verdicts == {True, False}, file.name


def test_coordinates_that_are_not_numbers_are_refused_by_both() -> None:
    text = "- name: Nowhere\n  coordinates: [.inf, 0]\n"
    assert schema_errors("where", text)
    report = Report()
    node = parse_yaml(text, "where.yaml", report)
    assert isinstance(node, YamlSequence)
    read_record(node.items[0], schema_module.STORY_ENTRY, report)
    assert report.has_errors


def test_the_example_site_is_valid_against_the_schemas() -> None:
    content = REPO / "content"
    files = {"site": [REPO / "site.yaml"], "glossary": sorted(content.glob("glossary/*.yaml"))}
    files["authors"] = [content / "authors.yaml"]
    files["tags"] = [content / "tags.yaml"]
    for sidecar in ("who", "where", "what", "background"):
        files[sidecar] = sorted(content.glob(f"**/{sidecar}.yaml"))
    for file, paths in files.items():
        for path in paths:
            assert schema_errors(file, path.read_text(encoding="utf-8")) == [], path
    for article in sorted(content.glob("**/article.md")):
        front = article.read_text(encoding="utf-8").split("---\n")[1]
        assert schema_errors("front-matter", front) == [], article


# Single fields, with any text, judged by both sides.


def field_agrees(field_type: FieldType[Any], value: str) -> tuple[bool, bool]:
    """(schema accepts, builder accepts) for `value: "<value>"` in a one-field record."""
    return judge(field_type, json.dumps(value))


DATE_LIKE = st.text(alphabet="0123456789-", max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.one_of(DATE_LIKE, st.dates().map(str)))
def test_dates_agree(value: str) -> None:
    schema_ok, builder_ok = field_agrees(DATE, value)
    assert schema_ok == builder_ok


@settings(max_examples=300, deadline=None)
@given(st.one_of(DATE_LIKE, st.dates().map(lambda d: str(d)[: 4 + 3 * (d.day % 3)])))
def test_partial_dates_agree(value: str) -> None:
    schema_ok, builder_ok = field_agrees(PARTIAL_DATE, value)
    assert schema_ok == builder_ok


def untrimmed(value: str) -> bool:
    """The builder trims quoted text before checking it; the schema takes it as written."""
    return value == value.strip()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcz09-_ A", max_size=10).filter(untrimmed))
def test_ids_agree(value: str) -> None:
    schema_ok, builder_ok = field_agrees(ID, value)
    assert schema_ok == builder_ok


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="Qq0123456789 ", max_size=8).filter(untrimmed))
def test_wikidata_ids_agree(value: str) -> None:
    schema_ok, builder_ok = field_agrees(WIKIDATA, value)
    assert schema_ok == builder_ok


# The refused controls and the characters on either side of each range.
INVISIBLE_AND_NEIGHBOURS = (
    "\u200a\u200b\u200f\u2010\u2029\u202a\u202e\u202f\u205f\u2060"
    "\u2064\u2065\u2066\u2069\u206a\ufeff\ufefe\u061b\u061c\u00a0"
)


@pytest.mark.parametrize("text_type", [MATCHED_TEXT, TEXT], ids=["matched text", "text"])
@pytest.mark.parametrize("character", INVISIBLE_AND_NEIGHBOURS, ids=lambda c: f"U+{ord(c):04X}")
def test_invisible_characters_agree(character: str, text_type: FieldType[Any]) -> None:
    schema_ok, builder_ok = field_agrees(text_type, f"Kim{character}Jong")
    assert schema_ok == builder_ok


CONTROLS = "\x01\x08\x0b\x1b\x7f\x85\x9f\ufffe"


@pytest.mark.parametrize(
    "field_type", [TEXT, MATCHED_TEXT, MARKDOWN], ids=["text", "matched text", "markdown"]
)
@pytest.mark.parametrize("character", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_control_characters_agree(character: str, field_type: FieldType[Any]) -> None:
    schema_ok, builder_ok = field_agrees(field_type, f"Kim{character}Jong")
    assert (schema_ok, builder_ok) == (False, False)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="hHtTpPsS:/mailtoxX .", max_size=12))
def test_sources_agree(value: str) -> None:
    schema_ok, builder_ok = field_agrees(SOURCE, value)
    assert schema_ok == builder_ok


# The schemas themselves.


def test_schemas_are_valid_draft_2020_12() -> None:
    for schema in schema_documents().values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_every_record_of_schema_py_is_in_a_schema() -> None:
    objects = []
    for document in schema_documents().values():
        objects += [document, *document.get("$defs", {}).values()]
    shapes = [list(o["properties"]) for o in objects if "properties" in o]
    records = [v for v in vars(schema_module).values() if isinstance(v, Record)]
    assert records
    for record in records:
        assert record.names() in shapes, record.name


def test_a_field_added_to_a_record_is_in_its_schema() -> None:
    site = next(file for file in SCHEMA_FILES if file.name == "site")
    newsletter = Field("newsletter", URL, "Where readers sign up.")
    wider = replace(
        site, records=(replace(site.records[0], fields=(*site.records[0].fields, newsletter)),)
    )
    properties = file_schema(wider)["properties"]
    assert properties["newsletter"]["description"] == "Where readers sign up."


def test_write_schemas_is_byte_stable(tmp_path: Path) -> None:
    first = write_schemas(tmp_path / "schemas")
    assert sorted(p.name for p in first) == sorted(schema_documents())
    before = {p.name: p.read_bytes() for p in first}
    assert write_schemas(tmp_path / "schemas") == []
    assert {p.name: p.read_bytes() for p in (tmp_path / "schemas").iterdir()} == before
    for data in before.values():
        assert data.endswith(b"}\n")
        assert data.decode("ascii") == render_schema(json.loads(data))


def test_write_schemas_rewrites_a_stale_file(tmp_path: Path) -> None:
    write_schemas(tmp_path)
    (tmp_path / "who.schema.json").write_text("{}\n", encoding="utf-8")
    assert write_schemas(tmp_path) == [tmp_path / "who.schema.json"]


def test_committed_schemas_are_current(tmp_path: Path) -> None:
    fresh = tmp_path / "schemas"
    write_schemas(fresh)
    committed = sorted(p.name for p in COMMITTED_SCHEMAS.glob("*.schema.json"))
    assert committed == sorted(p.name for p in fresh.iterdir()), (
        "schemas/ is out of date; run: python -m builder schemas"
    )
    for name in committed:
        assert (COMMITTED_SCHEMAS / name).read_bytes() == (fresh / name).read_bytes(), (
            f"schemas/{name} is out of date; run: python -m builder schemas"
        )


def test_scaffolded_sidecars_point_at_schemas_that_exist(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(REPO / "site.yaml", site / "site.yaml")
    assert main(["new", "world/a-story", "--site", str(site)]) == 0
    write_schemas(site / "schemas")
    for sidecar in (site / "content/world/a-story").glob("*.yaml"):
        first = sidecar.read_text(encoding="utf-8").splitlines()[0]
        target = first.removeprefix("# yaml-language-server: $schema=")
        assert target != first, sidecar
        assert (sidecar.parent / target).resolve().is_file(), target
