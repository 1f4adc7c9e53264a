"""Exports for officers and admins: artisans, products or sales as XLSX (openpyxl) and CSV.

Scope is decided by the caller (an officer: their district; an admin: the state or one
district). Phone numbers are included only when `with_phone` is set (admin exports).
Column keys are plain; the handler gives the translated headings.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import periods
from models import Product, Role, Sale, User

KINDS = ("artisans", "products", "sales")
EXPORT_PERIODS = ("week", "month", "fy_quarter", "fy", "all")
MAX_ROWS = 200_000
MONEY_KEYS = frozenset({"price_rs", "unit_price_rs", "total_rs"})

COLUMNS: dict[str, tuple[str, ...]] = {
    "artisans": (
        "user_id", "name", "district", "craft_group", "language", "registered_on",
        "last_seen_on", "reachable", "products", "phone",
    ),
    "products": (
        "product_id", "user_id", "artisan", "district", "name", "category", "price_rs",
        "stock", "archived", "created_on",
    ),
    "sales": (
        "sale_id", "sold_on", "district", "craft_group", "user_id", "artisan", "product",
        "quantity", "unit_price_rs", "total_rs", "channel", "source",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Table:
    kind: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def _rupees(paise: int | None) -> Decimal | None:
    return None if paise is None else Decimal(int(paise)) / 100


def _day(moment: datetime | None, tz: str) -> date | None:
    return None if moment is None else periods.local_date(moment, tz)


async def table(
    session: AsyncSession,
    kind: str,
    districts: Sequence[str] | None,
    *,
    with_phone: bool,
    period: str = "all",
    now: datetime | None = None,
    tz: str = periods.DEFAULT_TZ,
) -> Table:
    if kind not in KINDS:
        raise ValueError(f"unknown export {kind!r}")
    scope = [] if districts is None else list(districts)
    columns = COLUMNS[kind]
    if not with_phone:
        columns = tuple(c for c in columns if c != "phone")
    rows: list[tuple[Any, ...]] = []
    if kind == "artisans":
        count = (
            select(Product.user_id, func.count().label("n"))
            .where(col(Product.archived).is_(False))
            .group_by(Product.user_id)
            .subquery()
        )
        query = (
            select(User, count.c.n)
            .outerjoin(count, count.c.user_id == col(User.id))
            .where(User.role == Role.ARTISAN.value, col(User.onboarded_at).is_not(None))
            .order_by(col(User.district_code), col(User.id))
        )
        if districts is not None:
            query = query.where(col(User.district_code).in_(scope))
        for user, n in (await session.exec(query.limit(MAX_ROWS))).all():
            row = [
                user.id, user.name, user.district_code, user.craft_group, user.language,
                _day(user.onboarded_at, tz), _day(user.last_seen_at, tz), bool(user.active),
                int(n or 0),
            ]  # fmt: skip
            if with_phone:
                row.append(user.phone)
            rows.append(tuple(row))
    elif kind == "products":
        query = (
            select(Product, User.name, User.district_code)
            .join(User, col(User.id) == col(Product.user_id))
            .order_by(col(User.district_code), col(Product.id))
        )
        if districts is not None:
            query = query.where(col(User.district_code).in_(scope))
        for p, artisan, district in (await session.exec(query.limit(MAX_ROWS))).all():
            rows.append(
                (
                    p.id,
                    p.user_id,
                    artisan,
                    district,
                    p.name,
                    p.category,
                    _rupees(p.price_paise),
                    p.stock,
                    bool(p.archived),
                    _day(p.created_at, tz),
                )
            )
    else:
        query = (
            select(Sale, User.name, Product.name)
            .outerjoin(User, col(User.id) == col(Sale.user_id))
            .outerjoin(Product, col(Product.id) == col(Sale.product_id))
            .order_by(col(Sale.sold_on), col(Sale.id))
        )
        if districts is not None:
            query = query.where(col(Sale.district_code).in_(scope))
        if period != "all":
            p = periods.period(period, now or datetime.now().astimezone(), tz)
            query = query.where(col(Sale.sold_on) >= p.first_day, col(Sale.sold_on) <= p.last_day)
        for s, artisan, product in (await session.exec(query.limit(MAX_ROWS))).all():
            rows.append(
                (
                    s.id,
                    s.sold_on,
                    s.district_code,
                    s.craft_group,
                    s.user_id,
                    artisan,
                    product,
                    s.quantity,
                    _rupees(s.unit_price_paise),
                    _rupees(s.total_paise),
                    s.channel,
                    s.source,
                )
            )
    return Table(kind, columns, rows)


def _safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is kept as text ("+91…" numbers stay)."""
    if not isinstance(value, str) or not value:
        return value
    risky = value[0] in "=@\t\r" or (value[0] in "+-" and not value[1:].replace(" ", "").isdigit())
    return "'" + value if risky else value


def to_xlsx(t: Table, headings: Sequence[str], title: str) -> bytes:
    """CPU work for a big table: call it in a worker thread. openpyxl is imported here, on
    first use, so that the bot starts without it."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31] or t.kind)
    ws.append(list(headings))
    money = {i for i, c in enumerate(t.columns) if c in MONEY_KEYS}
    days = {i for i, c in enumerate(t.columns) if c.endswith("_on")}

    for row in t.rows:
        cells: list[Any] = []
        for i, value in enumerate(row):
            if i in money and value is not None:
                cell = WriteOnlyCell(ws, value=float(value))
                cell.number_format = "#,##,##0.00"
                cells.append(cell)
            elif i in days and value is not None:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            else:
                cells.append(_safe(value))
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def to_csv(t: Table, headings: Sequence[str]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel shows Devanagari correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(list(headings))
    for row in t.rows:
        writer.writerow(
            ["" if v is None else (f"{v:.2f}" if isinstance(v, Decimal) else _safe(v)) for v in row]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
