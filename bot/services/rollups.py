"""Keep the sales rollups (`models.sales_rollup`) equal to the sum of the sales.

One rule, in one place: a sale counts once in its day's `sales_daily` row (day, district,
craft group) and, when it has a product, in that product's `product_sales_fy` rows for the
financial year (its district, and `STATE`). `apply()` adds or takes away one sale's part with
upserts (INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x: concurrent writers on
PostgreSQL add up instead of overwriting) and drops rows whose count falls to zero.

Every sale written through the ORM is counted by the mapper events below, in the transaction
that writes it (when it commits): the sales service's record / delete / correction of the day
(and imports, which record), and anything else that adds `Sale` objects. The events are
registered when this module is imported; `bot.services.sales` imports it. Writes that
bypass the ORM must do their part themselves: /deleteme's anonymisation keeps day, district,
craft and amounts (nothing to do; a deleted product's rows go with it, ON DELETE CASCADE),
`fill()` rebuilds everything after a bulk load (bench/seed.py, as migration 0007 does), and
`apply_many()` takes away rows deleted in bulk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table, delete, event, func, inspect, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapper, Session, SessionTransaction, object_session

from bot.services.periods import fy_start_year
from models import Sale
from models.sales_rollup import STATE, ProductSalesFY, SalesDaily

DAILY: Table = SalesDaily.__table__  # type: ignore[attr-defined]
PRODUCT_FY: Table = ProductSalesFY.__table__  # type: ignore[attr-defined]
COUNTED = ("sold_on", "district_code", "craft_group", "product_id", "quantity", "total_paise")


def fy_start(day: date) -> date:
    return date(fy_start_year(day), 4, 1)


@dataclass(frozen=True)
class Part:
    """What of one sale the rollups count."""

    sold_on: date
    district_code: str
    craft_group: str | None
    product_id: int | None
    quantity: int
    total_paise: int

    @classmethod
    def of(cls, sale: Any) -> Part:
        return cls(*(getattr(sale, name) for name in COUNTED))


Key = tuple[Table, tuple[Any, ...]]


def _keys(part: Part) -> list[Key]:
    keys: list[Key] = [(DAILY, (part.sold_on, part.district_code, part.craft_group or ""))]
    if part.product_id is not None:
        fy = fy_start(part.sold_on)
        keys += [
            (PRODUCT_FY, (fy, part.district_code, part.product_id)),
            (PRODUCT_FY, (fy, STATE, part.product_id)),
        ]
    return keys


_KEY_COLUMNS = {
    DAILY: ("sold_on", "district_code", "craft_group"),
    PRODUCT_FY: ("fy_start", "district_code", "product_id"),
}


def apply(connection: Connection, part: Part, sign: int) -> None:
    """Count one sale in (sign=1) or out of (sign=-1) the rollups."""
    apply_changes(connection, [(part, sign)])


def apply_many(connection: Connection, parts: Iterable[Part], sign: int) -> None:
    """Count sales in or out (e.g. before a bulk delete)."""
    apply_changes(connection, [(part, sign) for part in parts])


def apply_changes(connection: Connection, changes: Iterable[tuple[Part, int]]) -> None:
    """Count sales in (1) or out (-1): one upsert per rollup row they touch, in key order."""
    deltas: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0])
    for part, sign in changes:
        for key in _keys(part):
            d = deltas[key]
            d[0] += sign
            d[1] += sign * part.quantity
            d[2] += sign * part.total_paise
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    # A fixed order (tables, then keys): two transactions touching the same rows lock them
    # in the same order on PostgreSQL, so they cannot deadlock over them.
    for (table, key), (n, pieces, paise) in sorted(
        deltas.items(), key=lambda kv: (kv[0][0].name, kv[0][1])
    ):
        if n == pieces == paise == 0:  # counted in and out again in one transaction
            continue
        names = _KEY_COLUMNS[table]
        where = dict(zip(names, key, strict=True))
        stmt = insert(table).values(**where, sales=n, pieces=pieces, total_paise=paise)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(names),
            set_={c: table.c[c] + stmt.excluded[c] for c in ("sales", "pieces", "total_paise")},
        )
        connection.execute(stmt)
        if n < 0:
            connection.execute(
                delete(table).where(
                    *(table.c[c] == v for c, v in where.items()), table.c.sales <= 0
                )
            )


# --- sales written through the ORM -------------------------------------------------------------
#
# The changes of a transaction are collected as its flushes write sales, and counted when it
# commits (`count_pending`), all at once and in key order: the rollup rows, which every
# artisan of a district shares for a day, stay locked on PostgreSQL only while the commit
# runs, not while a handler goes on (sending its replies), and transactions lock them in the
# same order. Inside a savepoint they are counted at once instead (a savepoint rolled back
# takes them with it). Nothing reads the rollups in the transaction that changes the sales.

PENDING = "sales_rollups.pending"


def _count(sale: Sale, connection: Connection, changes: list[tuple[Part, int]]) -> None:
    session = object_session(sale)
    if session is None or session.in_nested_transaction():
        apply_changes(connection, changes)
    else:
        session.info.setdefault(PENDING, []).extend(changes)


def count_pending(session: Session) -> None:
    """Count the sales this session's transaction has written so far (commit does it)."""
    session.flush()
    changes = session.info.pop(PENDING, None)
    if changes:
        apply_changes(session.connection(), changes)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    if not session.in_nested_transaction():  # a savepoint released: its outer one commits later
        count_pending(session)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back or closed: what it wrote is gone
        session.info.pop(PENDING, None)


