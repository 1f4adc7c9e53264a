"""End-to-end fixtures: the emulator on loopback and the real Application polling it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Update

from bot.app import build_application
from bot.emulator.client import EmulatorClient
from bot.emulator.server import EmulatorServer
from tests.conftest import TOKEN
from tests.e2e.phone import Phone


@pytest.fixture
async def emu() -> AsyncIterator[EmulatorServer]:
    async with EmulatorServer(TOKEN) as server:
        yield server


@pytest.fixture
async def client(emu: EmulatorServer) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emu.url) as c:
        yield c


@pytest.fixture
async def bot(emu, database, settings_for) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    app = build_application(settings_for(emu.url), db=database)
    async with app:
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(allowed_updates=Update.ALL_TYPES, timeout=2)
        yield app
        await app.updater.stop()
        await app.stop()


@pytest.fixture
def phone_for(client, database):  # type: ignore[no-untyped-def]
    async def make(uid: int, first_name: str = "Test", language_code: str = "hi") -> Phone:
        await client.create_user(id=uid, first_name=first_name, language_code=language_code)
        return Phone(client, database, uid)

    return make
