"""Scheduled summaries: due exactly once, in each user's language, never at night, opt-out
respected, sent through the outbox — with frozen time."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlmodel import select

from bot.services import summaries
from handlers.summaries import run_due
from models import Delivery, Sale, SummaryLedger, SummaryPrefs
from tests.e2e.phone import Phone, texts
from tests.e2e.seed import product, registered_user

# Monday 2026-11-23: last week is Mon 16 – Sun 22 Nov; the week before, 9 – 15 Nov.
MONDAY_0905_IST = datetime(2026, 11, 23, 3, 35, tzinfo=UTC)
MONDAY_1100_IST = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)
MONDAY_2130_IST = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
MONDAY_0750_IST = datetime(2026, 11, 23, 2, 20, tzinfo=UTC)
TUESDAY_1000_IST = datetime(2026, 11, 24, 4, 30, tzinfo=UTC)
TZ = "Asia/Kolkata"


async def sale(database, uid: int, product_id: int, qty: int, unit: int, day: date) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        session.add(
            Sale(
                user_id=uid,
                district_code="lucknow",
                craft_group="textile",
                product_id=product_id,
                quantity=qty,
                unit_price_paise=unit,
                total_paise=qty * unit,
                channel="local",
                sold_on=day,
                source="chat",
            )
        )


async def seed_artisans(database) -> dict[str, int]:  # type: ignore[no-untyped-def]
    await registered_user(database, 3001, language="hi")
    await registered_user(database, 3002, language="en", name="Ravi")
    await registered_user(database, 3003, language="hi", name="नई")  # no sales at all
    kurta = await product(database, 3001, "कुर्ता", 45_000, stock=1)
    toran = await product(database, 3002, "Toran", 24_000, stock=20)
    await sale(database, 3001, kurta, 4, 45_000, date(2026, 11, 17))  # last week: ₹1,800
    await sale(database, 3001, kurta, 2, 45_000, date(2026, 11, 10))  # the week before: ₹900
    await sale(database, 3002, toran, 5, 24_000, date(2026, 11, 22))  # last week: ₹1,200
    return {"kurta": kurta, "toran": toran}


async def deliveries(database) -> list[Delivery]:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        return list((await session.exec(select(Delivery).order_by(Delivery.id))).all())


async def test_due_rules(database) -> None:  # type: ignore[no-untyped-def]
    await seed_artisans(database)
    async with database.session() as session:
        session.add(SummaryPrefs(user_id=3002, weekly=False))
    async with database.sessions() as session:
        win, people = await summaries.due(session, "weekly", MONDAY_0905_IST, TZ)
        assert win.period == "2026-11-16" and {p.user_id for p in people} == {3001, 3003}
        for quiet in (MONDAY_2130_IST, MONDAY_0750_IST):
            assert (await summaries.due(session, "weekly", quiet, TZ))[1] == []
        # Past its usefulness: on Tuesday last week's summary is skipped.
        assert (await summaries.due(session, "weekly", TUESDAY_1000_IST, TZ))[1] == []
        figures = await summaries.artisan_figures(session, win, [3001, 3003])
        assert (figures[3001].total_paise, figures[3001].previous_total_paise) == (180_000, 90_000)
        assert figures[3001].growth == 100.0 and figures[3001].low_stock == ["कुर्ता"]
        assert figures[3003].count == 0


async def test_downtime_then_exactly_once(bot, database, client) -> None:  # type: ignore[no-untyped-def]
    await seed_artisans(database)
    await client.create_user(id=3001, first_name="Seema", language_code="hi")
    await client.create_user(id=3002, first_name="Ravi", language_code="en")
    await client.create_user(id=3003, first_name="Nayi", language_code="hi")
    for uid in (3001, 3002, 3003):  # they have talked to the bot before
        await client.send(uid, "/help")
    # The bot was down at 09:00 and comes back at 11:00: the summaries go out now, once.
    assert await run_due(bot, MONDAY_1100_IST) == 3
    assert await run_due(bot, MONDAY_1100_IST) == 0  # a second restart: nothing more
    async with database.sessions() as session:
        ledger = (await session.exec(select(SummaryLedger))).all()
    assert sorted((row.kind, row.user_id) for row in ledger) == [
        ("weekly", 3001),
        ("weekly", 3002),
        ("weekly", 3003),
    ]
    assert len([d for d in await deliveries(database) if d.owner_kind == "summary"]) == 3
    seema = await client.wait_bot_messages(3001, after=0, count=2, timeout=15)
    hindi = texts([m for m in seema if "हफ़्ता" in (m.get("text") or "")])
    assert (
        "₹1,800" in hindi
        and "+100%" in hindi
        and "कुर्ता" in hindi
        and "स्टॉक" not in hindi.split("⚠️")[0]
    )
    ravi = texts(await client.wait_bot_messages(3002, after=0, count=2, timeout=15))
    assert "₹1,200" in ravi and "Toran" in ravi and "No sales the week before" in ravi
    nayi = texts(await client.wait_bot_messages(3003, after=0, count=2, timeout=15))
    assert "बेचे" in nayi and "₹0" not in nayi  # a nudge, not a table of zeros
    # The job itself is re-created at start-up with an explicit id and a generous grace time.
    [job] = bot.job_queue.get_jobs_by_name("summaries")
    assert job.job.id == "summaries" and job.job.misfire_grace_time >= 600


async def test_officer_and_admin_digests(bot, database, client) -> None:  # type: ignore[no-untyped-def]
    await seed_artisans(database)
    await registered_user(database, 3010, language="hi", role="officer", name="अधिकारी")
    await registered_user(database, 9000001, language="en", role="admin", name="Admin")
    for uid, lang in ((3010, "hi"), (9000001, "en")):
        await client.create_user(id=uid, first_name="X", language_code=lang)
        await client.send(uid, "/help")
    await run_due(bot, MONDAY_1100_IST)
    officer = texts(await client.wait_bot_messages(3010, after=0, count=2, timeout=15))
    assert "लखनऊ" in officer and "₹3,000" in officer  # 1,800 + 1,200 last week in Lucknow
    admin = texts(await client.wait_bot_messages(9000001, after=0, count=2, timeout=15))
    assert "Uttar Pradesh" in admin  # yesterday (Sunday 22 Nov): ₹1,200
    assert "₹1,200" in admin


@pytest.mark.usefixtures("bot")
async def test_settings_turn_off_and_pick_day(phone_for, database) -> None:  # type: ignore[no-untyped-def]
    await registered_user(database, 3020, language="en")
    phone: Phone = await phone_for(3020, "Ravi", "en")
    shown = texts(await phone.send("/settings"))
    assert "Monday" in shown and "09:00" in shown
    await phone.press("Weekly summary")
    await phone.press("Change day")
    await phone.press("Wednesday")
    async with database.sessions() as session:
        prefs = await session.get(SummaryPrefs, 3020)
        assert prefs is not None and (prefs.weekly, prefs.weekday) == (False, 2)
        assert (await summaries.due(session, "weekly", MONDAY_1100_IST, TZ))[1] == []


async def test_two_processes_running_the_job_at_once_queue_each_summary_once(  # type: ignore[no-untyped-def]
    bot, database, db_url, monkeypatch
) -> None:
    """Every bot process schedules the summary job; two runs at the same moment (each with its
    own connection pool, as two processes have) queue each user's summary exactly once."""
    import handlers.summaries
    from bot.db import Database

    # Make the race certain: a run that has read who is due waits (up to 1 s) until the
    # other run has too, before it builds and writes its page.
    build, arrived = handlers.summaries.build, asyncio.Event()
    both = asyncio.Semaphore(0)

    async def racing_build(*args, **kwargs):  # type: ignore[no-untyped-def]
        if arrived.is_set():
            both.release()
        else:
            arrived.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(both.acquire(), 1.0)
        return await build(*args, **kwargs)

    monkeypatch.setattr(handlers.summaries, "build", racing_build)

    uids = list(range(3101, 3141))
    for uid in uids:
        await registered_user(database, uid, language="hi" if uid % 2 else "en")
    other = Database(db_url)

    other_process = SimpleNamespace(bot_data={**bot.bot_data, "db": other, "outbox": None})
    try:
        counts = await asyncio.gather(
            run_due(bot, MONDAY_1100_IST), run_due(other_process, MONDAY_1100_IST)
        )
    finally:
        await other.dispose()
    assert sum(counts) == len(uids)
    async with database.sessions() as session:
        ledger = (await session.exec(select(SummaryLedger))).all()
    assert sorted(row.user_id for row in ledger) == uids
    assert len(await deliveries(database)) == len(uids)
