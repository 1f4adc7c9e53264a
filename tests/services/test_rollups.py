"""The sales rollups equal the sum of the sales after any mix of writes through the services."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from bot import db as dbmod
from bot.services import privacy, products, rollups
from bot.services import sales as sales_service
from bot.services.order_import import OrderRow
from bot.services.periods import fy_start_year
from models import Product, ProductSalesFY, Sale, SalesDaily, User
from models.sales_rollup import STATE
from tests.e2e.seed import product, registered_user

# Two financial years (the boundary is 1 April 2026), a few districts and craft groups.
FIRST_DAY = date(2026, 3, 20)
ARTISANS = {
    101: ("lucknow", "textile"),
    102: ("lucknow", "textile"),
    103: ("agra", "leather"),
    104: ("varanasi", "textile"),
}


def expected(rows: list[Sale]) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """The rollups computed the slow way, from every sale."""
    daily: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])  # type: ignore[type-arg]
    by_product: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])  # type: ignore[type-arg]
    for s in rows:
        keys = [(daily, (s.sold_on, s.district_code, s.craft_group or ""))]
        if s.product_id is not None:
            fy = date(fy_start_year(s.sold_on), 4, 1)
            keys += [
                (by_product, (fy, s.district_code, s.product_id)),
                (by_product, (fy, STATE, s.product_id)),
            ]
        for table, key in keys:
            table[key][0] += 1
            table[key][1] += s.quantity
            table[key][2] += s.total_paise
    return (
        {k: tuple(v) for k, v in daily.items()},
        {k: tuple(v) for k, v in by_product.items()},
    )


async def assert_rollups_match(database) -> None:  # type: ignore[no-untyped-def]
    async with database.sessions() as session:
        sales = list((await session.exec(select(Sale))).all())
        daily = {
            (r.sold_on, r.district_code, r.craft_group): (r.sales, r.pieces, r.total_paise)
            for r in (await session.exec(select(SalesDaily))).all()
        }
        by_product = {
            (r.fy_start, r.district_code, r.product_id): (r.sales, r.pieces, r.total_paise)
            for r in (await session.exec(select(ProductSalesFY))).all()
        }
    want_daily, want_by_product = expected(sales)
    assert daily == want_daily
    assert by_product == want_by_product


async def own_product_ids(session, uid: int) -> list[int]:  # type: ignore[no-untyped-def]
    return [p.id for p in (await session.exec(select(Product).where(Product.user_id == uid))).all()]


async def register(database, uid: int) -> None:  # type: ignore[no-untyped-def]
    district, group = ARTISANS[uid]
    await registered_user(database, uid, district=district, craft_group=group)
    for n in range(2):
        await product(database, uid, f"Item {uid}-{n}", 10_000 * (n + 1), 1000, sku=f"SKU{n}")


async def one_step(  # type: ignore[no-untyped-def]
    database,
    rng: random.Random,
    step: int,
    erased: set[int],
    uids: tuple[int, ...] = tuple(ARTISANS),
) -> str:
    uid = rng.choice(uids)
    if uid in erased:  # came back after /deleteme: registers again
        await register(database, uid)
        erased.discard(uid)
    day = FIRST_DAY + timedelta(days=rng.randrange(30))
    op = rng.choices(
        ["record", "set_day", "replace", "delete", "undo", "import", "delete_product", "erase"],
        weights=[30, 8, 6, 6, 6, 6, 1, 1],
    )[0]
    async with database.session() as session:
        user = await session.get(User, uid)
        assert user is not None
        pids = await own_product_ids(session, uid)
        mine = [s.sale_id for s in await sales_service.recent(session, uid, limit=100)]
        if op == "record" and pids:
            draft = sales_service.SaleDraft(
                rng.choice(pids), rng.randint(1, 5), rng.choice([100, 450, 999]), "local", day
            )
            await sales_service.record(session, user, draft, source="chat")
        elif op == "set_day" and mine:
            assert await sales_service.set_day(session, uid, rng.choice(mine), day)
        elif op == "replace" and mine and pids:  # a correction: the old sale goes, a new one in
            await sales_service.delete(session, uid, rng.choice(mine))
            draft = sales_service.SaleDraft(rng.choice(pids), 2, 700, "local", day)
            await sales_service.record(session, user, draft, source="chat")
        elif op == "delete" and mine:
            assert await sales_service.delete(session, uid, rng.choice(mine)) is not None
        elif op == "undo":
            await sales_service.undo_last(session, uid)
        elif op == "import":
            rows = [
                OrderRow(
                    order_id=f"OD{step}-{n}",
                    day=day + timedelta(days=n),
                    sku=f"SKU{n % 2}",
                    title=None,
                    quantity=n + 1,
                    unit_price_paise=12_345,
                    channel="flipkart",
                    line_id="",
                    row=n + 2,
                )
                for n in range(rng.randint(1, 4))
            ]
            plan = await sales_service.plan_import(session, uid, rows)
            await sales_service.apply_import(session, user, plan)
        elif op == "delete_product" and pids:
            gone = await session.get(Product, rng.choice(pids))
            assert gone is not None
            await products.delete(session, gone)
        elif op == "erase":
            assert await privacy.erase(session, uid) is not None
            erased.add(uid)
    return op


async def test_rollups_equal_the_sales_after_a_random_mix_of_writes(database) -> None:  # type: ignore[no-untyped-def]
    for uid in ARTISANS:
        await register(database, uid)
    rng = random.Random(8)
    erased: set[int] = set()
    done = set()
    for step in range(160):
        done.add(await one_step(database, rng, step, erased))
        if step % 20 == 19:
            await assert_rollups_match(database)
    await assert_rollups_match(database)
    assert done == {
        "record",
        "set_day",
        "replace",
        "delete",
        "undo",
        "import",
        "delete_product",
        "erase",
    }
    async with database.sessions() as session:
        # Erased artisans' sales still count (anonymised), and so some rows have no product.
        anonymous = (await session.exec(select(Sale).where(Sale.user_id == None))).all()  # noqa: E711
    assert anonymous

    # Rebuilding from scratch (what a bulk load does) gives the same rows.
    async with database.session() as session:
        await (await session.connection()).run_sync(rollups.fill)
    await assert_rollups_match(database)


async def test_a_sale_counted_once_per_rollup_row(database) -> None:  # type: ignore[no-untyped-def]
    """One sale: its day's row, and its product's rows for the FY (district and state)."""
    await register(database, 103)
    async with database.session() as session:
        user = await session.get(User, 103)
        pid = (await own_product_ids(session, 103))[0]
        draft = sales_service.SaleDraft(pid, 3, 450, "local", date(2026, 3, 31))
        done = await sales_service.record(session, user, draft, source="chat")  # type: ignore[arg-type]
    async with database.session() as session:
        daily = (await session.exec(select(SalesDaily))).all()
        by_product = (await session.exec(select(ProductSalesFY))).all()
        assert [(d.sold_on, d.district_code, d.craft_group, d.sales, d.pieces) for d in daily] == [
            (date(2026, 3, 31), "agra", "leather", 1, 3)
        ]
        assert sorted((p.fy_start, p.district_code, p.total_paise) for p in by_product) == [
            (date(2025, 4, 1), STATE, 1350),
            (date(2025, 4, 1), "agra", 1350),
        ]
        # Moved into the next financial year: counted there, gone from the last.
        assert await sales_service.set_day(session, 103, done.sale_id, date(2026, 4, 1))
    async with database.session() as session:
        by_product = (await session.exec(select(ProductSalesFY))).all()
        assert {p.fy_start for p in by_product} == {date(2026, 4, 1)}
        await sales_service.delete(session, 103, done.sale_id)
    async with database.session() as session:
        assert (await session.exec(select(SalesDaily))).all() == []
        assert (await session.exec(select(ProductSalesFY))).all() == []


async def test_migration_fills_the_rollups_from_existing_sales(database, db_url) -> None:  # type: ignore[no-untyped-def]
    for uid in (101, 103):
        await register(database, uid)
    rng = random.Random(7)
    for step in range(30):
        await one_step(database, rng, step, set(), (101, 103))
    await database.dispose()  # no pooled connection holds the tables
    await asyncio.to_thread(_downgrade, db_url, "0006")
    await asyncio.to_thread(dbmod.upgrade, db_url)
    await assert_rollups_match(database)


def _downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(dbmod.alembic_config(url), revision)


async def test_concurrent_sales_of_one_day_both_count(database) -> None:  # type: ignore[no-untyped-def]
    """Two transactions count a sale in the same new rollup rows at once. On PostgreSQL the
    second one's upsert waits for the first one's insert of the row (checked: a backend waits
    on a lock before the first commits), then adds to it instead of failing or overwriting.
    On SQLite the second transaction starts after the first commits (BEGIN IMMEDIATE)."""
    for uid in (101, 102):  # both in Lucknow, textile
        await register(database, uid)
    first_in = asyncio.Event()
    postgres = database.engine.dialect.name == "postgresql"

    async def sell(session, uid: int) -> None:  # type: ignore[no-untyped-def]
        user = await session.get(User, uid)
        pid = (await own_product_ids(session, uid))[0]
        draft = sales_service.SaleDraft(pid, 1, 500, "local", date(2026, 11, 2))
        await sales_service.record(session, user, draft, source="chat")

    async def first() -> None:
        async with database.session() as session:
            await sell(session, 101)
            await session.run_sync(rollups.count_pending)  # now, not at the commit
            first_in.set()
            while postgres and not await _a_backend_waits_on_a_lock(database):  # noqa: ASYNC110
                await asyncio.sleep(0.01)  # a database state to poll: until the other waits

    async def second() -> None:
        await first_in.wait()
        async with database.session() as session:
            await sell(session, 102)

    await asyncio.wait_for(asyncio.gather(first(), second()), timeout=60)
    async with database.sessions() as session:
        rows = (await session.exec(select(SalesDaily))).all()
    assert [(r.district_code, r.sales, r.total_paise) for r in rows] == [("lucknow", 2, 1000)]
    await assert_rollups_match(database)


async def _a_backend_waits_on_a_lock(database) -> bool:  # type: ignore[no-untyped-def]
    # A new transaction each time: within one, PostgreSQL shows the same snapshot of activity.
    async with database.sessions() as session:
        waiting = await session.exec(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
        return bool(waiting.one()[0])


async def test_rolled_back_sales_and_savepoints(database) -> None:  # type: ignore[no-untyped-def]
    """Counted at commit: a transaction rolled back counts nothing; in a savepoint, what the
    savepoint rolls back is not counted and what it keeps is."""
    await register(database, 101)

    async def sell(session, quantity: int) -> None:  # type: ignore[no-untyped-def]
        user = await session.get(User, 101)
        pid = (await own_product_ids(session, 101))[0]
        draft = sales_service.SaleDraft(pid, quantity, 100, "local", date(2026, 11, 2))
        await sales_service.record(session, user, draft, source="chat")

    with pytest.raises(RuntimeError):
        async with database.session() as session:
            await sell(session, 1)
            raise RuntimeError("the handler failed")
    async with database.session() as session:
        await sell(session, 2)
        savepoint = await session.begin_nested()
        await sell(session, 4)
        await savepoint.rollback()
        async with session.begin_nested():
            await sell(session, 8)
    async with database.sessions() as session:
        rows = (await session.exec(select(SalesDaily))).all()
    assert [(r.sales, r.pieces) for r in rows] == [(2, 10)]
    await assert_rollups_match(database)
