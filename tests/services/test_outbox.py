"""The outbox sender against the emulator: pace, errors, retries, crash recovery, cancel."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import col, select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.db import Database
from bot.emulator.client import EmulatorClient
from bot.emulator.server import EmulatorServer
from bot.outbox import Outbox
from bot.services import broadcast
from models import Delivery, User
from models.notice import DeliveryStatus
from tests.conftest import TOKEN
from tests.e2e.seed import registered_user


@pytest.fixture
async def tg(emu: EmulatorServer) -> AsyncIterator[Bot]:
    bot = Bot(
        TOKEN,
        base_url=f"{emu.url}/bot",
        base_file_url=f"{emu.url}/file/bot",
        request=HTTPXRequest(connection_pool_size=64),
    )
    async with bot:
        yield bot


async def people(client: EmulatorClient, database: Database, ids: list[int]) -> None:
    for uid in ids:
        await client.create_user(id=uid, first_name=f"U{uid}", started=True)
        await registered_user(database, uid)


async def enqueue(database: Database, items: list[tuple[int, str]], owner_id: int = 1) -> None:
    async with database.session() as session:
        await broadcast.enqueue_deliveries(
            session, "test", owner_id, [(chat, broadcast.payload(text)) for chat, text in items]
        )


async def rows(database: Database) -> list[Delivery]:
    async with database.sessions() as session:
        return list((await session.exec(select(Delivery).order_by(col(Delivery.id)))).all())


async def drain(outbox: Outbox, database: Database, client: EmulatorClient) -> None:
    """Run the outbox until no row is pending or being sent."""

    async def settled() -> bool:
        return all(
            r.status not in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
            for r in await rows(database)
        )

    outbox.start()
    try:
        await client.wait_until(settled, timeout=30, interval=0.05)
    finally:
        await outbox.stop()


def fast(tg: Bot, database: Database, **kw: Any) -> Outbox:
    kw.setdefault("rate", 200.0)
    kw.setdefault("backoff_base", 0.05)
    kw.setdefault("idle_poll", 0.05)
    return Outbox(tg, database, **kw)


async def bot_texts(client: EmulatorClient, uid: int) -> list[str]:
    chat = await client.chat(uid)
    return [m.get("text") or "" for m in chat["messages"] if m["from"] == "bot"]


async def test_delivers_each_row_once_with_buttons(tg, client, database) -> None:  # type: ignore[no-untyped-def]
    ids = list(range(5001, 5011))
    await people(client, database, ids)
    async with database.session() as session:
        await broadcast.enqueue_deliveries(
            session,
            "test",
            7,
            [
                (uid, broadcast.payload(f"<b>नमस्ते</b> {uid}", buttons=[[("OK", "n:ack:7")]]))
                for uid in ids
            ],
        )
    outbox = fast(tg, database)
    await drain(outbox, database, client)
    done = await rows(database)
    assert {r.status for r in done} == {DeliveryStatus.SENT}
    assert all(r.message_id and r.sent_at and r.attempts == 1 for r in done)
    for uid in ids:
        chat = await client.chat(uid)
        [message] = [m for m in chat["messages"] if m["from"] == "bot"]
        assert message["text"] == f"नमस्ते {uid}"
        assert message["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "n:ack:7"
    assert outbox.stats.sent == 10


async def test_one_message_per_second_per_chat(tg, client, database) -> None:  # type: ignore[no-untyped-def]
    await people(client, database, [5101, 5102])
    await enqueue(database, [(5101, "one"), (5101, "two"), (5102, "x"), (5101, "three")])
    outbox = fast(tg, database, per_chat_interval=0.5)
    await drain(outbox, database, client)
    assert await bot_texts(client, 5101) == ["one", "two", "three"]
    calls = [c for c in await client.calls("sendMessage") if str(c["params"]["chat_id"]) == "5101"]
    gaps = [b["t"] - a["t"] for a, b in itertools.pairwise(calls)]
    assert len(calls) == 3 and all(gap >= 0.45 for gap in gaps)


async def test_blocked_user_is_marked_inactive_and_not_retried(tg, client, database) -> None:  # type: ignore[no-untyped-def]
    await people(client, database, [5201, 5202])
    await client.block(5201)
    await enqueue(database, [(5201, "hello"), (5202, "hello")])
    outbox = fast(tg, database)
    await drain(outbox, database, client)
    by_chat = {r.chat_id: r for r in await rows(database)}
    assert by_chat[5201].status == DeliveryStatus.BLOCKED and by_chat[5201].attempts == 1
    assert by_chat[5202].status == DeliveryStatus.SENT
    async with database.sessions() as session:
        assert (await session.get(User, 5201)).active is False  # type: ignore[union-attr]
        assert (await session.get(User, 5202)).active is True  # type: ignore[union-attr]
    assert (
        len([c for c in await client.calls("sendMessage") if str(c["params"]["chat_id"]) == "5201"])
        == 1
    )


async def test_retry_after_is_honoured(tg, client, database) -> None:  # type: ignore[no-untyped-def]
    ids = [5301, 5302, 5303, 5304]
    await people(client, database, ids)
    # Two messages per chat, no spacing of ours: the emulator's 1/s per chat answers 429.
    await client.configure(per_chat_rate=1.0)
    await enqueue(database, [(uid, f"m{n}") for n in (1, 2) for uid in ids])
    outbox = fast(tg, database, per_chat_interval=0.0)
    await drain(outbox, database, client)
    assert outbox.stats.flood_429 >= 1
    for uid in ids:
        assert await bot_texts(client, uid) == ["m1", "m2"]
    assert {r.status for r in await rows(database)} == {DeliveryStatus.SENT}
    # The retry came after the time Telegram asked for.
    calls = await client.calls("sendMessage")
    first_429 = next(c for c in calls if c["error_code"] == 429)
    after = [c for c in calls if c["n"] > first_429["n"] and c["ok"]]
    assert after and min(c["t"] for c in after) - first_429["t"] >= 0.9


async def test_transient_errors_are_retried_until_delivered(tg, client, database) -> None:  # type: ignore[no-untyped-def]
    ids = list(range(5401, 5421))
    await people(client, database, ids)
    await client.configure(fault_rate=0.4, fault_kinds=["500", "502", "drop"], seed=7)
    await enqueue(database, [(uid, "hello") for uid in ids])
    outbox = fast(tg, database, max_attempts=20, per_chat_interval=0.05)
    await drain(outbox, database, client)
    assert {r.status for r in await rows(database)} == {DeliveryStatus.SENT}
    for uid in ids:
        assert await bot_texts(client, uid) == ["hello"]
    assert outbox.stats.retried >= 1


async def test_gives_up_after_max_attempts(tg, client, database) -> None:  # type: ignore[no-untyped-def]
    await people(client, database, [5501])
    await client.configure(fault_rate=1.0, fault_kinds=["500"])
    await enqueue(database, [(5501, "hello")])
    outbox = fast(tg, database, max_attempts=3, per_chat_interval=0.0)
    await drain(outbox, database, client)
    [row] = await rows(database)
    assert row.status == DeliveryStatus.FAILED and row.attempts == 3
    assert row.last_error and "Internal Server Error" in row.last_error


async def test_bad_request_is_not_retried(tg, client, database) -> None:  # type: ignore[no-untyped-def]
    await people(client, database, [5601])
    await enqueue(database, [(5601, "<b>broken"), (424242, "nobody")])
    outbox = fast(tg, database)
    await drain(outbox, database, client)
    assert [(r.status, r.attempts) for r in await rows(database)] == [
        (DeliveryStatus.FAILED, 1),
        (DeliveryStatus.FAILED, 1),
    ]


async def test_resume_after_crash_resends_only_what_was_in_flight(tg, client, database) -> None:  # type: ignore[no-untyped-def]
    ids = [5701, 5702, 5703, 5704]
    await people(client, database, ids)
    await enqueue(database, [(uid, "hello") for uid in ids])
    # As a kill -9 leaves it: one sent, one claimed (in flight), two pending.
    async with database.session() as session:
        found = list((await session.exec(select(Delivery).order_by(col(Delivery.id)))).all())
        found[0].status, found[0].attempts = DeliveryStatus.SENT, 1
        found[1].status, found[1].attempts = DeliveryStatus.SENDING, 1
        for r in found[:2]:
            session.add(r)
    outbox = fast(tg, database)
    await drain(outbox, database, client)
    assert outbox.stats.recovered == 1
    assert await bot_texts(client, 5701) == []  # marked sent: never sent again
    for uid in ids[1:]:
        assert await bot_texts(client, uid) == ["hello"]
    assert {r.status for r in await rows(database)} == {DeliveryStatus.SENT}


async def test_cancelled_rows_are_not_sent(tg, client, database) -> None:  # type: ignore[no-untyped-def]
    await people(client, database, [5801, 5802])
    await enqueue(database, [(5801, "a")], owner_id=1)
    await enqueue(database, [(5802, "b")], owner_id=2)
    async with database.session() as session:
        from sqlalchemy import update

        await session.exec(
            update(Delivery)  # type: ignore[call-overload]
            .where(col(Delivery.owner_id) == 2)
            .values(status=DeliveryStatus.CANCELLED)
        )
    outbox = fast(tg, database)
    await drain(outbox, database, client)
    assert await bot_texts(client, 5801) == ["a"]
    assert await bot_texts(client, 5802) == []


async def test_backlog_for_the_health_check(database: Database) -> None:
    from datetime import timedelta

    from bot.outbox import backlog
    from models.types import utcnow

    now = utcnow()
    assert await backlog(database, now) == {"waiting": 0, "oldest_due_s": 0.0}
    async with database.session() as session:
        await broadcast.enqueue_deliveries(
            session, "notice", 1, [(7001, {"kind": "text", "text": "a"})], not_before=now
        )
        await broadcast.enqueue_deliveries(
            session,
            "notice",
            1,
            [(7002, {"kind": "text", "text": "b"})],
            not_before=now - timedelta(seconds=90),
        )
    assert await backlog(database, now) == {"waiting": 2, "oldest_due_s": 90.0}
