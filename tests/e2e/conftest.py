"""End-to-end fixtures: the emulator on loopback and the real Application polling it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.app import build_application, serve
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
    stop, started = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(app, stop, poll_timeout=2, started=started))
    await asyncio.wait_for(started.wait(), timeout=15)
    yield app
    stop.set()
    await asyncio.wait_for(task, timeout=15)


@pytest.fixture
def phone_for(client, database):  # type: ignore[no-untyped-def]
    async def make(uid: int, first_name: str = "Test", language_code: str = "hi") -> Phone:
        await client.create_user(id=uid, first_name=first_name, language_code=language_code)
        return Phone(client, database, uid)

    return make
