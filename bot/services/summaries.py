"""Scheduled summaries: who is due, the figures for all of them in a few aggregate queries,
and the ledger that makes each (kind, period, user) go out exactly once.

Rules (all in local time, Asia/Kolkata by default):
- Nothing is queued at night: only between 08:00 and 21:00.
- weekly (artisans): last week's figures, on the user's weekday (Monday by default) from the
  user's hour (09:00 by default) until 21:00 that day. After that day it is past its
  usefulness and is skipped. If the bot was down at 09:00, it goes out when it is back (the
  same day), once: the ledger row is written in the same transaction as the outbox rows.
- monthly (artisans): last month's figures with a chart, on the 1st, same hours.
- district (officers): last week's district digest, on the officer's weekday and hour.
- state (admins): yesterday's state digest, every day from the admin's hour.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, and_, case, cast, exists, func, insert, or_, text, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services.periods import growth_percent
from models import Product, ProductPhoto, Sale, SummaryLedger, SummaryPrefs, User
from models.summary import DEFAULT_HOUR, DEFAULT_WEEKDAY
from models.types import utcnow

QUIET_FROM, QUIET_UNTIL = 21, 8  # no summaries from 21:00 to 08:00
KINDS = ("weekly", "monthly", "district", "state")
ROLE_OF = {"weekly": "artisan", "monthly": "artisan", "district": "officer", "state": "admin"}
FLAG_OF = {"weekly": "weekly", "monthly": "monthly", "district": "digest", "state": "digest"}


@dataclass(frozen=True)
class Window:
    """The period a summary covers, and the equal period before it (for growth)."""

    kind: str
    period: str  # the ledger key
    first: date
    last: date
    previous_first: date
    previous_last: date


def window(kind: str, today: date) -> Window:
    if kind in ("weekly", "district"):
        this_monday = today - timedelta(days=today.weekday())
        first = this_monday - timedelta(days=7)
        return Window(
            kind,
            first.isoformat(),
            first,
            first + timedelta(days=6),
            first - timedelta(days=7),
            first - timedelta(days=1),
        )
    if kind == "monthly":
        last = today.replace(day=1) - timedelta(days=1)
        first = last.replace(day=1)
        previous_last = first - timedelta(days=1)
        return Window(
            kind, first.strftime("%Y-%m"), first, last, previous_last.replace(day=1), previous_last
        )
    if kind == "state":
        day = today - timedelta(days=1)
        return Window(
            kind, day.isoformat(), day, day, day - timedelta(days=1), day - timedelta(days=1)
        )
    raise ValueError(kind)


# PostgreSQL advisory lock: one summary page at a time across processes.
RUN_LOCK_KEY = 0x5AA7_5E4D  # "saathi summaries"


async def lock_page(session: AsyncSession) -> None:
    """Take the summary run's lock for this transaction. Several bot processes run the same
    job: with it, a second process waits for the first's page to commit, and then finds those
    users done, instead of building the same page and failing on the ledger's unique key.
    (SQLite: every transaction already holds the database's write lock.)"""
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=RUN_LOCK_KEY))  # type: ignore[call-overload]


def in_quiet_hours(local: datetime) -> bool:
    return local.hour >= QUIET_FROM or local.hour < QUIET_UNTIL


class Recipient(NamedTuple):  # a tuple: pages of thousands are built per run
    user_id: int
    language: str
    district_code: str | None


async def due(
    session: AsyncSession,
    kind: str,
    now: datetime,
    tz: str,
    admin_ids: Iterable[int] = (),
    *,
    after_id: int = 0,
    limit: int | None = None,
) -> tuple[Window, list[Recipient]]:
    """Who should get `kind` now and has not had it for this period (one query; in pages of
    `limit` users with ids above `after_id`)."""
    local = now.astimezone(ZoneInfo(tz))
    win = window(kind, local.date())
    if in_quiet_hours(local) or (kind == "monthly" and local.day != 1):
        return win, []
    flag = getattr(SummaryPrefs, FLAG_OF[kind])
    role_match = User.role == ROLE_OF[kind]
    if kind == "state":
        role_match = or_(role_match, col(User.id).in_(list(admin_ids) or [-1]))
    # The user's settings allow it now; a user without settings has the defaults.
    wanted = [flag.is_(True), col(SummaryPrefs.hour) <= local.hour]
    defaults_wanted = DEFAULT_HOUR <= local.hour
    if kind in ("weekly", "district"):
        wanted.append(SummaryPrefs.weekday == local.weekday())
        defaults_wanted = defaults_wanted and DEFAULT_WEEKDAY == local.weekday()
    # As (anti-)semi-joins rather than COALESCE over an outer join: PostgreSQL then estimates
    # most users as due and walks users in id order up to the page's limit, instead of
    # sorting every remaining user for each page. The settings and ledger rows are bounded by
    # the page's first id too, so a page never reads those of the pages before it (PostgreSQL
    # merges them in id order; unbounded, a run over 100k users reads its own ledger 50 times).
    own = and_(col(SummaryPrefs.user_id) == col(User.id), col(SummaryPrefs.user_id) > after_id)
    settings_allow = (
        ~exists().where(own, ~and_(*wanted)) if defaults_wanted else exists().where(own, *wanted)
    )
    conditions = [
        col(User.onboarded_at).is_not(None) if kind in ("weekly", "monthly") else true(),
        col(User.active).is_(True),
        role_match,
        settings_allow,
        col(User.id) > after_id,
        ~exists().where(
            SummaryLedger.kind == kind,
            SummaryLedger.period == win.period,
            SummaryLedger.user_id == User.id,
            SummaryLedger.user_id > after_id,
        ),
    ]
    if kind == "district":
        conditions.append(col(User.district_code).is_not(None))
    conn = await session.connection()  # Core rows: a page is thousands of users
    result = await conn.execute(
        select(User.id, User.language, User.district_code)
        .where(*conditions)
        .order_by(col(User.id))
        .limit(limit)
    )
    return win, list(map(Recipient._make, result))


