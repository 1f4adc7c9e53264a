"""Webhook mode end to end: the emulator POSTs updates to the bot's own HTTP server."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest

from bot.app import build_application, serve
from tests.e2e.phone import Phone, texts

SECRET = "s3cret_Value-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def webhook_bot(emu, database, settings_for):  # type: ignore[no-untyped-def]
    port = free_port()
    settings = settings_for(
        emu.url,
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_secret=SECRET,
        host="127.0.0.1",
        port=port,
    )
    app = build_application(settings, db=database)
    stop, started = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(serve(app, stop, started=started))
    await asyncio.wait_for(started.wait(), timeout=15)
    yield f"http://127.0.0.1:{port}"
    stop.set()
    await asyncio.wait_for(task, timeout=15)


async def test_onboarding_over_webhook(webhook_bot, client, database) -> None:  # type: ignore[no-untyped-def]
    await client.create_user(id=2401, first_name="Seema", language_code="hi")
    phone = Phone(client, database, 2401)
    replies = await phone.send("/start")
    assert "भाषा" in texts(replies)
    replies = await phone.press("हिन्दी")
    assert "नाम" in texts(replies)


async def test_wrong_or_missing_secret_is_refused(webhook_bot) -> None:  # type: ignore[no-untyped-def]
    update = {
        "update_id": 1,
        "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "hi"},
    }
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with http.post(
                f"{webhook_bot}/telegram/hook", json=update, headers=headers
            ) as resp:
                assert resp.status == 403
        async with http.get(f"{webhook_bot}/healthz") as resp:
            assert resp.status == 200
            body = await resp.json()
            assert body["database"] == "ok" and body["status"] == "ok"
            assert body["outbox"] == {"waiting": 0, "oldest_due_s": 0.0}
