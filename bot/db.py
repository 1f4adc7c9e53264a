"""Database engine, sessions and schema migrations.

The bot talks to the database asynchronously (aiosqlite for SQLite, psycopg 3 for PostgreSQL) so
that no query blocks the event loop; Alembic migrates through the matching synchronous driver.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "models" / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_ANALYSIS_LIMIT = 1000  # rows sampled per index by ANALYZE
# After SQLite's own busy timeout, how long `Database.session` keeps beginning the transaction
# again (with backoff) before it gives up and raises.
SQLITE_BUSY_RETRY_SECONDS = 60.0

log = logging.getLogger(__name__)


class SchemaOutOfDate(RuntimeError):
    """The database schema is not at the newest migration."""


def _driver_urls(url: str) -> tuple[str, str]:
    """Return (async_url, sync_url) for a user-facing DATABASE_URL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return (
            parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False),
            parsed.set(drivername="sqlite").render_as_string(hide_password=False),
        )
    if backend == "postgresql":
        # psycopg 3 is both the async and the sync driver.
        same = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return same, same
    raise ValueError(f"unsupported database backend: {backend!r} (use sqlite or postgresql)")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _ensure_sqlite_dir(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(sync_engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for every transaction.

    Each transaction of ours writes (at least the processed update id), so taking the write lock
    up front avoids the deadlock-prone read-then-upgrade path of SQLite's deferred transactions.
    """

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """The async engine and a session factory for one DATABASE_URL."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
        busy_retry_seconds: float = SQLITE_BUSY_RETRY_SECONDS,
    ) -> None:
        self.url = url
        self.async_url, self.sync_url = _driver_urls(url)
        self.sqlite = is_sqlite(url)
        if self.sqlite:
            _ensure_sqlite_dir(url)
        self.engine: AsyncEngine = create_async_engine(self.async_url, echo=echo)
        if self.sqlite:
            _sqlite_pragmas(self.engine.sync_engine, busy_timeout_ms)
        self.sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)
        self.busy_retry_seconds = busy_retry_seconds
        self.busy_retries = 0  # transactions begun again because SQLite was busy

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed when the block ends, rolled back on an exception.

        On SQLite the write lock is taken before the block runs (BEGIN IMMEDIATE). When another
        connection holds it longer than the busy timeout, the transaction is begun again — the
        block has not run yet, so nothing in it happens twice — with backoff, for up to
        `busy_retry_seconds`; only then does "database is locked" reach the caller.
        """
        session = await self._begin()
        async with session:
            yield session
            await session.commit()

    async def _begin(self) -> AsyncSession:
        if not self.sqlite:
            return self.sessions()  # begins with its first statement
        started, delay = time.monotonic(), 0.05
        while True:
            session = self.sessions()
            try:
                await session.connection()  # BEGIN IMMEDIATE (see _sqlite_pragmas)
                return session
            except OperationalError as exc:
                await session.close()
                spent = time.monotonic() - started
                if not _sqlite_busy(exc) or spent + delay > self.busy_retry_seconds:
                    raise
            except BaseException:  # cancelled: never leave a connection holding the lock
                await session.close()
                raise
            self.busy_retries += 1
            log.warning("database busy for %.1f s; beginning the transaction again", spent)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    async def refresh_statistics(self) -> None:
        """Fresh query-planner statistics (ANALYZE). Without them SQLite guesses, e.g. walks
        the `archived` index of every product instead of the owner's few; PostgreSQL's
        autovacuum usually does this, but it can be off. On SQLite the analysis is sampled
        (`analysis_limit`): milliseconds on millions of rows."""
        async with self.engine.connect() as conn:
            if self.sqlite:
                await conn.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
                await conn.exec_driver_sql("ANALYZE")
                await conn.commit()
            else:
                await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql(
                    "ANALYZE"
                )

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_busy(exc: OperationalError) -> bool:
    message = str(exc.orig).lower()
    return "database is locked" in message or "database is busy" in message


# --- migrations -------------------------------------------------------------------------------


def alembic_config(url: str) -> Config:
    _, sync_url = _driver_urls(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", sync_url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    if is_sqlite(url):
        _ensure_sqlite_dir(url)
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(url: str) -> str | None:
    _, sync_url = _driver_urls(url)
    engine = create_engine(sync_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def check_schema(url: str) -> None:
    """Raise SchemaOutOfDate with a clear message unless the schema is at the head revision."""
    current, head = current_revision(url), head_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"The database schema is at revision {current or 'none (empty database)'}, "
            f"but this version of ODOP Saathi needs {head}. "
            "Run `saathi db upgrade` (with the same DATABASE_URL) and start again."
        )
