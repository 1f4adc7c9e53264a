"""District and state statistics for officers and admins, by aggregate SQL.

Every figure is a COUNT/SUM/GROUP BY in the database; no artisan, product or sale rows are
loaded into Python. Sales figures come from the rollups (`models.sales_rollup`, kept by
`bot.services.rollups`): rows per day and district, and per product and financial year, so
their cost follows days × districts, not the number of sales. Artisans and products are
counted in one pass over each table. The one exception is the average listing score: the score
is a Python rule engine (`bot/services/tips.py`) over a product and its photos, not a stored
column, so it is computed for a bounded sample of the most recently updated listings
(`SCORE_SAMPLE`), in a fixed number of queries; the prices of similar products it compares
with are counted per category and price (a pass over the listings of those categories).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import reference
from bot.services import (
    periods,
    rollups,  # noqa: F401  (keeps the rollups in step with sales)
)
from models import Product, ProductPhoto, ProductSalesFY, Role, SalesDaily, User
from models.sales_rollup import STATE
from models.types import utcnow

PERIODS = ("week", "month", "fy_quarter", "fy")
SCORE_SAMPLE = 100
TOP_N = 3


@dataclass(frozen=True)
class PeriodFigures:
    kind: str
    first_day: date
    last_day: date
    count: int
    pieces: int
    total_paise: int
    previous_total_paise: int

    @property
    def growth(self) -> float | None:
        return periods.growth_percent(self.total_paise, self.previous_total_paise)


@dataclass(frozen=True)
class Stats:
    districts: tuple[str, ...] | None  # None: the whole state
    artisans: int
    active_7: int
    active_30: int
    inactive: int  # blocked the bot
    products: int
    periods: list[PeriodFigures]
    top_crafts: list[tuple[str, int, int]]  # (craft group, sales count, total paise), this FY
    top_products: list[tuple[str, int, int]]  # (product name, pieces, total paise), this FY
    listing_score: float | None
    scored_listings: int
    top_districts: list[tuple[str, int]]  # (district code, total paise this FY); state only
    bottom_districts: list[tuple[str, int]]


def _in(column: Any, districts: Sequence[str] | None) -> list[Any]:
    return [] if districts is None else [col(column).in_(list(districts))]


async def compute(
    session: AsyncSession,
    districts: Sequence[str] | None,
    now: datetime | None = None,
    tz: str = periods.DEFAULT_TZ,
    with_score: bool = True,
) -> Stats:
    now = now or utcnow()
    scope = tuple(districts) if districts is not None else None
    artisan = (
        User.role == Role.ARTISAN.value,
        col(User.onboarded_at).is_not(None),
        *_in(User.district_code, scope),
    )

    # Artisans per district: registered, seen in the last 7 / 30 days, unreachable (one pass
    # over the covering index ix_users_by_district_role, already in district order).
    seen_7, seen_30 = now - timedelta(days=7), now - timedelta(days=30)
    district = col(User.district_code)
    per_district = (
        await session.exec(
            select(
                district,
                func.count(),
                func.sum(case((col(User.last_seen_at) >= seen_7, 1), else_=0)),
                func.sum(case((col(User.last_seen_at) >= seen_30, 1), else_=0)),
                func.sum(case((col(User.active).is_(False), 1), else_=0)),
            )
            .where(*artisan)
            .group_by(district)
        )
    ).all()
    artisans, active_7, active_30, inactive = (
        sum(int(row[i]) for row in per_district) for i in range(1, 5)
    )

    # Listed products (every product has its owner: the district is the only reason to join).
    listed = select(func.count()).select_from(Product).where(col(Product.archived).is_(False))
    if scope is not None:
        # The district's artisans first, then their products by the owner index (as a join,
        # SQLite walked every listed product and looked its owner up: 120 ms -> 6 ms).
        owners = select(User.id).where(*_in(User.district_code, scope))
        listed = listed.where(col(Product.user_id).in_(owners))
    products = (await session.exec(listed)).one()

    # Sales this week / month / FY quarter / FY and the previous of each (one query), from
    # the daily rollup: one row per day, district and craft group instead of every sale.
    day = col(SalesDaily.sold_on)
    ranges: list[tuple[str, periods.Period, periods.Period]] = []
    for kind in PERIODS:
        current = periods.period(kind, now, tz)
        ranges.append((kind, current, periods.previous(current)))
    columns: list[Any] = []
    for _, cur, prev in ranges:
        within = and_(day >= cur.first_day, day <= cur.last_day)
        before = and_(day >= prev.first_day, day <= prev.last_day)
        columns += [
            func.coalesce(func.sum(case((within, SalesDaily.sales), else_=0)), 0),
            func.coalesce(func.sum(case((within, SalesDaily.pieces), else_=0)), 0),
            func.coalesce(func.sum(case((within, SalesDaily.total_paise), else_=0)), 0),
            func.coalesce(func.sum(case((before, SalesDaily.total_paise), else_=0)), 0),
        ]
    lowest = min(prev.first_day for _, _, prev in ranges)
    values = (
        await session.exec(
            select(*columns).where(day >= lowest, *_in(SalesDaily.district_code, scope))
        )
    ).one()
    figures = [
        PeriodFigures(
            kind, cur.first_day, cur.last_day, *(int(v) for v in values[i * 4 : i * 4 + 4])
        )
        for i, (kind, cur, _) in enumerate(ranges)
    ]

    fy = ranges[-1][1]
    in_fy = (day >= fy.first_day, day <= fy.last_day, *_in(SalesDaily.district_code, scope))
    amount = func.sum(SalesDaily.total_paise)
    crafts = await session.exec(
        select(SalesDaily.craft_group, func.sum(SalesDaily.sales), amount)
        .where(*in_fy)
        .group_by(SalesDaily.craft_group)
        .order_by(amount.desc())
        .limit(TOP_N)
    )
    top_products = await _top_products(session, scope, fy.first_day)

    top_d: list[tuple[str, int]] = []
    bottom_d: list[tuple[str, int]] = []
    if scope is None:
        by_district = {
            code: int(total)
            for code, total in (
                await session.exec(
                    select(SalesDaily.district_code, amount)
                    .where(*in_fy)
                    .group_by(SalesDaily.district_code)
                )
            ).all()
        }
        with_artisans = {code for code, *_ in per_district if code}
        ranked = sorted(by_district.items(), key=lambda kv: (-kv[1], kv[0]))
        top_d = ranked[:TOP_N]
        # Bottom: districts with registered artisans, the smallest sales first (0 included).
        candidates = sorted(
            ((code, by_district.get(code, 0)) for code in with_artisans | set(by_district)),
            key=lambda kv: (kv[1], kv[0]),
        )
        bottom_d = [c for c in candidates if c not in top_d][:TOP_N]

    score, scored = (None, 0)
    if with_score:
        score, scored = await average_listing_score(session, scope, now, tz)

    return Stats(
        districts=scope,
        artisans=artisans,
        active_7=active_7,
        active_30=active_30,
        inactive=inactive,
        products=int(products),
        periods=figures,
        top_crafts=[(g or "other", int(n), int(t)) for g, n, t in crafts.all()],
        top_products=top_products,
        listing_score=score,
        scored_listings=scored,
        top_districts=top_d,
        bottom_districts=bottom_d,
    )


async def _top_products(
    session: AsyncSession, scope: tuple[str, ...] | None, fy_start: date
) -> list[tuple[str, int, int]]:
    """(name, pieces, paise) of the best-selling products of the FY, from the product rollup:
    statewide, the top of its index; for districts, their rows added up per product."""
    r = ProductSalesFY
    if scope is None:
        where = [col(r.fy_start) == fy_start, col(r.district_code) == STATE]
        pieces, amount = col(r.pieces), col(r.total_paise)
        query = select(Product.name, pieces, amount).where(*where)
    else:
        where = [col(r.fy_start) == fy_start, col(r.district_code).in_(scope)]
        pieces, amount = func.sum(r.pieces), func.sum(r.total_paise)
        query = (
            select(Product.name, pieces, amount)
            .where(*where)
            .group_by(col(Product.id), col(Product.name))
        )
    rows = await session.exec(
        query.join(Product, col(Product.id) == col(r.product_id))
        .order_by(amount.desc())
        .limit(TOP_N)
    )
    return [(name, int(q), int(t)) for name, q, t in rows.all()]


async def average_listing_score(
    session: AsyncSession,
    districts: Sequence[str] | None,
    now: datetime,
    tz: str = periods.DEFAULT_TZ,
) -> tuple[float | None, int]:
    """The mean tips.py score of up to SCORE_SAMPLE most recently updated listings.

    The same score the artisan sees in Tips (`tips.evaluate` over the listing as
    `tips.listing_of` gathers it), gathered for the whole sample in five queries: the
    listings, their owners, their photos, the prices of their categories and the owners' own
    prices."""
    try:
        from bot.services import tips
    except ImportError:  # the tips feature is not installed
        return None, 0
    # The newest listings first, then their owners: joined before the LIMIT, every listing
    # of the state would be joined with its owner.
    sample = select(Product).where(col(Product.archived).is_(False))
    if districts is not None:
        in_scope = select(User.id).where(*_in(User.district_code, districts))
        sample = sample.where(col(Product.user_id).in_(in_scope))
    newest = (
        await session.exec(sample.order_by(col(Product.updated_at).desc()).limit(SCORE_SAMPLE))
    ).all()
    if not newest:
        return None, 0
    owners = {
        u.id: u
        for u in (
            await session.exec(select(User).where(col(User.id).in_({p.user_id for p in newest})))
        ).all()
    }
    rows = [(product, owners[product.user_id]) for product in newest]
    photos: dict[int, list[ProductPhoto]] = defaultdict(list)
    for photo in (
        await session.exec(
            select(ProductPhoto)
            .where(col(ProductPhoto.product_id).in_([p.id for p, _ in rows]))
            .order_by(
                col(ProductPhoto.product_id), col(ProductPhoto.position), col(ProductPhoto.id)
            )
        )
    ).all():
        photos[photo.product_id].append(photo)
    prices = await _similar_prices(session, [p for p, _ in rows])
    today = periods.local_date(now, tz)
    scores = [
        tips.evaluate(
            tips.Listing(
                name=product.name,
                category=product.category,
                price_paise=product.price_paise,
                stock=product.stock,
                photos=tuple(
                    tips.PhotoFacts.of_checks(f.checks, f.kind) for f in photos[product.id or 0]
                ),
                description=product.description,
                material=product.material,
                size=product.size,
                cost_paise=product.cost_paise,
                low_stock_threshold=product.low_stock_threshold,
                photo_answers=dict(product.photo_answers or {}),
                district_code=owner.district_code,
                similar_prices=prices.middle(product.category, product.user_id),
            ),
            today,
        ).score
        for product, owner in rows
    ]
    return sum(scores) / len(scores), len(scores)


@dataclass
class _CategoryPrices:
    """Listed prices per category (how many products at each price), and each owner's own."""

    counts: dict[str, Counter[int]]
    own: dict[tuple[str, int], Counter[int]]

    def middle(self, category: str, owner: int) -> tuple[int, ...]:
        """Prices with the median of `products.similar_prices(category, owner)`: the score
        reads those prices only through their median (`tips.median_price`), so four middle
        values stand for them (fewer than three prices: all of them, there is no median)."""
        counts = self.counts.get(category, Counter()) - self.own.get((category, owner), Counter())
        n = counts.total()
        if n < 3:
            return tuple(sorted(counts.elements()))
        low, high = (n - 1) // 2, n // 2  # the middle positions in sorted order
        seen, values = 0, []
        for price in sorted(counts):
            before, seen = seen, seen + counts[price]
            values += [price] * sum(1 for i in (low, high) if before <= i < seen)
            if seen > high:
                break
        return (values[0], *values, values[-1])


async def _similar_prices(session: AsyncSession, sample: Sequence[Product]) -> _CategoryPrices:
    """The listed prices of the sample's categories (one GROUP BY) and those of the sample's
    owners in them (their own are not compared with)."""
    categories = sorted({p.category for p in sample})
    owners = sorted({p.user_id for p in sample})
    listed = (col(Product.archived).is_(False), col(Product.category).in_(categories))
    counts: dict[str, Counter[int]] = defaultdict(Counter)
    for category, price, n in (
        await session.exec(
            select(Product.category, Product.price_paise, func.count())
            .where(*listed)
            .group_by(col(Product.category), col(Product.price_paise))
        )
    ).all():
        counts[category][int(price)] = int(n)
    own: dict[tuple[str, int], Counter[int]] = defaultdict(Counter)
    for category, owner, price in (
        await session.exec(
            select(Product.category, Product.user_id, Product.price_paise).where(
                col(Product.archived).is_(False), col(Product.user_id).in_(owners)
            )
        )
    ).all():
        if category in counts:
            own[(category, owner)][int(price)] += 1
    return _CategoryPrices(counts, own)


def known_district(code: str | None) -> bool:
    return reference.get_district(code) is not None
