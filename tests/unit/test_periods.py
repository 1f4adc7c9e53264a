from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.services.periods import (
    PERIOD_KINDS,
    Period,
    day_bounds,
    fy_label,
    fy_quarter_of,
    fy_start_year,
    growth_percent,
    last_n_months,
    last_n_weeks,
    local_date,
    period,
    period_for_day,
    previous,
)

IST = timezone(timedelta(hours=5, minutes=30))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def ist_midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=IST).astimezone(UTC)


# --------------------------------------------------------------------------- IST midnight


def test_ist_midnight_boundary_fy_and_quarter() -> None:
    before = utc(2026, 3, 31, 18, 29, 59)
    after = utc(2026, 3, 31, 18, 30)
    assert local_date(before) == date(2026, 3, 31)
    assert local_date(after) == date(2026, 4, 1)

    assert period("today", before).first_day == date(2026, 3, 31)
    assert period("today", after).first_day == date(2026, 4, 1)
    assert period("fy", before).first_day == date(2025, 4, 1)
    assert period("fy", after).first_day == date(2026, 4, 1)
    assert fy_label(local_date(before)) == "2025-26"
    assert fy_label(local_date(after)) == "2026-27"
    assert fy_quarter_of(local_date(before)) == (2025, 4)
    assert fy_quarter_of(local_date(after)) == (2026, 1)
    q = period("fy_quarter", after)
    assert (q.first_day, q.last_day) == (date(2026, 4, 1), date(2026, 6, 30))


def test_today_period_is_ist_day_in_utc() -> None:
    p = period("today", utc(2026, 11, 23, 2, 0))
    assert p == Period(
        "today",
        utc(2026, 11, 22, 18, 30),
        utc(2026, 11, 23, 18, 30),
        date(2026, 11, 23),
        date(2026, 11, 23),
    )
    assert p.start.tzinfo is not None and p.start.utcoffset() == timedelta(0)
    assert p.end.utcoffset() == timedelta(0)
    assert p.days == 1


def test_contains_is_half_open() -> None:
    p = period("today", utc(2026, 11, 23, 2, 0))
    assert p.contains(utc(2026, 11, 22, 18, 30))
    assert p.contains(utc(2026, 11, 23, 18, 29, 59, 999999))
    assert not p.contains(utc(2026, 11, 23, 18, 30))
    assert not p.contains(utc(2026, 11, 22, 18, 29, 59))
    # a naive datetime is read as UTC
    assert p.contains(datetime(2026, 11, 23, 0, 0))


def test_naive_now_is_utc() -> None:
    assert period("today", datetime(2026, 3, 31, 18, 30)).first_day == date(2026, 4, 1)
    assert period("today", datetime(2026, 3, 31, 18, 29)).first_day == date(2026, 3, 31)


def test_aware_now_in_other_zone() -> None:
    new_york = timezone(timedelta(hours=-5))
    # 20:00 on 31 Mar in New York is 06:30 on 1 Apr in India
    now = datetime(2026, 3, 31, 20, 0, tzinfo=new_york)
    assert period("today", now).first_day == date(2026, 4, 1)


def test_other_timezone_parameter() -> None:
    p = period("today", utc(2026, 11, 23, 2, 0), tz="UTC")
    assert (p.start, p.end) == (utc(2026, 11, 23), utc(2026, 11, 24))
    assert previous(p).tz == "UTC"


def test_day_bounds() -> None:
    assert day_bounds(date(2026, 4, 1)) == (utc(2026, 3, 31, 18, 30), utc(2026, 4, 1, 18, 30))


# --------------------------------------------------------------------------- kinds


def test_week_starts_monday() -> None:
    # 23 Nov 2026 is a Monday
    monday_early = utc(2026, 11, 22, 18, 30)  # 00:00 Monday IST
    sunday_late = utc(2026, 11, 22, 18, 29)  # 23:59 Sunday IST
    w = period("week", monday_early)
    assert (w.first_day, w.last_day) == (date(2026, 11, 23), date(2026, 11, 29))
    assert w.first_day.weekday() == 0
    assert w.start == ist_midnight(date(2026, 11, 23))
    assert w.end == ist_midnight(date(2026, 11, 30))
    w2 = period("week", sunday_late)
    assert (w2.first_day, w2.last_day) == (date(2026, 11, 16), date(2026, 11, 22))
    assert w.days == 7


