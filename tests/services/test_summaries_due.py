"""Who is due for a summary: the defaults for users without settings, each user's own day,
hour and switch, the ledger, and pages."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services import summaries
from models import SummaryPrefs
from tests.e2e.seed import registered_user

TZ = "Asia/Kolkata"
MONDAY_0830_IST = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # before the default 09:00
MONDAY_1100_IST = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)
WEDNESDAY_1100_IST = datetime(2026, 11, 25, 5, 30, tzinfo=UTC)


async def weekly_due(database, now: datetime, **page: int) -> list[int]:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        _, people = await summaries.due(session, "weekly", now, TZ, **page)
    return [p.user_id for p in people]


async def test_defaults_and_own_settings(database) -> None:  # type: ignore[no-untyped-def]
    for uid in range(1, 7):
        await registered_user(database, uid)
    async with database.session() as session:
        session.add(SummaryPrefs(user_id=2, hour=8))  # Monday from 08:00
        session.add(SummaryPrefs(user_id=3, weekly=False))
        session.add(SummaryPrefs(user_id=4, weekday=2))  # Wednesday from 09:00
        session.add(SummaryPrefs(user_id=5, hour=12))  # Monday from 12:00
        session.add(SummaryPrefs(user_id=6, weekday=2, hour=8, weekly=False))
    # 08:30: only whoever chose 08:00 (the default, 09:00, is later).
    assert await weekly_due(database, MONDAY_0830_IST) == [2]
    # 11:00: the defaults and the 08:00 user; not the one who turned it off, nor Wednesday's,
    # nor the one who wants it at noon.
    assert await weekly_due(database, MONDAY_1100_IST) == [1, 2]
    # On Wednesday last week's summary has had its day: only Wednesday's user.
    assert await weekly_due(database, WEDNESDAY_1100_IST) == [4]


async def test_pages_and_the_ledger(database) -> None:  # type: ignore[no-untyped-def]
    for uid in range(1, 8):
        await registered_user(database, uid)
    await registered_user(database, 8, role="officer")
    assert await weekly_due(database, MONDAY_1100_IST, after_id=2, limit=3) == [3, 4, 5]
    async with database.session() as session:
        await summaries.mark_sent(session, "weekly", "2026-11-16", [1, 4])
    assert await weekly_due(database, MONDAY_1100_IST) == [2, 3, 5, 6, 7]
    assert await weekly_due(database, MONDAY_1100_IST, after_id=3, limit=2) == [5, 6]
    async with database.sessions() as session:  # the officer's weekly digest is another kind
        _, officers = await summaries.due(session, "district", MONDAY_1100_IST, TZ)
    assert [(p.user_id, p.district_code) for p in officers] == [(8, "lucknow")]
