"""Dates as readers see them: Babel, in the site's language and time zone."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from builder.content.model import PartialDate
from builder.content.times import parse_time, resolve
from builder.site import dates
from builder.site.dates import DateFormat, date_format


@pytest.mark.parametrize(
    ("language", "day", "month"),
    [
        # A bare "en" writes the day first, as the builder always has (CLDR's en_001).
        ("en", "15 September 2023", "July 2000"),
        ("en-GB", "15 September 2023", "July 2000"),
        ("en-US", "September 15, 2023", "July 2000"),
        ("de", "15. September 2023", "Juli 2000"),
        ("ko", "2023년 9월 15일", "2000년 7월"),
    ],
)
def test_days_and_months_follow_the_language(language: str, day: str, month: str) -> None:
    dates = date_format(language, "UTC")
    assert dates.day(dt.date(2023, 9, 15)) == day
    assert dates.partial(PartialDate(2023, 9, 15)) == day
    assert dates.partial(PartialDate(2000, 7)) == month
    assert dates.partial(PartialDate(2000)) == "2000"


def test_a_time_is_shown_in_the_site_zone_with_its_offset() -> None:
    dates = date_format("en-GB", "Asia/Vladivostok")
    written_in_seoul = resolve(parse_time("2023-09-15T09:00+09:00"), "UTC")
    assert dates.moment(written_in_seoul) == "15 September 2023, 10:00 GMT+10:00"


def test_the_local_day_is_the_day_in_the_site_zone() -> None:
    dates = date_format("en", "America/New_York")
    late_in_new_york = resolve(parse_time("2023-09-16T02:00Z"), "UTC")
    assert dates.local_day(late_in_new_york) == "15 September 2023"


def test_a_day_alone_shows_no_time() -> None:
    dates = date_format("en", "Asia/Seoul")
    assert dates.moment(resolve(parse_time("2023-09-15"), "Asia/Seoul")) == "15 September 2023"


def test_spellings_learnt_from_an_earlier_build_need_no_cldr_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A build keeps what it spelt for the next; dates spelt before are not formatted
    again, and the language's CLDR data is loaded only for one that was not."""
    earlier = DateFormat("en-GB", "Asia/Vladivostok")
    published = resolve(parse_time("2023-09-15T09:00+09:00"), "UTC")
    shown = (earlier.moment(published), earlier.partial(PartialDate(2000, 7)))
    spelt = earlier.spelt()
    assert spelt is not None
    later = DateFormat("en-GB", "Asia/Vladivostok")
    later.learn(pickle.loads(pickle.dumps(spelt)))
    assert later.spelt() is None  # nothing new to keep

    def no_cldr(language: str) -> None:
        raise AssertionError(f"CLDR data loaded for {language}")

    monkeypatch.setattr(dates, "_locale", no_cldr)
    assert (later.moment(published), later.partial(PartialDate(2000, 7))) == shown
    with pytest.raises(AssertionError, match="CLDR data loaded"):
        later.partial(PartialDate(2001, 7))
