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
from typing import TYPE_CHECKING

from builder.content.model import Moment, PartialDate
from builder.content.times import time_zone

if TYPE_CHECKING:
    from babel import Locale

# Skeletons name the fields; CLDR orders and spells them for each language.
_SKELETONS = {3: "yMMMMd", 2: "yMMMM"}

# What a site's dates were spelt as, for a build in another process: by the parts
# of a day or partial date, and by the instant of a publish time (microseconds).
Spelt = tuple[dict[tuple[int, ...], str], dict[int, str]]


class DateFormat:
    """How one site writes dates; each distinct value is formatted once.

    Lists of thousands of stories show a few hundred distinct dates. The CLDR
    data of the site's language is loaded on the first date not spelt before
    (`learn`): about a hundredth of a second, and Babel's import besides.
    """

    def __init__(self, language: str, zone: str) -> None:
        self.language = language
        self.zone = time_zone(zone)
        self._days: dict[tuple[int, ...], str] = {}
        self._times: dict[int, str] = {}
        self._learnt = (0, 0)  # how many of each were given by `learn`

    @property
    def locale(self) -> Locale:
        return _locale(self.language)

    def learn(self, spelt: Spelt) -> None:
        """Spellings a build made before, of this language in this time zone."""
        days, times = spelt
        self._days = {**days, **self._days}
        self._times = {**times, **self._times}
        self._learnt = (len(self._days), len(self._times))

    def spelt(self) -> Spelt | None:
        """Every spelling known, if some were made since the last `learn`."""
        if (len(self._days), len(self._times)) == self._learnt:
            return None
        return self._days, self._times

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
                from babel.dates import format_skeleton  # here: when first needed

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
        instant = value.instant()
        found = self._times.get(instant)
        if found is None:
            from babel.dates import format_datetime, format_time

            local = value.at.astimezone(self.zone)
            time = format_time(local, "short", tzinfo=self.zone, locale=self.locale)
            zone = format_datetime(local, "ZZZZ", tzinfo=self.zone, locale=self.locale)
            pattern = self.locale.datetime_formats["medium"]
            found = pattern.format(f"{time} {zone}", self.local_day(value))
            self._times[instant] = found
        return found


@lru_cache(maxsize=16)
def _locale(language: str) -> Locale:
    from babel import Locale

    if language.lower() == "en":
        return Locale.parse("en_001")
    return Locale.parse(language, sep="-")


@lru_cache(maxsize=16)
def date_format(language: str, zone: str) -> DateFormat:
    """The site's date format; one per process, shared by every page."""
    return DateFormat(language, zone)
