"""Dates and times as readers see them: in the site's language and time zone.

Babel writes them from the Unicode CLDR data, so month names and the order of
day, month and year follow the site's `language`, not the machine's locale,
and a build prints the same dates wherever it runs. A tag of `en` alone gets
CLDR's "English as used worldwide" (en_001), day before month, as the builder
has always written English dates; `en-US` gets "September 15, 2023".
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from babel import Locale
from babel.dates import format_datetime, format_skeleton, format_time

from builder.content.model import Moment, PartialDate
from builder.content.times import time_zone

# Skeletons name the fields; CLDR orders and spells them for each language.
_SKELETONS = {3: "yMMMMd", 2: "yMMMM"}


class DateFormat:
    """How one site writes dates; each distinct value is formatted once.

    Lists of thousands of stories show a few hundred distinct dates.
    """

    def __init__(self, language: str, zone: str) -> None:
        self.locale = _locale(language)
        self.zone = time_zone(zone)
        self._days: dict[tuple[int, ...], str] = {}
        self._times: dict[dt.datetime, str] = {}

    def day(self, value: dt.date) -> str:
        """ "15 September 2023"."""
        return self._partial((value.year, value.month, value.day))

    def partial(self, value: PartialDate) -> str:
        """ "2000", "July 2000" or "19 July 2000"."""
        parts = (value.year, value.month, value.day)
        return self._partial(tuple(part for part in parts if part is not None))

    def _partial(self, parts: tuple[int, ...]) -> str:
        found = self._days.get(parts)
        if found is None:
            if len(parts) == 1:
                found = str(parts[0])
            else:
                day = dt.date(parts[0], parts[1], parts[2] if len(parts) == 3 else 1)
                found = format_skeleton(_SKELETONS[len(parts)], day, locale=self.locale)
            self._days[parts] = found
        return found

    def local_day(self, value: Moment) -> str:
        """The day of the moment in the site's time zone."""
        return self.day(value.at.astimezone(self.zone).date())

    def moment(self, value: Moment) -> str:
        """The day, and the time with its offset from UTC where one was written:
        "15 September 2023, 10:00 GMT+10:00", in the site's time zone."""
        if not value.has_time:
            return self.local_day(value)
        found = self._times.get(value.at)
        if found is None:
            local = value.at.astimezone(self.zone)
            time = format_time(local, "short", tzinfo=self.zone, locale=self.locale)
            zone = format_datetime(local, "ZZZZ", tzinfo=self.zone, locale=self.locale)
            pattern = self.locale.datetime_formats["medium"]
            found = pattern.format(f"{time} {zone}", self.local_day(value))
            self._times[value.at] = found
        return found


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    if language.lower() == "en":
        return Locale.parse("en_001")
    return Locale.parse(language, sep="-")


@lru_cache(maxsize=16)
def date_format(language: str, zone: str) -> DateFormat:
    """The site's date format; one per process, shared by every page."""
    return DateFormat(language, zone)