def _before(sale: Sale) -> Part:
    """The counted values as they were before this flush (attribute history)."""
    state = inspect(sale)
    values = []
    for name in COUNTED:
        history = state.attrs[name].history
        values.append(history.deleted[0] if history.deleted else getattr(sale, name))
    return Part(*values)


@event.listens_for(Sale, "after_insert")
def _sale_inserted(_mapper: Mapper[Sale], connection: Connection, sale: Sale) -> None:
    _count(sale, connection, [(Part.of(sale), 1)])


@event.listens_for(Sale, "after_update")
def _sale_updated(_mapper: Mapper[Sale], connection: Connection, sale: Sale) -> None:
    before, after = _before(sale), Part.of(sale)
    if before != after:
        _count(sale, connection, [(before, -1), (after, 1)])


@event.listens_for(Sale, "after_delete")
def _sale_deleted(_mapper: Mapper[Sale], connection: Connection, sale: Sale) -> None:
    _count(sale, connection, [(Part.of(sale), -1)])


# --- rebuilding from the sales -----------------------------------------------------------------


def fy_start_sql(connection: Connection, day: Any) -> Any:
    """SQL for `fy_start(day)`: 1 April of the year three months before the day."""
    if connection.dialect.name == "postgresql":
        shifted = func.date_trunc("year", day - literal("3 months").cast(postgresql.INTERVAL))
        return (shifted + literal("3 months").cast(postgresql.INTERVAL)).cast(
            PRODUCT_FY.c.fy_start.type
        )
    return func.date(day, "-3 months", "start of year", "+3 months")


def fill(connection: Connection) -> None:
    """Recompute every rollup row from the sales (after a bulk load): INSERT … SELECT."""
    sales: Table = Sale.__table__  # type: ignore[attr-defined]
    connection.execute(delete(DAILY))
    connection.execute(delete(PRODUCT_FY))
    craft = func.coalesce(sales.c.craft_group, "")
    connection.execute(
        DAILY.insert().from_select(
            ["sold_on", "district_code", "craft_group", "sales", "pieces", "total_paise"],
            select(
                sales.c.sold_on,
                sales.c.district_code,
                craft,
                func.count(),
                func.sum(sales.c.quantity),
                func.sum(sales.c.total_paise),
            ).group_by(sales.c.sold_on, sales.c.district_code, craft),
        )
    )
    fy = fy_start_sql(connection, sales.c.sold_on)
    by_district = (
        select(
            fy.label("fy_start"),
            sales.c.district_code,
            sales.c.product_id,
            func.count().label("sales"),
            func.sum(sales.c.quantity).label("pieces"),
            func.sum(sales.c.total_paise).label("total_paise"),
        )
        .where(sales.c.product_id.is_not(None))
        .group_by(fy, sales.c.district_code, sales.c.product_id)
    )
    columns = ["fy_start", "district_code", "product_id", "sales", "pieces", "total_paise"]
    connection.execute(PRODUCT_FY.insert().from_select(columns, by_district))
    rows = PRODUCT_FY.alias("d")
    connection.execute(
        PRODUCT_FY.insert().from_select(
            columns,
            select(
                rows.c.fy_start,
                literal(STATE),
                rows.c.product_id,
                func.sum(rows.c.sales),
                func.sum(rows.c.pieces),
                func.sum(rows.c.total_paise),
            )
            .where(rows.c.district_code != STATE)
            .group_by(rows.c.fy_start, rows.c.product_id),
        )
    )
