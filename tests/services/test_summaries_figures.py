"""Everyone's summary figures from two aggregate queries: totals of the window and of the
period before, the best seller, low stock and the product with the fewest photos."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event, update

from bot.services import summaries
from models import Product, ProductPhoto, Sale
from tests.e2e.seed import product, registered_user

WEEK = summaries.window("weekly", date(2026, 11, 23))  # Mon 16 – Sun 22 Nov; before: 9 – 15


async def sale(
    database, uid: int | None, product_id: int | None, qty: int, unit: int, day: date
) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        session.add(
            Sale(
                user_id=uid,
                district_code="lucknow",
                product_id=product_id,
                quantity=qty,
                unit_price_paise=unit,
                total_paise=qty * unit,
                sold_on=day,
            )
        )


async def photos(database, product_id: int, n: int) -> None:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        for i in range(n):
            session.add(
                ProductPhoto(
                    product_id=product_id,
                    file_id=f"f{product_id}-{i}",
                    file_unique_id=f"u{product_id}-{i}",
                )
            )


async def test_totals_best_seller_stock_and_photos(database) -> None:  # type: ignore[no-untyped-def]
    for uid in (1, 2, 3):
        await registered_user(database, uid)
    kurta = await product(database, 1, "कुर्ता", 45_000, stock=1)  # low
    dupatta = await product(database, 1, "दुपट्टा", 30_000, stock=2)  # low (at the threshold)
    toran = await product(database, 1, "Toran", 24_000, stock=50)
    await photos(database, kurta, 2)
    await photos(database, dupatta, 1)
    await photos(database, toran, 5)
    await sale(database, 1, kurta, 2, 45_000, date(2026, 11, 16))  # first day of the week
    await sale(database, 1, toran, 3, 24_000, date(2026, 11, 22))  # last day: best seller
    await sale(database, 1, None, 1, 10_000, date(2026, 11, 20))  # its product was deleted
    await sale(database, 1, dupatta, 9, 30_000, date(2026, 11, 15))  # the week before
    await sale(database, 1, dupatta, 9, 30_000, date(2026, 11, 8))  # too early
    await sale(database, 1, dupatta, 9, 30_000, date(2026, 11, 23))  # this week
    await sale(database, None, kurta, 5, 45_000, date(2026, 11, 17))  # anonymised
    old = await product(database, 2, "Old", 1_000, stock=0)
    await product(database, 2, "New", 1_000, stock=0)
    await sale(database, 2, old, 1, 1_000, date(2026, 11, 18))  # user 2's only sale: archived
    async with database.session() as session:
        await session.exec(update(Product).where(Product.id == old).values(archived=True))  # type: ignore[call-overload]
    async with database.sessions() as session:
        figures = await summaries.artisan_figures(session, WEEK)
    one = figures[1]
    assert (one.total_paise, one.pieces, one.count) == (90_000 + 72_000 + 10_000, 6, 3)
    assert one.previous_total_paise == 270_000
    assert one.top_product == "Toran"
    assert one.low_stock == ["कुर्ता", "दुपट्टा"]
    assert one.fewest_photos == ("दुपट्टा", 1)
    two = figures[2]
    assert (two.total_paise, two.count, two.top_product) == (1_000, 1, "Old")  # sold, then archived
    assert two.low_stock == ["New"] and two.fewest_photos == ("New", 0)
    three = figures[3]  # registered, nothing else: empty figures
    assert (three.count, three.top_product, three.fewest_photos) == (0, None, None)
    assert not three.low_stock
    assert three.growth is None and one.growth is not None


async def test_ties_go_to_the_older_product_and_low_stock_shows_three(database) -> None:  # type: ignore[no-untyped-def]
    await registered_user(database, 1)
    ids = [await product(database, 1, f"P{i}", 1_000, stock=0) for i in range(5)]
    for product_id in reversed(ids):  # each sells 2 pieces; newest recorded first
        await sale(database, 1, product_id, 2, 1_000, date(2026, 11, 18))
    await photos(database, ids[0], 1)
    async with database.sessions() as session:
        figures = await summaries.artisan_figures(session, WEEK)
    assert figures[1].top_product == "P0"
    assert figures[1].low_stock == ["P0", "P1", "P2"]
    assert figures[1].fewest_photos == ("P1", 0)


async def test_only_some_users_and_two_statements(database) -> None:  # type: ignore[no-untyped-def]
    for uid in (1, 2):
        await registered_user(database, uid)
        kurta = await product(database, uid, "कुर्ता", 45_000)
        await sale(database, uid, kurta, uid, 45_000, date(2026, 11, 18))
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        async with database.sessions() as session:
            figures = await summaries.artisan_figures(session, WEEK, [2, 5])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert set(figures) == {2, 5}
    assert (figures[2].pieces, figures[5].count) == (2, 0)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2


async def test_the_window_is_one_range_scan_of_the_day_index(database) -> None:  # type: ignore[no-untyped-def]
    if not database.sqlite:
        pytest.skip("PostgreSQL's plan depends on the table's statistics (bench.summaries)")
    statement = summaries._sales_by_product(WEEK, None)
    sql = str(
        statement.compile(database.engine.sync_engine, compile_kwargs={"literal_binds": True})
    )
    async with database.sessions() as session:
        conn = await session.connection()
        plan = " / ".join(
            row[-1] for row in await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)
        )
    assert (
        "SEARCH sales USING COVERING INDEX ix_sales_day_user (sold_on>? AND sold_on<?)" in plan
    ), plan
