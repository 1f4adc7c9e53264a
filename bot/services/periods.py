"""Reporting periods in local (India) time: today, week, month, financial-year quarter, FY.

A :class:`Period` is a half-open range of instants ``[start, end)`` in aware UTC, which is
what a ``sold_at >= start AND sold_at < end`` query needs, plus the local calendar days it
covers (``first_day`` .. ``last_day``, inclusive) for labels.

* "today": the local calendar day.
* "week": Monday to Sunday (ISO weeks).
* "month": the calendar month.
* "fy_quarter": Indian financial-year quarters: Q1 = April-June, Q2 = July-September,
  Q3 = October-December, Q4 = January-March (Q4 belongs to the FY that started the
  previous April).
* "fy": the financial year, 1 April to 31 March, labelled "2026-27".

``now`` may be aware (any zone) or naive; a naive ``datetime`` is read as UTC (what SQLite
hands back for a UTC column). Pure functions, no database, no user-facing text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, get_args
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_TZ",
    "PERIOD_KINDS",
    "Period",
    "PeriodKind",
    "day_bounds",
    "fy_label",
    "fy_quarter_of",
    "fy_start_year",
    "growth_percent",
    "last_n_months",
    "last_n_weeks",
    "local_date",
    "period",
    "period_for_day",
    "previous",
]

PeriodKind = Literal["today", "week", "month", "fy_quarter", "fy"]
#: All period kinds, shortest first.
PERIOD_KINDS: tuple[str, ...] = get_args(PeriodKind)
DEFAULT_TZ = "Asia/Kolkata"


@dataclass(frozen=True, slots=True)
class Period:
    """Instants ``start <= t < end`` (aware UTC); local days ``first_day``..``last_day``."""

    kind: str
    start: datetime
    end: datetime
    first_day: date
    last_day: date
    tz: str = DEFAULT_TZ

    def contains(self, moment: datetime) -> bool:
        """Whether an instant (aware, or naive UTC) falls in the period."""
        return self.start <= _aware(moment) < self.end

    @property
    def days(self) -> int:
        """Number of local calendar days covered."""
        return (self.last_day - self.first_day).days + 1


@functools.cache
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def _aware(moment: datetime) -> datetime:
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, not {type(moment).__name__}")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def local_date(moment: datetime, tz: str = DEFAULT_TZ) -> date:
    """The local calendar date of an instant (naive means UTC)."""
    return _aware(moment).astimezone(_zone(tz)).date()


def _local_midnight_utc(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=_zone(tz)).astimezone(UTC)


def day_bounds(day: date, tz: str = DEFAULT_TZ) -> tuple[datetime, datetime]:
    """``[start, end)`` in aware UTC of one local calendar day."""
    return _local_midnight_utc(day, tz), _local_midnight_utc(day + timedelta(days=1), tz)


def fy_start_year(d: date) -> int:
    """The calendar year in which ``d``'s financial year began (April)."""
    return d.year if d.month >= 4 else d.year - 1


def fy_label(d: date) -> str:
    """The financial year of ``d`` as "2026-27" (1 April 2026 to 31 March 2027)."""
    start = fy_start_year(d)
    return f"{start}-{(start + 1) % 100:02d}"


def fy_quarter_of(d: date) -> tuple[int, int]:
    """``(fy start year, quarter 1-4)``: 15 May 2026 → (2026, 1), 10 Jan 2027 → (2026, 4)."""
    return fy_start_year(d), (d.month - 4) % 12 // 3 + 1


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _first_day(kind: str, day: date) -> date:
    if kind == "today":
        return day
    if kind == "week":
        return day - timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    if kind == "fy_quarter":
        start_month = day.month - (day.month - 4) % 3
        return date(day.year, start_month, 1)
    if kind == "fy":
        return date(fy_start_year(day), 4, 1)
    raise ValueError(f"unknown period kind {kind!r}; expected one of {PERIOD_KINDS}")


def _next_first_day(kind: str, first: date) -> date:
    if kind == "today":
        return first + timedelta(days=1)
    if kind == "week":
        return first + timedelta(days=7)
    months = {"month": 1, "fy_quarter": 3, "fy": 12}[kind]
    year, month = _add_months(first.year, first.month, months)
    return date(year, month, 1)


def period_for_day(kind: PeriodKind | str, day: date, tz: str = DEFAULT_TZ) -> Period:
    """The period of ``kind`` that contains the local calendar day ``day``."""
    first = _first_day(kind, day)
    following = _next_first_day(kind, first)
    return Period(
        kind=kind,
        start=_local_midnight_utc(first, tz),
        end=_local_midnight_utc(following, tz),
        first_day=first,
        last_day=following - timedelta(days=1),
        tz=tz,
    )


def period(kind: PeriodKind | str, now: datetime, tz: str = DEFAULT_TZ) -> Period:
    """The period of ``kind`` containing the instant ``now`` (seen in ``tz``)."""
    return period_for_day(kind, local_date(now, tz), tz)


def previous(p: Period) -> Period:
    """The previous equal period: yesterday, last week, last month, previous quarter or FY."""
    return period_for_day(p.kind, p.first_day - timedelta(days=1), p.tz)


def growth_percent(current: int | float, previous: int | float) -> float | None:
    """Growth of ``current`` over ``previous`` in percent (52.0 = +52%); None when the
    previous value is 0 (growth from nothing is not a number)."""
    if previous == 0:
        return None
    return (current - previous) * 100.0 / abs(previous)


def _last_n(kind: str, now: datetime, n: int, tz: str) -> list[Period]:
    if n <= 0:
        return []
    current = period(kind, now, tz)
    result = [current]
    for _ in range(n - 1):
        result.append(previous(result[-1]))
    result.reverse()
    return result


def last_n_weeks(now: datetime, n: int, tz: str = DEFAULT_TZ) -> list[Period]:
    """The current week and the ``n - 1`` weeks before it, oldest first."""
    return _last_n("week", now, n, tz)


def last_n_months(now: datetime, n: int, tz: str = DEFAULT_TZ) -> list[Period]:
    """The current month and the ``n - 1`` months before it, oldest first."""
    return _last_n("month", now, n, tz)
