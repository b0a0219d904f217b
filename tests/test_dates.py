"""Reference periods of statistics, as news states them, resolved against the publication date."""

from __future__ import annotations

from datetime import date

import pytest
from cakg.loaders.dates import find_periods

PUBLISHED = date(2026, 5, 20)


@pytest.mark.parametrize(
    ("text", "begin", "end"),
    [
        ("from January to August this year", "2026-01-01", "2026-08-31"),
        ("in the first eight months of 2025", "2025-01-01", "2025-08-31"),
        ("in the first quarter", "2026-01-01", "2026-03-31"),
        ("in 2024", "2024-01-01", "2024-12-31"),
        # months written as a dashed range
        ("totaled US$44.6 billion in January-April, up 5.8 percent", "2026-01-01", "2026-04-30"),
        ("in Jan–Aug 2025", "2025-01-01", "2025-08-31"),
        ("during January—March last year", "2025-01-01", "2025-03-31"),
        # no year, and the months had not ended by publication: the year before
        ("in September-December", "2025-09-01", "2025-12-31"),
    ],
)
def test_periods_are_resolved_against_the_publication_date(text: str, begin: str, end: str) -> None:
    (found,) = find_periods(text, PUBLISHED)
    assert (found.value.begin.isoformat(), found.value.end.isoformat()) == (begin, end)


@pytest.mark.parametrize("text", ["from 2024-2025 records", "April-January", "the 2024-25 season"])
def test_what_is_not_a_range_of_months_is_no_period(text: str) -> None:
    assert [p for p in find_periods(text, PUBLISHED) if "–" in p.value.label] == []
