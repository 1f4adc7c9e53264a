"""The poller acknowledges an update (the next getUpdates offset) only after handling it."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from telegram import Update
from telegram.error import NetworkError

from bot.polling import Poller


class FakeBot:
    def __init__(self, batches: list[object]) -> None:
        self.batches = batches
        self.offsets: list[int | None] = []

    async def get_updates(self, offset=None, **_kw):  # type: ignore[no-untyped-def]
        self.offsets.append(offset)
        if not self.batches:
            await asyncio.sleep(3600)
        item = self.batches.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


async def test_failed_update_is_not_acknowledged_and_is_retried() -> None:
    updates = [Update(update_id=10), Update(update_id=11)]
    bot = FakeBot([updates, NetworkError("down"), updates[1:]])
    handled: list[int] = []
    failures = {11: 1}  # the database fails once while handling update 11

    async def process_update(update: Update) -> None:
        if failures.get(update.update_id):
            failures[update.update_id] -= 1
            raise RuntimeError("database unreachable")
        handled.append(update.update_id)

    app = SimpleNamespace(bot=bot, process_update=process_update)
    poller = Poller(app, timeout=0)  # type: ignore[arg-type]
    poller._sleep = lambda _s: asyncio.sleep(0)  # type: ignore[method-assign]
    task = poller.start()
    for _ in range(200):
        await asyncio.sleep(0)
        if handled == [10, 11]:
            break
    await poller.stop()
    assert handled == [10, 11]
    # 10 was acknowledged (offset 11) before 11 was handled; 11 only after it succeeded.
    assert bot.offsets[:3] == [None, 11, 11]
    assert poller.offset == 12
    assert task.done()
