"""The view models' small rules: how a tag reads."""

from __future__ import annotations

import pytest

from builder.site.views import tag_name


@pytest.mark.parametrize(
    ("tag", "shown"),
    [
        ("north-korea", "North Korea"),
        ("russia", "Russia"),
        ("arms_trade", "Arms Trade"),
        ("North Korea", "North Korea"),
        ("UN vote", "UN vote"),
        ("space race", "Space Race"),
    ],
    ids=[
        "a slug reads as capitalised words",
        "one word",
        "underscores part words too",
        "a name with capitals stays as written",
        "an editor's capitals are kept, even mixed",
        "lower-case words are capitalised",
    ],
)
def test_tag_name(tag: str, shown: str) -> None:
    assert tag_name(tag) == shown