async def mark_sent(session: AsyncSession, kind: str, period: str, user_ids: Iterable[int]) -> None:
    """Record in the ledger that these users have had `kind` for `period` (one executemany)."""
    now = utcnow()
    rows = [{"kind": kind, "period": period, "user_id": uid, "created_at": now} for uid in user_ids]
    if rows:
        conn = await session.connection()
        await conn.execute(insert(SummaryLedger), rows)


# --- figures ---------------------------------------------------------------------------------


@dataclass(slots=True)
class ArtisanFigures:
    total_paise: int = 0
    pieces: int = 0
    count: int = 0
    previous_total_paise: int = 0
    top_product: str | None = None
    low_stock: Sequence[str] = ()  # a list when there is any
    fewest_photos: tuple[str, int] | None = None  # (product name, photo count)

    @property
    def growth(self) -> float | None:
        return growth_percent(self.total_paise, self.previous_total_paise)


def _users(column, only: list[int] | None):  # type: ignore[no-untyped-def]
    return col(column).in_(only) if only is not None else col(column).is_not(None)


def _in(column, first: date, last: date):  # type: ignore[no-untyped-def]
    return and_(column >= first, column <= last)


def _sales_by_product(win: Window, only: list[int] | None):  # type: ignore[no-untyped-def]
    """Each artisan's sales of each product in the window and the period before it: one range
    scan of the day-led covering index `ix_sales_day_user`. Sums are cast back to integers
    (PostgreSQL sums a bigint as numeric)."""
    current = col(Sale.sold_on) >= win.first  # the rest of the range is the period before

    def total(value):  # type: ignore[no-untyped-def]
        return cast(func.sum(value), BigInteger)

    return (
        select(
            Sale.user_id,
            Sale.product_id,
            total(case((current, Sale.total_paise), else_=0)),
            total(case((current, Sale.quantity), else_=0)),
            total(case((current, 1), else_=0)),
            total(case((current, 0), else_=Sale.total_paise)),
        )
        .where(_in(col(Sale.sold_on), win.previous_first, win.last), _users(Sale.user_id, only))
        .group_by(Sale.user_id, Sale.product_id)
    )


def _products(only: list[int] | None):  # type: ignore[no-untyped-def]
    """Every product (archived ones too: one may be last week's best seller) in id order, with
    whether its stock is low and how many photos it has."""
    # Counted once per product and joined (a correlated count per product is a lookup per
    # row: 2x slower on PostgreSQL).
    photos = (
        select(ProductPhoto.product_id, func.count().label("n"))
        .group_by(ProductPhoto.product_id)
        .subquery()
    )
    return (
        select(
            Product.user_id,
            Product.id,
            Product.name,
            Product.archived,
            col(Product.stock) <= col(Product.low_stock_threshold),
            func.coalesce(photos.c.n, 0),
        )
        .join(photos, photos.c.product_id == col(Product.id), isouter=True)
        .where(_users(Product.user_id, only))
        .order_by(col(Product.id))
    )


async def artisan_figures(
    session: AsyncSession, win: Window, user_ids: Sequence[int] | None = None
) -> dict[int, ArtisanFigures]:
    """The figures of every artisan (or of `user_ids`) in two queries, not one query per user:
    one pass over the window's sales, one over the products. Artisans without sales or
    products get empty figures.

    Best seller: the most pieces last period (ties: the older product). Running low: up to
    three unarchived products at or under their threshold. Fewest photos: the unarchived
    product with the fewest (ties: the older one)."""
    only = list(user_ids) if user_ids is not None else None
    figures: dict[int, ArtisanFigures] = defaultdict(ArtisanFigures)
    conn = await session.connection()  # Core rows: no ORM bookkeeping for 100k artisans
    best: dict[int, tuple[int, int]] = {}  # user id → (pieces, product id) of the best seller
    # Buffered, not streamed: a server-side cursor was measured 1.5-2x slower here, and the
    # buffered rows (~70 MB for 300k products) go once they are read.
    for uid, product_id, total, pieces, count, previous in await conn.execute(
        _sales_by_product(win, only)
    ):
        if uid is None:
            continue
        f = figures[uid]
        f.total_paise += total
        f.pieces += pieces
        f.count += count
        f.previous_total_paise += previous
        if pieces > 0 and product_id is not None:
            top = best.get(uid)
            if top is None or pieces > top[0] or (pieces == top[0] and product_id < top[1]):
                best[uid] = (pieces, product_id)
    seller_of = {product_id: uid for uid, (_, product_id) in best.items()}
    names: dict[str, str] = {}  # one string per distinct name (कुर्ता is in many figures)
    for uid, product_id, name, archived, low, photos in await conn.execute(_products(only)):
        seller = seller_of.get(product_id)
        if seller is not None:
            figures[seller].top_product = names.setdefault(name, name)
        if archived:
            continue
        f = figures[uid]
        if low and len(f.low_stock) < 3:
            f.low_stock = [*f.low_stock, names.setdefault(name, name)]
        if f.fewest_photos is None or photos < f.fewest_photos[1]:
            f.fewest_photos = (names.setdefault(name, name), photos)
    return figures if only is None else {uid: figures[uid] for uid in only}


