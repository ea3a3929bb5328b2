"""Publish times as editors write them, and the instants they name.

`date`, `updated` and a correction's `date` take a day (`2023-09-15`) or a
day and a time, to the minute or the second, with or without an offset from
UTC (`2023-09-15T10:00`, `2023-09-15T10:00:05+10:00`, `…Z`). A field type
reads the text into a WrittenTime; loading the bundle, which knows the site's
time zone, turns it into a Moment, an instant with its offset.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, available_timezones

from builder.content.model import Moment

# [0-9], not \d: \d would accept digits of every script.
_SHAPE = re.compile(
    r"(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:T(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?"
    r"(?P<offset>Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
# A day and a time with a space or a lower-case t between them: YAML reads
# both as timestamps, but an editor most likely meant the T form.
_LOOSE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ \t]+|t)([0-9]{1,2}:[0-9]{2}\S*)")
# The offsets in use on Earth.
_EARLIEST, _LATEST = dt.timedelta(hours=-12), dt.timedelta(hours=14)

WRITTEN = "YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS][±HH:MM] with a time, like 2023-09-15T10:00+09:00"


class WrittenTime(NamedTuple):
    """A publish time as written: the wall-clock time (midnight for a day), and the
    offset when one was written."""

    local: dt.datetime  # naive
    offset: dt.timedelta | None
    has_time: bool


class TimeError(ValueError):
    """What is wrong with a written time, in an editor's words: a message that
    follows the field's name ("'date' must be…", "'date': 25:00 is not…")."""


def parse_time(text: str) -> WrittenTime:
    """The written time; TimeError saying what is wrong with the text."""
    match = _SHAPE.fullmatch(text)
    if match is None:
        loose = _LOOSE.fullmatch(text)
        if loose is not None:
            day, time = loose.groups()
            raise TimeError(f" needs a T between the day and the time: {day}T{time}")
        raise TimeError(f" must be a date written {WRITTEN}; found '{text}'")
    try:
        day = dt.date.fromisoformat(match["day"])
    except ValueError:
        raise TimeError(f": {match['day']} is not a real date") from None
    if match["hour"] is None:
        return WrittenTime(dt.datetime(day.year, day.month, day.day), None, False)
    hour, minute, second = (int(match[part] or 0) for part in ("hour", "minute", "second"))
    if hour > 23 or minute > 59 or second > 59:
        found = text[len(match["day"]) + 1 :].removesuffix(match["offset"] or "")
        raise TimeError(
            f": {found} is not a time of day; hours run 00-23, minutes and seconds 00-59"
        )
    local = dt.datetime(day.year, day.month, day.day, hour, minute, second)
    return WrittenTime(local, _offset(match["offset"]), True)


def _offset(written: str | None) -> dt.timedelta | None:
    if written is None:
        return None
    if written == "Z":
        return dt.timedelta(0)
    hours, minutes = int(written[1:3]), int(written[4:6])
    sign = -1 if written[0] == "-" else 1
    offset = sign * dt.timedelta(hours=hours, minutes=minutes)
    if minutes > 59 or not _EARLIEST <= offset <= _LATEST:
        raise TimeError(f": the offset {written} does not exist; offsets run from -12:00 to +14:00")
    return offset


def resolve(written: WrittenTime, zone: str) -> Moment:
    """The instant: at the written offset, else in the site's time zone."""
    offset = written.offset
    if offset is None:
        offset = written.local.replace(tzinfo=time_zone(zone)).utcoffset() or dt.timedelta(0)
    return Moment(written.local.replace(tzinfo=dt.timezone(offset)), written.has_time)


@lru_cache(maxsize=64)
def time_zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1)
def zone_names() -> frozenset[str]:
    """Every IANA time zone name this machine knows (the tzdata package's at least)."""
    return frozenset(available_timezones() | {"UTC"})


__all__ = [
    "WRITTEN",
    "TimeError",
    "WrittenTime",
    "parse_time",
    "resolve",
    "time_zone",
    "zone_names",
]
