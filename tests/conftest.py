"""Fixtures shared by every layer: a migrated database (SQLite, or PostgreSQL when
TEST_DATABASE_URL is set), the loopback Bot API emulator, and the real bot running against it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import create_engine, text

from bot import db as dbmod
from bot.config import Settings
from bot.db import Database
from bot.emulator.client import EmulatorClient
from bot.emulator.server import EmulatorServer
from models import metadata

TOKEN = "123456:TEST-loopback-token-abcdefghijklmnop"
ADMIN_ID = 9000001


def _reset_postgres(url: str) -> None:
    engine = create_engine(dbmod._driver_urls(url)[1])
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    dbmod.upgrade(url)
    return url


async def truncate_all(database: Database) -> None:
    async with database.session() as session:
        for table in reversed(metadata.sorted_tables):
            await session.exec(table.delete())  # type: ignore[call-overload]


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    db = Database(db_url)
    await truncate_all(db)
    yield db
    await db.dispose()


@pytest.fixture
def settings_for(db_url: str):  # type: ignore[no-untyped-def]
    def make(api_url: str, **extra: object) -> Settings:
        return Settings(
            telegram_bot_token=SecretStr(TOKEN),
            telegram_api_url=api_url,
            database_url=db_url,
            admin_ids=frozenset({ADMIN_ID}),
            **extra,  # type: ignore[arg-type]
        )

    return make


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


# The loopback Bot API emulator and a client for its control routes (tests/emulator has its own).
@pytest.fixture
async def emu() -> AsyncIterator[EmulatorServer]:
    async with EmulatorServer(TOKEN) as server:
        yield server


@pytest.fixture
async def client(emu: EmulatorServer) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emu.url) as c:
        yield c
