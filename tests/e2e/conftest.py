"""End-to-end fixtures: the emulator on loopback and the real Application polling it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import build_application, serve
from tests.e2e.phone import Phone


@contextlib.asynccontextmanager
async def running(app: Any) -> AsyncIterator[Any]:
    """`serve(app)` (polling the emulator) from start-up until the block ends."""
    stop, started = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(app, stop, poll_timeout=2, started=started))
    await asyncio.wait_for(started.wait(), timeout=15)
    try:
        yield app
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


@pytest.fixture
async def bot(emu, database, settings_for) -> AsyncIterator[object]:  # type: ignore[no-untyped-def]
    async with running(build_application(settings_for(emu.url), db=database)) as app:
        yield app


@pytest.fixture
def phone_for(client, database):  # type: ignore[no-untyped-def]
    async def make(uid: int, first_name: str = "Test", language_code: str = "hi") -> Phone:
        await client.create_user(id=uid, first_name=first_name, language_code=language_code)
        return Phone(client, database, uid)

    return make
