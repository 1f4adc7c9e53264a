"""The inbox: storing received updates once, claiming them oldest first but never a user's later
update before an earlier one, and handling each in the transaction that deletes it."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from sqlmodel import select
from telegram import Update

from bot import inbox
from bot.db import Database, is_sqlite
from bot.inbox import InboxWorkers
from bot.services import updates as updates_service
from bot.turn import RolledBack
from models import InboxUpdate, ProcessedUpdate


def message(update_id: int, user_id: int, text: str = "hi") -> tuple[Update, dict[str, Any]]:
    payload = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "A"},
            "text": text,
        },
    }
    return Update.de_json(payload, None), payload


async def stored_ids(database: Database) -> list[int]:
    async with database.sessions() as session:
        rows = await session.exec(select(InboxUpdate.update_id).order_by(InboxUpdate.update_id))
        return list(rows.all())


async def test_store_keeps_each_update_once_and_skips_handled_ids(database: Database) -> None:
    async with database.session() as session:
        updates_service.mark(session, 3)  # handled before (a redelivery after a crash)
    async with database.session() as session:
        assert await inbox.store(session, [message(1, 10), message(2, 20), message(3, 10)]) == 2
    async with database.session() as session:
        assert await inbox.store(session, [message(2, 20), message(4, 20)]) == 1
    assert await stored_ids(database) == [1, 2, 4]
    async with database.sessions() as session:
        row = await session.get(InboxUpdate, 4)
        assert row is not None and row.user_key == 20 and row.payload["message"]["text"] == "hi"


async def test_claims_oldest_first_but_never_a_users_later_update_first(
    database: Database,
) -> None:
    async with database.session() as session:
        await inbox.store(session, [message(1, 10), message(2, 10), message(3, 20)])
    order = []
    for _ in range(3):
        async with database.session() as session:
            row = await inbox.claim_next(session)
            assert row is not None
            order.append(row.update_id)
            await inbox.remove(session, row.update_id)
    assert order == [1, 2, 3]
    async with database.session() as session:
        assert await inbox.claim_next(session) is None


async def test_an_update_being_handled_holds_back_its_users_next_one(database: Database) -> None:
    if is_sqlite(database.url):
        pytest.skip("SQLite has one writer at a time: two claims cannot overlap there")
    async with database.session() as session:
        await inbox.store(session, [message(1, 10), message(2, 10), message(3, 20)])
    async with database.session() as first:
        held = await inbox.claim_next(first)
        assert held is not None and held.update_id == 1
        async with database.session() as second:
            # 1 is locked (skipped), 2 waits behind it (same user), 3 is free.
            other = await inbox.claim_next(second)
            assert other is not None and other.update_id == 3
            async with database.session() as third:
                assert await inbox.claim_next(third) is None
        await inbox.remove(first, 1)
    async with database.session() as session:
        row = await inbox.claim_next(session)
        assert row is not None and row.update_id == 2


async def test_a_rolled_back_claim_leaves_the_update_for_the_next_claim(
    database: Database,
) -> None:
    async with database.session() as session:
        await inbox.store(session, [message(1, 10)])
    with pytest.raises(RuntimeError):
        async with database.session() as session:
            row = await inbox.claim_next(session)
            assert row is not None
            await inbox.remove(session, row.update_id)
            raise RuntimeError("the process died mid-update")
    assert await stored_ids(database) == [1]


class FakeApp:
    """What the workers need of SaathiApplication: the database, a bot token, `process_in`."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.bot = SimpleNamespace(token="123:abc")
        self.seen: list[tuple[int, str]] = []
        self.fail: set[int] = set()
        self.expected = 30
        self.all_seen = asyncio.Event()

    async def process_in(self, session: Any, update: Update) -> None:
        await updates_service.claim(session, update.update_id)
        self.seen.append((update.update_id, update.effective_message.text))
        if len(self.seen) >= self.expected:
            self.all_seen.set()
        if update.update_id in self.fail:
            raise RolledBack


async def test_workers_handle_every_update_once_in_each_users_order(database: Database) -> None:
    app = FakeApp(database)
    workers = InboxWorkers(app, workers=3, poll_interval=0.05)  # type: ignore[arg-type]
    async with database.session() as session:
        updates_service.mark(session, 99)  # already handled: its redelivery is dropped
    workers.start()
    try:
        batch = [message(i, 10 + i % 3, f"m{i}") for i in range(1, 31)]
        await workers.receive(batch)
        await workers.receive([message(99, 10), message(5, 11, "again")])
        await asyncio.wait_for(app.all_seen.wait(), timeout=20)
    finally:
        await workers.stop()  # finishes (commits) the turns in hand
    assert await stored_ids(database) == []
    handled = [uid for uid, _ in app.seen]
    assert sorted(handled) == list(range(1, 31))
    for user in range(3):
        mine = [uid for uid in handled if uid % 3 == user]
        assert mine == sorted(mine), "one user's updates in the order they came"


async def test_a_failed_turn_is_recorded_once_and_not_retried(database: Database) -> None:
    app = FakeApp(database)
    app.fail = {2}
    workers = InboxWorkers(app, workers=1, poll_interval=0.05)  # type: ignore[arg-type]
    async with database.session() as session:
        await inbox.store(session, [message(1, 10), message(2, 10), message(3, 10)])
    assert await workers.handle_one() and await workers.handle_one() and await workers.handle_one()
    assert not await workers.handle_one()
    assert [uid for uid, _ in app.seen] == [1, 2, 3]
    async with database.sessions() as session:
        outcomes = dict(
            (await session.exec(select(ProcessedUpdate.update_id, ProcessedUpdate.outcome))).all()
        )
    assert outcomes == {1: "ok", 2: "error", 3: "ok"}


async def test_poller_acknowledges_a_batch_only_once_it_is_stored(database: Database) -> None:
    from bot.polling import Poller

    batch = [message(1, 10)[0], message(2, 20)[0]]
    offsets: list[int | None] = []
    stored = asyncio.Event()

    async def get_updates(offset=None, **_kw):  # type: ignore[no-untyped-def]
        offsets.append(offset)
        if len(offsets) <= 2:
            return batch  # the first store fails, so the same batch comes again
        stored.set()
        await asyncio.sleep(3600)  # a long poll with nothing new
        return []

    class FlakyInbox:
        def __init__(self) -> None:
            self.received: list[int] = []
            self.failures = 1

        async def receive(self, updates: list[tuple[Update, dict[str, Any]]]) -> None:
            if self.failures:
                self.failures -= 1
                raise RuntimeError("database unreachable")
            self.received += [u.update_id for u, _ in updates]

    box = FlakyInbox()
    app = SimpleNamespace(bot=SimpleNamespace(get_updates=get_updates))
    poller = Poller(app, timeout=0, inbox=box)  # type: ignore[arg-type]
    poller._sleep = lambda _s: asyncio.sleep(0)  # type: ignore[method-assign]
    poller.start()
    await asyncio.wait_for(stored.wait(), timeout=5)
    await poller.stop()
    assert box.received == [1, 2]
    assert offsets == [None, None, 3]


def test_a_worker_only_process_needs_workers() -> None:
    from pydantic import ValidationError

    from bot.config import Settings

    with pytest.raises(ValidationError, match="INBOX_WORKERS"):
        Settings(receive_updates=False, inbox_workers=0)
    assert Settings(receive_updates=False, inbox_workers=2).inbox_workers == 2
