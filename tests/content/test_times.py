"""Publish times: what editors may write, and the instants they name."""

from __future__ import annotations

import datetime as dt

import pytest

from builder.content.times import TimeError, WrittenTime, parse_time, resolve

UTC = dt.UTC


@pytest.mark.parametrize(
    ("written", "local", "offset", "has_time"),
    [
        ("2023-09-15", dt.datetime(2023, 9, 15), None, False),
        ("2023-09-15T10:00", dt.datetime(2023, 9, 15, 10), None, True),
        ("2023-09-15T10:00:05", dt.datetime(2023, 9, 15, 10, 0, 5), None, True),
        ("2023-09-15T10:00+10:00", dt.datetime(2023, 9, 15, 10), dt.timedelta(hours=10), True),
        ("2023-09-15T23:59:59Z", dt.datetime(2023, 9, 15, 23, 59, 59), dt.timedelta(0), True),
        ("2023-09-15T00:00-03:30", dt.datetime(2023, 9, 15), dt.timedelta(hours=-3.5), True),
        ("2023-09-15T00:00+14:00", dt.datetime(2023, 9, 15), dt.timedelta(hours=14), True),
    ],
)
def test_reads_a_day_or_a_day_and_a_time(
    written: str, local: dt.datetime, offset: dt.timedelta | None, has_time: bool
) -> None:
    assert parse_time(written) == WrittenTime(local, offset, has_time)


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("2023-09-15 10:00", " needs a T between the day and the time: 2023-09-15T10:00"),
        ("2023-09-15t10:00", " needs a T between the day and the time: 2023-09-15T10:00"),
        ("2023-09-15T25:00", ": 25:00 is not a time of day; hours run 00-23, minutes and "
         "seconds 00-59"),
        ("2023-09-15T10:60:00+01:00", ": 10:60:00 is not a time of day; hours run 00-23, "
         "minutes and seconds 00-59"),
        ("2023-09-15T10:00+25:00", ": the offset +25:00 does not exist; offsets run from "
         "-12:00 to +14:00"),
        ("2023-09-15T10:00-13:00", ": the offset -13:00 does not exist; offsets run from "
         "-12:00 to +14:00"),
        ("2023-02-30T10:00", ": 2023-02-30 is not a real date"),
    ],
)  # fmt: skip
def test_says_what_is_wrong(written: str, message: str) -> None:
    with pytest.raises(TimeError) as raised:
        parse_time(written)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "written", ["15 September 2023", "2023-09-15T10", "2023-09-15T10:00:00.5Z", "2023-09-15T1:00"]
)
def test_refuses_other_shapes(written: str) -> None:
    with pytest.raises(TimeError, match="must be a date written YYYY-MM-DD, or"):
        parse_time(written)


def test_a_day_alone_is_midnight_in_the_site_zone() -> None:
    moment = resolve(parse_time("2023-09-15"), "Asia/Seoul")
    assert moment.iso() == "2023-09-15T00:00:00+09:00"
    assert moment.html() == "2023-09-15"
    assert moment.at == dt.datetime(2023, 9, 14, 15, tzinfo=UTC)


def test_a_time_without_offset_takes_the_zone_offset_of_that_day() -> None:
    # London changed to summer time at 01:00 UTC on 31 March 2024.
    before = resolve(parse_time("2024-03-30T18:45"), "Europe/London")
    after = resolve(parse_time("2024-03-31T18:45"), "Europe/London")
    assert (before.iso(), after.iso()) == ("2024-03-30T18:45:00+00:00", "2024-03-31T18:45:00+01:00")


def test_a_written_offset_wins_over_the_site_zone() -> None:
    moment = resolve(parse_time("2023-09-15T10:00:00+10:00"), "America/New_York")
    assert moment.iso() == moment.html() == "2023-09-15T10:00:00+10:00"
    assert moment.at == dt.datetime(2023, 9, 15, 0, tzinfo=UTC)


def test_moments_compare_as_instants_whatever_their_offsets() -> None:
    seoul = resolve(parse_time("2023-09-15T09:00+09:00"), "UTC")
    london = resolve(parse_time("2023-09-15T00:30Z"), "UTC")
    assert seoul.at < london.at
