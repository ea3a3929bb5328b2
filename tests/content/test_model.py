"""What the plain data says of itself: the name the glossary sorts an entry by, the
instant a moment stands for."""

from __future__ import annotations

import datetime
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.content.model import Entry, Moment
from builder.core.diagnostics import Position


def entry(name: str, kind: str, sort_as: str | None = None) -> Entry:
    return Entry(
        id="x",
        name=name,
        kind=kind,
        aliases=(),
        summary=None,
        facts=(),
        wikidata=None,
        coordinates=None,
        position=Position("content/glossary/people.yaml"),
        sort_as=sort_as,
    )


@pytest.mark.parametrize(
    ("name", "kind", "sort_as", "sorted_by"),
    [
        ("Vladimir Putin", "person", None, "Putin Vladimir"),
        ("Jean-Yves Le Drian", "person", "Le Drian, Jean-Yves", "Le Drian, Jean-Yves"),
        ("Kim Jong Un", "person", "Kim Jong Un", "Kim Jong Un"),
        ("Madonna", "person", None, "Madonna"),
        ("Workers' Party of Korea", "organization", None, "Workers' Party of Korea"),
        ("The Hague", "place", "Hague, The", "Hague, The"),
    ],
    ids=[
        "a person by the last word of the name",
        "sort_as wins over the last word",
        "sort_as keeps a family name that comes first",
        "a one-word name is itself",
        "anything else by its name",
        "sort_as for any kind",
    ],
)
def test_sort_name(name: str, kind: str, sort_as: str | None, sorted_by: str) -> None:
    assert entry(name, kind, sort_as).sort_name() == sorted_by


def test_instants_order_moments_as_their_datetimes_do() -> None:
    """Sorting by instant() is sorting by the instant, whatever offset each was
    written with; moments at the same instant are equal."""
    offsets = [datetime.timezone(datetime.timedelta(hours=h)) for h in (-5, 0, 1, 2, 10)]
    base = datetime.datetime(2023, 3, 26, 0, 30, tzinfo=datetime.UTC)
    moments = [
        Moment((base + datetime.timedelta(minutes=37 * n)).astimezone(offsets[n % 5]), True)
        for n in range(40)
    ]
    same = Moment(moments[3].at.astimezone(offsets[4]), True)
    assert same.instant() == moments[3].instant()
    by_instant = sorted(moments, key=Moment.instant)
    assert by_instant == sorted(moments, key=lambda moment: moment.at)
    assert Moment(datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC), False).instant() == 0


@settings(max_examples=300, deadline=None)
@given(
    at=st.datetimes(
        min_value=datetime.datetime(1, 1, 2),
        max_value=datetime.datetime(9999, 12, 30),
        timezones=st.builds(
            datetime.timezone,
            st.integers(-86_399, 86_399).map(lambda s: datetime.timedelta(seconds=s)),
        ),
    ),
    has_time=st.booleans(),
)
def test_a_moment_pickled_as_its_iso_text_comes_back_equal_and_of_the_same_repr(
    at: datetime.datetime, has_time: bool
) -> None:
    """Its repr is part of the digests that decide what a rebuild renders again."""
    moment = Moment(at, has_time)
    back = pickle.loads(pickle.dumps(moment, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == moment and repr(back) == repr(moment)
    assert back.at.utcoffset() == at.utcoffset()
