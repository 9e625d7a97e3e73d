"""Dates as a brief gives them: a year, a month or a day, before or in the common era."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def year_label(year: int, era: bool = False) -> str:
    """A historical year as readers write it: 1858, or 221 BCE for -221 (CSL's negative
    years); with era=True a year of the common era says so too (1858 CE)."""
    if year < 0:
        return f"{-year} BCE"
    return f"{year} CE" if era else str(year)


def astronomical(year: int) -> int:
    """Year numbering without a gap: 1 BCE (-1) is 0, 2 BCE is -1; CE years are unchanged."""
    return year + 1 if year < 0 else year


def _calendar_year(year: int) -> int:
    """A year of Python's calendar (1-9999) with the same leap rule as `year` (proleptic
    Gregorian, astronomical numbering), for checking and placing BCE month-days."""
    return 2000 + astronomical(year) % 400


@dataclass(frozen=True)
class Date:
    """A date as precise as the user gave it: a year, a month or a day.

    Years before the common era are negative, as in CSL: -221 is 221 BCE. There is no
    year 0 (validate refuses it).
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        """ISO form at the given precision: 2026, 2026-11, 2026-11-22 (BCE: -0221)."""
        sign = "-" if self.year < 0 else ""
        year = f"{sign}{abs(self.year):04d}"
        if self.month is None:
            return year
        if self.day is None:
            return f"{year}-{self.month:02d}"
        return f"{year}-{self.month:02d}-{self.day:02d}"

    def year_label(self, era: bool = False) -> str:
        """The year as shown: 1858, or 221 BCE."""
        return year_label(self.year, era)

    def long(self) -> str:
        """Chicago style: 2026, November 2026 or November 22, 2026 (221 BCE, March 44 BCE)."""
        year = self.year_label()
        if self.month is None:
            return year
        if self.day is None:
            return f"{MONTHS[self.month - 1]} {year}"
        return f"{MONTHS[self.month - 1]} {self.day}, {year}"

    def ordinal(self) -> float:
        """A number for placing the date on a scale (mid-year/mid-month when imprecise):
        the astronomical year plus the fraction of it gone, so 1 BCE runs into 1 CE."""
        month = self.month or 7
        day = self.day or (1 if self.month is None else 15)
        calendar = _calendar_year(self.year)
        start = _dt.date(calendar, 1, 1).toordinal()
        try:
            point = _dt.date(calendar, month, day).toordinal()
        except ValueError:
            point = start
        return astronomical(self.year) + (point - start) / 366

    def day_of_year(self) -> int:
        """1-366; a year alone counts as January 1, a month alone as its first day."""
        day = _dt.date(_calendar_year(self.year), self.month or 1, self.day or 1)
        return day.timetuple().tm_yday

    @classmethod
    def today(cls) -> Date:
        d = _dt.date.today()
        return cls(d.year, d.month, d.day)

    @classmethod
    def of(cls, day: _dt.date | None) -> Date | None:
        """A calendar day as a Date (None stays None)."""
        return None if day is None else cls(day.year, day.month, day.day)

    @classmethod
    def checked(cls, year: int, month: int | None = None, day: int | None = None) -> Date | None:
        """The date, or None when it is not a real one (year 0, February 30, month 13)."""
        if year == 0:
            return None
        try:
            _dt.date(_calendar_year(year), month or 1, day or 1)
        except (ValueError, OverflowError):  # a part too large for any calendar
            return None
        return cls(year, month, day)