def test_week_across_year_end() -> None:
    w = period("week", utc(2027, 1, 1, 6))
    assert (w.first_day, w.last_day) == (date(2026, 12, 28), date(2027, 1, 3))


def test_month() -> None:
    m = period("month", utc(2026, 11, 30, 18, 29))
    assert (m.first_day, m.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    assert period("month", utc(2026, 11, 30, 18, 30)).first_day == date(2026, 12, 1)
    dec = period("month", utc(2026, 12, 15))
    assert dec.last_day == date(2026, 12, 31)
    assert dec.end == ist_midnight(date(2027, 1, 1))


@pytest.mark.parametrize(
    ("day", "first", "last", "fy_q"),
    [
        (date(2026, 4, 1), date(2026, 4, 1), date(2026, 6, 30), (2026, 1)),
        (date(2026, 6, 30), date(2026, 4, 1), date(2026, 6, 30), (2026, 1)),
        (date(2026, 7, 1), date(2026, 7, 1), date(2026, 9, 30), (2026, 2)),
        (date(2026, 9, 30), date(2026, 7, 1), date(2026, 9, 30), (2026, 2)),
        (date(2026, 10, 1), date(2026, 10, 1), date(2026, 12, 31), (2026, 3)),
        (date(2026, 12, 31), date(2026, 10, 1), date(2026, 12, 31), (2026, 3)),
        (date(2027, 1, 1), date(2027, 1, 1), date(2027, 3, 31), (2026, 4)),
        (date(2027, 3, 31), date(2027, 1, 1), date(2027, 3, 31), (2026, 4)),
    ],
)
def test_fy_quarters(day: date, first: date, last: date, fy_q: tuple[int, int]) -> None:
    q = period_for_day("fy_quarter", day)
    assert (q.first_day, q.last_day) == (first, last)
    assert fy_quarter_of(day) == fy_q


def test_january_is_q4_of_previous_fy() -> None:
    now = utc(2027, 1, 15, 6)
    assert fy_quarter_of(local_date(now)) == (2026, 4)
    assert fy_label(local_date(now)) == "2026-27"
    fy = period("fy", now)
    assert (fy.first_day, fy.last_day) == (date(2026, 4, 1), date(2027, 3, 31))
    assert fy.start == utc(2026, 3, 31, 18, 30)
    assert fy.end == utc(2027, 3, 31, 18, 30)


def test_fy_label_and_start_year() -> None:
    assert fy_label(date(2026, 4, 1)) == "2026-27"
    assert fy_label(date(2026, 3, 31)) == "2025-26"
    assert fy_label(date(1999, 12, 1)) == "1999-00"
    assert fy_label(date(2099, 5, 1)) == "2099-00"
    assert fy_start_year(date(2027, 2, 1)) == 2026
    assert fy_start_year(date(2027, 4, 1)) == 2027


def test_leap_years() -> None:
    feb = period_for_day("month", date(2028, 2, 10))
    assert feb.last_day == date(2028, 2, 29)
    assert feb.days == 29
    assert period_for_day("month", date(2027, 2, 10)).days == 28
    assert period_for_day("month", date(2100, 2, 10)).days == 28  # not a leap year
    assert period_for_day("month", date(2000, 2, 10)).days == 29
    q4 = period_for_day("fy_quarter", date(2028, 2, 29))
    assert (q4.first_day, q4.last_day, q4.days) == (date(2028, 1, 1), date(2028, 3, 31), 91)
    assert period_for_day("fy", date(2028, 2, 29)).days == 366  # FY 2027-28
    assert period_for_day("fy", date(2026, 5, 1)).days == 365
    # 29 Feb IST midnight
    assert period("today", utc(2028, 2, 28, 18, 30)).first_day == date(2028, 2, 29)
    assert previous(period_for_day("today", date(2028, 3, 1))).first_day == date(2028, 2, 29)


def test_unknown_kind() -> None:
    with pytest.raises(ValueError):
        period("year", utc(2026, 1, 1))


def test_not_a_datetime() -> None:
    with pytest.raises(TypeError):
        period("today", date(2026, 1, 1))  # type: ignore[arg-type]


def test_period_kinds() -> None:
    assert PERIOD_KINDS == ("today", "week", "month", "fy_quarter", "fy")


# --------------------------------------------------------------------------- previous


@pytest.mark.parametrize(
    ("kind", "now", "first", "last"),
    [
        ("today", utc(2026, 4, 1, 0), date(2026, 3, 31), date(2026, 3, 31)),
        ("today", utc(2027, 1, 1, 0), date(2026, 12, 31), date(2026, 12, 31)),
        ("week", utc(2026, 11, 25, 6), date(2026, 11, 16), date(2026, 11, 22)),
        ("week", utc(2027, 1, 6, 6), date(2026, 12, 28), date(2027, 1, 3)),
        ("month", utc(2026, 3, 15, 6), date(2026, 2, 1), date(2026, 2, 28)),
        ("month", utc(2027, 1, 15, 6), date(2026, 12, 1), date(2026, 12, 31)),
        ("month", utc(2028, 3, 31, 6), date(2028, 2, 1), date(2028, 2, 29)),
        ("fy_quarter", utc(2026, 4, 10, 6), date(2026, 1, 1), date(2026, 3, 31)),
        ("fy_quarter", utc(2027, 1, 10, 6), date(2026, 10, 1), date(2026, 12, 31)),
        ("fy_quarter", utc(2026, 8, 10, 6), date(2026, 4, 1), date(2026, 6, 30)),
        ("fy", utc(2026, 4, 1, 6), date(2025, 4, 1), date(2026, 3, 31)),
        ("fy", utc(2027, 3, 31, 6), date(2025, 4, 1), date(2026, 3, 31)),
    ],
)
def test_previous(kind: str, now: datetime, first: date, last: date) -> None:
    current = period(kind, now)
    prev = previous(current)
    assert prev.kind == kind
    assert (prev.first_day, prev.last_day) == (first, last)
    assert prev.end == current.start  # contiguous, no gap, no overlap


def test_previous_chain_is_contiguous() -> None:
    p = period("fy_quarter", utc(2026, 11, 23, 6))
    for _ in range(12):
        q = previous(p)
        assert q.end == p.start
        assert q.last_day + timedelta(days=1) == p.first_day
        p = q
    assert p.first_day == date(2023, 10, 1)


# --------------------------------------------------------------------------- growth


@pytest.mark.parametrize(
    ("current", "prev", "expected"),
    [
        (152, 100, 52.0),
        (100, 100, 0.0),
        (50, 100, -50.0),
        (0, 100, -100.0),
        (100, 0, None),
        (0, 0, None),
        (300, 200, 50.0),
        (1, 3, pytest.approx(-66.6666, rel=1e-4)),
    ],
)
def test_growth_percent(current: int, prev: int, expected: float | None) -> None:
    assert growth_percent(current, prev) == expected


def test_growth_percent_is_float() -> None:
    result = growth_percent(3, 2)
    assert isinstance(result, float) and result == 50.0


# --------------------------------------------------------------------------- last n


def test_last_n_weeks() -> None:
    now = utc(2026, 11, 25, 6)  # Wednesday
    weeks = last_n_weeks(now, 8)
    assert len(weeks) == 8
    assert weeks[-1].first_day == date(2026, 11, 23)
    assert weeks[0].first_day == date(2026, 10, 5)
    assert all(w.first_day.weekday() == 0 and w.days == 7 for w in weeks)
    for a, b in itertools.pairwise(weeks):
        assert a.end == b.start
    assert last_n_weeks(now, 0) == []
    assert last_n_weeks(now, -3) == []
    assert last_n_weeks(now, 1) == [period("week", now)]


def test_last_n_months_across_fy_and_year() -> None:
    months = last_n_months(utc(2027, 2, 10, 6), 6)
    assert [m.first_day for m in months] == [
        date(2026, 9, 1),
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
    assert months[-1].last_day == date(2027, 2, 28)
    for a, b in itertools.pairwise(months):
        assert a.end == b.start


def test_last_n_months_at_ist_midnight() -> None:
    # 18:30 UTC on 31 Oct is already 1 Nov in India
    months = last_n_months(utc(2026, 10, 31, 18, 30), 2)
    assert [m.first_day for m in months] == [date(2026, 10, 1), date(2026, 11, 1)]


def test_period_is_frozen() -> None:
    p = period("today", utc(2026, 1, 1))
    with pytest.raises(AttributeError):
        p.kind = "week"  # type: ignore[misc]
