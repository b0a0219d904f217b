"""Dates and periods as news writes them, resolved against the publication date.

The precision the text gives is kept (a day, a month, a year), and so are its words.

>>> from datetime import date
>>> pub = date(2025, 5, 20)
>>> [(d.value.iso, d.value.precision, d.text) for d in find_dates("concluded in October last year", pub)]
[('2024-10', 'month', 'in October last year')]
>>> find_dates("Liang said on Tuesday", pub)[0].value.iso
'2025-05-20'
>>> p = find_periods("from January to August this year", date(2020, 9, 27))[0].value
>>> (p.begin.isoformat(), p.end.isoformat())
('2020-01-01', '2020-08-31')
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from rdflib import Literal
from rdflib.namespace import XSD

__all__ = [
    "DateMatch",
    "DateValue",
    "PeriodMatch",
    "PeriodValue",
    "find_dates",
    "find_periods",
]

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTH = r"(?P<{}>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_ORDINAL_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11,
}  # fmt: skip


@dataclass(frozen=True)
class DateValue:
    """A calendar date at the precision the text gave: day, month or year."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        """Return ``"day"``, ``"month"`` or ``"year"``."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def iso(self) -> str:
        """Return the ISO 8601 form at this precision (``2024-10``)."""
        if self.day is not None and self.month is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @property
    def literal(self) -> Literal:
        """Return the typed literal: ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear``."""
        datatype = {"day": XSD.date, "month": XSD.gYearMonth, "year": XSD.gYear}[self.precision]
        return Literal(self.iso, datatype=datatype)

    @property
    def earliest(self) -> date:
        """Return the first day this date can mean."""
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> date:
        """Return the last day this date can mean."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)


@dataclass(frozen=True)
class PeriodValue:
    """A reference period from ``begin`` to ``end`` (both days included)."""

    begin: date
    end: date
    label: str

    @property
    def key(self) -> str:
        """Return the period's IRI segment: ``2020-01-01_2020-08-31``."""
        return f"{self.begin.isoformat()}_{self.end.isoformat()}"


@dataclass(frozen=True)
class DateMatch:
    """A date expression found at ``[start, end)`` of the searched text."""

    value: DateValue
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class PeriodMatch:
    """A period expression found at ``[start, end)`` of the searched text."""

    value: PeriodValue
    start: int
    end: int
    text: str


def _relative_year(word: str | None, published: date) -> int:
    if word is None:
        return published.year
    word = word.lower()
    if word.isdigit():
        return int(word)
    return published.year + {"last": -1, "this": 0, "next": 1, "the previous": -1}[word]


_YEAR_WORDS = r"(?:(?P<{0}rel>last|this|next)\s+year|(?P<{0}num>(?:19|20)\d\d))"

_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "today_paren",
        re.compile(r"\btoday\s*\(\s*" + _MONTH.format("m") + r"\s+(?P<d>\d{1,2})\s*\)", re.I),
    ),
    (
        "month_day_year",
        re.compile(
            r"\b(?:on\s+)?" + _MONTH.format("m") + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?P<y>(?:19|20)\d\d))?",
            re.I,
        ),
    ),
    (
        "day_month_year",
        re.compile(
            r"\b(?:on\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH.format("m") + r"(?:,?\s+(?P<y>(?:19|20)\d\d))?",
            re.I,
        ),
    ),
    ("weekday", re.compile(r"\b(?:on\s+)?(?:last\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", re.I)),
    ("today", re.compile(r"\b(?P<rel>today|yesterday)\b", re.I)),
    ("month_words", re.compile(r"\b(?:(?:earlier|later)\s+)?(?P<mrel>last|this|next)\s+month\b", re.I)),
    (
        "month_year",
        re.compile(r"\b(?:in\s+|since\s+|by\s+)?" + _MONTH.format("m") + r"(?:\s+of)?\s+" + _YEAR_WORDS.format("y"), re.I),
    ),
    ("month_alone", re.compile(r"\b(?:in|since|by)\s+" + _MONTH.format("m") + r"\b(?!\s+\d)", re.I)),
    ("year_words", re.compile(r"\b(?:in\s+|since\s+|by\s+|of\s+)?" + _YEAR_WORDS.format("y").replace("(?P<ynum>(?:19|20)\\d\\d)", "(?!)") , re.I)),
    ("year", re.compile(r"\b(?:in\s+|since\s+|by\s+|the\s+year\s+)?(?P<y>(?:19|20)\d\d)\b(?![-.]\d)", re.I)),
]  # fmt: skip


