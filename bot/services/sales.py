"""Sales: record (once), undo, list, delete, and the figures artisans see.

Reports are aggregate SQL over `sold_on` (the IST day of the sale), never rows loaded into
Python. Recording decrements stock and tells whether it fell to the low-stock threshold.
Every sale written here (recorded, imported, moved to another day, deleted) is counted in or
out of the sales rollups in the same transaction by `bot.services.rollups`, imported below
for that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import products as products_service
from bot.services import rollups  # noqa: F401  (counts every sale written in the rollups)
from bot.services.order_import import OrderRow
from bot.services.periods import growth_percent
from bot.services.sale_parser import ProductRef
from bot.services.sale_parser import match_product as parse_match
from models import Product, Sale, User


class ProductNotFound(LookupError):
    """No such product, or it belongs to someone else."""


@dataclass(frozen=True)
class SaleDraft:
    product_id: int
    quantity: int
    unit_price_paise: int
    channel: str
    sold_on: date

    @property
    def total_paise(self) -> int:
        return self.quantity * self.unit_price_paise

    def to_json(self) -> dict[str, object]:
        return {
            "product_id": self.product_id,
            "quantity": self.quantity,
            "unit_price_paise": self.unit_price_paise,
            "channel": self.channel,
            "sold_on": self.sold_on.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SaleDraft:
        return cls(
            product_id=int(data["product_id"]),  # type: ignore[arg-type]
            quantity=int(data["quantity"]),  # type: ignore[arg-type]
            unit_price_paise=int(data["unit_price_paise"]),  # type: ignore[arg-type]
            channel=str(data["channel"]),
            sold_on=date.fromisoformat(str(data["sold_on"])),
        )


@dataclass(frozen=True)
class Recorded:
    sale_id: int
    product_name: str
    quantity: int
    total_paise: int
    stock_left: int
    low_stock: bool


async def own_product(session: AsyncSession, user_id: int, product_id: int) -> Product:
    """The user's own product (the ownership rule lives in `products.get_own`), or raise."""
    product = await products_service.get_own(session, user_id, product_id)
    if product is None:
        raise ProductNotFound(product_id)
    return product


async def own_products(session: AsyncSession, user_id: int) -> list[Product]:
    result = await session.exec(
        select(Product)
        .where(Product.user_id == user_id, col(Product.archived).is_(False))
        .order_by(col(Product.id))
    )
    return list(result.all())


async def record(
    session: AsyncSession,
    user: User,
    draft: SaleDraft,
    *,
    source: str,
    update_id: int | None = None,
    order_id: str | None = None,
) -> Recorded:
    product = await own_product(session, user.id, draft.product_id)
    sale = Sale(
        user_id=user.id,
        district_code=user.district_code or "",
        craft_group=user.craft_group,
        product_id=product.id,
        quantity=draft.quantity,
        unit_price_paise=draft.unit_price_paise,
        total_paise=draft.total_paise,
        channel=draft.channel,
        sold_on=draft.sold_on,
        source=source,
        update_id=update_id,
        order_id=order_id,
    )
    product.stock = max(0, product.stock - draft.quantity)
    session.add(sale)
    session.add(product)
    await session.flush()
    assert sale.id is not None
    return Recorded(
        sale_id=sale.id,
        product_name=product.name,
        quantity=draft.quantity,
        total_paise=draft.total_paise,
        stock_left=product.stock,
        low_stock=product.stock <= product.low_stock_threshold,
    )


@dataclass(frozen=True)
class SaleLine:
    sale_id: int
    product_id: int | None
    product_name: str
    quantity: int
    total_paise: int
    channel: str
    sold_on: date


async def recent(session: AsyncSession, user_id: int, limit: int = 10) -> list[SaleLine]:
    result = await session.exec(
        select(Sale, Product.name)
        .join(Product, col(Product.id) == col(Sale.product_id), isouter=True)
        .where(Sale.user_id == user_id)
        .order_by(col(Sale.sold_on).desc(), col(Sale.id).desc())
        .limit(limit)
    )
    return [
        SaleLine(
            sale.id or 0,
            sale.product_id,
            name or "—",
            sale.quantity,
            sale.total_paise,
            sale.channel,
            sale.sold_on,
        )
        for sale, name in result.all()
    ]


async def delete(session: AsyncSession, user_id: int, sale_id: int) -> SaleLine | None:
    """Delete one of the user's own sales and put its pieces back in stock."""
    sale = await session.get(Sale, sale_id)
    if sale is None or sale.user_id != user_id:
        return None
    name = "—"
    if sale.product_id is not None:
        product = await session.get(Product, sale.product_id)
        if product is not None:
            product.stock += sale.quantity
            name = product.name
            session.add(product)
    line = SaleLine(
        sale_id, sale.product_id, name, sale.quantity, sale.total_paise, sale.channel, sale.sold_on
    )
    await session.delete(sale)
    await session.flush()
    return line


async def undo_last(session: AsyncSession, user_id: int) -> SaleLine | None:
    result = await session.exec(
        select(Sale.id).where(Sale.user_id == user_id).order_by(col(Sale.id).desc()).limit(1)
    )
    last = result.first()
    return await delete(session, user_id, last) if last is not None else None


