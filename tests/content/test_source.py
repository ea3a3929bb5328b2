"""Reading source files: UTF-8 with or without a byte-order mark, LF or CRLF,
NFC; bytes that are not UTF-8 and NUL bytes are errors at their line."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.content.source import SourceText, decode_utf8, read_source
from builder.core.diagnostics import Position, Report
from tests.conftest import (
    ARTICLE,
    MINIMAL_SITE,
    PEOPLE,
    SITE_YAML,
    TERMS,
    WHO,
    Run,
    snapshot,
    write_files,
)

FRONT = "---\ntitle: A story\nsection: World\ndate: 2023-09-15\n---\n"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {TERMS: b"- name: Tr\xe9aty\n  summary: A pact.\n"},
            [f"{TERMS}:1:11: error: byte 0xe9 is not UTF-8; save the file as UTF-8"],
            id="Latin-1 byte in a sidecar",
        ),
        pytest.param(
            {ARTICLE: FRONT.encode() + b"Putin met Kim.\nCaf\xe9 talk.\n"},
            [f"{ARTICLE}:7:4: error: byte 0xe9 is not UTF-8; save the file as UTF-8"],
            id="Latin-1 byte in the article body",
        ),
        pytest.param(
            {SITE_YAML: b"title: Caf\xe9\nbase_url: https://example.org/\n"},
            [f"{SITE_YAML}:1:11: error: byte 0xe9 is not UTF-8; save the file as UTF-8"],
            id="Latin-1 byte in site.yaml",
        ),
        pytest.param(
            {TERMS: "- name: Treaty\n  summary: A pact.\n".encode("utf-16")},
            [f"{TERMS}:1:1: error: byte 0xff is not UTF-8; save the file as UTF-8"],
            id="a UTF-16 file",
        ),
        pytest.param(
            {TERMS: b"- name: Treaty\n  summary: A pact.\x00\n"},
            [f"{TERMS}:2:19: error: NUL byte in text file"],
            id="NUL byte in a sidecar",
        ),
        pytest.param(
            {ARTICLE: FRONT.encode() + b"Putin\x00 met Kim.\n"},
            [f"{ARTICLE}:6:6: error: NUL byte in text file"],
            id="NUL byte in the article body",
        ),
        pytest.param(
            {TERMS: "\ufeff- name: NO\r\n  summary: Norway.\r\n"},
            [
                f"{TERMS}:1:9: error: 'name' must be text, but YAML reads NO as a yes/no "
                'value; put it in quotes: "NO"'
            ],
            id="lines and columns are right after a BOM and with CRLF",
        ),
        pytest.param(
            {TERMS: "- name: Treaty\r  summary: A pact.\r  name: Pact\r"},
            [f"{TERMS}:3:3: error: duplicate key 'name' (first at line 1); remove one of them"],
            id="old Mac line endings count as lines",
        ),
    ],
)
def test_unreadable_bytes_are_errors_at_their_line(
    make_site: Callable[..., Path],
    check: Callable[[Path], Run],
    files: dict[str, bytes],
    expected: list[str],
) -> None:
    assert check(make_site(files)).problems == expected


def with_bom_and_crlf(text: str) -> bytes:
    return ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8")


def test_bom_and_crlf_build_the_same_site_as_lf(tmp_path: Path, cli: Callable[..., Run]) -> None:
    files = {
        **MINIMAL_SITE,
        WHO: '- ref: vladimir-putin\n  said:\n    - "met\n      Kim"\n',
    }
    plain = write_files(tmp_path / "plain", files)
    windows = write_files(tmp_path / "windows", {k: with_bom_and_crlf(v) for k, v in files.items()})
    assert cli("build", "--site", plain, "--out", tmp_path / "out-plain").code == 0
    result = cli("build", "--site", windows, "--out", tmp_path / "out-windows")
    assert (result.code, result.err) == (0, "")
    assert snapshot(tmp_path / "out-windows") == snapshot(tmp_path / "out-plain")


def test_text_is_normalised_to_nfc_in_the_output(
    make_site: Callable[..., Path], cli: Callable[..., Run], tmp_path: Path
) -> None:
    site = make_site(
        {
            PEOPLE: MINIMAL_SITE[PEOPLE] + "- name: Jose\u0301 Marti\u0301\n  summary: Poet.\n",
            ARTICLE: FRONT.replace("A story", "Marti\u0301 and Putin") + "Putin met Kim.\n",
        }
    )
    assert cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    for page in ("world/story/index.html", "glossary/jose-marti/index.html", "feed.xml"):
        text = (tmp_path / "out" / page).read_text(encoding="utf-8")
        assert "\u0301" not in text, page
        assert "Martí" in text, page


def test_a_file_over_the_size_limit_is_an_error(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    site = make_site(
        {
            SITE_YAML: MINIMAL_SITE[SITE_YAML] + "max_file_bytes: 220\n",
            TERMS: "- name: Treaty\n  summary: " + "A very long pact. " * 12 + "\n",
        }
    )
    assert check(site).problems == [
        f"{TERMS}:1:1: error: file is 243 bytes, over the limit of 220 "
        "(raise max_file_bytes in site.yaml if this is intended)"
    ]


def test_the_size_limit_advice_names_a_field_site_yaml_accepts(
    make_site: Callable[..., Path], check: Callable[[Path], Run], check_ok: Callable[[Path], Run]
) -> None:
    site = make_site(
        {
            SITE_YAML: MINIMAL_SITE[SITE_YAML] + "max_file_bytes: 220\n",
            TERMS: "- name: Treaty\n  summary: " + "A very long pact. " * 12 + "\n",
        }
    )
    advice = re.search(r"raise (\S+) in site\.yaml", check(site).problems[0])
    assert advice is not None
    field = advice.group(1)
    site_yaml = MINIMAL_SITE[SITE_YAML] + f"{field}: 1000000\n"
    check_ok(write_files(site, {SITE_YAML: site_yaml}))


# Characters no editor shows: controls but tab and the line breaks, the Unicode
# line and paragraph separators, and two non-characters. (NUL has its own message.)
HIDDEN = [
    *map(chr, (*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))),
    *"\u2028\u2029\ufffe\uffff",
]


def test_text_without_hidden_characters_passes_whatever_else_it_holds() -> None:
    hidden = {*HIDDEN, "\r"}  # a carriage return is read as a line break
    shown = "".join(
        chr(c) for c in range(1, 0x110000) if not 0xD800 <= c <= 0xDFFF and chr(c) not in hidden
    )
    report = Report()
    assert decode_utf8(shown.encode("utf-8"), "x.yaml", report) == shown
    assert report.diagnostics == []


@pytest.mark.parametrize("char", HIDDEN, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("neighbours", ["plain", "caf\u00e9 \u201cquoted\u201d"])
def test_a_hidden_character_is_found_among_any_others(char: str, neighbours: str) -> None:
    # decode_utf8 looks closely only at files whose characters beyond visible
    # ASCII may hide one: a single hidden character among plain text must count.
    text = f"title: {neighbours}\nsummary: a{char}b\n"
    report = Report()
    assert decode_utf8(text.encode("utf-8"), "x.yaml", report) is None
    assert [d.position for d in report.diagnostics] == [Position("x.yaml", 2, 11)]


def test_a_folder_in_place_of_a_file_cannot_be_read(tmp_path: Path) -> None:
    report = Report()
    assert read_source(tmp_path, "content/x/who.yaml", report) is None
    assert [d.format() for d in report.diagnostics] == [
        "content/x/who.yaml:1:1: error: cannot read file: Is a directory"
    ]


def test_a_missing_file_cannot_be_read(tmp_path: Path) -> None:
    report = Report()
    assert read_source(tmp_path / "gone.yaml", "gone.yaml", report) is None
    assert [d.format() for d in report.diagnostics] == [
        "gone.yaml:1:1: error: cannot read file: No such file or directory"
    ]


def test_a_file_that_is_not_regular_is_read_to_its_end() -> None:
    report = Report()
    assert read_source("/dev/null", "null.yaml", report) == SourceText("null.yaml", "")
    assert report.diagnostics == []
