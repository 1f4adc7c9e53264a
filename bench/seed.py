"""Fast bulk seeding for benchmarks: N registered artisans, their products, and M sales.

    python -m bench.seed --artisans 100000 --sales 1000000            # a SQLite file in /tmp
    python -m bench.seed --database-url postgresql://u@host/db ...    # COPY on PostgreSQL

The schema comes from the migrations (`bot.db.upgrade`), and rows go in through the migrated
tables as they are in the database (reflected), with SQLAlchemy Core `executemany` in large
chunks on SQLite and `COPY ... FROM STDIN` on PostgreSQL. 100k artisans / 1M sales take about
15 s on SQLite here.

Seeded artisans are deterministic, so a benchmark driver can talk to them without reading the
database: ids `FIRST_ID + i`, language `artisan_language(i)` (7 in 10 Hindi), districts in
turn from the reference data, and the same three products each (`PRODUCTS`). Sales are spread
over the last year (more of them recently), 1–5 pieces each, at about the product's price.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, MetaData, Table, create_engine, delete, func, select
from sqlalchemy.engine import make_url

from bot import db as dbmod
from bot import reference
from bot.services import rollups

FIRST_ID = 900_000_001  # seeded artisans are FIRST_ID .. FIRST_ID + N - 1
# (name, category, usual price in paise): every seeded artisan has these three products.
PRODUCTS: tuple[tuple[str, str, int], ...] = (
    ("कुर्ता", "kurta", 45_000),
    ("दुपट्टा", "dupatta", 30_000),
    ("Toran", "home_textile", 24_000),
)
CHANNELS = ("flipkart", "amazon", "meesho", "gem", "odop_mart", "local", "whatsapp", "other")
CHUNK = 50_000
DAYS = 365

Progress = Callable[[str], None]

USER_COLUMNS = (
    "id",
    "language",
    "role",
    "name",
    "district_code",
    "craft_group",
    "odop_index",
    "consent_version",
    "consent_at",
    "onboarded_at",
    "active",
    "created_at",
    "last_seen_at",
)
PRODUCT_COLUMNS = (
    "user_id",
    "name",
    "category",
    "price_paise",
    "stock",
    "low_stock_threshold",
    "photo_answers",
    "archived",
    "created_at",
    "updated_at",
)
SALE_COLUMNS = (
    "user_id",
    "district_code",
    "craft_group",
    "product_id",
    "quantity",
    "unit_price_paise",
    "total_paise",
    "channel",
    "sold_on",
    "source",
    "created_at",
)


def artisan_id(i: int) -> int:
    return FIRST_ID + i


def artisan_language(i: int) -> str:
    return "hi" if i % 10 < 7 else "en"


def default_sqlite_url(artisans: int, sales: int) -> str:
    return f"sqlite:////tmp/saathi-bench-{artisans}a-{sales}s.db"


@dataclass(frozen=True)
class SeedResult:
    artisans: int
    products: int
    sales: int
    seconds: float
    reused: bool = False


def _quiet(_: str) -> None:
    pass


def _sync_engine(url: str):  # type: ignore[no-untyped-def]
    _, sync_url = dbmod._driver_urls(url)
    return create_engine(sync_url)


def _tables(conn: Connection) -> dict[str, Table]:
    meta = MetaData()
    names = ("users", "products", "sales", "processed_updates", "conversations")
    meta.reflect(conn, only=names)
    return {name: meta.tables[name] for name in names}


def _id_range(table: Table, column: str, artisans: int):  # type: ignore[no-untyped-def]
    col = table.c[column]
    return col.between(FIRST_ID, FIRST_ID + artisans - 1)


def counts(url: str, artisans: int) -> tuple[int, int]:
    """(seeded artisans, their sales) already in the database."""
    engine = _sync_engine(url)
    try:
        with engine.connect() as conn:
            t = _tables(conn)
            users = conn.scalar(
                select(func.count())
                .select_from(t["users"])
                .where(_id_range(t["users"], "id", artisans))
            )
            sales = conn.scalar(
                select(func.count())
                .select_from(t["sales"])
                .where(_id_range(t["sales"], "user_id", artisans))
            )
            return int(users or 0), int(sales or 0)
    finally:
        engine.dispose()


def reset_runtime_state(url: str, artisans: int) -> None:
    """Undo what a benchmark run left behind, so that a seeded database can be reused.

    A new emulator numbers updates from 1 again: the handled-update ids of an earlier run (and
    the sales recorded by those updates, which carry their update id) would make the bot drop
    or refuse the new ones. Conversations in progress are cleared too; the sales go out of the
    rollups as well.
    """
    engine = _sync_engine(url)
    try:
        with engine.begin() as conn:
            t = _tables(conn)
            conn.execute(delete(t["processed_updates"]))
            conn.execute(
                delete(t["conversations"]).where(_id_range(t["conversations"], "user_id", artisans))
            )
            sales = t["sales"]
            recorded = (_id_range(sales, "user_id", artisans), sales.c.update_id.is_not(None))
            counted = [sales.c[name] for name in rollups.COUNTED]
            parts = [rollups.Part(*row) for row in conn.execute(select(*counted).where(*recorded))]
            rollups.apply_many(conn, parts, -1)
            conn.execute(delete(sales).where(*recorded))
    finally:
        engine.dispose()


def ensure_seeded(
    url: str,
    artisans: int,
    sales: int,
    *,
    force: bool = False,
    progress: Progress = _quiet,
) -> SeedResult:
    """Migrate, then reuse the seeded rows if they are all there (unless `force`), else seed."""
    if force and dbmod.is_sqlite(url):
        path = make_url(url).database
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    dbmod.upgrade(url)
    if not force:
        have_users, have_sales = counts(url, artisans)
        if have_users == artisans and have_sales >= sales:
            reset_runtime_state(url, artisans)
            progress(f"reusing {have_users:,} artisans / {have_sales:,} sales in {_where(url)}")
            return SeedResult(
                artisans, artisans * len(PRODUCTS), have_sales, time.perf_counter() - started, True
            )
    return seed(url, artisans, sales, progress=progress)


def _where(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def seed(
    url: str,
    artisans: int,
    sales: int,
    *,
    rng_seed: int = 20261123,
    today: date | None = None,
    progress: Progress = _quiet,
) -> SeedResult:
    """Insert `artisans` registered artisans (3 products each) and `sales` sales.

    Rows of an earlier seed with the same id range are deleted first. The schema must be
    migrated (`ensure_seeded` does it)."""
    started = time.perf_counter()
    rng = random.Random(rng_seed)
    today = today or datetime.now(ZoneInfo("Asia/Kolkata")).date()
    engine = _sync_engine(url)
    sqlite = dbmod.is_sqlite(url)
    try:
        with engine.begin() as conn:
            if sqlite:
                # One writer, a throw-away database: no fsync; big page cache.
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
                conn.exec_driver_sql("PRAGMA cache_size=-400000")
                conn.exec_driver_sql("PRAGMA temp_store=MEMORY")
            t = _tables(conn)
            _delete_seeded(conn, t, artisans)
            # Values as the columns store them (SQLAlchemy's SQLite formats; COPY parses text).
            now = datetime.now(UTC)
            stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now.isoformat()

            districts = reference.districts()
            users = (
                (
                    artisan_id(i),
                    artisan_language(i),
                    "artisan",
                    f"कारीगर {i}" if artisan_language(i) == "hi" else f"Artisan {i}",
                    districts[i % len(districts)].code,
                    districts[i % len(districts)].craft_group,
                    0,
                    "bench",
                    stamp,
                    stamp,
                    True,
                    stamp,
                    stamp,
                )
                for i in range(artisans)
            )
            _insert(conn, t["users"], USER_COLUMNS, users, sqlite)
            progress(f"  {artisans:,} artisans ({time.perf_counter() - started:.1f} s)")

            products = (
                (artisan_id(i), name, category, price, 100_000, 2, "{}", False, stamp, stamp)
                for i in range(artisans)
                for name, category, price in PRODUCTS
            )
            with _indexes_dropped(conn, t["products"], sqlite):
                _insert(conn, t["products"], PRODUCT_COLUMNS, products, sqlite)
            p = t["products"]
            ids = conn.execute(
                select(p.c.user_id, p.c.id)
                .where(_id_range(p, "user_id", artisans))
                .order_by(p.c.user_id, p.c.id)
            ).all()
            product_ids: dict[int, list[int]] = {}
            for user_id, product_id in ids:
                product_ids.setdefault(user_id, []).append(product_id)
            progress(f"  {len(ids):,} products ({time.perf_counter() - started:.1f} s)")

            with _indexes_dropped(conn, t["sales"], sqlite):
                _insert(
                    conn,
                    t["sales"],
                    SALE_COLUMNS,
                    _sales(rng, artisans, sales, product_ids, districts, today, stamp),
                    sqlite,
                )
            progress(f"  {sales:,} sales ({time.perf_counter() - started:.1f} s)")
            # The rollups, from every sale, as migration 0007 fills them (INSERT … SELECT).
            rollups.fill(conn)
            progress(f"  sales rollups ({time.perf_counter() - started:.1f} s)")
        # Fresh planner statistics after a bulk load, as the bot's daily job keeps them.
        with engine.connect() as conn:
            if sqlite:
                conn.exec_driver_sql(f"PRAGMA analysis_limit={dbmod.SQLITE_ANALYSIS_LIMIT}")
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
            else:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "ANALYZE users, products, sales, sales_daily, product_sales_fy"
                )
    finally:
        engine.dispose()
    return SeedResult(artisans, artisans * len(PRODUCTS), sales, time.perf_counter() - started)


def _sales(
    rng: random.Random,
    artisans: int,
    sales: int,
    product_ids: dict[int, list[int]],
    districts: Sequence[reference.District],
    today: date,
    stamp: str,
) -> Iterable[tuple[Any, ...]]:
    # Sales grouped by artisan (good index locality); about 10 per artisan, some with none.
    random_ = rng.random
    owners = sorted(int(random_() * artisans) for _ in range(sales))
    days = [(today - timedelta(days=n)).isoformat() for n in range(DAYS)]
    n_products, n_channels, n_districts = len(PRODUCTS), len(CHANNELS), len(districts)
    prices = [price for _, _, price in PRODUCTS]
    for i in owners:
        user_id = FIRST_ID + i
        k = int(random_() * n_products)
        quantity = 1 + int(random_() * 5)
        unit = prices[k] + (int(random_() * 11) - 5) * 1_000
        district = districts[i % n_districts]
        yield (
            user_id,
            district.code,
            district.craft_group,
            product_ids[user_id][k],
            quantity,
            unit,
            quantity * unit,
            CHANNELS[int(random_() * n_channels)],
            # more sales recently: the age in days has a triangular distribution peaking at 0
            days[int(DAYS * (1 - (1 - random_()) ** 0.5)) % DAYS],
            "chat",
            stamp,
        )


def _delete_seeded(conn: Connection, t: dict[str, Table], artisans: int) -> None:
    conn.execute(delete(t["sales"]).where(_id_range(t["sales"], "user_id", artisans)))
    conn.execute(delete(t["products"]).where(_id_range(t["products"], "user_id", artisans)))
    conn.execute(
        delete(t["conversations"]).where(_id_range(t["conversations"], "user_id", artisans))
    )
    conn.execute(delete(t["users"]).where(_id_range(t["users"], "id", artisans)))


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterable[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    sqlite: bool,
) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    if sqlite:
        # The driver's executemany over plain tuples, in large chunks: Core's per-row
        # parameter processing would cost more than the inserts themselves.
        marks = ", ".join("?" for _ in columns)
        sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})'
        for chunk in _chunks(rows, CHUNK):
            conn.exec_driver_sql(sql, chunk)
        return
    # PostgreSQL: COPY FROM STDIN through psycopg 3 (text values are parsed by the server).
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


@contextmanager
def _indexes_dropped(conn: Connection, table: Table, sqlite: bool) -> Iterator[None]:
    """Build the secondary indexes once after a bulk load instead of row by row during it.

    Only plain indexes (CREATE INDEX): those behind PRIMARY KEY / UNIQUE constraints stay."""
    if sqlite:
        found = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table.name,),
        ).all()
    else:
        found = conn.exec_driver_sql(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %(t)s "
            "AND i.schemaname = current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conname = i.indexname)",
            {"t": table.name},
        ).all()
    for name, _sql in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _name, sql in found:
        conn.exec_driver_sql(sql)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__.split("\n")[0])
    ap.add_argument("--database-url", help="default: a SQLite file in /tmp named by the sizes")
    ap.add_argument("--artisans", type=int, default=100_000)
    ap.add_argument("--sales", type=int, default=1_000_000)
    ap.add_argument("--force", action="store_true", help="seed again even if the rows are there")
    args = ap.parse_args(argv)
    url = args.database_url or default_sqlite_url(args.artisans, args.sales)
    result = ensure_seeded(url, args.artisans, args.sales, force=args.force, progress=print)
    print(
        f"{'reused' if result.reused else 'seeded'} {result.artisans:,} artisans, "
        f"{result.products:,} products, {result.sales:,} sales in {result.seconds:.1f} s "
        f"({_where(url)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "FIRST_ID",
    "PRODUCTS",
    "SeedResult",
    "artisan_id",
    "artisan_language",
    "counts",
    "default_sqlite_url",
    "ensure_seeded",
    "reset_runtime_state",
    "seed",
]
