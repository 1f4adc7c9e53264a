"""Statistics by aggregate SQL and exports, on seeded data."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from sqlalchemy import event
from sqlmodel import col, select

from bot.services import exports, stats
from models import Product, Sale, User
from tests.e2e.seed import product, registered_user

NOW = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)  # Monday, FY 2026-27 Q3


async def seed(database) -> None:  # type: ignore[no-untyped-def]
    await registered_user(database, 1, district="lucknow", name="सीमा")
    await registered_user(database, 2, district="lucknow", name="=HYPERLINK()")
    await registered_user(database, 3, district="agra", craft_group="leather", name="Aslam")
    await registered_user(database, 4, district="varanasi", name="Kamla")  # no sales
    await registered_user(database, 9, district="lucknow", role="officer", name="Officer")
    async with database.session() as session:
        for uid, seen in ((1, NOW), (2, datetime(2026, 11, 1, tzinfo=UTC)), (3, NOW), (4, NOW)):
            user = await session.get(User, uid)
            assert user is not None
            user.last_seen_at = seen
            user.phone = f"+91987654321{uid}"
    kurta = await product(database, 1, "कुर्ता", 45_000)
    juti = await product(database, 3, "Juti", 80_000)
    async with database.session() as session:
        session.add(Product(user_id=2, name="old", category="other", price_paise=1, archived=True))
        for uid, pid, district, group, qty, unit, day in (
            (1, kurta, "lucknow", "textile", 2, 45_000, date(2026, 11, 23)),
            (1, kurta, "lucknow", "textile", 1, 45_000, date(2026, 11, 16)),
            (1, kurta, "lucknow", "textile", 4, 45_000, date(2026, 3, 30)),  # last FY
            (3, juti, "agra", "leather", 5, 80_000, date(2026, 11, 2)),
        ):
            session.add(
                Sale(
                    user_id=uid,
                    district_code=district,
                    craft_group=group,
                    product_id=pid,
                    quantity=qty,
                    unit_price_paise=unit,
                    total_paise=qty * unit,
                    sold_on=day,
                )
            )


async def test_district_stats(database) -> None:  # type: ignore[no-untyped-def]
    await seed(database)
    async with database.sessions() as session:
        s = await stats.compute(session, ["lucknow"], NOW, with_score=False)
    assert (s.artisans, s.active_7, s.active_30, s.inactive, s.products) == (2, 1, 2, 0, 1)
    week, month, quarter, fy = s.periods
    assert (week.count, week.total_paise, week.previous_total_paise) == (1, 90_000, 45_000)
    assert week.growth == 100.0
    assert (month.count, month.pieces, month.total_paise, month.previous_total_paise) == (
        2,
        3,
        135_000,
        0,
    )
    assert month.growth is None
    assert (fy.total_paise, fy.previous_total_paise) == (135_000, 180_000)
    assert fy.growth == -25.0
    assert quarter.first_day == date(2026, 10, 1) and quarter.last_day == date(2026, 12, 31)
    assert s.top_crafts == [("textile", 2, 135_000)]
    assert s.top_products == [("कुर्ता", 3, 135_000)]
    assert s.top_districts == [] and s.bottom_districts == []


async def test_state_stats_rank_districts(database) -> None:  # type: ignore[no-untyped-def]
    await seed(database)
    async with database.sessions() as session:
        s = await stats.compute(session, None, NOW)
    assert s.artisans == 4 and s.districts is None
    assert s.top_districts[0] == ("agra", 400_000)
    assert ("varanasi", 0) in s.bottom_districts
    assert s.listing_score is None or 0 <= s.listing_score <= 100


async def test_stats_are_a_few_aggregate_queries(database) -> None:  # type: ignore[no-untyped-def]
    """No matter how many rows: a fixed number of statements over the rollups, none reading
    the sales table, and none returning more than a few rows (aggregates or a top N)."""
    await seed(database)
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with database.sessions() as session:
            await stats.compute(session, None, NOW, with_score=False)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 8
    assert not [s for s in selects if re.search(r"\b(from|join) sales\b", s.lower())]
    assert all(
        ("count(" in s.lower() or "sum(" in s.lower())
        or "group by" in s.lower()
        or "limit" in s.lower()
        for s in selects
    )


async def test_exports_scope_and_phones(database) -> None:  # type: ignore[no-untyped-def]
    await seed(database)
    async with database.sessions() as session:
        officer = await exports.table(session, "artisans", ["lucknow"], with_phone=False)
        admin = await exports.table(session, "artisans", None, with_phone=True)
        sales = await exports.table(
            session, "sales", ["lucknow"], with_phone=False, period="fy", now=NOW
        )
        products = await exports.table(session, "products", None, with_phone=True)
    assert "phone" not in officer.columns and [r[0] for r in officer.rows] == [1, 2]
    assert admin.columns[-1] == "phone" and sorted(r[0] for r in admin.rows) == [1, 2, 3, 4]
    assert [(r[1], r[7], float(r[9])) for r in sales.rows] == [
        (date(2026, 11, 16), 1, 450.0),
        (date(2026, 11, 23), 2, 900.0),
    ]
    assert len(products.rows) == 3
    xlsx = exports.to_xlsx(officer, list(officer.columns), "Artisans")
    rows = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert rows[0][0] == "user_id" and rows[2][1] == "'=HYPERLINK()"  # not run as a formula
    text = exports.to_csv(admin, list(admin.columns)).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0][-1] == "phone"
    by_id = {row[0]: row for row in parsed[1:]}
    assert by_id["1"][1] == "सीमा" and by_id["1"][-1] == "+919876543211"
    assert by_id["2"][1] == "'=HYPERLINK()"


async def test_listing_score_is_the_tips_score_of_each_listing(database) -> None:  # type: ignore[no-untyped-def]
    """The batched average equals the mean of what Tips shows each artisan (`report_for`):
    other artisans' prices of the same category (odd and even counts, the owner's own left
    out, archived ones too), photos, owners' districts."""
    from bot.services import periods, tips
    from models import ProductPhoto

    for uid, district in ((11, "lucknow"), (12, "agra"), (13, "varanasi"), (14, "lucknow")):
        await registered_user(database, uid, district=district)
    rng = random.Random(3)
    async with database.session() as session:
        for n in range(40):
            item = Product(
                user_id=11 + n % 4,
                name=rng.choice(["Chikankari kurta", "कुर्ता", "Cotton dupatta", "x"]),
                category=rng.choice(["kurta", "dupatta", "home_textile"]),
                price_paise=rng.choice([9_000, 30_000, 45_000, 46_000, 90_000, 200_000]),
                stock=rng.choice([0, 1, 10]),
                cost_paise=rng.choice([None, 20_000]),
                description=rng.choice([None, "Hand embroidered in Lucknow " * n]),
                archived=n % 9 == 0,
            )
            session.add(item)
            await session.flush()
            for position in range(n % 3):
                session.add(
                    ProductPhoto(
                        product_id=item.id,
                        file_id=f"f{n}-{position}",
                        file_unique_id=f"u{n}-{position}",
                        position=position,
                        checks={"width": 1200, "height": 900, "findings": ["dark"][: n % 2]},
                    )
                )
    async with database.sessions() as session:
        for districts in (None, ["lucknow"]):
            score, scored = await stats.average_listing_score(session, districts, NOW)
            listed = (
                await session.exec(
                    select(Product, User)
                    .join(User, col(User.id) == col(Product.user_id))
                    .where(col(Product.archived).is_(False))
                )
            ).all()
            want = [
                (await tips.report_for(session, p, periods.local_date(NOW), u)).score
                for p, u in listed
                if districts is None or u.district_code in districts
            ]
            assert scored == len(want) and score == sum(want) / len(want)
            assert len(set(want)) > 3  # the sample tells listings apart
