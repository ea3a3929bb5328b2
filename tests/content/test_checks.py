"""Checks across files: quotations against the article text, and the editorial
warnings, which are printed but do not fail the run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from builder.content.checks import quoted_passage
from tests.conftest import ARTICLE, TERMS, WHO, Run

FRONT = "---\ntitle: A story\nsection: World\ndate: 2023-09-15\n---\n"
NOT_FOUND = (
    "error: quotation not found verbatim in article.md; copy it exactly from the article "
    "(curly and straight quotes count as the same)"
)


def quotes(*said: str) -> str:
    lines = "".join(f"    - {quote}\n" for quote in said)
    return f"- ref: vladimir-putin\n  said:\n{lines}- ref: kim-jong-un\n"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        pytest.param(
            "Putin “gave [Kim] a rifle” and said it’s fine.\n",
            ["'\"gave [Kim] a rifle\" and said it''s fine'"],
            id="straight quotes match curly ones",
        ),
        pytest.param(
            'Putin "gave [Kim] a rifle" and said it\'s fine.\n',
            ["'“gave [Kim] a rifle” and said it’s fine'"],
            id="curly quotes match straight ones",
        ),
        pytest.param(
            "Putin gave   Kim\na rifle.\n",
            ['"gave Kim a rifle"', '"Putin  gave\\tKim a rifle."'],
            id="runs of white space and line breaks count as one space",
        ),
        pytest.param(
            "Putin said \\*nothing\\* to Kim.\n",
            ['"said *nothing* to Kim"'],
            id="Markdown escapes in the article are not part of the quotation",
        ),
        pytest.param(
            "Vladimir Putin met Kim Jong Un.\n",
            ['"  met Kim  "'],
            id="space around the quotation is ignored",
        ),
    ],
)
def test_quotation_found(
    make_site: Callable[..., Path], check_ok: Callable[[Path], Run], body: str, said: list[str]
) -> None:
    check_ok(make_site({ARTICLE: FRONT + body, WHO: quotes(*said)}))


def test_quotation_not_in_the_article_is_an_error_at_the_quotation(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    site = make_site(
        {
            ARTICLE: FRONT + "Putin gave Kim a rifle.\n",
            WHO: quotes('"gave Kim a rifle"', '"gave Kim a gun"', '"Gave Kim a rifle"'),
        }
    )
    assert check(site).problems == [
        f'{WHO}:4:7: {NOT_FOUND}; the nearest passage reads: "gave Kim a rifle."',
        f'{WHO}:5:7: {NOT_FOUND}; the nearest passage reads: "gave Kim a rifle."',
    ]


def test_quotations_of_inline_entries_are_checked_too(
    make_site: Callable[..., Path], check: Callable[[Path], Run]
) -> None:
    site = make_site(
        {
            ARTICLE: FRONT + "Vladimir Putin met Kim Jong Un. Peskov said “no comment”.\n",
            WHO: "- name: Peskov\n  summary: Spokesman.\n  said: ['no comment', 'a comment']\n",
        }
    )
    assert check(site).problems == [f"{WHO}:3:24: {NOT_FOUND}"]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {WHO: "- ref: vladimir-putin\n- ref: kim-jong-un\n", ARTICLE: FRONT + "Putin spoke.\n"},
            f"{WHO}:2:8: warning: 'Kim Jong Un' is listed here but never mentioned in the "
            "article; add a mention or an alias that the article uses",
            id="listed entry that the article never mentions",
        ),
        pytest.param(
            {TERMS: "- name: Treaty\n"},
            f"{TERMS}:1:3: warning: 'Treaty' has no summary; readers of its page and pop-ups "
            "will see only the name",
            id="entry without a summary",
        ),
        pytest.param(
            {
                TERMS: "- name: Treaty\n  summary: A pact.\n  facts:\n    - label: Signed\n"
                "      value: In 2001\n      as_of: 2001-01-01\n"
            },
            f"{TERMS}:4:7: warning: 'Signed' of 'Treaty' was last checked 2001-01-01, more than "
            "365 days ago; check it and update as_of",
            id="fact checked too long ago",
        ),
    ],
)
def test_warnings_are_printed_but_do_not_fail(
    make_site: Callable[..., Path],
    cli: Callable[..., Run],
    files: dict[str, str],
    expected: str,
) -> None:
    result = cli("check", "--site", make_site(files))
    assert result.code == 0
    assert result.lines == [expected, "0 errors, 1 warning in 1 file"]


@pytest.mark.parametrize(
    ("body", "quote", "passage"),
    [
        pytest.param(
            "Talks ended. Peskov said Moscow will “quickly prepare” a visit. Lavrov goes first.\n",
            "quickly prepare",
            ("Peskov said Moscow will “", "quickly prepare", "” a visit."),
            id="a fragment comes with the sentence around it",
        ),
        pytest.param(
            'He said "it was high quality. We gave one back," and left. Then more.\n',
            '"it was high quality. We gave one back,"',
            ("He said ", '"it was high quality. We gave one back,"', " and left."),
            id="a quotation of two sentences comes with both",
        ),
        pytest.param(
            "Intro.\n\nThe [*leader*](../../glossary/kim/) and [Kim]{.nolink} said\n"
            "“go now” today.\n",
            "go now",
            ("The leader and Kim said “", "go now", "” today."),
            id="markup around it is left out, as readers see the sentence",
        ),
        pytest.param(
            "“Thanks,” Kim said.\n",
            "Thanks,",
            ("“", "Thanks,", "” Kim said."),
            id="straight and curly quotes match as check_quotes matches them",
        ),
    ],
)
def test_a_quotation_is_found_in_its_sentence(
    body: str, quote: str, passage: tuple[str, str, str]
) -> None:
    assert quoted_passage(body, quote) == passage


def test_a_quotation_the_body_does_not_hold_has_no_passage() -> None:
    assert quoted_passage("Nothing like it here.\n", "quickly prepare") is None