# --- reports ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    total_paise: int
    pieces: int
    count: int
    previous_total_paise: int
    growth: float | None
    top_products: list[tuple[str, int, int]]  # (name, pieces, total paise)
    by_channel: list[tuple[str, int]]  # (channel, total paise)
    best_day: tuple[date, int] | None


async def _totals(
    session: AsyncSession, user_id: int, first: date, last: date
) -> tuple[int, int, int]:
    result = await session.exec(
        select(
            func.coalesce(func.sum(Sale.total_paise), 0),
            func.coalesce(func.sum(Sale.quantity), 0),
            func.count(col(Sale.id)),
        ).where(Sale.user_id == user_id, col(Sale.sold_on) >= first, col(Sale.sold_on) <= last)
    )
    total, pieces, count = result.one()
    return int(total), int(pieces), int(count)


async def summary(
    session: AsyncSession,
    user_id: int,
    first: date,
    last: date,
    previous_first: date,
    previous_last: date,
) -> Summary:
    in_period = (Sale.user_id == user_id, col(Sale.sold_on) >= first, col(Sale.sold_on) <= last)
    total, pieces, count = await _totals(session, user_id, first, last)
    previous, _, _ = await _totals(session, user_id, previous_first, previous_last)
    amount = func.sum(Sale.total_paise)
    top = await session.exec(
        select(Product.name, func.sum(Sale.quantity), amount)
        .join(Product, col(Product.id) == col(Sale.product_id))
        .where(*in_period)
        .group_by(Product.id, Product.name)
        .order_by(amount.desc())
        .limit(3)
    )
    channels = await session.exec(
        select(Sale.channel, amount)
        .where(*in_period)
        .group_by(Sale.channel)
        .order_by(amount.desc())
    )
    best = await session.exec(
        select(Sale.sold_on, amount)
        .where(*in_period)
        .group_by(Sale.sold_on)
        .order_by(amount.desc(), col(Sale.sold_on).desc())
        .limit(1)
    )
    best_row = best.first()
    return Summary(
        total_paise=total,
        pieces=pieces,
        count=count,
        previous_total_paise=previous,
        growth=growth_percent(total, previous),
        top_products=[(n, int(q), int(t)) for n, q, t in top.all()],
        by_channel=[(c, int(t)) for c, t in channels.all()],
        best_day=(best_row[0], int(best_row[1])) if best_row else None,
    )


async def totals_by_ranges(
    session: AsyncSession, user_id: int, ranges: list[tuple[date, date]]
) -> list[int]:
    """Total paise in each (first, last) day range, in one query."""
    if not ranges:
        return []
    cases = [
        func.coalesce(
            func.sum(
                case(
                    (and_(col(Sale.sold_on) >= first, col(Sale.sold_on) <= last), Sale.total_paise),
                    else_=0,
                )
            ),
            0,
        )
        for first, last in ranges
    ]
    lowest, highest = min(r[0] for r in ranges), max(r[1] for r in ranges)
    result = await session.exec(
        select(*cases).where(
            Sale.user_id == user_id, col(Sale.sold_on) >= lowest, col(Sale.sold_on) <= highest
        )
    )
    return [int(v) for v in result.one()]


async def set_day(session: AsyncSession, user_id: int, sale_id: int, day: date) -> bool:
    sale = await session.get(Sale, sale_id)
    if sale is None or sale.user_id != user_id:
        return False
    sale.sold_on = day
    session.add(sale)
    return True


# --- imports from marketplace order reports --------------------------------------------------


@dataclass(frozen=True)
class ImportPlan:
    new: list[tuple[OrderRow, int]]  # (row, product id)
    duplicates: int  # already imported (same order id)
    unmatched: list[OrderRow]  # no product with that SKU or a similar title


def match_product(row: OrderRow, products: list[Product]) -> int | None:
    """By SKU first, then by the title, among the user's own products (the sale parser's rules)."""
    if row.sku:
        for p in products:
            if p.sku and p.sku.strip().casefold() == row.sku.strip().casefold():
                return p.id
    if row.title:
        refs = [ProductRef(p.id or 0, p.name, p.sku) for p in products]
        return parse_match(row.title, refs).product_id
    return None


async def plan_import(session: AsyncSession, user_id: int, rows: Sequence[OrderRow]) -> ImportPlan:
    products = await own_products(session, user_id)
    existing = set(
        (
            await session.exec(
                select(Sale.order_id).where(
                    Sale.user_id == user_id, col(Sale.order_id).is_not(None)
                )
            )
        ).all()
    )
    new: list[tuple[OrderRow, int]] = []
    unmatched: list[OrderRow] = []
    duplicates, seen = 0, set()
    for row in rows:
        key = _order_key(row)
        if key in existing or key in seen:
            duplicates += 1
            continue
        product_id = match_product(row, products)
        if product_id is None:
            unmatched.append(row)
            continue
        seen.add(key)
        new.append((row, product_id))
    return ImportPlan(new, duplicates, unmatched)


def _order_key(row: OrderRow) -> str:
    return f"{row.channel}:{row.line_id or row.order_id}"[:64]


async def apply_import(session: AsyncSession, user: User, plan: ImportPlan) -> int:
    for row, product_id in plan.new:
        draft = SaleDraft(product_id, row.quantity, row.unit_price_paise, row.channel, row.day)
        await record(session, user, draft, source="import", order_id=_order_key(row))
    return len(plan.new)
