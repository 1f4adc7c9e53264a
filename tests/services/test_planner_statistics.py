"""Planner statistics: refreshed by a daily job, so that SQLite picks the selective index."""

from __future__ import annotations

from sqlalchemy import text

from bot import jobs
from bot.db import Database
from tests.e2e.seed import product, registered_user


async def test_refresh_statistics_analyses_the_tables(database: Database) -> None:
    """(Which plan SQLite then picks depends on the table sizes: bench/README.md, bench.stats,
    shows the owner index chosen over the `archived` one on 300k products.)"""
    for uid in (4101, 4102, 4103):
        await registered_user(database, uid, language="hi")
        for i in range(3):
            await product(database, uid, f"कुर्ता {i}", 45_000 + i, stock=3)
    await database.refresh_statistics()
    async with database.sessions() as session:
        if database.sqlite:
            stats = (await session.exec(text("SELECT tbl, idx FROM sqlite_stat1"))).all()  # type: ignore[call-overload]
            analysed = {tuple(r) for r in stats}
            assert ("products", "ix_products_user_id") in analysed
            assert ("users", "ix_users_by_district_role") in analysed
        else:
            analysed = (
                await session.exec(
                    text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'products'")  # type: ignore[call-overload]
                )
            ).scalar_one()
            assert analysed is not None


async def test_the_statistics_job_is_scheduled_daily() -> None:
    class Queue:
        def __init__(self) -> None:
            self.jobs: dict[str, dict[str, object]] = {}

        def run_repeating(self, callback, interval, first, name, job_kwargs):  # type: ignore[no-untyped-def]
            self.jobs[name] = {"callback": callback, "interval": interval, **job_kwargs}

    class App:
        job_queue = Queue()

    jobs.schedule(App())  # type: ignore[arg-type]
    job = App.job_queue.jobs["statistics"]
    assert job["callback"] is jobs.statistics
    assert job["interval"].days == 1 and job["id"] == "statistics"  # type: ignore[attr-defined]