def _resolve(kind: str, m: re.Match[str], published: date) -> DateValue | None:
    groups = m.groupdict()
    if kind in ("today_paren", "month_day_year", "day_month_year"):
        month = MONTHS[groups["m"].lower().rstrip(".")]
        day = int(groups["d"])
        year = int(groups["y"]) if groups.get("y") else published.year
        if day > calendar.monthrange(year, month)[1]:
            return None
        return DateValue(year, month, day)
    if kind == "weekday":
        target = WEEKDAYS[groups["wd"].lower()]
        back = (published.weekday() - target) % 7
        day_value = published - timedelta(days=back)
        return DateValue(day_value.year, day_value.month, day_value.day)
    if kind == "today":
        day_value = published if groups["rel"].lower() == "today" else published - timedelta(days=1)
        return DateValue(day_value.year, day_value.month, day_value.day)
    if kind == "month_words":
        shift = {"last": -1, "this": 0, "next": 1}[groups["mrel"].lower()]
        index = published.year * 12 + published.month - 1 + shift
        return DateValue(index // 12, index % 12 + 1)
    if kind == "month_year":
        month = MONTHS[groups["m"].lower().rstrip(".")]
        return DateValue(_relative_year(groups.get("yrel") or groups.get("ynum"), published), month)
    if kind == "month_alone":
        return DateValue(published.year, MONTHS[groups["m"].lower().rstrip(".")])
    if kind == "year_words":
        return DateValue(_relative_year(groups["yrel"], published))
    if kind == "year":
        return DateValue(int(groups["y"]))
    return None


def find_dates(text: str, published: date, *, offset: int = 0) -> list[DateMatch]:
    """Return the date expressions in ``text``, most specific first where they overlap."""
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            value = _resolve(kind, m, published)
            if value is None:
                continue
            taken.append((m.start(), m.end()))
            found.append(DateMatch(value, m.start() + offset, m.end() + offset, m.group(0)))
    found.sort(key=lambda d: d.start)
    return found


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


_PERIOD_YEAR = r"(?:\s+(?:of\s+)?(?:(?P<rel>this|last|next)\s+year|(?P<num>(?:19|20)\d\d)))?"
_HALF = re.compile(
    r"\b(?:in\s+)?the\s+(?P<which>first|second)\s+half(?:\s+of)?" + _PERIOD_YEAR, re.I
)
_QUARTER = re.compile(
    r"\b(?:in\s+)?the\s+(?P<which>first|second|third|fourth)\s+quarter(?:\s+of)?" + _PERIOD_YEAR,
    re.I,
)
_FIRST_MONTHS = re.compile(
    r"\b(?:in\s+)?the\s+first\s+(?P<n>two|three|four|five|six|seven|eight|nine|ten|eleven|\d{1,2})\s+months(?:\s+of)?"
    + _PERIOD_YEAR,
    re.I,
)
_FROM_TO = re.compile(
    r"\b(?:from\s+|between\s+)"
    + _MONTH.format("m1")
    + r"\s+(?:to|through|and|until)\s+"
    + _MONTH.format("m2")
    + _PERIOD_YEAR,
    re.I,
)
#: "January-April", "Jan–Aug 2025": a range of months written with a dash.
_DASHED_MONTHS = re.compile(
    r"\b(?:in\s+|for\s+|during\s+)?"
    + _MONTH.format("m1")
    + r"\s*[-\u2013\u2014]\s*"
    + _MONTH.format("m2")
    + r"\b"
    + _PERIOD_YEAR,
    re.I,
)
_SINCE_START = re.compile(
    r"\bsince\s+the\s+(?:beginning|start)\s+of\s+(?P<rel>this|last)\s+year", re.I
)
_YEAR_PERIOD = re.compile(r"\b(?:in|for|during|of)\s+(?P<num>(?:19|20)\d\d)\b(?![-.]\d)|\b(?:in|for|during)\s+(?P<rel>last|this)\s+year\b", re.I)  # fmt: skip


def find_periods(text: str, published: date, *, offset: int = 0) -> list[PeriodMatch]:
    """Return the reference periods in ``text`` ("in 2024", "from January to August this year")."""
    found: list[PeriodMatch] = []

    def year_of(m: re.Match[str]) -> int:
        return _relative_year(m.group("rel") or m.group("num"), published)

    def add(m: re.Match[str], begin: date, end: date, label: str) -> None:
        if any(m.start() < p.end - offset and p.start - offset < m.end() for p in found):
            return
        found.append(
            PeriodMatch(
                PeriodValue(begin, end, label), m.start() + offset, m.end() + offset, m.group(0)
            )
        )

    for m in _FROM_TO.finditer(text):
        y = year_of(m)
        m1, m2 = (
            MONTHS[m.group("m1").lower().rstrip(".")],
            MONTHS[m.group("m2").lower().rstrip(".")],
        )
        add(
            m,
            date(y, m1, 1),
            _month_end(y, m2),
            f"{calendar.month_name[m1]}–{calendar.month_name[m2]} {y}",
        )
    for m in _DASHED_MONTHS.finditer(text):
        m1, m2 = (
            MONTHS[m.group("m1").lower().rstrip(".")],
            MONTHS[m.group("m2").lower().rstrip(".")],
        )
        if m2 < m1:
            continue
        # With no year, the latest such months that had ended (or were ending) by publication.
        y = year_of(m) if m.group("rel") or m.group("num") else published.year
        if not (m.group("rel") or m.group("num")) and m2 > published.month:
            y -= 1
        add(
            m,
            date(y, m1, 1),
            _month_end(y, m2),
            f"{calendar.month_name[m1]}–{calendar.month_name[m2]} {y}",
        )
    for m in _HALF.finditer(text):
        y = year_of(m)
        first = m.group("which").lower() == "first"
        add(
            m,
            date(y, 1 if first else 7, 1),
            _month_end(y, 6 if first else 12),
            f"{'first' if first else 'second'} half of {y}",
        )
    for m in _QUARTER.finditer(text):
        y = year_of(m)
        q = ["first", "second", "third", "fourth"].index(m.group("which").lower())
        add(m, date(y, 3 * q + 1, 1), _month_end(y, 3 * q + 3), f"Q{q + 1} {y}")
    for m in _FIRST_MONTHS.finditer(text):
        y = year_of(m)
        n_text = m.group("n").lower()
        n = int(n_text) if n_text.isdigit() else _ORDINAL_WORDS[n_text]
        if 1 <= n <= 12:
            add(m, date(y, 1, 1), _month_end(y, n), f"January–{calendar.month_name[n]} {y}")
    for m in _SINCE_START.finditer(text):
        y = _relative_year(m.group("rel"), published)
        end = published if y == published.year else date(y, 12, 31)
        add(m, date(y, 1, 1), end, f"{y} to {end.isoformat()}")
    for m in _YEAR_PERIOD.finditer(text):
        y = year_of(m)
        add(m, date(y, 1, 1), date(y, 12, 31), str(y))
    found.sort(key=lambda p: p.start)
    return found