@dataclass(frozen=True)
class DistrictFigures:
    new_artisans: int
    artisans: int
    total_paise: int
    pieces: int
    previous_total_paise: int
    inactive_artisans: int  # registered, but no sale in the period

    @property
    def growth(self) -> float | None:
        return growth_percent(self.total_paise, self.previous_total_paise)


async def district_figures(
    session: AsyncSession, win: Window, districts: Iterable[str], tz: str
) -> dict[str, DistrictFigures]:
    codes = sorted(set(districts))
    if not codes:
        return {}
    zone = ZoneInfo(tz)
    start = datetime.combine(win.first, datetime.min.time(), zone)
    end = datetime.combine(win.last + timedelta(days=1), datetime.min.time(), zone)
    people = await session.exec(
        select(
            User.district_code,
            func.count(col(User.id)),
            func.sum(
                case(
                    (and_(col(User.onboarded_at) >= start, col(User.onboarded_at) < end), 1),
                    else_=0,
                )
            ),
        )
        .where(
            User.role == "artisan",
            col(User.onboarded_at).is_not(None),
            col(User.district_code).in_(codes),
        )
        .group_by(User.district_code)
    )
    counts = {d: (int(n), int(new or 0)) for d, n, new in people.all()}
    current = _in(col(Sale.sold_on), win.first, win.last)
    sales = await session.exec(
        select(
            Sale.district_code,
            func.sum(case((current, Sale.total_paise), else_=0)),
            func.sum(case((current, Sale.quantity), else_=0)),
            func.sum(case((current, 0), else_=Sale.total_paise)),
            func.count(func.distinct(case((current, Sale.user_id), else_=None))),
        )
        .where(
            _in(col(Sale.sold_on), win.previous_first, win.last), col(Sale.district_code).in_(codes)
        )
        .group_by(Sale.district_code)
    )
    money = {
        d: (int(t or 0), int(q or 0), int(p or 0), int(a or 0)) for d, t, q, p, a in sales.all()
    }
    out = {}
    for code in codes:
        artisans, new = counts.get(code, (0, 0))
        total, pieces, previous, selling = money.get(code, (0, 0, 0, 0))
        out[code] = DistrictFigures(
            new, artisans, total, pieces, previous, max(0, artisans - selling)
        )
    return out


@dataclass(frozen=True)
class StateFigures:
    new_artisans: int
    artisans: int
    total_paise: int
    count: int
    previous_total_paise: int
    top_districts: list[tuple[str, int]]

    @property
    def growth(self) -> float | None:
        return growth_percent(self.total_paise, self.previous_total_paise)


async def state_figures(session: AsyncSession, win: Window, tz: str) -> StateFigures:
    zone = ZoneInfo(tz)
    start = datetime.combine(win.first, datetime.min.time(), zone)
    end = datetime.combine(win.last + timedelta(days=1), datetime.min.time(), zone)
    artisans, new = (
        await session.exec(
            select(
                func.count(col(User.id)),
                func.sum(
                    case(
                        (and_(col(User.onboarded_at) >= start, col(User.onboarded_at) < end), 1),
                        else_=0,
                    )
                ),
            ).where(User.role == "artisan", col(User.onboarded_at).is_not(None))
        )
    ).one()
    current = _in(col(Sale.sold_on), win.first, win.last)
    total, count, previous = (
        await session.exec(
            select(
                func.coalesce(func.sum(case((current, Sale.total_paise), else_=0)), 0),
                func.coalesce(func.sum(case((current, 1), else_=0)), 0),
                func.coalesce(func.sum(case((current, 0), else_=Sale.total_paise)), 0),
            ).where(_in(col(Sale.sold_on), win.previous_first, win.last))
        )
    ).one()
    amount = func.sum(Sale.total_paise)
    top = await session.exec(
        select(Sale.district_code, amount)
        .where(current)
        .group_by(Sale.district_code)
        .order_by(amount.desc())
        .limit(3)
    )
    return StateFigures(
        int(new or 0),
        int(artisans or 0),
        int(total),
        int(count),
        int(previous),
        [(d, int(t)) for d, t in top.all()],
    )
